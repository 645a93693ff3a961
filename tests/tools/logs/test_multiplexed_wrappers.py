"""A wrapped paste of a whole stack, each stream in its own layout (sniff_multiplex.py, multiplex_sql.py):
written by the project in the layouts `docker compose logs` and `kubectl logs --prefix` print, around the
services' own layouts (Redis, pino, Celery, nginx's access log, zap, syslog)."""

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file
from wicked_platform.tools.logs.wrappers import WRAPPERS, stream_sql, unwrap

START = datetime(2024, 3, 4, 9, 0, 0, tzinfo=UTC)


def _compose_stack(minutes: int = 90, failing_from: int = 80) -> str:
    """A worker that ran alone for 45 minutes before the api and a cache started (compose's output is sorted
    by time, so the head holds the worker's lines only), then all three; writes fail from `failing_from`."""
    lines = []
    for second in range(0, minutes * 60, 10):
        at = START + timedelta(seconds=second)
        failing = second >= failing_from * 60
        celery = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000 + second % 997:03d}"
        if failing:
            lines.append((at, f"worker-1  | [{celery}: ERROR/ForkPoolWorker-2] Task jobs.sync_stock[{second:08x}] "
                              "raised unexpected: ConnectionError('connection refused')"))
            lines.append((at, "worker-1  | Traceback (most recent call last):"))
        else:
            lines.append((at, f"worker-1  | [{celery}: INFO/MainProcess] Task jobs.sync_stock[{second:08x}] received"))
        if second < 45 * 60:
            continue
        ms = int(at.timestamp() * 1000) + 7
        record = ({"level": 50, "time": ms, "pid": 7, "req": {"method": "POST", "url": "/orders"},
                   "res": {"statusCode": 503}, "msg": "request errored"} if failing else
                  {"level": 30, "time": ms, "pid": 7, "req": {"method": "GET", "url": "/orders"},
                   "res": {"statusCode": 200}, "msg": "request completed"})
        lines.append((at, "orders-api-2  | " + json.dumps(record, separators=(",", ":"))))
        if second % 60 == 0:
            lines.append((at, f"cache-1   | 1:M {at.day:02d} {at:%b %Y %H:%M:%S}.{123:03d} * DB saved on disk"))
    return "".join(line + "\n" for _, line in sorted(lines, key=lambda pair: pair[0]))


def test_a_compose_paste_of_three_layouts_is_read_whole(logs):
    path = logs.text("stack.txt", _compose_stack())
    layout = sniff_file(path)
    assert layout.wrapper == "compose" and len(layout.streams) == 2
    scan = scan_logs([path])
    stats = scan.files[0]
    assert stats.unparsed == 0 and stats.parsed + stats.continuation == stats.lines
    errors = {s.service: s.count for s in scan.signatures if s.level_class == "error"}
    assert errors == {"worker": 60, "orders-api": 60}  # the worker's Celery level, the api's pino level 50
    assert stats.first_at == START and stats.last_at.replace(microsecond=0) == START + timedelta(minutes=90, seconds=-10)
    assert {p.service for p in scan.requests} == {"orders-api"}  # the api's status codes are its requests


def test_a_stream_in_no_known_layout_stays_unread_and_is_counted(logs):
    text = _compose_stack() + "".join(f"proxy-1   | serving request number {i} for a client\n" for i in range(25))
    scan = scan_logs([logs.text("stack.txt", text)])
    stats = scan.files[0]
    assert stats.unparsed == 25 and stats.parsed + stats.continuation + stats.unparsed == stats.lines
    assert stats.first_unread == "proxy-1   | serving request number 0 for a client"
    assert {s.service for s in scan.signatures if s.level_class == "error"} == {"worker", "orders-api"}


def _kubectl_pod(minutes: int = 30) -> str:
    """`kubectl logs --prefix --timestamps --all-containers` of one pod: nginx's access log beside a Go app's zap JSON."""
    lines = []
    for second in range(0, minutes * 60, 15):
        at = START + timedelta(seconds=second)
        failing = second >= 20 * 60
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}123Z"
        status = 502 if failing else 200
        lines.append(f"[pod/storefront-5c9f7d8b6d-q7x2z/nginx] {stamp} 10.1.0.{second % 200} - - "
                     f'[{at:%d/%b/%Y:%H:%M:%S} +0000] "GET /cart HTTP/1.1" {status} 512 "-" "curl/8.5.0"')
        record = ({"level": "error", "ts": at.timestamp() + 0.25, "caller": "cart/handler.go:88",
                   "msg": "cart lookup failed", "error": "dial tcp 10.2.0.9:6379: connect: connection refused"}
                  if failing else {"level": "info", "ts": at.timestamp() + 0.25, "caller": "cart/handler.go:61",
                                   "msg": "cart served"})
        lines.append(f"[pod/storefront-5c9f7d8b6d-q7x2z/app] {stamp} " + json.dumps(record))
    return "".join(line + "\n" for line in lines)


def test_kubectl_prefix_of_an_access_log_and_a_json_app_reads_both(logs):
    path = logs.text("storefront.log", _kubectl_pod())
    layout = sniff_file(path)
    assert layout.wrapper == "kubectl-prefix"
    assert {layout.format, *(s.layout.format for s in layout.streams)} == {LogFormat.ACCESS, LogFormat.JSON}
    scan = scan_logs([path])
    stats = scan.files[0]
    assert (stats.parsed, stats.unparsed) == (240, 0)
    failed = sum(p.errors for p in scan.requests)
    assert failed == 40  # nginx's 502s: the access stream's requests
    assert any(s.signature.startswith("cart lookup failed") and s.count == 40 for s in scan.signatures)


def test_a_year_less_stream_takes_its_year_from_the_other_streams(logs):
    """A syslog relay's `Nov  9 12:01:01` beside an app's ISO stamps of 2021: the relay's lines are of 2021, not
    of the year the scan runs in."""
    lines = []
    for minute in range(40):
        at = datetime(2021, 11, 9, 12, minute, 1, tzinfo=UTC)
        lines.append(f"[pod/mail-relay-0/rsyslog] {at:%b} {at.day:2d} {at:%H:%M:%S} mx-1 postfix/smtp[2915]: "
                     f"{'error: connect to mx.example.net: Connection timed out' if minute >= 30 else 'sent ok'}")
        lines.append(f'[pod/mailer-6f7d9c8b5-k2x9p/app] {{"time":"{at:%Y-%m-%dT%H:%M:%S}Z","level":"info","msg":"queued"}}')
    scan = scan_logs([logs.text("mail.log", "".join(line + "\n" for line in lines))])
    stats = scan.files[0]
    assert (stats.parsed, stats.unparsed) == (80, 0)
    assert stats.first_at.year == stats.last_at.year == 2021


def test_a_paste_whose_streams_share_one_layout_reads_as_one(logs):
    text = "".join(f"{svc:<10}| 2024-03-04T09:{i:02d}:00.000Z {'ERROR' if i >= 50 else 'INFO'} {svc} handled {i}\n"
                   for i in range(60) for svc in ("cart-1", "search-1"))
    layout = sniff_file(logs.text("two.txt", text))
    assert layout.wrapper == "compose" and layout.streams == []
    scan = scan_logs([logs.text("two.txt", text)])
    assert (scan.files[0].parsed, scan.level_counts["error"]) == (120, 20)


@pytest.mark.parametrize("line", [
    "api-1     | {\"level\":30}", "api-12\t| x", "api_2  | 2024-01-15T14:23:15Z y", "orders.v2-1 | z",
    "[pod/checkout-api-7d9f8d6b5-x2x4k/app] 2024-01-15T14:23:15Z msg", "[pod/redis-0/redis] 1:M 15 Jan ...",
    *(wrapper.sample for wrapper in WRAPPERS if wrapper.kind in ("compose", "kubectl-prefix")),
])
def test_the_stream_sql_names_the_stream_unwrap_names(line):
    kind = "kubectl-prefix" if line.startswith("[pod/") else "compose"
    found = unwrap(kind, line)
    assert found is not None
    sql = stream_sql(kind, "line")
    assert duckdb.execute(f"SELECT {sql} FROM (SELECT $line AS line)", {"line": line}).fetchone()[0] == found.stream
