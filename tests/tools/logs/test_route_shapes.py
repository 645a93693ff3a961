"""Every row of the route catalogue reads its own real sample line to its route, in the scan; a path becomes a
route the same way in DuckDB and in Python; a route per user cannot grow the result."""

from __future__ import annotations

import duckdb
import pytest

from wicked_platform.tools.logs import route_counts
from wicked_platform.tools.logs.route_shapes import ROUTE_KEYS, finish_route_sql, normalise_route, route_sql
from wicked_platform.tools.logs.scan import scan_logs


def _routes(scan) -> set[str]:
    return {s.route for s in scan.routes.series} | {r for r in scan.latency.sample_routes if r}


@pytest.mark.parametrize("row", ROUTE_KEYS, ids=[row.key for row in ROUTE_KEYS])
def test_each_row_reads_its_sample(row, logs):
    path = logs.text("svc.log", row.sample + "\n")
    assert _routes(scan_logs([path])) == {row.expected_route}, row.source
    assert normalise_route(_path_in(row.sample, row.key)) == row.expected_route


def _path_in(sample: str, key: str) -> str:
    import json
    import re

    if sample.startswith("{"):
        record = json.loads(sample)
        if key in record:
            return record[key]
        for part in key.split("."):
            record = record[part]
        return record
    return re.search(rf"(?:^| ){re.escape(key)}=(\S+)", sample).group(1)


def test_every_row_names_its_source_and_a_sample():
    assert len({row.key for row in ROUTE_KEYS}) == len(ROUTE_KEYS)
    for row in ROUTE_KEYS:
        assert row.sample.strip() and row.source.strip()


PATHS = {
    "/cart/123/items": "/cart/:id/items",
    "/cart/456/items?coupon=X": "/cart/:id/items",
    "/cart/": "/cart",
    "/": "/",
    "/api/v1/oauth2/token": "/api/v1/oauth2/token",  # v1, oauth2: names with a digit, not ids
    "/users/550e8400-e29b-41d4-a716-446655440000/orders": "/users/:id/orders",
    "/orders/ORD-1001/items": "/orders/:id/items",
    "/commits/9f1c2ab4d0/diff": "/commits/:id/diff",
    "/users/bob@example.com/profile": "/users/:id/profile",
    "/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl": "/reset/:id",
    "/invite/QWxhZGRpbjpvcGVuIHNlc2FtZXBsZWFzZQ": "/invite/:id",
    "/search/red%20shoes": "/search/:id",
    "/files/2024/01/15/a.png": "/files/:id/a.png",
    "/users/:userId": "/users/:id",
    "/cart/{cartId}/items": "/cart/:id/items",
    "https://user:hunter2@shop.example.com:8443/api/items/98765?t=1": "/api/items/:id",
}


@pytest.mark.parametrize("path", list(PATHS))
def test_a_path_becomes_its_route_in_duckdb_and_python(path):
    with duckdb.connect() as con:
        got = con.execute(f"SELECT {finish_route_sql('r')} FROM (SELECT {route_sql('$p')} AS r)", {"p": path}).fetchone()[0]
    assert got == PATHS[path] == normalise_route(path)


def test_no_route_where_the_line_has_none():
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {route_sql('NULL')}").fetchone()[0] is None


def test_requests_and_failures_are_counted_per_route_of_every_request_line(logs):
    # An nginx access log without durations: before, routes were read only from lines with a duration.
    lines = [f'10.0.0.{s % 7} - - [15/Jan/2024:14:23:{s:02d} +0000] "POST /cart/{9000 + s}/items HTTP/1.1" '
             f'{503 if s % 2 else 200} 17 "-" "curl/8.5.0"\n' for s in range(40)]
    lines += [f'10.0.0.1 - - [15/Jan/2024:14:23:{s:02d} +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe"\n'
              for s in range(40)]
    table = scan_logs([logs.text("shop-access.log", "".join(lines))]).routes
    totals = {table.series[k].route: [0, 0] for k in set(table.keys)}
    for key, requests, errors in zip(table.keys, table.requests, table.errors, strict=True):
        totals[table.series[key].route][0] += requests
        totals[table.series[key].route][1] += errors
    assert totals == {"/cart/:id/items": [40, 20], "/health": [40, 0]}
    assert table.bucket_seconds == 1 and table.routes_seen == {"shop": 2}


def test_a_route_per_user_does_not_grow_the_result(logs, monkeypatch):
    # Names the masking cannot know for values (`/profile/alice`): each is a route, but a service keeps only
    # its routes with the most failures, and the buckets widen before the points pass their bound.
    monkeypatch.setattr(route_counts, "MAX_ROUTE_POINTS", 200)
    names = ["".join(chr(97 + (n // 26 ** i) % 26) for i in range(4)) for n in range(3000)]
    lines = [f'{{"time":"2024-01-15T14:{n // 60 % 60:02d}:{n % 60:02d}Z","level":"info","path":"/profile/{name}",'
             f'"status":{500 if n % 10 == 0 else 200}}}\n' for n, name in enumerate(names)]
    table = scan_logs([logs.text("profile-api.log", "".join(lines))]).routes
    assert len(table.series) == route_counts.MAX_ROUTES_PER_SERVICE
    assert table.routes_seen == {"profile-api": 3000}
    assert len(table.starts) <= 200 and table.bucket_seconds > 1
