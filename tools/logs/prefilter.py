"""The C prefilter for large plain, JSON, logfmt and access logs: most lines counted in C, the rest left for the scan's SQL.

A plain file whose stamps sort as text needs nothing from a line its vocabulary test passes over but
a count and its first characters, and that test over every byte is most of a scan's time in DuckDB.
`split_file` runs it in C (`_prefilter.c`), one byte range per core, and returns the counts with the
files of the lines it could not be sure of; the scan reads those with its usual SQL. With `groups`,
the lines it keeps that have the common plain shape are grouped in C as the SQL would group them
(`_prefilter_groups.c`), and only their rows are left to the SQL, which reads them with `rows_query`.
A JSON or logfmt line the vocabulary test passes over needs only its time: with `fields`, the C reads
it from the sniffed time key where it is sure to read what the SQL reads (`_prefilter_fields.c`), and
counts the line in or outside the window by it. With `fields.groups`, the lines it keeps that it is sure
to read as the SQL does (their level, service and message in plain top-level strings) are grouped in C
as the SQL would group them (`_prefilter_fieldgroups.c`), and the SQL reads their rows with
`field_rows_query`; every other line is left to the SQL. An access log has no line to pass over (each is a
request): with `access`, the C reads each line it is sure to read as the SQL does and counts it into the row the
SQL would have made (`_prefilter_access.c`, read by `access_rows.access_rows_query`), but for lines whose level a
signature is made of (5xx), which it leaves to the SQL with the lines it is unsure of.
An access log whose lines hold a duration (`$request_time`) is left to the SQL whole: the C reads no durations.
Where the C module was not built (no compiler at install), or a file is one DuckDB would cut into lines its own
way (a lone carriage return, mixed line ends, a line at its length limit: `_prefilter.c` lists them),
the scan reads the whole file with SQL, as before.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.levels import LEVEL_ALIASES, LEVEL_CLASSES
from wicked_platform.tools.logs.models import LevelClass, LogFormat
from wicked_platform.tools.logs.sniff import FileLayout

try:
    from wicked_platform.tools.logs import _prefilter
except ImportError:  # built where a C compiler was found at install; the SQL alone reads every file
    _prefilter = None

MIN_BYTES = 32 << 20  # smaller files: starting threads and a second query costs more than it saves
MIN_RANGE_BYTES = 8 << 20  # a thread gets at least this much of the file


class BoringLines(BaseModel):
    """Lines the prefilter passed over, of one kind: how many, and the least and greatest of their heads
    (of structured lines: of their times, in epoch µs)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = 0
    least: str | int | None = None
    greatest: str | int | None = None


STRUCTURED = {LogFormat.JSON: 1, LogFormat.LOGFMT: 2}  # the C's codes of the formats it reads by their fields
_JSON_KEY = re.compile(r'^\$(?:\.([A-Za-z0-9_]+)|\."([ -!#-\[\]-~]+)")$')  # `$.ts`, `$."@timestamp"`: a top-level key


_JSON_TOP = re.compile(r'^\$(?:\.([A-Za-z0-9_]+)|\."([ -!#-\[\]-~]+)")')  # the top-level key a path opens with


class FieldGroups(BaseModel):
    """How the C takes apart the JSON or logfmt lines it keeps, to group them (see _prefilter_fieldgroups.c):
    each part's keys, in the order the SQL tries them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: list[str]
    service: list[str]  # none: every line is the file's service
    message: list[str]
    error: list[str]  # a line holding one of these at its top level is left to the SQL
    max_message: int  # the SQL cuts a message to this many characters


class FieldStamps(BaseModel):
    """How the C reads the time of a JSON or logfmt line (see _prefilter_fields.c)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: LogFormat
    keys: list[str]  # the top-level keys that may hold the time, in the order the SQL tries them
    naive_utc: bool  # a stamp without a zone is read in UTC (the scan's zone)
    since_us: int | None = None  # the window, both ends inside
    until_us: int | None = None
    groups: FieldGroups | None = None  # None: every line the C keeps is left to the SQL


def time_keys(layout: FileLayout) -> list[str] | None:
    """The keys a JSON or logfmt file keeps its time in, as the C reads them; None when the C cannot
    (a nested JSON path, a key of other bytes than printable ASCII)."""
    if layout.format == LogFormat.LOGFMT:
        keys = layout.keys.ts
        return keys if all(key.isascii() and key.isprintable() and 0 < len(key) < 64 for key in keys) else None
    found = [_JSON_KEY.match(path) for path in layout.keys.ts]
    if not all(found):
        return None
    keys = [match[1] or match[2] for match in found]
    return keys if all(len(key) < 64 for key in keys) else None


def _usable(keys: list[str], most: int) -> bool:
    return len(keys) <= most and all(key.isascii() and key.isprintable() and 0 < len(key) < 64 for key in keys)


def field_groups(layout: FileLayout, max_message: int) -> FieldGroups | None:
    """How the C groups the kept lines of a JSON or logfmt file; None when it cannot: a level, service or
    message at a nested path, no level or message key (the SQL then reads the level from the message, or
    the whole line as the message), keys of other bytes than printable ASCII."""
    keys = layout.keys
    if not keys.level or not keys.message:
        return None
    if layout.format == LogFormat.LOGFMT:
        parts = (keys.level, keys.service, keys.message, keys.error)
    else:
        top = [_JSON_KEY.match(path) for path in [*keys.level, *keys.service, *keys.message]]
        opening = [_JSON_TOP.match(path) for path in keys.error]  # `$.err.message`: a line with `err` is left to the SQL
        if not all(top) or not all(opening):
            return None
        names = [match[1] or match[2] for match in top]
        level, rest = names[: len(keys.level)], names[len(keys.level) :]
        parts = (level, rest[: len(keys.service)], rest[len(keys.service) :],
                 list(dict.fromkeys(match[1] or match[2] for match in opening)))
    if not all(_usable(part, most) for part, most in zip(parts, (8, 8, 8, 16), strict=True)):
        return None
    return FieldGroups(level=parts[0], service=parts[1], message=parts[2], error=parts[3], max_message=max_message)


class AccessRows(BaseModel):
    """How the C counts access-log lines into rows (see _prefilter_access.c)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    counted: frozenset[int]  # status classes (a status's first digit) whose lines the C counts: no signature's level
    since_us: int | None = None  # the window, both ends inside
    until_us: int | None = None


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
    """Whether a file is one the C prefilter reads: a large, uncompressed log without colour codes, either
    plain with stamps that sort as text (so a passed-over line needs no stamp parsed), or JSON or logfmt
    lines of which the SQL passes over those without the vocabulary (none is a request line with a status
    or a duration to count), their time in top-level keys, or an access log without durations, unwrapped."""
    if not available() or layout.strip_ansi or compressed or size < MIN_BYTES:
        return False
    if layout.format == LogFormat.PLAIN:
        return layout.sorts_as_text
    if layout.format == LogFormat.ACCESS:
        return layout.wrapper is None and not layout.durations and not layout.streams
    return (layout.format in STRUCTURED and layout.wrapper is None and bool(layout.keys.ts) and not layout.keys.status
            and not layout.keys.duration and time_keys(layout) is not None)


def split_file(
    path: Path, workdir: Path, file_id: int, *, years: tuple[int, int], window: tuple[str | None, str | None], head_chars: int,
    max_line_bytes: int, groups: LineGroups | None = None, fields: FieldStamps | None = None,
    access: AccessRows | None = None, threads: int | None = None,
) -> Split | None:
    """Split `path` (see the module docstring) into files in `workdir` named by `file_id`; None when the
    C does not decide this file.

    Args:
        years: a line opening with text from years[0] (inclusive) to years[1] (exclusive) may be stamped.
        window: lines `low <= line < high` as text are in the window (None: unbounded).
        head_chars: how much of a line is kept as its head (ASCII: characters are bytes).
        max_line_bytes: DuckDB's longest line; a file with a line near it is refused.
        groups: group the lines of the common plain shape in C; None: leave every kept line to the SQL.
        fields: a JSON or logfmt file, whose lines are passed over by their time (`years` and `window`
            are then not used, nor `groups`: `fields.groups` says how its kept lines are grouped).
        access: an access log, whose lines the C counts into rows where it is sure of them (`years`, `window`
            and `groups` are then not used).
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
    words = tuple(word.encode("ascii") for word in formats.VOCABULARY_WORDS)
    low, high = (None if bound is None else bound.encode("ascii") for bound in window)
    crlf = _first_line_ends_in_crlf(path)
    grouped = (groups is not None or access is not None) if fields is None else fields.groups is not None
    rows = [workdir / f"prefiltered-{file_id}-{i}.rows" for i in range(ranges)] if grouped else []
    if access is not None and fields is None:
        options = {"access": sum(1 << digit for digit in access.counted), "since_us": access.since_us,
                   "until_us": access.until_us}
    elif fields is not None:
        options = {"fields": STRUCTURED[fields.format], "field_keys": tuple(key.encode("ascii") for key in fields.keys),
                   "markers": tuple(key.encode("ascii") for key in formats.JSON_LEVEL_VALUE_KEYS)
                   if fields.format == LogFormat.JSON else (),
                   "marked": formats.JSON_LEVEL_VALUE_STARTS.encode("ascii"), "naive_utc": fields.naive_utc,
                   "since_us": fields.since_us, "until_us": fields.until_us}
        if fields.groups is not None:
            options["field_groups"] = _field_groups_spec(fields.groups)
    elif groups is not None:
        options = {
            "service": groups.service, "max_message": groups.max_message,
            "events": tuple(word.encode("ascii") for word in formats.EVENT_WORDS),
            "alerts": tuple(word.encode("ascii") for word, cls in LEVEL_CLASSES.items() if cls == LevelClass.ALERT),
            "edges": tuple(edge.encode("ascii") for edge in groups.edges),
        }
    else:
        options = {}

    def run(i: int) -> tuple:
        return _prefilter.split_range(
            str(path), str(outputs[i]), cuts[i], cuts[i + 1], words, str(years[0]).encode(), str(years[1]).encode(),
            low, high, head_chars, max_line_bytes, crlf, **({"rows_path": str(rows[i])} if rows else {}), **options)

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


def _field_groups_spec(groups: FieldGroups) -> tuple:
    """split_range's `field_groups`: the keys, the level names (levels.py's), the event words, the cut."""

    def encoded(words) -> tuple[bytes, ...]:
        return tuple(word.encode("ascii") for word in words)

    return (encoded(groups.level), encoded(groups.service), encoded(groups.message), encoded(groups.error),
            encoded(LEVEL_ALIASES), encoded(LEVEL_ALIASES.values()),
            encoded(word for word, cls in LEVEL_CLASSES.items() if cls == LevelClass.ALERT),
            encoded(word for word, cls in LEVEL_CLASSES.items() if cls in (LevelClass.ERROR, LevelClass.WARNING)),
            encoded(formats.EVENT_WORDS), groups.max_message)


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


def _merged(parts: list[tuple[int, bytes | int | None, bytes | int | None]]) -> BoringLines:
    """The byte ranges' counts of one kind as one: heads (bytes) or times (epoch µs), the least and greatest."""
    counted = [(least, greatest) for count, least, greatest in parts if count]

    def text(value: bytes | int) -> str | int:
        return value.decode("ascii") if isinstance(value, bytes) else value

    return BoringLines(
        count=sum(count for count, _, _ in parts),
        least=text(min(least for least, _ in counted)) if counted else None,
        greatest=text(max(greatest for _, greatest in counted)) if counted else None,
    )
