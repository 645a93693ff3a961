from pathlib import Path

import duckdb
import pytest

from wicked_platform.tools.logs import formats

EVENTS = [
    "Deployment checkout-api-v2.4.1 started", "Deployment checkout-api-v2.4.1 failed", "deploy cart-api version=v1.8.0",
    "cart-api deployed", "Starting rollout of search v3", "release v1.2.3 is live", "Circuit breaker OPEN for payments",
    "circuit-breaker half-open", "Service recovered", "incident resolved", "error rate back to normal",
    "payments healthy again", "ALERT: disk almost full", "Paging on-call", "error rate above threshold",
]
NOT_EVENTS = ["Released lock on table orders", "User 42 logged in", "Recovering session cache", "deployments list fetched"]


@pytest.mark.parametrize(("name", "stem", "service"), [
    ("payment-service.log", "payment-service", "payment-service"), ("gateway-access.log", "gateway-access", "gateway"),
    ("access.log", "access", "access"), ("edge_access.log.gz", "edge_access", "edge"), ("app.json.gz", "app", "app"),
    ("syslog", "syslog", "syslog"), (".log", ".log", ".log"),
])
def test_file_names_give_services(name, stem, service):
    assert formats.file_stem(Path("logs") / name) == stem
    assert formats.access_service(Path(name)) == service


@pytest.mark.parametrize(("path", "service"), [
    # Rotation keeps the service of the file it was rotated from.
    ("logs/payment-service.log.1", "payment-service"), ("logs/payment-service.log.2.gz", "payment-service"),
    ("logs/orders-20240611.log", "orders"), ("/var/log/syslog.1", "syslog"), ("/var/log/messages-20240611", "messages"),
    ("/var/log/pods/shop_orders-api-6b7c9d8f4-q2w8z_1f0e/orders-api/0.log.20240611-101500", "orders-api"),
    ("/var/log/pods/shop_orders-api-6b7c9d8f4-q2w8z_1f0e/orders-api/0.log.20240611-101500.gz", "orders-api"),
    ("/var/log/pods/shop_orders-api-6b7c9d8f4-q2w8z_1f0e/orders-api/1.log", "orders-api"),
    # A pod's file names its workload; the kubelet's container links name the container.
    ("logs/cart-api/cart-api-7b4d9c6f58-vw5jn.log", "cart-api"), ("pods/checkout-api-5c8f6d7b9d-kxpwc.log", "checkout-api"),
    ("logs/fluentd-x7k2p.log", "fluentd"),
    ("/var/log/containers/web-6d4cf56db6-4x9zt_default_nginx-" + "a" * 64 + ".log", "nginx"),
    # Names that only look like those stay whole.
    ("logs/python3.11.log", "python3.11"), ("logs/api-v2.log", "api-v2"), ("logs/search-indexer-0.log", "search-indexer-0"),
    ("logs/web-sync.log", "web-sync"), ("logs/payment-service.log", "payment-service"), ("logs/pg-orders-1.syslog", "pg-orders-1.syslog"),
    # A file named for its kind of log takes the name of its service's directory in a directory that keeps logs;
    # elsewhere its directory says nothing of the service.
    ("logs/api-gateway/access.log", "api-gateway"), ("/var/log/nginx/error.log.1", "nginx"),
    ("/var/log/checkout/current", "checkout"), ("incident/payments/stdout.log", "payments"),
    ("logs/orders-mysql/slow.log", "orders-mysql"), ("/home/ana/Downloads/access.log", "access"),
    ("/tmp/pytest-7/test_x0/error.log", "error"), ("logs/access.log", "access"), ("/var/log/app.log", "app"),
])
def test_rotated_pod_and_container_files_name_their_service(path, service):
    assert formats.file_stem(Path(path)) == service


def test_event_wordings_match_in_duckdb():
    rows = duckdb.execute("SELECT m, regexp_matches(m, $event) FROM (SELECT unnest($messages) AS m)",
                          {"event": formats.EVENT, "messages": EVENTS + NOT_EVENTS}).fetchall()
    assert [m for m, hit in rows if hit] == EVENTS


def test_the_prefilter_passes_every_event_and_level_word():
    words = EVENTS + ["ERROR", "err", "Warning", "CRIT", "fatal", "EMERG", "panic", "SEVERE"]
    rows = duckdb.execute("SELECT bool_and(regexp_matches(m, $vocabulary)) FROM (SELECT unnest($words) AS m)",
                          {"vocabulary": formats.LINE_VOCABULARY, "words": words}).fetchone()
    assert rows == (True,)


@pytest.mark.parametrize(("line", "continues"), [
    ("    at com.shop.Cart.update(Cart.java:42)", True), ("\tat x", True), ("Caused by: java.io.IOException: x", True),
    ("Traceback (most recent call last):", True), ('  File "app.py", line 3, in <module>', True),
    ("ValueError: bad value", True), ("java.lang.NullPointerException", True), ("\t... 12 more", True), ("", True),
    ("}", True), ("hello world", False), ("2024-01-15 broken", False),
])
def test_continuation_lines(line, continues):
    assert bool(formats.compile_shared(formats.CONTINUATION).match(line)) == continues
    assert duckdb.execute("SELECT regexp_matches($line, $pattern)",
                          {"line": line, "pattern": formats.CONTINUATION}).fetchone()[0] == continues


@pytest.mark.parametrize("stamp", [
    "2024-01-15T14:23:15Z", "2024-01-15 14:23:15", "2024-01-15T14:23:15.123456+02:00", "2024-01-15 14:23:15,123",
    "2024-01-15T14:23:15-0500", "2024-01-15 14:23:15 +02:00",
])
def test_iso_stamps(stamp):
    assert formats.compile_shared(formats.ISO_STAMP).fullmatch(stamp)
