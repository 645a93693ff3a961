"""Read log files into a LogScan: every file sniffed, then read in one vectorised DuckDB pass.

Python decides per file (the format, from the first lines) and assembles the small aggregated
results; the lines themselves are only ever touched by DuckDB. A file that cannot be read is kept,
with its error, so "no errors found" never hides "could not read".
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from wicked_platform.tools.logs import prefilter
from wicked_platform.tools.logs.access_rows import access_rows_query, counted_classes
from wicked_platform.tools.logs.file_query import (
    CONTINUATION, MAX_LINE_BYTES, MAX_MESSAGE_CHARS, OUTSIDE, PARSED, SCAN_ROWS_TABLE, STAMP_HEAD_CHARS, Window,
    count_query, field_rows_query, file_query, passed_over_query, read_lines_sql, rows_query,
)
from wicked_platform.tools.logs.line_sql import END_STAMP_YEAR, FIRST_STAMP_YEAR, LineSql, line_sql
from wicked_platform.tools.logs.models import LogFormat, LogScan
from wicked_platform.tools.logs.multiplex_sql import stream_queries
from wicked_platform.tools.logs.scan_results import FileRead, build_scan, fetch_tables
from wicked_platform.tools.logs.sniff import FileLayout, sniff_file
from wicked_platform.tools.logs.stacks import attach_stacks
from wicked_platform.tools.logs.stamped_sql import YearRule
from wicked_platform.tools.logs.repair import is_repairable, repaired_copy
from wicked_platform.tools.logs.streams import GZIP_MAGIC
from wicked_platform.tools.timeutil import epoch_us, to_utc

DEFAULT_MAX_EVENTS = 2000
MEMORY_LIMIT = "256MB"  # DuckDB spills past this; the process stays well under 512 MB
BATCH_FILES = 256  # files of one layout read in one query: planning it costs more than reading a small file
MAX_PHRASE_DURATION_BYTES = 64 << 20
"""A plain or sniffed-layout file up to this size has the durations its messages state read (`... in 87ms`,
PostgreSQL's `duration: 12.3 ms`): every line holding one is then taken apart, which costs about the DuckDB-alone
scan's time (README: speed). A larger one is read as before, its durations not read, and a note says so.
Structured lines (JSON, logfmt, access logs) keep durations in a field and are read whatever their size."""


def scan_logs(
    paths: list[Path], *, since: datetime | None = None, until: datetime | None = None, tz: str = "UTC",
    year_hint: int | YearRule | None = None, max_events: int = DEFAULT_MAX_EVENTS,
) -> LogScan:
    """Scan log files (any of the formats in LogFormat, plain or gzip) for what the analysis needs.

    Args:
        paths: the files, as `discovery.expand_log_args` lists them.
        since: ignore lines before this time (inclusive bound); naive means UTC.
        until: ignore lines after this time (inclusive bound); naive means UTC.
        tz: IANA zone of stamps written without one.
        year_hint: the year of stamps that carry none (RFC 3164, logcat); default: from `until`, else
            `since`, else the other files' latest stamp, else now, each line in the latest year that
            does not put it past that bound.
        max_events: keep at most this many event lines, the oldest (events_truncated says so).
    """
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz {tz!r}: not a known time zone (use an IANA name such as Europe/Berlin)") from None
    window = Window(since_us=epoch_us(since) if since else None, until_us=epoch_us(until) if until else None)
    with _connection(tz) as (con, workdir):
        layouts = [_sniff(path) for path in paths]
        unread_durations = {i for i, layout in enumerate(layouts) if _phrase_durations_too_costly(layout, paths[i])}
        layouts = [_without_phrase_durations(layout) if i in unread_durations else layout
                   for i, layout in enumerate(layouts)]
        # Year-less syslog last, so it can take its year from the files read before it.
        order = sorted(range(len(paths)), key=lambda i: isinstance(layouts[i], FileLayout) and layouts[i].year_less)
        reads: dict[int, FileRead] = {}
        for batch in _batches(paths, layouts):
            reads.update(_read_batch(con, workdir, batch, paths, layouts, window, tz))
        for file_id in order:
            layout = layouts[file_id]
            if file_id in reads:
                continue
            if isinstance(layout, str):
                reads[file_id] = FileRead(file_id=file_id, path=str(paths[file_id]), error=layout)
                continue
            years = _year_rule(con, since, until, year_hint) if layout.year_less else YearRule(year=datetime.now(UTC).year)
            reads[file_id] = _read_file(con, workdir, file_id, paths[file_id], layout, window, tz, years,
                                        stream_years=lambda: _year_rule(con, since, until, year_hint))
        in_order = [_with_sample(reads[i], layouts[i], durations_unread=i in unread_durations) for i in range(len(paths))]
        tables = fetch_tables(con, in_order, max_events)
    scan = build_scan(in_order, tables, max_events)  # once DuckDB has let go of its memory
    sources = {i: (paths[i], layout) for i, layout in enumerate(layouts)
               if isinstance(layout, FileLayout) and reads[i].error is None}
    scan = attach_stacks(scan, [row[-1] for row in tables.signatures], sources, tz)
    return scan.model_copy(update={"since": to_utc(since) if since else None, "until": to_utc(until) if until else None})


def _with_sample(read: FileRead, layout: FileLayout | str, *, durations_unread: bool = False) -> FileRead:
    """What the sniff saw of a file that the report may need to name: its first unread line, binary data, and
    durations its messages state that were not read (see MAX_PHRASE_DURATION_BYTES)."""
    if isinstance(layout, str):
        return read
    warning = read.warning
    if durations_unread and read.error is None:
        said = (f"the durations its messages state were not read (a {layout.format.value} file over "
                f"{MAX_PHRASE_DURATION_BYTES >> 20} MiB: every line holding one would have to be taken apart); "
                "latency from it is unknown")
        warning = f"{warning}; {said}" if warning else said
    return read.model_copy(update={"first_unread": layout.first_unread, "binary": layout.binary, "warning": warning})


def _phrase_durations_too_costly(layout: FileLayout | str, path: Path) -> bool:
    """A plain or sniffed-layout file (or stream of one) with durations in its messages, too large to take every
    such line apart."""
    if isinstance(layout, str) or not any(_phrase_durations(one) for one in (layout, *(s.layout for s in layout.streams))):
        return False
    if layout.record_time:  # a slow query log: every line of a record is taken apart anyway
        return False
    try:
        return path.stat().st_size > MAX_PHRASE_DURATION_BYTES
    except OSError:
        return False


def _phrase_durations(layout: FileLayout) -> bool:
    return layout.durations and layout.format in (LogFormat.PLAIN, LogFormat.STAMPED)


def _without_phrase_durations(layout: FileLayout) -> FileLayout:
    streams = [stream.model_copy(update={"layout": _without_phrase_durations(stream.layout)}) for stream in layout.streams]
    return layout.model_copy(update={"durations": layout.durations and not _phrase_durations(layout), "streams": streams})


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


@contextmanager
def _in_file_order(con: duckdb.DuckDBPyConnection, layout: FileLayout) -> Iterator[None]:
    """A slow query log's lines are numbered as the file orders them (`row_number() OVER ()`, each duration
    dated by the `# Time:` above it), which DuckDB promises only while it preserves insertion order: the scan
    otherwise lets it go, for speed, and these files are small."""
    ordered = layout.record_time or any(stream.layout.record_time for stream in layout.streams)
    if ordered:
        con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        if ordered:
            con.execute("SET preserve_insertion_order = false")


def _sniff(path: Path) -> FileLayout | str:
    """The file's layout, or why it cannot be read."""
    try:
        return sniff_file(path)
    except (OSError, EOFError) as exc:
        return _one_line(exc)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _year_rule(
    con: duckdb.DuckDBPyConnection, since: datetime | None, until: datetime | None, hint: int | YearRule | None,
) -> YearRule:
    """The year of stamps without one: a line takes the latest year that does not put it past a bound —
    `until`; a year after `since` (a line is then after since in the earliest year it can be); a day
    past the latest stamp of the files read so far; else now."""
    if isinstance(hint, YearRule):
        return hint
    if hint is not None:
        return YearRule(year=hint)
    if until is not None:
        bound = to_utc(until)
    elif since is not None:
        start = to_utc(since)
        bound = start.replace(year=start.year + 1, day=min(start.day, 28) if start.month == 2 else start.day)
    elif (latest := _latest_stamp(con)) is not None:
        bound = latest + timedelta(days=1)
    else:
        bound = datetime.now(UTC)
    return YearRule(year=bound.year, not_after_us=epoch_us(bound))


def _latest_stamp(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The latest stamp read so far: parsed, or leading a line kept as text (ISO, so its first 19 characters)."""
    latest_us, latest_text = con.execute(
        "SELECT max(last_us), max(last_line) FROM scan_rows WHERE kind IN ('parsed', 'outside')").fetchone()
    found = [datetime.fromtimestamp(latest_us / 1e6, UTC)] if latest_us is not None else []
    if latest_text:
        try:
            found.append(datetime.fromisoformat(latest_text[:19].replace(" ", "T")).replace(tzinfo=UTC))
        except ValueError:
            pass
    return max(found) if found else None


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as raw:
        return raw.read(2) == GZIP_MAGIC


def _batches(paths: list[Path], layouts: list[FileLayout | str]) -> list[list[int]]:
    """Files read alike, in groups of up to BATCH_FILES: the same layout but for their path and service,
    gzip or not alike. Year-less syslog is read alone, after the files its year comes from."""
    groups: dict[tuple[str, bool], list[int]] = {}
    for file_id, layout in enumerate(layouts):
        if isinstance(layout, str) or layout.year_less or layout.streams:  # streams: a query each (multiplex_sql.py)
            continue
        try:
            compressed = _is_gzip(paths[file_id])
        except OSError:
            continue  # read alone, which reports why
        if _prefilters(layout, paths[file_id], compressed):
            continue  # read alone, by the C prefilter: rotated logs (app.log, app.log.1) are of one layout
        key = (layout.model_copy(update={"path": "", "service": "", "first_unread": None}).model_dump_json(), compressed)
        groups.setdefault(key, []).append(file_id)
    batches = [ids[start : start + BATCH_FILES] for ids in groups.values() for start in range(0, len(ids), BATCH_FILES)]
    return [batch for batch in batches if len(batch) > 1]


def _read_batch(
    con: duckdb.DuckDBPyConnection, workdir: Path, file_ids: list[int], paths: list[Path], layouts: list[FileLayout | str],
    window: Window, tz: str,
) -> dict[int, FileRead]:
    """Several files of one layout in one query; nothing when any of them fails, which are then read one by one."""
    layout = layouts[file_ids[0]]
    assert isinstance(layout, FileLayout)
    sql = line_sql(layout, year=datetime.now(UTC).year) if layout.format != LogFormat.UNKNOWN else None
    try:
        # Absolute, so DuckDB names each line's file exactly as given (no `~` of its own to expand).
        sources = [os.path.abspath(_plain_name(workdir, file_id, paths[file_id])) for file_id in file_ids]
        compressed = _is_gzip(paths[file_ids[0]])
        sizes = [paths[file_id].stat().st_size for file_id in file_ids]
    except OSError:
        return {}
    if len(set(sources)) < len(sources):
        return {}
    lines = read_lines_sql("$paths", gzip=compressed, strip_ansi=layout.strip_ansi, batch=True)
    query = count_query(None, layout, lines) if sql is None else file_query(None, layout, sql, window, tz, lines)
    services = [str(getattr(layouts[file_id], "service", "")) for file_id in file_ids]
    try:
        with _in_file_order(con, layout):
            con.execute(query, {"paths": sources, "file_ids": file_ids, "services": services})
    except duckdb.Error:
        return {}
    # Every plain file with bytes in it has a row: if one has none, its lines went astray; read them one by one.
    found = {row[0] for row in con.execute(
        "SELECT DISTINCT file_id FROM scan_rows WHERE list_contains($ids, file_id)", {"ids": file_ids}).fetchall()}
    if not compressed and any(size > 0 and file_id not in found for file_id, size in zip(file_ids, sizes, strict=True)):
        con.execute("DELETE FROM scan_rows WHERE list_contains($ids, file_id)", {"ids": file_ids})
        return {}
    return {i: FileRead(file_id=i, path=str(paths[i]), format=layout.format, line_sql=sql) for i in file_ids}


def _read_file(
    con: duckdb.DuckDBPyConnection, workdir: Path, file_id: int, path: Path, layout: FileLayout, window: Window,
    tz: str, years: YearRule, *, stream_years: Callable[[], YearRule] | None = None,
) -> FileRead:
    """Run the file's query; when DuckDB refuses the file (invalid UTF-8, a line past its limit, a cut
    gzip stream), run it again on a repaired copy. `stream_years`: the year rule as it stands when asked."""
    sql = line_sql(layout, year=years) if layout.format != LogFormat.UNKNOWN else None
    try:
        compressed = _is_gzip(path)
        source = _plain_name(workdir, file_id, path)
    except OSError as exc:
        return FileRead(file_id=file_id, path=str(path), format=layout.format, error=_one_line(exc))
    if sql is not None and _prefilters(layout, path, compressed):
        read = _read_prefiltered(con, workdir, file_id, path, layout, sql, window, tz)
        if read is not None:
            return read
    problems: list[str] = []
    for repaired in (False, True):
        try:
            with _in_file_order(con, layout):
                for query in _file_queries(con, file_id, layout, sql, window, tz, compressed, years, stream_years):
                    con.execute(query, {"path": str(source)})
            return FileRead(file_id=file_id, path=str(path), format=layout.format, line_sql=sql,
                            warning="; ".join(problems) or None)
        except duckdb.Error as exc:
            con.execute("DELETE FROM scan_rows WHERE file_id = $file_id", {"file_id": file_id})  # a stream's, read before
            failure: BaseException = exc
            if repaired or not is_repairable(exc):
                break
        try:
            source, compressed = repaired_copy(path, workdir / f"repaired-{file_id}.log", problems), False
        except OSError as exc:
            failure = exc
            break
    return FileRead(file_id=file_id, path=str(path), format=layout.format, error=_one_line(failure))


def _file_queries(
    con: duckdb.DuckDBPyConnection, file_id: int, layout: FileLayout, sql: LineSql | None, window: Window, tz: str,
    compressed: bool, years: YearRule, stream_years: Callable[[], YearRule] | None,
) -> Iterator[str]:
    """The file's query; a file of several streams in layouts of their own has one per layout (multiplex_sql.py),
    its year-less streams dated by what the others read (the year rule: the latest stamp read so far)."""
    if layout.streams:
        yield from stream_queries(file_id, layout, window, tz, gzip=compressed,
                                  years=lambda stream: stream_years() if stream.year_less and stream_years else years)
        return
    lines = read_lines_sql("$path", gzip=compressed, strip_ansi=layout.strip_ansi)
    yield count_query(file_id, layout, lines) if sql is None else file_query(file_id, layout, sql, window, tz, lines)


def _prefilters(layout: FileLayout, path: Path, compressed: bool) -> bool:
    """Whether the C prefilter reads this file (see prefilter.applies); a file that cannot be looked at
    is left to the usual read, which says why."""
    try:
        return prefilter.applies(layout, path.stat().st_size, compressed)
    except OSError:
        return False


def _read_prefiltered(
    con: duckdb.DuckDBPyConnection, workdir: Path, file_id: int, path: Path, layout: FileLayout, sql: LineSql,
    window: Window, tz: str,
) -> FileRead | None:
    """The file split by the C prefilter: the lines it passed over counted, the lines it grouped read from
    their rows, the rest read by the file's query. None when the C does not decide the file, DuckDB
    refuses what it left (invalid UTF-8), or a window bound cuts a group: then the whole file is read
    the usual way, which repairs what needs it."""
    # The C groups lines of the plain shape without an interlude or a header (header_shapes.py), which its own
    # parse knows. Of JSON and
    # logfmt lines it reads the time instead, by the sniffed keys, and groups those it keeps by their level, service
    # and message keys.
    # Of an access log's lines it counts those it is sure of into the SQL's rows (access_rows.py).
    structured = layout.format in prefilter.STRUCTURED
    fields = prefilter.FieldStamps(format=layout.format, keys=prefilter.time_keys(layout) or [], naive_utc=tz == "UTC",
                                   since_us=window.since_us, until_us=window.until_us,
                                   groups=prefilter.field_groups(layout, MAX_MESSAGE_CHARS)) if structured else None
    access = None
    if layout.format == LogFormat.ACCESS:
        counted = counted_classes(con, sql)
        if not counted:
            return None
        access = prefilter.AccessRows(counted=counted, since_us=window.since_us, until_us=window.until_us)
    groups = None if layout.interlude or layout.header or structured or access else prefilter.LineGroups(
        service=layout.service_token, edges=window.cut_seconds(layout, tz), max_message=MAX_MESSAGE_CHARS)
    try:
        split = prefilter.split_file(
            path, workdir, file_id, years=(FIRST_STAMP_YEAR, END_STAMP_YEAR),
            window=(None, None) if structured or access else window.text_bounds(layout, tz),
            head_chars=STAMP_HEAD_CHARS, max_line_bytes=MAX_LINE_BYTES, groups=groups, fields=fields, access=access)
    except OSError:
        return None
    if split is None:
        return None
    try:
        if split.candidates:  # often none: the C grouped every line it kept
            lines = read_lines_sql("$path", gzip=False)
            con.execute(file_query(file_id, layout, sql, window, tz, lines, prefiltered=True),
                        {"path": [str(p) for p in split.candidates]})
        if split.row_count:
            rows = (access_rows_query(file_id, layout.service, sql, window, "$path") if access
                    else field_rows_query(file_id, layout, sql, "$path") if structured
                    else rows_query(file_id, layout, sql, window, "$path"))
            con.execute(rows, {"path": [str(p) for p in split.rows]})
        continued = prefilter.BoringLines(count=split.continued)
        for kind, passed in ((PARSED, split.inside), (OUTSIDE, split.outside), (CONTINUATION, continued)):
            if passed.count:
                con.execute(passed_over_query(timed=structured), {
                    "file_id": file_id, "kind": kind, "service": layout.service, "n": passed.count,
                    "least": passed.least, "greatest": passed.greatest})
        # A group a window bound cuts after all (see rows_query, access_rows_query): its lines' kinds are not known.
        fall_back = con.execute("SELECT count(*) FROM scan_rows WHERE file_id = $file_id AND kind IS NULL",
                                {"file_id": file_id}).fetchone()[0] > 0
    except duckdb.Error:
        fall_back = True
    finally:
        prefilter.remove(split.files)
    if fall_back:
        con.execute("DELETE FROM scan_rows WHERE file_id = $file_id", {"file_id": file_id})
        return None
    return FileRead(file_id=file_id, path=str(path), format=layout.format, line_sql=sql)


def _plain_name(workdir: Path, file_id: int, path: Path) -> Path:
    """A name DuckDB reads as it is: it would expand `[`, `*`, `?` or `{` in the real one as a glob."""
    if not any(c in str(path) for c in "[]*?{}"):
        return path
    link = workdir / f"file-{file_id}"
    if not link.is_symlink():  # a batch that failed may have made it already
        link.symlink_to(path.resolve())
    return link
