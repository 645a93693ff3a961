"""The markdown report of the checkout-timeout scenario is the product: it is snapshot-tested.

Refresh after an intended change with: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/agents/test_render.py
"""

import os
from pathlib import Path

from wicked_platform.agents.offline import InvestigationRequest, investigate
from wicked_platform.agents.render import report_markdown, rollback_markdown
from wicked_platform.tools.context import load_context

SNAPSHOTS = Path(__file__).parent / "snapshots"
DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"


def _report(built):
    repo = built.repo
    return investigate(InvestigationRequest(
        description=DESCRIPTION, repo=repo, logs=[repo / "error.log", repo / "logs" / "checkout-api-access.log"],
        context=load_context(built.context), context_path=built.context,
    ))


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text)
    assert path.exists(), f"{name} missing; create it with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(), f"{name} changed; refresh with UPDATE_SNAPSHOTS=1 if intended"


def test_checkout_timeout_markdown_snapshot(checkout_timeout):
    report = _report(checkout_timeout)
    # Paths differ per machine; the snapshot holds the report without the inputs section.
    _check("checkout-timeout.md", report_markdown(report.model_copy(update={"inputs": None})))


def test_rollback_decision_snapshot(checkout_timeout):
    report = _report(checkout_timeout)
    _check("checkout-timeout-rollback.md", rollback_markdown(report.incident_id, report.rollback_decision))


def test_a_symptom_with_a_stack_trace_shows_its_top_under_the_table(checkout_timeout):
    report = _report(checkout_timeout)
    assert not any(s.stack for s in report.symptoms)  # the scenario's log has none: the snapshot shows no section
    first = report.symptoms[0].model_copy(update={"stack": [f"\tat f.F{i}(F.java:{i})" for i in range(10)]})
    text = report_markdown(report.model_copy(update={"symptoms": [first, *report.symptoms[1:]]}))
    block = text.split("**Stack traces**")[1].split("### Incident Timeline")[0]
    assert f"\n    {first.example}\n    \tat f.F0(F.java:0)\n" in block  # an indented code block: the log's own text
    assert "F.java:7" in block and "F.java:8" not in block and "(the rest of the trace is in the log)" in block
