"""A wrapped file of several streams, each in its own layout: `docker compose logs` of a whole stack.

What people paste from `docker compose logs` (or `kubectl logs --prefix` of several containers) holds
every service's lines behind the wrapper's prefix: redis' `1:M 11 Jun 2024 10:15:02.123 # ...`, an api's
pino JSON, a worker's Celery lines. One layout sniffed for the whole file reads the majority's lines and
leaves the rest unread. Here the sampled lines are grouped by the stream the wrapper names (the compose
service, the pod's workload and container), each group is sniffed on its own, and the groups whose
layouts read alike become one stream of the file. The scan then reads each stream with its own layout,
selecting its lines by their prefix (multiplex_sql.py).

A compose paste is sorted by time, so its first lines may all be one service's (a worker that ran for an
hour before the api started): the sample is taken from several places in the file, not its head only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.streams import GZIP_MAGIC, byte_chunks
from wicked_platform.tools.logs.wrappers import WrapperKind, unwrap

if TYPE_CHECKING:  # sniff.py calls this module with its own sniff
    from wicked_platform.tools.logs.sniff import FileLayout

SPREAD_WINDOWS = 16  # places in an uncompressed file the sample is taken from, evenly spaced
WINDOW_BYTES = 64 << 10  # read at each place
GZIP_SAMPLE_BYTES = 4 << 20  # a gzip file cannot be entered midway: its first bytes, decompressed
STREAM_LINES = 200  # sampled lines of one stream that decide its layout (sniff.SNIFF_LINES)


def spread_sample(path: Path, head: list[str]) -> list[str]:
    """Lines from across the file: its head (as the sniff read it), then whole lines from evenly spaced
    places; for a gzip file, its first few MiB."""
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
            size = raw.seek(0, 2)
            if compressed:
                data = b""
                for chunk in byte_chunks(path, []):
                    data += chunk
                    if len(data) >= GZIP_SAMPLE_BYTES:
                        break
                return head + _whole_lines(data[:GZIP_SAMPLE_BYTES], cut_first=False)
            lines = list(head)
            for index in range(1, SPREAD_WINDOWS + 1):
                raw.seek(size * index // (SPREAD_WINDOWS + 1))
                lines += _whole_lines(raw.read(WINDOW_BYTES), cut_first=True)
            return lines
    except (OSError, EOFError):
        return head


def _whole_lines(data: bytes, *, cut_first: bool) -> list[str]:
    """The non-empty lines of a window of bytes, without the line it starts inside of and the one it cuts."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    lines = lines[1 if cut_first else 0 : -1]
    return [line for line in lines if line.strip()]


def stream_groups(kind: WrapperKind, lines: list[str]) -> dict[str, list[str]]:
    """The inner lines of each stream the wrapper names, in the order the streams first appear, up to
    STREAM_LINES each."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        found = unwrap(kind, line)
        if found is None or found.stream is None:
            continue
        group = groups.setdefault(found.stream, [])
        if len(group) < STREAM_LINES:
            group.append(found.line)
    return groups


def layout_family(layout: FileLayout) -> tuple:
    """What decides whether a line is read at all: the format, and for a sniffed layout where its stamp and
    level stand. Streams that differ only in keys or columns (two JSON services, two plain ones) are read
    as one, with the layout sniffed from their lines together."""
    if layout.format == LogFormat.STAMPED:
        return (layout.format, layout.stamp, layout.level)
    return (layout.format,)


def family_streams(
    groups: dict[str, list[str]], sniff: Callable[[list[str]], FileLayout],
) -> list[tuple[list[str], list[str]]]:
    """The streams grouped by layout family, as (stream names, their sampled lines), the one with the most
    sampled lines first (the first to appear, on a tie). One entry: the whole file reads in one layout."""
    families: dict[tuple, tuple[list[str], list[str]]] = {}
    for name, inner in groups.items():
        names, lines = families.setdefault(layout_family(sniff(inner)), ([], []))
        names.append(name)
        lines.extend(inner)
    ordered = list(families.values())
    return sorted(ordered, key=lambda family: -len(family[1]))  # stable: a tie keeps the order of appearance
