"""Read log files into a LogScan: every file sniffed, then read in one vectorised DuckDB pass.

Python decides per file (the format, from the first lines) and assembles the small aggregated
results; the lines themselves are only ever touched by DuckDB. A file that cannot be read is kept,
with its error, so "no errors found" never hides "could not read".
"""

from __future__ import annotations

import codecs
import gzip
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from wicked_platform.tools.logs.file_query import (
    SCAN_ROWS_TABLE, Window, count_query, file_query, read_lines_sql,
)
from wicked_platform.tools.logs.line_sql import line_sql
from wicked_platform.tools.logs.models import LogFormat, LogScan
from wicked_platform.tools.logs.scan_results import FileRead, build_scan, fetch_tables
from wicked_platform.tools.logs.sniff import GZIP_MAGIC, FileLayout, sniff_file
from wicked_platform.tools.timeutil import to_utc

DEFAULT_MAX_EVENTS = 2000
MEMORY_LIMIT = "256MB"  # DuckDB spills past this; the process stays well under 512 MB
COPY_CHUNK_BYTES = 4 << 20


def scan_logs(
    paths: list[Path], *, since: datetime | None = None, until: datetime | None = None, tz: str = "UTC",
    year_hint: int | None = None, max_events: int = DEFAULT_MAX_EVENTS,
) -> LogScan:
    """Scan log files (any of the formats in LogFormat, plain or gzip) for what the analysis needs.

    Args:
        paths: the files, as `discovery.expand_log_args` lists them.
        since: ignore lines before this time (inclusive bound); naive means UTC.
        until: ignore lines after this time (inclusive bound); naive means UTC.
        tz: IANA zone of stamps written without one.
        year_hint: the year of RFC 3164 stamps, which have none; default: the year of the latest
            stamp in the other files, else the current year.
        max_events: keep at most this many event lines, the oldest (events_truncated says so).
    """
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz {tz!r}: not a known time zone (use an IANA name such as Europe/Berlin)") from None
    window = Window(since_us=_epoch_us(since), until_us=_epoch_us(until))
    with _connection(tz) as (con, workdir):
        layouts = [_sniff(path) for path in paths]
        # Year-less syslog last, so it can take its year from the files read before it.
        order = sorted(range(len(paths)), key=lambda i: isinstance(layouts[i], FileLayout)
                       and layouts[i].format == LogFormat.SYSLOG_3164)
        reads: dict[int, FileRead] = {}
        for file_id in order:
            layout = layouts[file_id]
            if isinstance(layout, str):
                reads[file_id] = FileRead(file_id=file_id, path=str(paths[file_id]), error=layout)
                continue
            year = year_hint or _latest_year(con) or datetime.now(UTC).year
            reads[file_id] = _read_file(con, workdir, file_id, paths[file_id], layout, window, tz, year)
        in_order = [reads[i] for i in range(len(paths))]
        tables = fetch_tables(con, in_order, max_events)
    return build_scan(in_order, tables, max_events)  # once DuckDB has let go of its memory


def _epoch_us(value: datetime | None) -> int | None:
    if value is None:
        return None
    delta = to_utc(value) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@contextmanager
def _connection(tz: str) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    with tempfile.TemporaryDirectory(prefix="wicked-platform-scan-") as workdir:
        con = duckdb.connect(config={
            "threads": max(1, os.cpu_count() or 1), "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(Path(workdir) / "spill"), "preserve_insertion_order": False,
        })
        try:
            con.execute("SET TimeZone = $tz", {"tz": tz})  # stamps without a zone are read in it
            con.execute(SCAN_ROWS_TABLE)
            yield con, Path(workdir)
        finally:
            con.close()


def _sniff(path: Path) -> FileLayout | str:
    """The file's layout, or why it cannot be read."""
    try:
        return sniff_file(path)
    except (OSError, EOFError) as exc:
        return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _latest_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The year of the latest stamp read so far: parsed, or leading a line kept as text (ISO, so its
    first four characters)."""
    latest_us, latest_text = con.execute(
        "SELECT max(last_us), max(last_line) FROM scan_rows WHERE kind IN ('parsed', 'outside')").fetchone()
    years = [datetime.fromtimestamp(latest_us / 1e6, UTC).year] if latest_us is not None else []
    if latest_text and latest_text[:4].isdigit():
        years.append(int(latest_text[:4]))
    return max(years) if years else None


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as raw:
        return raw.read(2) == GZIP_MAGIC


def _read_file(
    con: duckdb.DuckDBPyConnection, workdir: Path, file_id: int, path: Path, layout: FileLayout, window: Window,
    tz: str, year: int,
) -> FileRead:
    """Run the file's query; when DuckDB finds invalid UTF-8, run it again on a repaired copy."""
    sql = line_sql(layout, year=year) if layout.format != LogFormat.UNKNOWN else None
    try:
        compressed = _is_gzip(path)
        source = _plain_name(workdir, file_id, path)
    except OSError as exc:
        return FileRead(file_id=file_id, path=str(path), format=layout.format, error=_one_line(exc))
    for repaired in (False, True):
        lines = read_lines_sql("$path", gzip=compressed)
        query = count_query(file_id, layout, lines) if sql is None else file_query(file_id, layout, sql, window, tz, lines)
        try:
            con.execute(query, {"path": str(source)})
            return FileRead(file_id=file_id, path=str(path), format=layout.format, line_sql=sql)
        except duckdb.Error as exc:
            failure = exc
            if repaired or not _is_encoding_error(exc):
                break
        try:
            source, compressed = _utf8_copy(path, compressed, workdir / f"utf8-{file_id}.log"), False
        except (OSError, EOFError) as exc:
            failure = exc
            break
    return FileRead(file_id=file_id, path=str(path), format=layout.format, error=_one_line(failure))


def _utf8_copy(path: Path, compressed: bool, target: Path) -> Path:
    """The file as valid UTF-8, each invalid byte replaced by U+FFFD — what decode(errors="replace") gives.

    DuckDB refuses invalid UTF-8, and its latin-1 reader refuses the bytes 0x80-0x9F that most non-Latin
    UTF-8 text (€, CJK, emoji) is made of, so the only exact repair is a copy. It is streamed in
    chunks by the C codec, never split into lines in Python; only files with invalid bytes pay for it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    opener = gzip.open if compressed else open
    with opener(path, "rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(COPY_CHUNK_BYTES):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))
    return target


def _plain_name(workdir: Path, file_id: int, path: Path) -> Path:
    """A name DuckDB reads as it is: it would expand `[`, `*`, `?` or `{` in the real one as a glob."""
    if not any(c in str(path) for c in "[]*?{}"):
        return path
    link = workdir / f"file-{file_id}"
    link.symlink_to(path.resolve())
    return link


def _is_encoding_error(exc: duckdb.Error) -> bool:
    text = str(exc).lower()
    return "unicode" in text or "utf-8" in text or "utf8" in text or "encod" in text
