from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.sniff import read_head, sniff_file

SEED_HEAD = """2024-01-15T14:20:00Z INFO checkout-api Deployment checkout-api-v2.4.1 started
2024-01-15T14:23:15Z ERROR checkout-api Payment timeout for order ORD-1001
2024-01-15T14:24:00Z WARN payment-service High timeout rate from checkout-api
"""


def test_plain_with_service_tokens(logs):
    layout = sniff_file(logs.text("error.log", SEED_HEAD))
    assert (layout.format, layout.service_token, layout.stamp_zone, layout.stamp_separator) == (
        LogFormat.PLAIN, True, "Z", "T")
    assert layout.sorts_as_text


def test_a_short_file_from_several_services_keeps_its_service_column(logs):
    services = ["gateway", "cart-api", "cart-api", "inventory-service", "argocd", "cart-api", "gateway",
                "inventory-service", "cart-api", "argocd", "gateway", "cart-api", "inventory-service"]
    text = "".join(f"2024-01-15T14:{i:02d}:00Z INFO {name} event {i}\n" for i, name in enumerate(services))
    assert sniff_file(logs.text("events.log", text)).service_token


def test_plain_bracketed_with_comma_fractions_and_no_zone(logs):
    layout = sniff_file(logs.text("payments.log", (
        "2024-01-15 14:23:15,123 [ERROR] [payments] Charge failed\n"
        "    at com.shop.Pay.charge(Pay.java:10)\n"
        "2024-01-15 14:23:16,001 [INFO] [payments] ok\n")))
    assert (layout.format, layout.service_token, layout.stamp_zone, layout.stamp_separator) == (
        LogFormat.PLAIN, True, "", " ")


def test_plain_colon_terminated_service(logs):
    layout = sniff_file(logs.text("x.log", "2024-01-15T14:23:15+02:00 ERROR cart: boom\n"
                                           "2024-01-15T14:23:16+02:00 INFO cart: fine\n"))
    assert layout.service_token and layout.stamp_zone == "+02:00"


def test_plain_without_service_names_the_file(logs):
    layout = sniff_file(logs.text("logs/payment-service.log", (
        "2024-01-15T14:23:15Z ERROR Payment timeout for order ORD-1\n"
        "2024-01-15T14:23:16Z INFO Charge accepted for order ORD-2\n"
        "2024-01-15T14:23:17Z WARN Retrying request attempt 2\n")))
    assert (layout.format, layout.service_token, layout.service) == (LogFormat.PLAIN, False, "payment-service")


def test_plain_with_mixed_zones_does_not_sort_as_text(logs):
    layout = sniff_file(logs.text("x.log", "2024-01-15T14:23:15Z INFO a-b x\n2024-01-15T16:23:16+02:00 INFO a-b y\n"))
    assert layout.format == LogFormat.PLAIN and layout.stamp_zone is None and not layout.sorts_as_text


def test_json_keys_including_nested_and_dotted(logs):
    layout = sniff_file(logs.text("app.log", (
        '{"@timestamp":"2024-01-15T14:23:15Z","severity":"ERROR","service":{"name":"cart"},"message":"x"}\n'
        '{"@timestamp":"2024-01-15T14:23:16Z","severity":"INFO","service":{"name":"cart"},"message":"y"}\n')))
    assert layout.format == LogFormat.JSON
    assert (layout.keys.ts, layout.keys.level, layout.keys.service, layout.keys.message) == (
        ['$."@timestamp"'], ["$.severity"], ["$.service.name"], ["$.message"])


def test_logfmt(logs):
    layout = sniff_file(logs.text("svc.log", 'ts=2024-01-15T14:23:15Z level=error service=search msg="boom"\n'))
    assert layout.format == LogFormat.LOGFMT
    assert (layout.keys.ts, layout.keys.level, layout.keys.service, layout.keys.message) == (
        ["ts"], ["level"], ["service"], ["msg"])


def test_syslog_formats(logs):
    assert sniff_file(logs.text("a.log", "<34>Jan 15 14:23:15 web01 app[12]: boom\n")).format == LogFormat.SYSLOG_3164
    assert sniff_file(logs.text("b.log", "Jan  5 14:23:15 web01 cron: ok\n")).format == LogFormat.SYSLOG_3164
    assert sniff_file(logs.text("c.log", "<34>1 2024-01-15T14:23:15Z web01 app 12 ID47 - boom\n")).format == (
        LogFormat.SYSLOG_5424)


def test_access_logs_name_their_service_after_the_file(logs):
    line = '10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET /x HTTP/1.1" 502 12 "-" "curl"\n'
    gateway = sniff_file(logs.text("gateway-access.log", line))
    assert (gateway.format, gateway.service) == (LogFormat.ACCESS, "gateway")
    assert sniff_file(logs.text("access.log", line)).service == "access"
    assert sniff_file(logs.gz("edge_access.log.gz", line)).service == "edge"


def test_unknown_for_text_in_no_format(logs):
    assert sniff_file(logs.text("notes.log", "hello\nworld\n")).format == LogFormat.UNKNOWN
    assert sniff_file(logs.raw("blob.log", bytes(range(256)) * 4)).format == LogFormat.UNKNOWN


def test_head_reads_gzip_crlf_and_invalid_utf8(logs):
    assert read_head(logs.gz("a.log.gz", "one\n\ntwo\n")) == ["one", "two"]
    assert read_head(logs.text("b.log", "one\ntwo\n", newline="\r\n")) == ["one", "two"]
    assert read_head(logs.raw("c.log", b"caf\xe9 ok\n")) == ["caf\ufffd ok"]
    crlf = sniff_file(logs.text("d.log", SEED_HEAD, newline="\r\n"))
    assert crlf.format == LogFormat.PLAIN and crlf.service_token


def test_a_python_logger_name_in_the_service_column_is_no_service(logs):
    """`%(asctime)s %(levelname)s [%(name)s] %(message)s`: the name is a module path; the file names the service."""
    for name, loggers in (("search-indexer.log", ["[search_indexer.bulk]", "[search_indexer.api]"]),
                          ("orders.log", ["sqlalchemy.engine.base:", "orders.api.views:"])):
        text = "".join(f"2024-10-08 07:30:{i:02d},352 INFO {loggers[i % 2]} Flushed {i} docs\n" for i in range(12))
        layout = sniff_file(logs.text(name, text))
        assert (layout.service_token, layout.service) == (False, name.removesuffix(".log"))
    # A dotted name without an underscore, of two parts, is still a name (`api.v2`).
    text = "".join(f"2024-10-08 07:30:{i:02d},352 INFO [api.v2] request {i}\n" for i in range(12))
    assert sniff_file(logs.text("gateway.log", text)).service_token
