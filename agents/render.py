"""Reports as people read them: markdown rendered from the report model by a template."""

from __future__ import annotations

from wicked_platform.agents.sparklines import picture_legend, signal_pictures
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
        criterion_titles=CRITERION_TITLES, pictures=signal_pictures(report), legend=picture_legend(report),
    )


def rollback_markdown(incident_id: str, decision: RollbackDecision, explanation: str | None = None) -> str:
    text = f"<!-- {incident_id} -->\n" + render("_rollback.md.j2", d=decision, criterion_titles=CRITERION_TITLES)
    return text + (f"\n**Why** (the model's explanation of the engine's decision): {explanation}\n" if explanation else "")


def contributing_factors(report: IncidentReport) -> list[str]:
    """What the evidence shows made it worse or slower, each a fact from the report, never a guess."""
    factors = []
    if report.correlation.deploy and report.correlation.lag_seconds is not None:
        factors.append(f"The deploy of {report.correlation.deploy.service} {report.correlation.deploy.version or ''}"
                       .rstrip() + f" preceded the first errors by {report.correlation.lag_seconds} s.")
    if report.blast_radius.cascade:
        factors.append("Failures spread to " + ", ".join(report.blast_radius.cascade) + " (cascade).")
    if report.blast_radius.critical_path:
        factors.append("The failing path is a critical user path.")
    if report.detected_at and report.started_at and report.detected_at > report.started_at:
        seconds = int((report.detected_at - report.started_at).total_seconds())
        factors.append(f"The first alert came {seconds} s after the first error.")
    return factors


def postmortem_markdown(report: IncidentReport) -> str:
    return render("postmortem.md.j2", report=report, contributing=contributing_factors(report))
