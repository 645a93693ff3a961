import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wicked_platform.tools.logs.models import LevelClass, LogFormat
from wicked_platform.tools.logs.scan import scan_logs

SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "001_ae77ac2d408f9403.txt"
SEED_ERROR_LOG = """2024-01-15T14:20:00Z INFO checkout-api Deployment checkout-api-v2.4.1 started
2024-01-15T14:20:30Z INFO checkout-api Deployment checkout-api-v2.4.1 completed
2024-01-15T14:23:15Z ERROR checkout-api Payment timeout for order ORD-1001
2024-01-15T14:23:16Z ERROR checkout-api Payment timeout for order ORD-1002
2024-01-15T14:23:17Z ERROR checkout-api Payment timeout for order ORD-1003
2024-01-15T14:23:18Z ERROR checkout-api Payment timeout for order ORD-1004
2024-01-15T14:23:19Z ERROR checkout-api Payment timeout for order ORD-1005
2024-01-15T14:23:20Z ERROR checkout-api Payment timeout for order ORD-1006
2024-01-15T14:24:00Z WARN payment-service High timeout rate from checkout-api
2024-01-15T14:24:30Z ERROR checkout-api Circuit breaker OPEN for payment-service
2024-01-15T14:25:00Z CRITICAL checkout-api Checkout failures exceeding threshold
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def by_signature(scan):
    return {s.signature: s for s in scan.signatures}


@pytest.mark.skipif(not SEED.exists(), reason="seed scenarios not checked out next to the repo")
def test_seed_text_is_the_seeds_own():
    block = re.search(r"cat > error\.log << 'EOF'\n(.*?)\nEOF", SEED.read_text(), re.DOTALL)
    assert block and block.group(1) + "\n" == SEED_ERROR_LOG


def test_seed_error_log(logs):
    scan = scan_logs([logs.text("error.log", SEED_ERROR_LOG)])
    timeout = by_signature(scan)["Payment timeout for order <*>"]
    assert (timeout.service, timeout.level, timeout.level_class, timeout.count) == (
        "checkout-api", "ERROR", LevelClass.ERROR, 6)
    assert (timeout.first_seen, timeout.last_seen) == (utc("2024-01-15T14:23:15"), utc("2024-01-15T14:23:20"))
    assert timeout.example == "Payment timeout for order ORD-1001"
    assert scan.signatures[0] == timeout  # the most frequent first
    critical = by_signature(scan)["Checkout failures exceeding threshold"]
    assert (critical.level, critical.level_class) == ("CRITICAL", LevelClass.ALERT)
    assert [(e.at, e.service, e.level, e.message) for e in scan.events] == [
        (utc("2024-01-15T14:20:00"), "checkout-api", "INFO", "Deployment checkout-api-v2.4.1 started"),
        (utc("2024-01-15T14:20:30"), "checkout-api", "INFO", "Deployment checkout-api-v2.4.1 completed"),
        (utc("2024-01-15T14:24:30"), "checkout-api", "ERROR", "Circuit breaker OPEN for payment-service"),
        (utc("2024-01-15T14:25:00"), "checkout-api", "CRITICAL", "Checkout failures exceeding threshold"),
    ]
    assert scan.level_counts == {"alert": 1, "error": 7, "warning": 1, "other": 2}
    assert scan.service_counts == {"checkout-api": 8, "payment-service": 1}
    assert [(p.at.second, p.count) for p in scan.points if p.signature == timeout.signature] == [
        (s, 1) for s in range(15, 21)]
    (stats,) = scan.files
    assert (stats.format, stats.lines, stats.parsed, stats.continuation, stats.unparsed) == (LogFormat.PLAIN, 11, 11, 0, 0)
    assert (scan.start, scan.end) == (utc("2024-01-15T14:20:00"), utc("2024-01-15T14:25:00"))
    assert (stats.first_at, stats.last_at) == (scan.start, scan.end)
    assert scan.requests == [] and not scan.events_truncated


def test_plain_variants_with_offsets_and_a_stack_trace(logs):
    path = logs.text("logs/payments.log", (
        "2024-01-15 16:23:15,250+02:00 [ERROR] [payment-service] Charge failed for card 4111\n"
        "java.lang.IllegalStateException: gateway said no\n"
        "\tat com.shop.pay.Gateway.charge(Gateway.java:88)\n"
        "\tat com.shop.pay.Service.run(Service.java:12)\n"
        "Caused by: java.net.SocketTimeoutException: Read timed out\n"
        "\t... 12 more\n"
        "\n"
        "2024-01-15 16:23:16.5+02:00 [WARN] [payment-service] Slow charge 1200ms\n"
        "2024-01-15 16:23:17+0200 [INFO] [payment-service] Service recovered\n"
        "this line is no log line\n"))
    scan = scan_logs([path])
    (stats,) = scan.files
    assert (stats.lines, stats.parsed, stats.continuation, stats.unparsed) == (10, 3, 6, 1)
    charge = by_signature(scan)["Charge failed for card <*>"]
    assert (charge.service, charge.first_seen) == ("payment-service", datetime(2024, 1, 15, 14, 23, 15, 250000, UTC))
    assert [e.message for e in scan.events] == ["Service recovered"]
    assert (scan.start, scan.end) == (datetime(2024, 1, 15, 14, 23, 15, 250000, UTC), utc("2024-01-15T14:23:17"))


def test_plain_lines_without_a_service_take_the_file_name(logs):
    scan = scan_logs([logs.text("logs/payment-service.log", (
        "2024-01-15T14:23:15Z ERROR Payment timeout for order ORD-1\n"
        "2024-01-15T14:23:16Z INFO Charge accepted for order ORD-2\n"
        "2024-01-15T14:23:17Z error Payment timeout for order ORD-3\n"))])
    (sig,) = scan.signatures
    assert (sig.service, sig.level, sig.count) == ("payment-service", "ERROR", 2)


def test_naive_stamps_are_read_in_the_given_zone(logs):
    path = logs.text("app.log", "2024-07-15 16:00:00 ERROR cart-api boom 1\n2024-07-15 16:00:01 INFO cart-api ok\n")
    scan = scan_logs([path], tz="Europe/Berlin")
    assert scan.signatures[0].first_seen == utc("2024-07-15T14:00:00")
    assert (scan.start, scan.end) == (utc("2024-07-15T14:00:00"), utc("2024-07-15T14:00:01"))


def test_json_lines(logs):
    scan = scan_logs([logs.text("cart.json", (
        '{"ts":"2024-01-15T16:23:15.120+02:00","level":"error","service":"cart-api",'
        '"msg":"Connection refused to 10.0.0.3:5432"}\n'
        '{"ts":1705328596,"level":"warn","service":"cart-api","msg":"Slow query 1200ms"}\n'
        '{"ts":1705328597000,"level":50,"service":"cart-api","msg":"Connection refused to 10.0.0.4:5432"}\n'
        '{"ts":"2024-01-15T14:23:18Z","level":"info","service":"cart-api","msg":"deploy cart-api version=v1.8.0"}\n'
        'not json\n'))])
    refused = by_signature(scan)["Connection refused to <*>"]
    assert (refused.count, refused.first_seen, refused.last_seen) == (
        2, datetime(2024, 1, 15, 14, 23, 15, 120000, UTC), utc("2024-01-15T14:23:17"))
    assert by_signature(scan)["Slow query <*>"].first_seen == utc("2024-01-15T14:23:16")
    assert [(e.level, e.message) for e in scan.events] == [("INFO", "deploy cart-api version=v1.8.0")]
    assert (scan.files[0].parsed, scan.files[0].unparsed) == (4, 1)


@pytest.mark.parametrize(("name", "line"), [
    # zap: `logger` names the part of the program (its HTTP middleware), the file the service.
    ("inventory-api.log", '{"level":"error","ts":"2024-01-15T14:23:15Z","logger":"http","msg":"query failed"}'),
    # Python's logging through python-json-logger: `logger` is a module path.
    ("checkout-api.json", '{"asctime":"x","ts":"2024-01-15T14:23:15Z","levelname":"x","level":"ERROR",'
                          '"logger":"uvicorn.error","message":"query failed"}'),
])
def test_a_logger_name_is_a_part_of_the_service_not_the_service(logs, name, line):
    scan = scan_logs([logs.text(name, line + "\n")])
    assert [s.service for s in scan.signatures] == [name.split(".")[0]]


def test_logfmt(logs):
    scan = scan_logs([logs.text("search.log", (
        'ts=2024-01-15T15:23:15+01:00 level=error service=search msg="query \\"q1\\" failed after 500ms"\n'
        'ts=2024-01-15T14:23:16Z level=info service=search msg="Circuit breaker closed"\n'))])
    (sig,) = scan.signatures
    assert (sig.service, sig.signature, sig.first_seen, sig.example) == (
        "search", "query <*> failed after <*>", utc("2024-01-15T14:23:15"), 'query "q1" failed after 500ms')
    assert [e.message for e in scan.events] == ["Circuit breaker closed"]


def test_what_went_wrong_beside_the_message_is_part_of_it(logs):
    jsonl = logs.text("api.jsonl", (
        '{"ts":"2024-01-15T14:23:15Z","level":"error","service":"api","msg":"request failed","error":"context deadline exceeded"}\n'
        '{"ts":"2024-01-15T14:23:16Z","level":"error","service":"api","msg":"request failed","err":{"message":"EOF","type":"Error"}}\n'
        '{"ts":"2024-01-15T14:23:17Z","level":"error","service":"api","msg":"timeout talking to db","error":"timeout"}\n'
        '{"ts":"2024-01-15T14:23:18Z","level":"error","service":"api","errorCode":"CARD_DECLINED"}\n'
        '{"ts":"2024-01-15T14:23:19Z","level":"warn","service":"api","msg":"retrying","error":false}\n'))
    logfmt = logs.text("worker.log", (
        'ts=2024-01-15T14:23:15Z level=error service=worker msg="job failed" err="redis: connection pool timeout"\n'
        'ts=2024-01-15T14:23:16Z level=error service=worker msg="job failed" err="lock held by job 42"\n'))
    assert sorted(s.example for s in scan_logs([jsonl]).signatures) == [
        "CARD_DECLINED", "request failed: EOF", "request failed: context deadline exceeded", "retrying",
        "timeout talking to db"]
    assert sorted(s.signature for s in scan_logs([logfmt]).signatures) == [
        "job failed: lock held by job <*>", "job failed: redis: connection pool timeout"]


def test_syslog_3164_takes_the_year_hint_and_the_zone(logs):
    path = logs.text("syslog", (
        "<11>Jan 15 14:23:15 web01 nginx[123]: upstream timed out to 10.0.0.2\n"
        "<14>Jan 15 14:23:16 web01 cron[9]: job done\n"
        "Jan  5 14:23:17 web01 app: ERROR disk full on /dev/sda1\n"))
    scan = scan_logs([path], year_hint=2023, tz="America/New_York")
    upstream = by_signature(scan)["upstream timed out to <*>"]
    assert (upstream.service, upstream.level, upstream.first_seen) == ("nginx", "ERR", utc("2023-01-15T19:23:15"))
    disk = by_signature(scan)["disk full on /dev/<*>"]
    assert (disk.service, disk.level, disk.example) == ("app", "ERROR", "disk full on /dev/sda1")
    assert scan.level_counts["other"] == 1


def test_syslog_3164_takes_its_year_from_the_other_files(logs):
    scan = scan_logs([logs.text("a-syslog", "<11>Jan 15 14:23:15 web01 app: broken\n"),
                      logs.text("b.log", "2021-01-15T14:20:00Z INFO api started\n")])
    assert scan.signatures[0].first_seen == utc("2021-01-15T14:23:15")


def test_syslog_5424(logs):
    scan = scan_logs([logs.text("billing.log", (
        '<11>1 2024-01-15T15:23:15.003+01:00 web01 billing 77 ID47 [exampleSDID@32473 iut="3"] Invoice 42 failed\n'
        "<14>1 2024-01-15T14:23:16Z web01 billing - - - billing healthy again\n"))])
    (sig,) = scan.signatures
    assert (sig.service, sig.level, sig.signature, sig.first_seen) == (
        "billing", "ERR", "Invoice <*> failed", datetime(2024, 1, 15, 14, 23, 15, 3000, UTC))
    assert [e.message for e in scan.events] == ["billing healthy again"]


def test_access_log_counts_requests_and_5xx(logs):
    scan = scan_logs([logs.text("gateway-access.log", (
        '10.0.0.1 - - [15/Jan/2024:15:23:15 +0100] "GET /api/checkout?id=5 HTTP/1.1" 502 123 "-" "curl/8"\n'
        '10.0.0.1 - - [15/Jan/2024:15:23:15 +0100] "GET /api/cart HTTP/1.1" 200 13 "-" "curl/8"\n'
        '10.0.0.2 - alice [15/Jan/2024:14:23:16 +0000] "POST /api/pay HTTP/1.1" 503 0\n'))])
    assert [(r.at, r.service, r.requests, r.errors) for r in scan.requests] == [
        (utc("2024-01-15T14:23:15"), "gateway", 2, 1), (utc("2024-01-15T14:23:16"), "gateway", 1, 1)]
    assert {(s.service, s.level, s.level_class, s.example) for s in scan.signatures} == {
        ("gateway", "5XX", LevelClass.ERROR, "GET /api/checkout?id=5 502"),
        ("gateway", "5XX", LevelClass.ERROR, "POST /api/pay 503")}
    assert scan.events == [] and scan.level_counts["other"] == 1


def test_gzip_with_and_without_the_extension(logs):
    first = scan_logs([logs.gz("error.log.gz", SEED_ERROR_LOG)])
    second = scan_logs([logs.gz("error.log.1", SEED_ERROR_LOG)])
    assert by_signature(first)["Payment timeout for order <*>"].count == 6
    assert first.signatures == second.signatures and second.files[0].lines == 11


def test_crlf_lines(logs):
    scan = scan_logs([logs.text("error.log", SEED_ERROR_LOG, newline="\r\n")])
    assert scan.files[0].lines == 11
    assert all(not e.message.endswith("\r") for e in scan.events)
    assert by_signature(scan)["Payment timeout for order <*>"].example == "Payment timeout for order ORD-1001"


def test_invalid_utf8_is_replaced_not_dropped(logs):
    path = logs.raw("odd.log", (
        b"2024-01-15T14:23:15Z ERROR shop-api Caf\xc3\xa9 price \xe2\x82\xac 5 rejected for ca\xffrt 12\n"
        b"2024-01-15T14:23:16Z INFO shop-api \xe6\x97\xa5\xe6\x9c\xac ok\n"))
    scan = scan_logs([path])
    (sig,) = scan.signatures
    assert (sig.service, sig.example, sig.signature) == (
        "shop-api", "Café price € 5 rejected for ca\ufffdrt 12", "Café price € <*> rejected for ca\ufffdrt <*>")
    assert scan.files[0].error is None and scan.files[0].lines == 2


def test_unicode_spaces_around_a_level_or_a_service_are_not_part_of_it(logs):
    """DuckDB's trim() strips U+00A0, U+3000 and the other Unicode spaces; a level or a service that a
    writer padded with them still names the same level and service."""
    plain = logs.text("a.log", "".join(f"2024-01-15T14:22:{i:02d}Z INFO cart-api ok {i}\n" for i in range(10))
                      + "2024-01-15T14:23:15Z ERROR checkout-api\u00a0 Payment timeout for order 7\n"
                      + "2024-01-15T14:23:16Z ERROR \u3000cart-api boom\n")
    structured = logs.text("b.json", '{"ts": "2024-01-15T14:23:17Z", "level": "error\u00a0", "service": "pay", "msg": "x"}\n'
                                     '{"ts": "2024-01-15T14:23:18Z", "level": "\u3000warn", "service": "pay", "msg": "y"}\n')
    scan = scan_logs([plain, structured])
    assert sorted(s.service for s in scan.signatures if s.level_class == LevelClass.ERROR) == ["cart-api", "checkout-api", "pay"]
    assert scan.level_counts["error"] == 3 and scan.level_counts["warning"] == 1


def test_control_bytes_tabs_and_quotes_survive(logs):
    message = 'odd \x01 byte\tand "quotes" \\ here'
    scan = scan_logs([logs.text("x.log", f"2024-01-15T14:23:15Z ERROR pay-api {message}\n")])
    assert scan.signatures[0].example == message


def test_since_and_until_filter_lines(logs):
    early = logs.text("a.log", SEED_ERROR_LOG)  # sorts as text
    mixed = logs.text("b.log", "2024-01-15T14:23:17Z ERROR api-b boom 1\n2024-01-15T16:23:30+02:00 INFO api-b ok\n")
    scan = scan_logs([early, mixed], since=utc("2024-01-15T14:20:30"), until=utc("2024-01-15T14:23:17"))
    assert [(f.parsed, f.outside_window) for f in scan.files] == [(11, 7), (2, 1)]
    assert by_signature(scan)["Payment timeout for order <*>"].count == 3
    assert by_signature(scan)["boom <*>"].count == 1
    assert [e.message for e in scan.events] == ["Deployment checkout-api-v2.4.1 completed"]
    assert (scan.start, scan.end) == (utc("2024-01-15T14:20:30"), utc("2024-01-15T14:23:17"))
    assert scan.level_counts == {"alert": 0, "error": 4, "warning": 0, "other": 1}
    assert scan.files[0].first_at == utc("2024-01-15T14:20:00")  # the file's own span is unfiltered


def test_a_window_with_nothing_in_it(logs):
    scan = scan_logs([logs.text("a.log", SEED_ERROR_LOG)], since=utc("2025-01-01T00:00:00"))
    assert scan.empty and scan.signatures == [] and scan.files[0].outside_window == 11


def test_unreadable_and_garbage_files_are_reported_not_dropped(logs, tmp_path):
    garbage = logs.raw("garbage.log", b"\x00\xff\xfe binary \x00 junk\nmore \x81 junk\n\x00\n")
    text = logs.text("notes.log", "just some text\nnothing more\n")
    missing = tmp_path / "missing.log"
    scan = scan_logs([garbage, missing, text])
    assert [(f.path, f.format, f.lines, f.unparsed) for f in scan.files] == [
        (str(garbage), LogFormat.UNKNOWN, 3, 3), (str(missing), LogFormat.UNKNOWN, 0, 0),
        (str(text), LogFormat.UNKNOWN, 2, 2)]
    assert scan.files[1].error and "missing.log" in scan.files[1].error
    assert scan.files[0].error is None and scan.empty


def test_a_file_name_with_glob_characters_is_read_as_written(logs):
    logs.text("a1.log", "2024-01-15T14:23:15Z ERROR pay-api wrong file\n")
    scan = scan_logs([logs.text("a[1].log", "2024-01-15T14:23:15Z ERROR pay-api right file\n")])
    assert scan.signatures[0].example == "right file"


def test_signatures_merge_across_files(logs):
    half = SEED_ERROR_LOG.splitlines(keepends=True)
    scan = scan_logs([logs.text("a.log", "".join(half[:5])), logs.gz("b.log.gz", "".join(half[5:]))])
    assert by_signature(scan)["Payment timeout for order <*>"].count == 6
    assert by_signature(scan)["Payment timeout for order <*>"].example == "Payment timeout for order ORD-1001"


def test_events_are_capped_oldest_first(logs):
    lines = "".join(f"2024-01-15T14:23:{s:02d}Z CRITICAL api Paging on-call {s}\n" for s in range(10))
    scan = scan_logs([logs.text("a.log", lines)], max_events=3)
    assert [e.message for e in scan.events] == ["Paging on-call 0", "Paging on-call 1", "Paging on-call 2"]
    assert scan.events_truncated


def test_ties_in_time_pick_the_same_example_every_time(logs):
    lines = "".join(f"2024-01-15T14:23:15Z ERROR api Order ORD-{n} failed\n" for n in (5, 3, 9, 1))
    examples = {scan_logs([logs.text("a.log", lines)]).signatures[0].example for _ in range(3)}
    assert len(examples) == 1


def test_scanning_twice_gives_the_same_scan(logs):
    paths = [logs.text("error.log", SEED_ERROR_LOG),
             logs.text("gateway-access.log", '10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET / HTTP/1.1" 503 1\n'),
             logs.gz("logs/payments.log.gz", "2024-01-15T14:23:15Z ERROR payments Charge 1 failed\n" * 50)]
    assert scan_logs(paths).model_dump() == scan_logs(paths).model_dump()


def test_an_unknown_zone_is_refused(logs):
    with pytest.raises(ValueError, match="^tz 'Mars/Olympus': not a known time zone"):
        scan_logs([logs.text("a.log", SEED_ERROR_LOG)], tz="Mars/Olympus")
