"""Lines with something between the stamp and the level: PostgreSQL and MySQL write a zone word, a
process or thread id, or user@database; log4j and logback a thread name. Read as plain lines, their
errors count as errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file

POSTGRES = """\
2024-01-15 14:20:00.001 UTC [101] LOG:  checkpoint starting: time
2024-01-15 14:23:15.123 UTC [12345] app@orders ERROR:  could not extend file "base/16384/2619": No space left on device
2024-01-15 14:23:15.123 UTC [12345] app@orders HINT:  Check free disk space.
2024-01-15 14:23:15.124 UTC [12345] app@orders STATEMENT:  INSERT INTO orders VALUES (1)
2024-01-15 14:23:16.200 UTC [12346] app@orders ERROR:  could not extend file "base/16384/2620": No space left on device
2024-01-15 14:23:17.000 UTC [99] PANIC:  could not write to file "pg_wal/xlogtemp.99": No space left on device
2024-01-15 14:23:18.000 UTC [1] LOG:  server process (PID 99) was terminated by signal 6: Aborted
"""
MYSQL = """\
2024-01-15T14:20:00.000000Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1
2024-01-15T14:23:15.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.
2024-01-15T14:23:16.000000Z 12 [ERROR] [MY-012592] [InnoDB] Operating system error number 28 in a file operation.
2024-01-15T14:23:18.000000Z 0 [ERROR] [MY-010119] [Server] Aborting
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_postgresql_errors_and_panics_are_read_with_their_zone(logs):
    scan = scan_logs([logs.text("postgresql.log", POSTGRES)], tz="Asia/Tokyo")  # the UTC written wins over --tz
    (stats,) = scan.files
    assert (stats.lines, stats.parsed, stats.unparsed) == (7, 7, 0)
    assert (stats.first_at, stats.last_at) == (datetime(2024, 1, 15, 14, 20, 0, 1000, UTC), utc("2024-01-15T14:23:18"))
    found = {(s.level, s.signature): (s.count, s.first_seen) for s in scan.signatures}
    assert found == {
        ("ERROR", "could not extend file <*>: No space left on device"): (2, datetime(2024, 1, 15, 14, 23, 15, 123000, UTC)),
        ("PANIC", "could not write to file <*>: No space left on device"): (1, utc("2024-01-15T14:23:17")),
    }
    assert scan.level_counts == {"alert": 1, "error": 2, "warning": 0, "other": 4}


def test_mysql_error_log_with_thread_ids_and_error_codes(logs):
    path = logs.text("mysqld.log", MYSQL)
    layout = sniff_file(path)
    assert (layout.interlude, layout.service_token) == (True, False)  # [MY-010119] is an error code, not a service
    scan = scan_logs([path])
    assert scan.files[0].unparsed == 0
    assert sorted((s.service, s.level, s.signature) for s in scan.signatures) == [
        ("mysqld", "ERROR", "[<*>] [InnoDB] Operating system error number <*> in a file operation."),
        ("mysqld", "ERROR", "[<*>] [Server] Aborting"),
        ("mysqld", "WARNING", "[<*>] [Server] CA certificate ca.pem is self signed."),
    ]


@pytest.mark.parametrize("word, hour", [("CET", 13), ("CEST", 12), ("EST", 19), ("PDT", 21), ("GMT", 14), ("NZDT", 1)])
def test_a_zone_word_is_the_stamps_zone(logs, word, hour):
    path = logs.text("pg.log", (f"2024-01-15 14:23:15 {word} [7] LOG:  ready\n"
                                f"2024-01-15 14:23:16 {word} [7] ERROR:  relation \"carts\" does not exist\n"))
    scan = scan_logs([path], since=datetime(2024, 1, 15, hour, 23, 16, tzinfo=UTC))
    (sig,) = scan.signatures
    assert sig.first_seen == datetime(2024, 1, 15, hour, 23, 16, tzinfo=UTC)
    assert (scan.files[0].parsed, scan.files[0].outside_window) == (2, 1)  # parsed counts the lines outside too


def test_a_level_word_after_the_stamp_is_never_taken_for_a_zone(logs):
    layout = sniff_file(logs.text("app.log", "2024-01-15 14:23:15 WARN cart-api slow\n2024-01-15 14:23:16 INFO cart-api ok\n"))
    assert (layout.interlude, layout.service_token, layout.stamp_zone) == (False, True, "")


def test_log4j_lines_with_a_thread_name_and_a_logger(logs):
    path = logs.text("cart.log", (
        "2024-01-15 14:20:00,001 [main] INFO  com.shop.Application - Started Application in 4.2 seconds\n"
        "2024-01-15 14:23:15,120 [http-nio-8080-exec-1] ERROR com.shop.cart.CartController - Failed to update cart 42\n"
        "java.lang.NullPointerException: cart was null\n"
        "\tat com.shop.cart.CartController.update(CartController.java:50)\n"
        "2024-01-15 14:23:16,000 [pool-1-thread-3] WARN  com.shop.cart.CartService - Slow query 1200ms\n"
        "2024-01-15 14:23:17,500 [scheduling-1] INFO  com.shop.Jobs - Deployment cart-api-v1.2.0 completed\n"))
    layout = sniff_file(path)
    assert (layout.interlude, layout.service_token) == (True, False)  # a logger class is not a service
    scan = scan_logs([path])
    assert (scan.files[0].parsed, scan.files[0].continuation, scan.files[0].unparsed) == (4, 2, 0)
    (error,) = [s for s in scan.signatures if s.level == "ERROR"]
    assert (error.service, error.signature) == ("cart", "com.shop.cart.CartController - Failed to update cart <*>")
    assert error.stack == ["java.lang.NullPointerException: cart was null",
                           "\tat com.shop.cart.CartController.update(CartController.java:50)"]
    assert [e.message for e in scan.events] == ["com.shop.Jobs - Deployment cart-api-v1.2.0 completed"]


def test_a_bracketed_level_is_never_taken_for_a_thread(logs):
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15 14:23:15 [ERROR] [checkout-api] Payment timeout for order 7\n"
        "2024-01-15 14:23:16 [INFO] [checkout-api] ok\n"))])
    (sig,) = scan.signatures
    assert (sig.service, sig.level, sig.signature) == ("checkout-api", "ERROR", "Payment timeout for order <*>")


def test_an_ambiguous_zone_word_is_read_in_the_given_zone(logs):
    path = logs.text("pg.log", "2024-07-15 14:23:15 BST [7] LOG:  ready\n2024-07-15 14:23:16 BST [7] ERROR:  boom\n")
    (sig,) = scan_logs([path], tz="Europe/London").signatures  # British Summer Time, not Bangladesh
    assert sig.first_seen == utc("2024-07-15T13:23:16")


def test_any_thread_name_stands_before_the_level(logs):
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15 14:23:15,120 [main] INFO  com.shop.App - ok\n"
        "2024-01-15 14:23:16,120 [restartedMain] ERROR com.shop.CartService - Failed to load cart 7\n"
        "2024-01-15 14:23:17,120 [kafka-producer-network-thread | producer-1] WARN  org.apache.kafka.Sender - slow\n"))])
    assert scan.files[0].unparsed == 0
    assert sorted((s.level, s.signature) for s in scan.signatures) == [
        ("ERROR", "com.shop.CartService - Failed to load cart <*>"), ("WARN", "org.apache.kafka.Sender - slow")]
