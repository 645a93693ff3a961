"""The stack trace under a signature's example: the lines that continue it in its file.

The scan counts continuation lines (stack frames, `Caused by`, tracebacks) without keeping them:
which line a frame belongs to depends on the line above it, and DuckDB reads lines in parallel, in
no order. A trace matters for one line per signature, its example, so it is fetched afterwards from
the file. A plain file whose text sorts by time is bisected to the example's second, a few short
reads however big the file. Any other plain file, gzip or not, is read from its start, once for all
the examples it holds, up to a byte budget. A JSON line keeps its trace in a field (`err.stack`,
`stacktrace`, `exception`): the example's record is found the same way. Other formats rarely write
a trace at all, so they are not looked into.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.file_query import MAX_MESSAGE_CHARS, local_stamp_text
from wicked_platform.tools.logs.levels import level_name
from wicked_platform.tools.logs.models import LevelClass, LogFormat, LogScan
from wicked_platform.tools.logs.sniff import FileLayout, json_path
from wicked_platform.tools.logs.streams import GZIP_MAGIC, byte_chunks
from wicked_platform.tools.redaction import redact

MAX_STACK_LINES = 12  # the top of a trace says where it broke; the rest is in the file
MAX_STACK_LINE_CHARS = 300
MAX_LOOKUPS = 100  # signatures per scan whose example is looked up: errors and alerts first, then warnings
READ_BUDGET_BYTES = 32 << 20  # a file read from its start is read this far at most
SECOND_BUDGET_BYTES = 8 << 20  # a bisected file: the example's second is read this far at most
PROBE_BYTES = 64 << 10  # a bisection step looks this far for a line that opens with a stamp
LATE_SECONDS = 5  # a bisected file is read this far past the example's second: writers interleave a little
BOM = "\ufeff"

_CONTINUATION = formats.compile_shared(formats.CONTINUATION)
_STAMP = formats.compile_shared(f"^({formats.ISO_STAMP})(?:{formats.ZONE_WORD})?")  # a plain line of its own
_ANSI = formats.compile_shared(formats.ANSI_ESCAPE)
_OPENS_WITH_DATE = re.compile(rb"(?:\xef\xbb\xbf)?[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Lookup:
    """One example to find: its index in the scan's signatures, its line's parts, and where to look:
    its second as the file writes it and the last second to read to (None when the file's stamps do not
    sort as text: each line's stamp is then parsed and compared with `at`)."""

    index: int
    at: datetime
    message: str
    level: str
    service: str | None  # None: the file's lines name no service
    second: str | None
    until: str | None


def attach_stacks(scan: LogScan, example_files: list[int | None], files: dict[int, tuple[Path, FileLayout]],
                  tz: str) -> LogScan:
    """The scan with each signature's `stack` filled in where its example is followed by one.

    Args:
        example_files: for each of scan.signatures, the file id its example was read from.
        files: file id -> (path, layout) of the files read.
        tz: the zone stamps without one were read in.
    """
    wanted: dict[int, list[Lookup]] = {}
    order = sorted(range(len(scan.signatures)), key=lambda i: (scan.signatures[i].level_class == LevelClass.WARNING, i))
    for index in order[:MAX_LOOKUPS]:
        signature, file_id = scan.signatures[index], example_files[index]
        if (file_id not in files or files[file_id][1].format not in (LogFormat.PLAIN, LogFormat.JSON)
                or files[file_id][1].wrapper is not None):  # a wrapped trace is inside other lines: not read here
            continue
        layout = files[file_id][1]
        second = until = None
        if layout.sorts_as_text:
            micros = int(signature.first_seen.timestamp()) * 1_000_000
            second = local_stamp_text(micros, layout, tz)
            until = local_stamp_text(micros + LATE_SECONDS * 1_000_000, layout, tz)
        wanted.setdefault(file_id, []).append(Lookup(
            index=index, at=signature.first_seen, message=signature.example, level=signature.level,
            service=signature.service if layout.service_token or layout.keys.service else None, second=second,
            until=until))
    stacks: dict[int, list[str]] = {}
    for file_id, lookups in wanted.items():
        path, layout = files[file_id]
        try:
            stacks.update(_stacks_in_file(path, layout, lookups, ZoneInfo(tz)))
        except OSError:
            continue  # the scan read it a moment ago; a file rotated away since just has no traces
    if not stacks:
        return scan
    signatures = [s.model_copy(update={"stack": stacks[i]}) if stacks.get(i) else s for i, s in enumerate(scan.signatures)]
    return scan.model_copy(update={"signatures": signatures})


def _stacks_in_file(path: Path, layout: FileLayout, lookups: list[Lookup], zone: ZoneInfo) -> dict[int, list[str]]:
    if layout.format == LogFormat.JSON:
        return _json_stacks(path, layout, lookups, zone)
    found: dict[int, list[str]] = {}
    with path.open("rb") as raw:
        if raw.read(2) != GZIP_MAGIC and layout.sorts_as_text:
            size = raw.seek(0, 2)
            for lookup in lookups:
                assert lookup.second is not None and lookup.until is not None
                start = _first_at_or_after(raw, size, lookup.second.encode())
                if start is not None:
                    raw.seek(start)
                    lines = _decoded(_bounded_lines(raw, SECOND_BUDGET_BYTES), layout)
                    found.update(_find(lines, [lookup], zone, stop_after=lookup.until))
    # Missed by bisection (lines out of order, an offset that changed since the head), gzip, unsorted:
    # one bounded read from the start, for all of them at once.
    rest = [lookup for lookup in lookups if lookup.index not in found]
    if rest:
        found.update(_find(_decoded(_lines_from_start(path), layout), rest, zone))
    return {index: trace for index, trace in found.items() if trace}


def _first_at_or_after(raw: BinaryIO, size: int, second: bytes) -> int | None:
    """The offset of the first line whose stamp is at or after `second`, in a file sorted by time."""
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        line = _stamped_line(raw, middle)
        if line is None or line[1].removeprefix(BOM.encode())[: len(second)] >= second:
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


def _line_blocks(path: Path) -> Iterator[bytes]:
    """The lines `_lines_from_start` gives, a chunk's whole lines at a time, joined by their newlines."""
    rest, read = b"", 0
    for chunk in byte_chunks(path, []):
        read += len(chunk)
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut >= 0:
            yield data[:cut]
        rest = data[cut + 1 :]
        if read >= READ_BUDGET_BYTES:
            return
    if rest:
        yield rest


def _lines_holding(block: bytes, needle: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of the block whose text (bytes it cannot decode replaced) holds the needle.

    Without a replaced byte in the needle, that is a line whose bytes hold the needle's: found by one search
    through the block, not a decode and a test per line.
    """
    if "\ufffd" in needle:
        start = 0
        for line in block.split(b"\n"):
            if needle in line.decode("utf-8", errors="replace"):
                yield start, start + len(line)
            start += len(line) + 1
        return
    encoded = needle.encode()
    at = block.find(encoded)
    while at >= 0:
        start, end = block.rfind(b"\n", 0, at) + 1, block.find(b"\n", at)
        end = len(block) if end < 0 else end
        yield start, end
        at = block.find(encoded, end + 1)


def _decoded(lines: Iterator[bytes], layout: FileLayout) -> Iterator[str]:
    for line in lines:
        text = line.decode("utf-8", errors="replace").rstrip("\r\n").removeprefix(BOM)
        yield _ANSI.sub("", text) if layout.strip_ansi else text


def _find(lines: Iterator[str], lookups: list[Lookup], zone: ZoneInfo, stop_after: str | None = None) -> dict[int, list[str]]:
    """Walk the lines; the first that is an example's line opens its trace, and the continuation lines
    right under it are the trace (empty for an example with none). `stop_after`: the lines are sorted;
    stop past this second."""
    found: dict[int, list[str]] = {}
    open_traces: list[int] = []  # lookups whose example is the last line read but for its continuation
    # Lookups by their second, so a line is compared with the few of its own second, not with all.
    by_text: dict[str, list[Lookup]] = {}
    by_epoch: dict[int, list[Lookup]] = {}
    for lookup in lookups:
        if lookup.second is not None:
            by_text.setdefault(lookup.second, []).append(lookup)
        else:
            by_epoch.setdefault(int(lookup.at.timestamp()), []).append(lookup)
    text_length = len(next(iter(by_text))) if by_text else 0
    pending = len(lookups)
    for line in lines:
        stamp = _STAMP.match(line)
        if stamp is None:
            if _CONTINUATION.match(line) is None:
                open_traces = []  # a line of no log format: whatever it is, it ends the trace
            for index in open_traces:
                if len(found[index]) < 4 * MAX_STACK_LINES:  # room for blank lines and a key block to redact whole
                    found[index].append(line[: 8 * MAX_STACK_LINE_CHARS])
            continue
        open_traces = []
        if not pending or (stop_after is not None and line[: len(stop_after)] > stop_after):
            break
        candidates = by_text.get(line[:text_length], []) if by_text else []
        if by_epoch:
            candidates = candidates + by_epoch.get(_second_of(stamp, zone), [])
        for lookup in candidates:
            if lookup.index not in found and _is_example(line, stamp, lookup):
                found[lookup.index] = []
                open_traces.append(lookup.index)
                pending -= 1
    return {index: _finished(trace) for index, trace in found.items()}


def _is_example(line: str, stamp: re.Match[str], lookup: Lookup) -> bool:
    """Is this line of the example's second (as `_find` picks them) the example's own: its message as the
    line's tail, and its level (and service, where lines name one) before that?"""
    text = line.rstrip(" \t")
    if len(lookup.message) < MAX_MESSAGE_CHARS:
        if not text.endswith(lookup.message):
            return False
        head = text[: len(text) - len(lookup.message)]
    else:  # the scan cut a long message: the line holds it whole
        at = text.find(lookup.message)
        if at < 0:
            return False
        head = text[:at]
    tokens = [token.strip("[]:") for token in head[stamp.end():].split()]
    return lookup.level in (token.upper() for token in tokens) and (lookup.service is None or lookup.service in tokens)


def _second_of(stamp: re.Match[str], zone: ZoneInfo) -> int | None:
    """Epoch seconds of a plain line's stamp (a zone word read as its offset); one without a zone is in `zone`."""
    word = stamp.group(0)[len(stamp.group(1)):].strip()
    return _epoch_second(stamp.group(1) + formats.ZONE_OFFSETS.get(word, ""), zone)


def _json_stacks(path: Path, layout: FileLayout, lookups: list[Lookup], zone: ZoneInfo) -> dict[int, list[str]]:
    """JSON lines keep a trace in a field (`err.stack`, `stacktrace`, `exception`): the example's record,
    found by one bounded read from the start, gives it: the first line holding the message's opening words
    (as JSON writes them) that is the example's. Only the lines holding them are parsed, each once."""
    found: dict[int, list[str]] = {}
    pending = {lookup.index: lookup for lookup in lookups}
    needles = {lookup.index: json.dumps(lookup.message.split(": ")[0][:60], ensure_ascii=False)[1:-1] for lookup in lookups}
    for block in _line_blocks(path):
        records: dict[int, dict | None] = {}  # by the line's start in the block
        for index, lookup in list(pending.items()):
            for start, end in _lines_holding(block, needles[index]):
                if start not in records:
                    records[start] = _json_record(block[start:end])
                record = records[start]
                if record is not None and _is_json_example(record, layout, lookup, zone):
                    del pending[index]
                    stack = next((value for key in formats.STACK_KEYS if (key_path := json_path(record, key))
                                  and isinstance(value := _value_at(record, key_path), str) and value.strip()), None)
                    found[index] = _finished(stack.splitlines()[: 4 * MAX_STACK_LINES]) if stack else []
                    break
        if not pending:
            break
    return {index: trace for index, trace in found.items() if trace}


def _json_record(raw: bytes) -> dict | None:
    """The object a JSON line holds (bytes it cannot decode replaced); None when it holds none."""
    try:
        record = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _is_json_example(record: dict, layout: FileLayout, lookup: Lookup, zone: ZoneInfo) -> bool:
    """The record's second, level, service and message (with its error, as the scan composed it) are the example's."""
    keys = layout.keys
    if _epoch_second(_first_value(record, keys.ts), zone) != int(lookup.at.timestamp()):
        return False
    if level_name(_first_value(record, keys.level)) != lookup.level:
        return False
    if lookup.service is not None and _first_value(record, keys.service) != lookup.service:
        return False
    message, error = _first_value(record, keys.message), _first_value(record, keys.error)
    error = None if error in (None, "true", "false", "True", "False") else error.split("\n")[0]
    if message is None:
        composed = error
    elif error is None or error in message:
        composed = message
    else:
        composed = f"{message}: {error}"
    return composed is not None and composed[:MAX_MESSAGE_CHARS] == lookup.message


def _first_value(record: dict, paths: list[str]) -> str | None:
    """The first of `paths` (JSON paths as the sniffer writes them) that holds a value, as text."""
    for path in paths:
        value = _value_at(record, path)
        if value is not None and not isinstance(value, dict | list):
            return json.dumps(value) if isinstance(value, bool) else str(value)
    return None


def _value_at(record: dict, path: str) -> object:
    if path.startswith('$."'):
        return record.get(path[3:-1])
    value: object = record
    for part in path[2:].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _epoch_second(value: str | None, zone: ZoneInfo) -> int | None:
    """Epoch seconds of a JSON time value: seconds, milli-, micro- or nanoseconds since the epoch (told
    apart by their digits, as the scan does), or ISO 8601; one without a zone is in `zone`."""
    if value is None:
        return None
    digits = value.split(".")[0]
    if digits.isdigit():
        scale = {13: 10**3, 12: 10**3, 11: 10**3, 16: 10**6, 19: 10**9}.get(len(digits))
        return int(digits) // scale if scale else int(digits) if len(digits) in (9, 10) else None
    try:
        at = datetime.fromisoformat(value.replace(",", ".").replace(" +", "+").replace(" -", "-"))
    except ValueError:
        return None
    return int((at if at.tzinfo else at.replace(tzinfo=zone)).timestamp())


def _finished(stack: list[str]) -> list[str]:
    """The trace as shown: without the blank lines that end it, redacted as one text (a private key spans
    lines), then cut to its first lines and each line to its length, so no cut splits a secret."""
    while stack and not stack[-1].strip():
        stack = stack[:-1]
    if not stack:
        return []
    lines = redact("\n".join(stack[: MAX_STACK_LINES * 4])).split("\n")
    return [line[:MAX_STACK_LINE_CHARS] for line in lines[:MAX_STACK_LINES]]
