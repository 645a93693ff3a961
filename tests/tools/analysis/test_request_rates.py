"""The error rate is failed / all requests of one stream: request lines (access logs, JSON or logfmt
lines with an HTTP status), never error lines over the context's requests_per_minute (a log may be a
sample of the traffic: three independent incidents got 0.9% for a 60% failure that way)."""

import json
import random

import pytest

from wicked_platform.agents.offline import InvestigationRequest, engine_report
from wicked_platform.tools.context import IncidentContext, ServiceContext

CONTEXT = IncidentContext(services={"cart": ServiceContext(requests_per_minute=1500, critical=True)})


def _json_line(at: int, fail: bool) -> str:
    return json.dumps({"ts": f"2024-01-15T14:{at // 60:02d}:{at % 60:02d}Z", "level": "error" if fail else "info",
                       "service": "cart", "msg": "add to cart", "http": {"response": {"status_code": 502 if fail else 201}}})


def _logfmt_line(at: int, fail: bool) -> str:
    return (f'time="2024-01-15T14:{at // 60:02d}:{at % 60:02d}Z" lvl={"ERROR" if fail else "INFO"} app=cart '
            f'message="POST /cart/items" statusCode={500 if fail else 200}')


@pytest.mark.parametrize("line_of", [_json_line, _logfmt_line], ids=["json-nested-status", "logfmt-statusCode"])
def test_the_rate_is_failed_over_all_request_lines(tmp_path, line_of):
    rng = random.Random(7)
    text = "".join(line_of(at, at >= 1200 and rng.random() < 0.6) + "\n" for at in range(0, 2400, 3))
    path = tmp_path / "cart.log"
    path.write_text(text)
    report = engine_report(InvestigationRequest(description="add to cart failing", repo=None, logs=[path], context=CONTEXT))
    blast = report.blast_radius
    assert 0.5 < blast.error_rate < 0.7 and blast.baseline_error_rate == 0.0
    assert any(note.startswith("error_rate measured from request lines") for note in blast.notes)
    assert next(c for c in report.rollback_decision.criteria if c.id == "error_rate_10x_baseline").met is not False


def test_error_lines_without_requests_leave_the_rate_unknown_whatever_the_context_says(tmp_path):
    text = "".join(f"2024-01-15T14:{at // 60:02d}:{at % 60:02d}Z {'ERROR' if at >= 1200 else 'INFO'} cart "
                   f"{'add to cart failed' if at >= 1200 else 'added'}\n" for at in range(0, 2400, 3))
    path = tmp_path / "cart.log"
    path.write_text(text)
    report = engine_report(InvestigationRequest(description="add to cart failing", repo=None, logs=[path], context=CONTEXT))
    assert report.blast_radius.error_rate is None
    assert any(note.startswith("error_rate unknown: no request line") for note in report.blast_radius.notes)


@pytest.mark.parametrize("stray", [{"msg": "child process exited", "status": 137}, {"msg": "GET /healthz", "status": 200}],
                         ids=["exit-status", "health-check"])
def test_a_status_on_a_few_lines_does_not_make_a_request_log(tmp_path, stray):
    lines = [{"ts": f"2024-01-15T14:{m:02d}:00Z", "level": "info", "msg": "ok"} for m in range(30)]
    lines += [{"ts": f"2024-01-15T14:{30 + i // 4:02d}:{i % 4 * 15:02d}Z", "level": "error", "msg": "payment failed"}
              for i in range(40)]
    lines.append({"ts": "2024-01-15T14:45:00Z", **stray})
    path = tmp_path / "app.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = engine_report(InvestigationRequest(description="payments failing", repo=None, logs=[path], context=CONTEXT))
    assert report.started_at is not None and report.started_at.minute == 30
    assert report.blast_radius.error_rate is None
