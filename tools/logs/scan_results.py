"""From the aggregated rows of every file (`scan_rows`) to the LogScan: small queries, full sort keys.

Signatures are computed here, once per distinct message shape across all files, not once per line.
Every list is ordered on all of its fields, so the same inputs give the same LogScan. Results are
fetched first (`fetch_tables`) and turned into models after the DuckDB connection is closed
(`build_scan`), so the two never hold memory at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.file_query import CONTINUATION, OUTSIDE, PARSED, UNPARSED, stamps_query
from wicked_platform.tools.logs.line_sql import LineSql
from wicked_platform.tools.logs.models import (
    LatencySeries, LatencyTable, LevelClass, LogEvent, LogFileStats, LogFormat, LogScan, PointTable, RequestPoint,
    RouteTable, SignatureSeries, SignatureStats,
)
from wicked_platform.tools.logs.route_counts import fetch_routes
from wicked_platform.tools.logs.route_shapes import finish_route_sql
from wicked_platform.tools.logs.signatures import signature_sql
from wicked_platform.tools.timeutil import from_epoch_us

# A signature per distinct message shape, then the signed rows as a view over scan_rows: a busy log's signed rows
# run to hundreds of thousands, and copying them (examples and all) into a table of their own cost more than the
# three queries that read them. The points join each row to its series through the few (service, shape, cls)
# combinations there are, not through its signature's text.
_SHAPES = f"""
CREATE TEMP TABLE shapes AS
SELECT shape, {signature_sql('shape')} AS signature FROM (SELECT DISTINCT shape FROM scan_rows WHERE shape IS NOT NULL)"""
_SIGNED_ROWS = f"""
CREATE TEMP VIEW signed AS
SELECT r.file_id, r.service, r.level, r.cls, r.shape, s.signature, r.sec, r.n, r.first_us, r.last_us, r.example,
       r.example_key
FROM scan_rows r JOIN shapes s USING (shape)
WHERE r.kind = '{PARSED}' AND r.cls <> '{LevelClass.OTHER.value}'"""
_SERIES_KEYS = """
CREATE TEMP TABLE series AS
SELECT service, signature, cls, (row_number() OVER (ORDER BY service, signature, cls) - 1)::INTEGER AS key
FROM (SELECT DISTINCT service, signature, cls FROM signed)"""
_SHAPE_KEYS = """
CREATE TEMP TABLE shape_keys AS
SELECT DISTINCT r.service, r.shape, r.cls, k.key
FROM (SELECT DISTINCT service, shape, cls, signature FROM signed) r JOIN series k USING (service, signature, cls)"""
_POINTS = f"""
SELECT r.sec, k.key, sum(r.n)::BIGINT AS n FROM scan_rows r JOIN shape_keys k USING (service, shape, cls)
WHERE r.kind = '{PARSED}' GROUP BY r.sec, k.key ORDER BY r.sec, k.key"""


SAMPLE_PER_SERVICE = 20_000  # durations kept per service for the rank test: its p-value needs no more
ROUTES_PER_SERVICE = 5  # a service's busiest routes get series of their own
MIN_ROUTE_LINES = 30  # a route with fewer timed lines says nothing apart from its service
_TIMED = f"""
CREATE TEMP TABLE timed AS
WITH rows AS (SELECT service, sec, unnest(durations) AS d FROM scan_rows WHERE kind = '{PARSED}' AND durations IS NOT NULL)
SELECT service, {finish_route_sql('d.route')} AS route, sec, unnest(list_resize([d.ms], d.n, d.ms)) AS ms FROM rows"""
_TOP_ROUTES = f"""
CREATE TEMP TABLE top_routes AS
SELECT service, route FROM (
    SELECT service, route, row_number() OVER (PARTITION BY service ORDER BY count(*) DESC, route) AS rank,
           count(DISTINCT route) OVER (PARTITION BY service) AS routes
    FROM timed WHERE route IS NOT NULL GROUP BY service, route HAVING count(*) >= {MIN_ROUTE_LINES})
WHERE rank <= {ROUTES_PER_SERVICE} AND routes > 1"""
# Per minute: of each service's lines, and of each of its busiest routes' lines (route NULL: all of them).
_MINUTES = """
SELECT service, NULL::VARCHAR AS route, sec // 60 * 60 AS minute, count(*) AS n,
       quantile_cont(ms, [0.5, 0.95, 0.99]) AS q FROM timed GROUP BY service, minute
UNION ALL
SELECT service, route, sec // 60 * 60 AS minute, count(*) AS n, quantile_cont(ms, [0.5, 0.95, 0.99]) AS q
FROM timed JOIN top_routes USING (service, route) GROUP BY service, route, minute
ORDER BY service, route NULLS FIRST, minute"""
_SAMPLE = f"""
SELECT sec, service, route, ms FROM (
    SELECT *, row_number() OVER (PARTITION BY service ORDER BY hash(sec, ms, route), sec, ms, route) AS pick FROM timed)
WHERE pick <= {SAMPLE_PER_SERVICE} ORDER BY service, sec, ms, route"""


def fetch_latency(con: duckdb.DuckDBPyConnection) -> LatencyTable:
    """Per-minute p50/p95/p99 of every line's duration, by service and busiest routes, and the bounded sample."""
    con.execute(_TIMED)
    con.execute(_TOP_ROUTES)
    minutes = con.execute(_MINUTES).fetchall()
    if not minutes:
        return LatencyTable()
    series = list(dict.fromkeys((service, route) for service, route, *_ in minutes))
    index = {key: i for i, key in enumerate(series)}
    sample = con.execute(_SAMPLE).fetchall()
    return LatencyTable(
        series=[LatencySeries(service=service, route=route) for service, route in series],
        minutes=[int(row[2]) for row in minutes], keys=[index[(row[0], row[1])] for row in minutes],
        counts=[int(row[3]) for row in minutes], p50=[round(float(row[4][0]), 3) for row in minutes],
        p95=[round(float(row[4][1]), 3) for row in minutes], p99=[round(float(row[4][2]), 3) for row in minutes],
        sample_seconds=[int(row[0]) for row in sample], sample_services=[row[1] for row in sample],
        sample_routes=[row[2] for row in sample], sample_ms=[float(row[3]) for row in sample],
        sample_limit=SAMPLE_PER_SERVICE,
    )


class FileRead(BaseModel):
    """One file as scan_logs read it: where its rows are in scan_rows, or why there are none."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_id: int
    path: str
    format: LogFormat = LogFormat.UNKNOWN
    error: str | None = None
    warning: str | None = None  # read, after a repair: a cut gzip stream, over-long lines cut
    line_sql: LineSql | None = None  # how its lines were read, to date the lines kept as text
    first_unread: str | None = None  # the sniff's first line in no known layout
    binary: bool = False


@dataclass(frozen=True)
class FileSpan:
    """A file's counts, and its first and last stamps: of all its lines, and of those in the window."""

    lines: int = 0
    parsed: int = 0
    continuation: int = 0
    unparsed: int = 0
    outside: int = 0
    first_us: int | None = None
    last_us: int | None = None
    window_first_us: int | None = None
    window_last_us: int | None = None


@dataclass(frozen=True)
class ScanTables:
    """What the queries returned, as plain rows: a busy log's points run to hundreds of thousands, so
    they travel as columns of integers keyed into `series`, not as one object each."""

    spans: dict[int, FileSpan]
    level_counts: dict[str, int]
    service_counts: list[tuple[str, int]]
    signatures: list[tuple]  # ..., the example, and the file it was read from
    series: list[tuple[str, str, str]]  # (service, signature, cls) by key
    point_secs: np.ndarray
    point_keys: np.ndarray
    point_counts: np.ndarray
    requests: list[tuple[int, str, int, int]]
    events: list[tuple[int, str, str, str, str | None, int]]
    file_services: dict[int, list[str]]  # per file, the services its lines in the window name
    latency: LatencyTable = LatencyTable()
    routes: RouteTable = RouteTable()


def fetch_tables(con: duckdb.DuckDBPyConnection, reads: list[FileRead], max_events: int) -> ScanTables:
    for table in (_SHAPES, _SIGNED_ROWS, _SERIES_KEYS, _SHAPE_KEYS):
        con.execute(table)
    points = con.execute(_POINTS).fetchnumpy()
    requests = con.execute(f"""
        SELECT sec, service, sum(requests), sum(failed) FROM scan_rows
        WHERE kind = '{PARSED}' AND sec IS NOT NULL AND requests > 0
        GROUP BY sec, service ORDER BY sec, service""").fetchall()
    file_rows = _file_rows(con)
    file_services: dict[int, list[str]] = {}
    for file_id, service in con.execute(f"""
            SELECT DISTINCT file_id, service FROM scan_rows WHERE kind = '{PARSED}' AND service IS NOT NULL
            ORDER BY file_id, service""").fetchall():
        file_services.setdefault(file_id, []).append(service)
    text_stamps = _text_stamps(con, reads, file_rows)
    return ScanTables(
        spans={read.file_id: _span(read, file_rows[read.file_id], text_stamps) for read in reads if read.file_id in file_rows},
        level_counts=dict(con.execute(
            f"SELECT cls, sum(n) FROM scan_rows WHERE kind = '{PARSED}' GROUP BY cls").fetchall()),
        service_counts=con.execute("SELECT service, sum(n) FROM signed GROUP BY service ORDER BY service").fetchall(),
        signatures=con.execute("""
            SELECT service, level, cls, signature, sum(n) AS count, min(first_us) AS first_us, max(last_us),
                   arg_min(example, example_key), arg_min(file_id, (example_key, file_id))
            FROM signed GROUP BY service, level, cls, signature
            ORDER BY count DESC, first_us, service, level, signature""").fetchall(),
        series=[tuple(row) for row in con.execute("SELECT service, signature, cls FROM series ORDER BY key").fetchall()],
        point_secs=points["sec"], point_keys=points["key"], point_counts=points["n"],
        requests=requests,
        latency=fetch_latency(con),
        routes=fetch_routes(con),
        events=con.execute("""
            SELECT event_at, service, coalesce(level, '') AS level, event_message, event_line, sum(n) FROM scan_rows
            WHERE event_at IS NOT NULL GROUP BY ALL ORDER BY event_at, service, level, event_message, event_line
            LIMIT $limit""", {"limit": max_events + 1}).fetchall(),
        file_services=file_services,
    )


def _file_rows(con: duckdb.DuckDBPyConnection) -> dict[int, tuple]:
    """Per file: counts by kind, exact first/last stamps, and the earliest/latest lines kept as text."""
    stamped = f"kind IN ('{PARSED}', '{OUTSIDE}')"
    rows = con.execute(f"""
        SELECT file_id, sum(n), coalesce(sum(n) FILTER (WHERE {stamped}), 0),
               coalesce(sum(n) FILTER (WHERE kind = '{CONTINUATION}'), 0),
               coalesce(sum(n) FILTER (WHERE kind = '{UNPARSED}'), 0), coalesce(sum(n) FILTER (WHERE kind = '{OUTSIDE}'), 0),
               min(first_us) FILTER (WHERE {stamped}), max(last_us) FILTER (WHERE {stamped}),
               min(first_us) FILTER (WHERE kind = '{PARSED}'), max(last_us) FILTER (WHERE kind = '{PARSED}'),
               min(first_line) FILTER (WHERE {stamped}), max(last_line) FILTER (WHERE {stamped}),
               min(first_line) FILTER (WHERE kind = '{PARSED}'), max(last_line) FILTER (WHERE kind = '{PARSED}')
        FROM scan_rows GROUP BY file_id""").fetchall()
    return {row[0]: row[1:] for row in rows}


_TEXTS = slice(9, 13)  # in a _file_rows row: the earliest/latest lines kept as text, of all and of the window


def _text_stamps(con: duckdb.DuckDBPyConnection, reads: list[FileRead], file_rows: dict[int, tuple]) -> dict[tuple[str, str], int]:
    """The stamps of the lines kept as text, by (way of reading, text): one query per way of reading
    the files share, not one per file (a directory of thousands of small files)."""
    wanted: dict[str, tuple[LineSql, set[str]]] = {}
    for read in reads:
        row = file_rows.get(read.file_id)
        texts = [t for t in row[_TEXTS] if t] if row is not None and read.line_sql is not None else []
        if texts:
            wanted.setdefault(read.line_sql.model_dump_json(), (read.line_sql, set()))[1].update(texts)
    stamps: dict[tuple[str, str], int] = {}
    for key, (sql, texts) in wanted.items():
        for text, stamp in con.execute(stamps_query(sql), {"lines": sorted(texts)}).fetchall():
            if stamp is not None:
                stamps[(key, text)] = stamp
    return stamps


def _span(read: FileRead, row: tuple, text_stamps: dict[tuple[str, str], int]) -> FileSpan:
    """Counts, and the stamps parsed exactly merged with those of the earliest/latest lines kept as text.

    A line kept as text that turns out not to parse (a digit-led line that is no stamp) is left out.
    """
    lines, parsed, continuation, unparsed, outside, first, last, window_first, window_last, *texts = row
    if read.line_sql is not None and any(texts):
        key = read.line_sql.model_dump_json()
        first_text, last_text, window_first_text, window_last_text = (text_stamps.get((key, t)) for t in texts)
        first, last = _pick(min, first, first_text), _pick(max, last, last_text)
        window_first, window_last = _pick(min, window_first, window_first_text), _pick(max, window_last, window_last_text)
    return FileSpan(lines=int(lines), parsed=int(parsed), continuation=int(continuation), unparsed=int(unparsed),
                    outside=int(outside), first_us=first, last_us=last, window_first_us=window_first,
                    window_last_us=window_last)


def _pick(choose, *values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return choose(present) if present else None


def build_scan(reads: list[FileRead], tables: ScanTables, max_events: int) -> LogScan:
    spans = [tables.spans.get(read.file_id, FileSpan()) for read in reads]
    starts = [s.window_first_us for s in spans if s.window_first_us is not None]
    ends = [s.window_last_us for s in spans if s.window_last_us is not None]
    events = [LogEvent(at=from_epoch_us(event_at), service=service, level=level, message=message,
                       line=line if line and line != message else None)
              for event_at, service, level, message, line, n in tables.events for _ in range(int(n))]
    return LogScan(
        files=[_file_stats(read, span, tables.file_services.get(read.file_id, []))
               for read, span in zip(reads, spans, strict=True)],
        level_counts={cls.value: int(tables.level_counts.get(cls.value, 0)) for cls in LevelClass},
        service_counts={service: int(n) for service, n in tables.service_counts},
        signatures=[
            SignatureStats(service=service, level=level or "", level_class=LevelClass(cls), signature=signature,
                           count=int(count), first_seen=from_epoch_us(first), last_seen=from_epoch_us(last), example=example)
            for service, level, cls, signature, count, first, last, example, _ in tables.signatures
        ],
        point_table=_point_table(tables),
        requests=[RequestPoint(at=from_epoch_us(sec * 1_000_000), service=service, requests=int(n), errors=int(failed))
                  for sec, service, n, failed in tables.requests],
        latency=tables.latency, routes=tables.routes,
        events=events[:max_events], events_truncated=len(events) > max_events,
        start=from_epoch_us(min(starts)) if starts else None, end=from_epoch_us(max(ends)) if ends else None,
    )


def _file_stats(read: FileRead, span: FileSpan, services: list[str]) -> LogFileStats:
    return LogFileStats(services=services,
        path=read.path, format=read.format, lines=span.lines, parsed=span.parsed, continuation=span.continuation,
        unparsed=span.unparsed, outside_window=span.outside,
        first_at=from_epoch_us(span.first_us) if span.first_us is not None else None,
        last_at=from_epoch_us(span.last_us) if span.last_us is not None else None, error=read.error, warning=read.warning,
        first_unread=read.first_unread if span.unparsed and not read.binary else None, binary=read.binary,
    )


def _point_table(tables: ScanTables) -> PointTable:
    """Per-second counts stay columns of integers: hundreds of thousands of points in a busy log."""
    return PointTable(
        series=[SignatureSeries(service=service, signature=signature, level_class=LevelClass(cls))
                for service, signature, cls in tables.series],
        seconds=tables.point_secs.tolist(), keys=tables.point_keys.tolist(), counts=tables.point_counts.tolist())
