"""The C prefilter for large plain logs: most lines counted in C, the rest left for the scan's SQL.

A plain file whose stamps sort as text needs nothing from a line its vocabulary test passes over but
a count and its first characters, and that test over every byte is most of a scan's time in DuckDB.
`split_file` runs it in C (`_prefilter.c`), one byte range per core, and returns the counts with the
files of the lines it could not be sure of; the scan reads those with its usual SQL. With `groups`,
the lines it keeps that have the common plain shape are grouped in C as the SQL would group them
(`_prefilter_groups.c`), and only their rows are left to the SQL, which reads them with `rows_query`.
Where the C module was not built (no compiler at install), or a file is one DuckDB would cut into lines its own
way (a lone carriage return, mixed line ends, a line at its length limit: `_prefilter.c` lists them),
the scan reads the whole file with SQL, as before.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.levels import LEVEL_CLASSES
from wicked_platform.tools.logs.models import LevelClass, LogFormat
from wicked_platform.tools.logs.sniff import FileLayout

try:
    from wicked_platform.tools.logs import _prefilter
except ImportError:  # built where a C compiler was found at install; the SQL alone reads every file
    _prefilter = None

MIN_BYTES = 32 << 20  # smaller files: starting threads and a second query costs more than it saves
MIN_RANGE_BYTES = 8 << 20  # a thread gets at least this much of the file


class BoringLines(BaseModel):
    """Lines the prefilter passed over, of one kind: how many, and the least and greatest of their heads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = 0
    least: str | None = None
    greatest: str | None = None


class LineGroups(BaseModel):
    """How the C groups the lines it keeps: those of the common plain shape (see _prefilter_groups.c)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: bool  # the token after the level is the service
    edges: tuple[str, ...] = ()  # seconds a window bound falls inside, as the file writes them (19 characters)
    max_message: int  # the SQL cuts a message to this many characters


class Split(BaseModel):
    """A file split by the C prefilter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    candidates: list[Path]  # files holding the lines left for the SQL, of the byte ranges that left any
    rows: list[Path] = []  # with groups: files of the rows of grouped lines, one per byte range
    row_count: int = 0
    continued: int = 0  # with groups: lines opening with a blank, counted (the SQL reads them as continuations)
    inside: BoringLines  # passed over, in the window
    outside: BoringLines  # passed over, outside it

    @property
    def files(self) -> list[Path]:
        return [*self.candidates, *self.rows]


def available() -> bool:
    return _prefilter is not None


def applies(layout: FileLayout, size: int, compressed: bool) -> bool:
    """Whether a file is one the C prefilter reads: a large, uncompressed plain log without colour
    codes whose stamps sort as text (so a passed-over line needs no stamp parsed)."""
    return (available() and layout.format == LogFormat.PLAIN and layout.sorts_as_text and not layout.strip_ansi
            and not compressed and size >= MIN_BYTES)


def split_file(
    path: Path, workdir: Path, file_id: int, *, years: tuple[int, int], window: tuple[str | None, str | None], head_chars: int,
    max_line_bytes: int, groups: LineGroups | None = None, threads: int | None = None,
) -> Split | None:
    """Split `path` (see the module docstring) into files in `workdir` named by `file_id`; None when the
    C does not decide this file.

    Args:
        years: a line opening with text from years[0] (inclusive) to years[1] (exclusive) may be stamped.
        window: lines `low <= line < high` as text are in the window (None: unbounded).
        head_chars: how much of a line is kept as its head (ASCII: characters are bytes).
        max_line_bytes: DuckDB's longest line; a file with a line near it is refused.
        groups: group the lines of the common plain shape in C; None: leave every kept line to the SQL.
        threads: byte ranges read at once; default, one per core.

    Raises:
        OSError: the file or the work directory cannot be read or written.
    """
    if _prefilter is None:
        return None
    size = path.stat().st_size
    ranges = max(1, min(threads or os.cpu_count() or 1, size // MIN_RANGE_BYTES))
    cuts = [size * i // ranges for i in range(ranges + 1)]
    outputs = [workdir / f"prefiltered-{file_id}-{i}.log" for i in range(ranges)]
    rows = [workdir / f"prefiltered-{file_id}-{i}.rows" for i in range(ranges)] if groups is not None else []
    words = tuple(word.encode("ascii") for word in formats.VOCABULARY_WORDS)
    low, high = (None if bound is None else bound.encode("ascii") for bound in window)
    crlf = _first_line_ends_in_crlf(path)
    grouping = {} if groups is None else {
        "service": groups.service, "max_message": groups.max_message,
        "events": tuple(word.encode("ascii") for word in formats.EVENT_WORDS),
        "alerts": tuple(word.encode("ascii") for word, cls in LEVEL_CLASSES.items() if cls == LevelClass.ALERT),
        "edges": tuple(edge.encode("ascii") for edge in groups.edges),
    }

    def run(i: int) -> tuple:
        return _prefilter.split_range(
            str(path), str(outputs[i]), cuts[i], cuts[i + 1], words, str(years[0]).encode(), str(years[1]).encode(),
            low, high, head_chars, max_line_bytes, crlf, **({"rows_path": str(rows[i])} | grouping if rows else {}))

    try:
        with ThreadPoolExecutor(max_workers=ranges) as pool:
            results = list(pool.map(run, range(ranges)))
    except BaseException:
        remove([*outputs, *rows])
        raise
    if any(refused is not None for refused, _ in results):
        remove([*outputs, *rows])  # the file is read the old way: its copies would only take up room meanwhile
        return None
    counts = [r[1] for r in results]
    # A range whose kept lines the C grouped, all of them, left the SQL nothing: no file to read.
    remove([output for output, c in zip(outputs, counts, strict=True) if not c[2]])
    return Split(candidates=[output for output, c in zip(outputs, counts, strict=True) if c[2]], rows=rows, row_count=sum(c[4] for c in counts), continued=sum(c[3] for c in counts),
                 inside=_merged([c[0] for c in counts]), outside=_merged([c[1] for c in counts]))


def _first_line_ends_in_crlf(path: Path) -> bool:
    """DuckDB takes a file's line ends from its first line: after a bare LF there, a CR LF reads as a line
    end and an empty line. The C refuses such a file; this tells it which kind the file is."""
    previous = b""
    with path.open("rb") as lines:
        while chunk := lines.read(1 << 16):
            at = chunk.find(b"\n")
            if at >= 0:
                return (chunk[at - 1 : at] if at else previous[-1:]) == b"\r"
            previous = chunk
    return False


def remove(paths: list[Path]) -> None:
    """Delete a split's files (once read, or when the C refused the file)."""
    for path in paths:
        path.unlink(missing_ok=True)


def _merged(parts: list[tuple[int, bytes | None, bytes | None]]) -> BoringLines:
    counted = [(least, greatest) for count, least, greatest in parts if count]
    return BoringLines(
        count=sum(count for count, _, _ in parts),
        least=min(least for least, _ in counted).decode("ascii") if counted else None,
        greatest=max(greatest for _, greatest in counted).decode("ascii") if counted else None,
    )
