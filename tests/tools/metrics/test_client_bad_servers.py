"""The client against servers a real Prometheus cannot imitate: refusing, not Prometheus, slow, huge, flaky.

Each is a local HTTP server in a thread; each failure is one PrometheusError line (never a traceback), and
read_metrics turns it into a note and a warning while returning.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.metrics.client import PrometheusClient, PrometheusError
from wicked_platform.tools.metrics.findings import read_metrics

START, END = datetime(2024, 1, 15, 13, 0, tzinfo=UTC), datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
TOKEN = "s3cr3t-prometheus-token-0123456789"
EMPTY = json.dumps({"status": "success", "data": []}).encode()


class Fake(BaseHTTPRequestHandler):
    behaviour = "ok"
    seen: list[tuple[str, str | None]] = []
    calls = 0

    def log_message(self, *_):
        pass

    def do_GET(self):  # noqa: N802 - the http.server hook's name
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        type(self).calls += 1
        kind = self.behaviour
        if kind in ("401", "403"):
            self._send(int(kind), b'{"status":"error","error":"unauthorized"}')
        elif kind == "html":
            self._send(200, b"<html><body>Grafana</body></html>", "text/html")
        elif kind == "json-not-api":
            self._send(200, b'{"hello": "world"}')
        elif kind == "slow":
            time.sleep(2.5)
            self._send(200, EMPTY)
        elif kind == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status":"success","data":["')
            for _ in range(400):
                self.wfile.write(b"x" * 10_000)
        elif kind == "flaky" and type(self).calls == 1:
            self._send(503, b"upstream down", "text/plain")
        elif kind == "bad-query":
            self._send(400, b'{"status":"error","errorType":"bad_data","error":"parse error at char 5"}')
        else:
            self._send(200, EMPTY)

    def _send(self, status, body, kind="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client hanging up on a huge answer is the point of that test


@pytest.fixture
def fake():
    server = QuietServer(("127.0.0.1", 0), Fake)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Fake.seen, Fake.calls = [], 0
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def failure(url, behaviour, **kwargs) -> PrometheusError:
    Fake.behaviour = behaviour
    with PrometheusClient(url, token=TOKEN, **kwargs) as client, pytest.raises(PrometheusError) as raised:
        client.label_values("__name__", ['{__name__=~"up"}'], START, END)
    assert "\n" not in str(raised.value) and TOKEN not in str(raised.value)
    return raised.value


@pytest.mark.parametrize("status", ["401", "403"])
def test_client_rejects_a_refusal_naming_the_token_variable(fake, status):
    error = failure(fake[1], status)
    assert error.kind == "refused" and f"HTTP {status}" in str(error)
    assert "WICKED_PLATFORM_PROMETHEUS_TOKEN" in str(error)


@pytest.mark.parametrize("behaviour", ["html", "json-not-api"])
def test_client_rejects_a_server_that_is_not_prometheus(fake, behaviour):
    error = failure(fake[1], behaviour)
    assert error.kind == "not_prometheus" and "does not answer as a Prometheus API" in str(error)


def test_client_rejects_a_slow_server_within_its_timeout(fake):
    started = time.monotonic()
    error = failure(fake[1], "slow", timeout=1.0)
    assert error.kind == "timeout" and time.monotonic() - started < 2.4  # not retried: a timeout costs one wait


def test_client_stops_reading_a_huge_answer_at_its_cap(fake):
    Fake.behaviour = "huge"
    error = failure(fake[1], "huge", max_bytes=500_000)
    assert error.kind == "too_large" and "500,000 bytes" in str(error)


def test_client_retries_one_unavailable_answer(fake):
    Fake.behaviour = "flaky"
    with PrometheusClient(fake[1]) as client:
        assert client.label_values("__name__", ['{__name__=~"up"}'], START, END) == []
    assert Fake.calls == 2


def test_client_reports_a_bad_query_in_the_servers_words(fake):
    error = failure(fake[1], "bad-query")
    assert error.kind == "bad_query" and "parse error at char 5" in str(error)


def test_client_sends_the_token_only_in_its_header_and_only_reads(fake, monkeypatch):
    monkeypatch.setenv("WICKED_PLATFORM_PROMETHEUS_TOKEN", TOKEN)
    Fake.behaviour = "ok"
    found = read_metrics(fake[1], ["checkout-api"], START, END, IncidentContext())
    assert Fake.seen and all(auth == f"Bearer {TOKEN}" for _, auth in Fake.seen)
    assert all(path.startswith("/api/v1/") for path, _ in Fake.seen)
    assert TOKEN not in found.model_dump_json()


@pytest.mark.parametrize("behaviour", ["401", "html", "huge"])
def test_read_metrics_turns_a_failure_into_a_note_and_a_warning(fake, behaviour):
    Fake.behaviour = behaviour
    found = read_metrics(fake[1], ["checkout-api"], START, END, IncidentContext(),
                         client=PrometheusClient(fake[1], max_bytes=500_000))
    assert found.signals == [] and found.warning and "\n" not in found.warning
    assert found.notes == [f"Prometheus not read: {found.warning}; the report stands on the logs and history alone"]


def test_cli_refused_is_one_warning_and_the_token_is_nowhere(fake, tmp_path, capsys, monkeypatch):
    from wicked_platform.agents import cli

    monkeypatch.setenv("WICKED_PLATFORM_PROMETHEUS_TOKEN", TOKEN)
    Fake.behaviour = "403"
    log = tmp_path / "app.log"
    log.write_text("".join(f"2024-01-15T14:{m:02d}:00Z ERROR checkout-api payment failed\n" for m in range(10)))
    code = cli.main(["incident", "checkout failing", "--repo", str(tmp_path), "--log", str(log), "--prometheus", fake[1],
                     "--state-dir", str(tmp_path / "state"), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: Prometheus at {fake[1]} refused the request (HTTP 403): check "
                        "WICKED_PLATFORM_PROMETHEUS_TOKEN; investigating without metrics (the report's notes say so)"]
    saved = "".join(p.read_text() for p in (tmp_path / "state").rglob("*") if p.is_file())
    assert TOKEN not in out + err + saved and json.loads(out)["symptoms"]
