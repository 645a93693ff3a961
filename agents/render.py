"""Reports as people read them: markdown rendered from the report model by a template."""

from __future__ import annotations

from wicked_platform.prompts import render
from wicked_platform.tools.report import IncidentReport, RollbackDecision

CRITERION_TITLES = {
    "error_rate_10x_baseline": "Error rate > 10x baseline",
    "critical_user_path": "Affecting critical user path",
    "deploy_correlation": "Clear correlation with deployment",
    "no_quick_mitigation": "Quick mitigation not available",
    "revenue_threshold": "Revenue impact exceeds threshold",
}


def report_markdown(report: IncidentReport) -> str:
    return render(
        "report.md.j2", report=report, summary=report.summary, d=report.rollback_decision,
        criterion_titles=CRITERION_TITLES,
    )


def rollback_markdown(incident_id: str, decision: RollbackDecision) -> str:
    return f"<!-- {incident_id} -->\n" + render("_rollback.md.j2", d=decision, criterion_titles=CRITERION_TITLES)
