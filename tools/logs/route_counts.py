"""Requests and failures per route, from the rows the scan left in `scan_rows` (each request line's route is
read by its format's SQL, route_shapes.route_sql, and its row grouped by it).

Bounded twice, so a route per user (a path whose values the masking did not recognise) cannot grow the
result: a service keeps its MAX_ROUTES_PER_SERVICE routes with the most failed requests (then the most
requests), and the buckets widen from one second until all the kept routes' points fit in MAX_ROUTE_POINTS.
"""

from __future__ import annotations

import math

import duckdb

from wicked_platform.tools.logs.file_query import PARSED
from wicked_platform.tools.logs.models import RouteSeries, RouteTable
from wicked_platform.tools.logs.route_shapes import finish_route_sql

MAX_ROUTES_PER_SERVICE = 12
MAX_ROUTE_POINTS = 200_000
BUCKET_SECONDS = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 21600, 86400)

# The scan's rows of request lines, each with its route finished (route_shapes.finish_route_sql): once per
# distinct route the lines named, not once per row.
_ROUTE_ROWS = f"""
CREATE TEMP TABLE route_rows AS
WITH rows AS (SELECT service, sec, requests, failed, route AS raw FROM scan_rows
              WHERE kind = '{PARSED}' AND route IS NOT NULL AND requests > 0),
     names AS (SELECT raw, {finish_route_sql('raw')} AS route FROM (SELECT DISTINCT raw FROM rows))
SELECT service, sec, requests, failed, names.route FROM rows JOIN names USING (raw)"""
_TOTALS = """
CREATE TEMP TABLE route_totals AS
SELECT service, route, sum(requests) AS requests, sum(failed) AS failed, min(sec) AS first_sec, max(sec) AS last_sec
FROM route_rows GROUP BY service, route"""
_KEPT = f"""
CREATE TEMP TABLE kept_routes AS
SELECT service, route, (row_number() OVER (ORDER BY service, route) - 1)::INTEGER AS key, first_sec, last_sec FROM (
    SELECT *, row_number() OVER (PARTITION BY service ORDER BY failed DESC, requests DESC, route) AS rank FROM route_totals)
WHERE rank <= {MAX_ROUTES_PER_SERVICE}"""
_POINTS = """
SELECT sec // $width * $width AS start, k.key, sum(r.requests)::BIGINT, sum(r.failed)::BIGINT
FROM route_rows r JOIN kept_routes k USING (service, route) GROUP BY start, k.key ORDER BY start, k.key"""


def bucket_width(routes: int, span_seconds: int) -> int:
    """The narrowest bucket that keeps `routes` series over `span_seconds` within MAX_ROUTE_POINTS points."""
    return next((width for width in BUCKET_SECONDS if routes * (span_seconds // width + 1) <= MAX_ROUTE_POINTS),
                max(BUCKET_SECONDS[-1], math.ceil(routes * span_seconds / MAX_ROUTE_POINTS)))


def fetch_routes(con: duckdb.DuckDBPyConnection) -> RouteTable:
    con.execute(_ROUTE_ROWS)
    con.execute(_TOTALS)
    con.execute(_KEPT)
    kept = con.execute("SELECT service, route, min(first_sec) OVER (), max(last_sec) OVER () FROM kept_routes "
                       "ORDER BY key").fetchall()
    if not kept:
        return RouteTable()
    seen = dict(con.execute("SELECT service, count(*) FROM route_totals GROUP BY service ORDER BY service").fetchall())
    width = bucket_width(len(kept), int(kept[0][3] - kept[0][2]))
    points = con.execute(_POINTS, {"width": width}).fetchall()
    return RouteTable(
        series=[RouteSeries(service=service, route=route) for service, route, *_ in kept], bucket_seconds=width,
        starts=[int(row[0]) for row in points], keys=[int(row[1]) for row in points],
        requests=[int(row[2]) for row in points], errors=[int(row[3]) for row in points],
        routes_seen={service: int(n) for service, n in seen.items()},
    )
