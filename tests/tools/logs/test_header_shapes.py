"""The headers between a plain line's level and its message (header_shapes.py): every catalogue sample read
back by the sniff and the scan, and Spring Boot logs written apart from the catalogue's samples."""

import re
from pathlib import Path

import pytest

from wicked_platform.tools.logs import prefilter
from wicked_platform.tools.logs.header_shapes import HEADERS
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file

SAMPLES = [(header, sample) for header in HEADERS for sample in header.samples]


@pytest.mark.parametrize(("header", "sample"), SAMPLES, ids=[f"{h.name}-{i}" for i, (h, _) in enumerate(SAMPLES)])
def test_every_sample_is_split_into_its_service_and_message(header, sample, logs):
    # The sample three times, as an error, so the sniff has a file and the scan a signature.
    line = re.sub(r" (?:TRACE|DEBUG|INFO|WARN) ", " ERROR ", sample.line, count=1)
    path = logs.text("payments.log", "\n".join([line] * 3) + "\n")
    assert sniff_file(path).header == header.name
    scan = scan_logs([path])
    [signature] = scan.signatures
    assert signature.example == sample.message
    assert signature.service == (sample.service or "payments")


BOOT_2 = """\
2024-01-15 14:20:01.100  INFO 4242 --- [           main] com.shop.orders.OrdersApplication        : Starting OrdersApplication v2.4.1 using Java 17.0.9 with PID 4242
2024-01-15 14:20:03.870  INFO 4242 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http) with context path ''
2024-01-15 14:23:15.412 ERROR 4242 --- [nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] threw exception
java.net.SocketTimeoutException: Read timed out
\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)
\tat com.shop.orders.PaymentClient.charge(PaymentClient.java:57)
2024-01-15 14:23:16.003  WARN 4242 --- [nio-8080-exec-2] com.shop.orders.PaymentClient            : Retry 1/3 for order 1001
2024-01-15 14:23:17.250  INFO 4242 --- [nio-8080-exec-3] com.shop.orders.OrderController          : Error page rendered for order 1002
"""

BOOT_3 = """\
2024-01-15T14:20:01.100+01:00  INFO 1 --- [inventory-api] [           main] c.s.inventory.InventoryApplication       : Started InventoryApplication in 3.2 seconds
2024-01-15T14:23:15.412+01:00 ERROR 1 --- [inventory-api] [nio-8080-exec-1] c.s.inventory.StockClient                : Stock lookup failed for SKU-7731: 503 Service Unavailable
2024-01-15T14:23:15.900+01:00 ERROR 1 --- [inventory-api] [nio-8080-exec-4] c.s.inventory.StockClient                : Stock lookup failed for SKU-1120: 503 Service Unavailable
2024-01-15T14:23:16.000+01:00  WARN 1 --- [inventory-api] [ool-1-thread-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : SQL Error: 0, SQLState: 08001
2024-01-15T14:23:17.000+01:00  INFO 1 --- [inventory-api] [nio-8080-exec-2] c.s.inventory.StockController            : Completed GET /stock/42 in 87ms
"""


def test_spring_boot_2_messages_follow_the_logger_and_the_thread_names_no_service(logs):
    scan = scan_logs([logs.text("orders.log", BOOT_2)])
    stats = scan.files[0]
    assert stats.format == LogFormat.PLAIN and stats.unparsed == 0 and stats.continuation == 3
    assert scan.level_counts["error"] == 1 and scan.level_counts["warning"] == 1  # "Error page" is an INFO line's
    by_level = {s.level: s for s in scan.signatures}
    assert by_level["ERROR"].example == "Servlet.service() for servlet [dispatcherServlet] threw exception"
    assert by_level["ERROR"].stack[0] == "java.net.SocketTimeoutException: Read timed out"
    assert by_level["WARN"].example == "Retry 1/3 for order 1001"
    assert {s.service for s in scan.signatures} == {"orders"}  # the file's: never `main` or `nio-8080-exec-7`


def test_spring_boot_3_names_its_application_as_the_service(logs):
    scan = scan_logs([logs.text("pod-0.log", BOOT_3)])
    errors = [s for s in scan.signatures if s.level == "ERROR"]
    assert [(s.service, s.count, s.example) for s in errors] == [
        ("inventory-api", 2, "Stock lookup failed for SKU-7731: 503 Service Unavailable")]
    assert scan.latency.sample_services == ["inventory-api"] and scan.latency.sample_ms == [87.0]


def test_a_log4j_layout_keeps_its_thread_and_logger_in_the_message(logs):
    text = ("2024-01-15 14:23:15,123 ERROR [main] com.shop.Payments - Payment timed out\n"
            "2024-01-15 14:23:16,123 INFO [main] com.shop.Payments - ok\n")
    path = logs.text("payments.log", text)
    assert sniff_file(path).header is None
    assert scan_logs([path]).signatures[0].example == "[main] com.shop.Payments - Payment timed out"


def test_the_c_prefilter_reads_a_spring_boot_file_as_duckdb_does(logs, monkeypatch):
    path = logs.text("orders.log", BOOT_2 * 50)
    with monkeypatch.context() as patch:
        patch.setattr(prefilter, "_prefilter", None)
        alone = scan_logs([path]).model_dump()
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    monkeypatch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
    assert scan_logs([Path(path)]).model_dump() == alone


@pytest.mark.parametrize(("text", "services"), [
    # `docker compose logs -t`: the compose prefix and its time wrap Boot's line (its own stamp taken for the wrapper's)
    ("loyalty-1  | 2024-01-15T14:23:15.123Z  INFO 1 --- [loyalty-service] [           main] c.a.l.LoyaltyApplication"
     "                 : Started LoyaltyApplication in 4.1 seconds\n"
     "loyalty-1  | 2024-01-15T14:23:16.123Z ERROR 1 --- [loyalty-service] [nio-8080-exec-3] c.a.l.points.PointsService"
     "               : Points calculation failed for member 8812\n"
     "cart-1     | 2024-01-15T14:23:17.123Z ERROR 1 --- [nio-8080-exec-1] c.s.cart.CartService                     "
     ": Points calculation failed for member 8813\n",
     {"loyalty-service", "cart"}),
    # `kubectl logs --prefix`: the pod's prefix, Boot 2's line whole behind it
    ("[pod/orders-7d9f8d6b5-x2x4k/app] 2024-01-15 14:23:15.412 ERROR 1 --- [nio-8080-exec-7] "
     "com.shop.orders.PaymentClient            : Points calculation failed for member 1\n"
     "[pod/orders-7d9f8d6b5-x2x4k/app] 2024-01-15 14:23:16.003  INFO 1 --- [nio-8080-exec-2] "
     "com.shop.orders.PaymentClient            : Retry scheduled\n",
     {"orders"}),
], ids=["compose", "kubectl-prefix"])
def test_a_wrapped_spring_boot_line_is_split_too(text, services, logs):
    scan = scan_logs([logs.text("terminal.log", text)])
    errors = [s for s in scan.signatures if s.level == "ERROR"]
    assert {s.service for s in errors} == services
    assert {s.signature for s in errors} == {"Points calculation failed for member <*>"}
