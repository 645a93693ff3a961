"""What people export and paste, written by the project in each source's documented layout: container
wrappers read for their inner line (with the wrapper's time and service where it has none), and the
JSON of log services read by their own keys."""

import json
from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file
from wicked_platform.tools.logs.wrappers import WRAPPERS, unwrap

START = datetime(2024, 1, 15, 14, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize("wrapper", WRAPPERS, ids=[w.kind for w in WRAPPERS])
def test_every_wrapper_unwraps_its_sample(wrapper):
    found = unwrap(wrapper.kind, wrapper.sample)
    assert found is not None and found.line == wrapper.inner
    assert all(unwrap(other.kind, wrapper.sample) is None for other in WRAPPERS if other.kind != wrapper.kind)


def _minutes(line_of, n=60):
    return "".join(line_of(i, "error" if i >= 40 else "info") + "\n" for i in range(n))


SHAPES = {
    # Docker json-file around a log4j line: the inner line has its own time and level.
    "docker-log4j": ("app-json.log", lambda i, lvl: json.dumps(
        {"log": f"2024-01-15 14:{i:02d}:05,101 {lvl.upper()} c.s.Cart - add {'failed' if lvl == 'error' else 'ok'}\n",
         "stream": "stderr", "time": f"2024-01-15T14:{i:02d}:05.101861235Z"}), LogFormat.PLAIN, "app-json"),
    # Docker json-file around bare text: the time is the wrapper's, the level opens the text.
    "docker-bare": ("worker.log", lambda i, lvl: json.dumps(
        {"log": f"{lvl}: job {i} {'crashed' if lvl == 'error' else 'done'}\n", "stream": "stdout",
         "time": f"2024-01-15T14:{i:02d}:05.1Z"}), LogFormat.STAMPED, "worker"),
    # CRI around JSON with no time: the container is the directory of Kubernetes' 0.log.
    "cri-json": ("pods/shop_cart-7d9f_uid/cart/0.log", lambda i, lvl: f'2024-01-15T14:{i:02d}:05.123456789Z stderr F '
                 + json.dumps({"level": lvl, "msg": "add failed" if lvl == "error" else "ok"}), LogFormat.JSON, "cart"),
    # docker compose logs -t: the service is the prefix's, without its replica number.
    "compose": ("compose.log", lambda i, lvl: f"cart-1  | 2024-01-15T14:{i:02d}:05.123Z {lvl.upper()} request {i}",
                LogFormat.STAMPED, "cart"),
    # kubectl logs --prefix --timestamps around logfmt: the service is the pod's Deployment.
    "kubectl-logfmt": ("kubectl.log", lambda i, lvl: f'[pod/checkout-api-7d9f8d6b5-x2x4k/app] '
                       f'2024-01-15T14:{i:02d}:05.123456789Z level={lvl} msg="{"add failed" if lvl == "error" else "ok"}"',
                       LogFormat.LOGFMT, "checkout-api"),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_inner_line_is_read_with_the_wrappers_time_and_service(name, logs):
    path, line_of, fmt, service = SHAPES[name]
    scan = scan_logs([logs.text(path, _minutes(line_of))])
    stats = scan.files[0]
    assert (stats.format, stats.parsed, stats.unparsed) == (fmt, 60, 0)
    assert stats.first_at.replace(microsecond=0) == START
    assert scan.level_counts["error"] == 20
    assert {s.service for s in scan.signatures} == {service}


EXPORTS = {
    "journalctl-json": ("journal.json", lambda i, bad: {
        "__REALTIME_TIMESTAMP": str(1705327205000000 + i * 60_000_000), "PRIORITY": "3" if bad else "6",
        "SYSLOG_IDENTIFIER": "checkout", "_SYSTEMD_UNIT": "checkout.service",
        "MESSAGE": f"payment gateway timeout order {i}" if bad else f"served {i}"}, "checkout"),
    "mongodb": ("mongod.log", lambda i, bad: {
        "t": {"$date": f"2024-01-15T14:{i:02d}:05.604+00:00"}, "s": "E" if bad else "I", "c": "NETWORK",
        "id": 23017, "ctx": "listener", "msg": "Unable to reach the primary" if bad else "Connection accepted"}, "mongod"),
    "gcp-logging": ("gcp-export.json", lambda i, bad: {
        "severity": "ERROR" if bad else "INFO", "timestamp": f"2024-01-15T14:{i:02d}:05.123456Z",
        "jsonPayload": {"message": "charge declined" if bad else "charged"},
        "resource": {"type": "k8s_container", "labels": {"container_name": "payments"}}}, "payments"),
    "cloudwatch-insights": ("lambda.json", lambda i, bad: {
        "@timestamp": f"2024-01-15 14:{i:02d}:05.123", "@logStream": "2024/01/15/[$LATEST]abc",
        "@message": "[ERROR] Task timed out after 3.00 seconds" if bad else "[INFO] done"}, "lambda"),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exported_json_is_read_by_its_own_keys(name, logs):
    path, record_of, service = EXPORTS[name]
    text = "".join(json.dumps(record_of(i, i >= 40)) + "\n" for i in range(60))
    scan = scan_logs([logs.text(path, text)])
    stats = scan.files[0]
    assert (stats.format, stats.parsed) == (LogFormat.JSON, 60)
    assert stats.first_at.replace(microsecond=0) == START
    assert scan.level_counts["error"] + scan.level_counts["alert"] == 20
    assert {s.service for s in scan.signatures} == {service}
    assert not any(s.example.startswith("[ERROR]") for s in scan.signatures)


def test_a_wrapper_is_named_in_the_layout(logs):
    path, line_of, *_ = SHAPES["compose"]
    assert sniff_file(logs.text(path, _minutes(line_of))).wrapper == "compose"


@pytest.mark.parametrize("ending", ["\r\r\n", "\r\n", "\n"])
def test_lines_ending_in_doubled_carriage_returns_are_read_whole(ending, logs):
    text = ending.join(["2024-01-15T14:23:15Z ERROR checkout-api Payment timeout",
                        "2024-01-15T14:23:16Z INFO checkout-api ok",
                        '{"ts":"2024-01-15T14:23:17Z"}']) + ending
    stats = scan_logs([logs.text("crlf.log", text)]).files[0]
    assert (stats.parsed, stats.unparsed) == (2, 1)


def test_the_java_service_wrappers_level_column_is_not_a_compose_service(logs):
    text = ("INFO   | jvm 1    | 2024/01/15 14:23:11 | Server started\n"
            "ERROR  | wrapper  | 2024/01/15 14:23:15 | JVM exited unexpectedly.\n"
            "INFO   | jvm 1    | 2024/01/15 14:23:16 | restarting\n")
    assert sniff_file(logs.text("wrapper.log", text)).wrapper is None
