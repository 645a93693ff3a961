"""The stack trace under a signature's example: the lines that continue it in its file.

The scan counts continuation lines (stack frames, `Caused by`, tracebacks) without keeping them:
which line a frame belongs to depends on the line above it, and DuckDB reads lines in parallel, in
no order. A trace matters for one line per signature, its example, so it is fetched afterwards from
the file. A plain file whose text sorts by time is bisected to the example's second, a few short
reads however big the file. Any other plain file, gzip or not, is read from its start, once for all
the examples it holds, up to a byte budget. Other formats keep a trace inside the line (JSON) or
rarely split one over lines (syslog), so they are not looked into.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.file_query import local_stamp_text
from wicked_platform.tools.logs.models import LogFormat, LogScan
from wicked_platform.tools.logs.sniff import FileLayout
from wicked_platform.tools.logs.streams import GZIP_MAGIC, byte_chunks

MAX_STACK_LINES = 12  # the top of a trace says where it broke; the rest is in the file
MAX_STACK_LINE_CHARS = 300
MAX_LOOKUPS = 100  # signatures per scan whose example is looked up, most frequent first
READ_BUDGET_BYTES = 32 << 20  # a file read from its start is read this far at most
SECOND_BUDGET_BYTES = 8 << 20  # a bisected file: the example's second is read this far at most
PROBE_BYTES = 64 << 10  # a bisection step looks this far for a line that opens with a stamp

_CONTINUATION = formats.compile_shared(formats.CONTINUATION)
_STAMPED = formats.compile_shared("^" + formats.ISO_STAMP)  # a plain line of its own, whatever follows the stamp
_ANSI = formats.compile_shared(formats.ANSI_ESCAPE)
_OPENS_WITH_DATE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Lookup:
    """One example to find: its index in the scan's signatures, its second as the file writes it
    (None when the file's stamps do not sort as text), and its message."""

    index: int
    second: str | None
    message: str


def attach_stacks(scan: LogScan, example_files: list[int | None], files: dict[int, tuple[Path, FileLayout]],
                  tz: str) -> LogScan:
    """The scan with each signature's `stack` filled in where its example is followed by one.

    Args:
        example_files: for each of scan.signatures, the file id its example was read from.
        files: file id -> (path, layout) of the files read.
        tz: the zone stamps without one were read in.
    """
    wanted: dict[int, list[Lookup]] = {}
    for index, (signature, file_id) in enumerate(zip(scan.signatures, example_files, strict=True)):
        if index >= MAX_LOOKUPS or file_id not in files:
            continue
        path, layout = files[file_id]
        if layout.format != LogFormat.PLAIN:
            continue
        second = None
        if layout.sorts_as_text:
            micros = int(signature.first_seen.timestamp()) * 1_000_000
            second = local_stamp_text(micros, layout, tz)
        wanted.setdefault(file_id, []).append(Lookup(index=index, second=second, message=signature.example))
    stacks: dict[int, list[str]] = {}
    for file_id, lookups in wanted.items():
        path, layout = files[file_id]
        try:
            stacks.update(_stacks_in_file(path, layout, lookups))
        except OSError:
            continue  # the scan read it a moment ago; a file rotated away since just has no traces
    if not stacks:
        return scan
    signatures = [s.model_copy(update={"stack": stacks[i]}) if stacks.get(i) else s for i, s in enumerate(scan.signatures)]
    return scan.model_copy(update={"signatures": signatures})


def _stacks_in_file(path: Path, layout: FileLayout, lookups: list[Lookup]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    with path.open("rb") as raw:
        bisectable = raw.read(2) != GZIP_MAGIC and layout.sorts_as_text
        if bisectable:
            size = raw.seek(0, 2)
            for lookup in lookups:
                assert lookup.second is not None
                start = _first_at_or_after(raw, size, lookup.second.encode())
                if start is not None:
                    raw.seek(start)
                    lines = _decoded(_bounded_lines(raw, SECOND_BUDGET_BYTES), layout)
                    found.update(_find(lines, [lookup], stop_after=lookup.second))
    rest = [lookup for lookup in lookups if lookup.index not in found]
    if rest and not bisectable:
        found.update(_find(_decoded(_lines_from_start(path), layout), rest))
    return found


def _first_at_or_after(raw: BinaryIO, size: int, second: bytes) -> int | None:
    """The offset of the first line whose stamp is at or after `second`, in a file sorted by time."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        line = _stamped_line(raw, middle)
        if line is None or line[1][: len(second)] >= second:
            high = middle
        else:
            low = middle + 1
    line = _stamped_line(raw, low)
    return None if line is None else line[0]


def _stamped_line(raw: BinaryIO, offset: int) -> tuple[int, bytes] | None:
    """(offset, first bytes) of the first line starting at or after `offset` that opens with a date."""
    raw.seek(max(offset - 1, 0))
    at_line_start = True
    if offset > 0:  # to the start of the next line: the byte before `offset` may be the newline ending one
        at_line_start = raw.readline(PROBE_BYTES).endswith(b"\n")
    read = 0
    while read < PROBE_BYTES:
        start = raw.tell()
        piece = raw.readline(PROBE_BYTES)
        if not piece:
            return None
        read += len(piece)
        if at_line_start and _OPENS_WITH_DATE.match(piece):
            return start, piece
        at_line_start = piece.endswith(b"\n")
    return None


def _bounded_lines(raw: BinaryIO, budget: int) -> Iterator[bytes]:
    read = 0
    while read < budget:
        line = raw.readline(PROBE_BYTES)
        if not line:
            return
        read += len(line)
        yield line


def _lines_from_start(path: Path) -> Iterator[bytes]:
    """The file's lines, gzip or not, up to READ_BUDGET_BYTES."""
    rest, read = b"", 0
    for chunk in byte_chunks(path, []):
        read += len(chunk)
        *lines, rest = (rest + chunk).split(b"\n")
        yield from lines
        if read >= READ_BUDGET_BYTES:
            return
    if rest:
        yield rest


def _decoded(lines: Iterator[bytes], layout: FileLayout) -> Iterator[str]:
    for line in lines:
        text = line.decode("utf-8", errors="replace").rstrip("\r\n")
        yield _ANSI.sub("", text) if layout.strip_ansi else text


def _find(lines: Iterator[str], lookups: list[Lookup], stop_after: str | None = None) -> dict[int, list[str]]:
    """Walk the lines; the first line of an example's second holding its message opens its trace, and
    the continuation lines right under it are the trace. `stop_after`: the lines are sorted; stop at
    the first one stamped after this second."""
    found: dict[int, list[str]] = {}
    open_traces: list[int] = []  # lookups whose example is the last line read but for its continuation
    pending = list(lookups)
    for line in lines:
        if _STAMPED.match(line) is None:
            if _CONTINUATION.match(line) is None:
                open_traces = []  # a line of no log format: whatever it is, it ends the trace
            for index in open_traces:
                if len(found[index]) < MAX_STACK_LINES:
                    found[index].append(line[:MAX_STACK_LINE_CHARS])
            continue
        open_traces = []
        if not pending:
            break
        if stop_after is not None and line[: len(stop_after)] > stop_after:
            break
        for lookup in list(pending):
            if (lookup.second is None or line.startswith(lookup.second)) and lookup.message in line:
                pending.remove(lookup)
                found[lookup.index] = []
                open_traces.append(lookup.index)
    return {index: trace for index, trace in ((i, _trimmed(t)) for i, t in found.items()) if trace}


def _trimmed(stack: list[str]) -> list[str]:
    """Without the blank lines that end a trace."""
    while stack and not stack[-1].strip():
        stack = stack[:-1]
    return stack
