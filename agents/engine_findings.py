"""The offline agent's policy for the phase machine: each phase's findings read off the engine's report.

The same findings are the fallback of the model-driven loop, for a phase the model could not finish
or whose words did not hold up against the tool results. Nothing here is estimated: a value the
engine left null is said to be unknown.
"""

from __future__ import annotations

from wicked_platform.agents.phases import (
    BlastRadiusFindings, CorrelationFindings, Findings, MitigationFindings, SymptomsFindings, TimelineFindings,
)
from wicked_platform.tools.analysis.signal_judgment import describe, leading_rise
from wicked_platform.tools.figures import percent
from wicked_platform.tools.report import IncidentReport
from wicked_platform.tools.timeutil import iso_z


def symptoms(report: IncidentReport) -> SymptomsFindings:
    top = report.symptoms[:3]
    if report.started_at is None:
        text = "No rise in errors was found in the logs read." if top else "The logs read show no errors."
        return SymptomsFindings(summary=text, signatures=[s.signature for s in top])
    service = report.blast_radius.direct[0] if report.blast_radius.direct else (top[0].service if top else None)
    # The rise the engine judged: a front yields to the service behind it, as the report's direct services say.
    direct = report.blast_radius.direct
    rise = leading_rise(report.signals, fronts=lambda front, other: front not in direct and other in direct)
    if rise is not None and rise.at == report.started_at and report.correlation.rate_ratio is None:
        # A measured signal rose, not the errors: the incident is the slowdown.
        text = describe(rise.signal)
        return SymptomsFindings(summary=text[0].upper() + text[1:] + ".", primary_service=rise.service,
                                onset=iso_z(report.started_at), signatures=[s.signature for s in top])
    rate = report.correlation.rate_ratio
    parts = [f"Errors{f' in {service}' if service else ''} began at {iso_z(report.started_at)}"]
    if rate is not None:
        parts.append(f"at {rate:.1f}x the rate before" + (f" (p = {report.correlation.p_value:.2g})"
                                                         if report.correlation.p_value is not None else ""))
    text = " ".join(parts) + "."
    if top:
        text += " Main signature: " + f"{top[0].signature} ({top[0].count} lines)."
    return SymptomsFindings(summary=text, primary_service=service, onset=iso_z(report.started_at),
                            signatures=[s.signature for s in top])


def timeline(report: IncidentReport) -> TimelineFindings:
    deploys = [f"{d.service} {d.version or (d.commit or '')[:12]} at {iso_z(d.at)}" for d in report.deploys[:5]]
    if not deploys:
        if report.inputs is not None and report.inputs.repo is None:
            return TimelineFindings(summary="No deploys were found in the logs read; no git history was read.")
        return TimelineFindings(summary="No deploys were found in the logs or the repository history.")
    count = f"{len(report.deploys)} deploy" + ("s" if len(report.deploys) != 1 else "")
    return TimelineFindings(summary=f"{count} seen: " + "; ".join(deploys) + ".",
                            deploys=deploys)


def correlation(report: IncidentReport) -> CorrelationFindings:
    cause, confidence = report.root_cause, report.correlation.confidence
    if cause is None:
        return CorrelationFindings(summary=f"No change is supported by the evidence (confidence {confidence}).",
                                   confidence=confidence)
    change = f" changed {cause.change.key} from {cause.change.before} to {cause.change.after}" if cause.change else ""
    where = f" in {cause.file}" if cause.file else ""
    sha = f" ({cause.commit[:12]})" if cause.commit else ""
    text = f"{cause.subject or cause.summary}{sha}{where}{change}; confidence {confidence}."
    return CorrelationFindings(summary=text, commit=cause.commit, file=cause.file, confidence=confidence)


MAX_NAMED_SERVICES = 10  # a directory of a container per service can make thousands direct; the summary stays short


def _named(services: list[str]) -> str:
    more = len(services) - MAX_NAMED_SERVICES
    return ", ".join(services[:MAX_NAMED_SERVICES]) + (f" and {more} more" if more > 0 else "") or "none"


def blast_radius(report: IncidentReport) -> BlastRadiusFindings:
    blast = report.blast_radius
    parts = [f"Direct: {_named(blast.direct)}", f"cascade: {_named(blast.cascade)}",
             "critical user path" if blast.critical_path else "not on a critical user path",
             f"error rate {percent(blast.error_rate)} against {percent(blast.baseline_error_rate)} before",
             "affected users " + ("unknown" if blast.affected_users is None else f"{blast.affected_users:,}"),
             "revenue at risk " + ("unknown" if blast.revenue_per_hour is None else f"${blast.revenue_per_hour:,.0f}/h")]
    return BlastRadiusFindings(summary="; ".join(parts) + ".", services=blast.services)


def mitigation(report: IncidentReport) -> MitigationFindings:
    decision = report.rollback_decision
    met = sum(1 for c in decision.criteria if c.met)
    text = f"{decision.recommendation}: {decision.reason or 'the engine evaluation'} ({met} of {len(decision.criteria)} criteria met)."
    if decision.command:
        text += f" Command: {decision.command}."
    return MitigationFindings(summary=text, recommendation=decision.recommendation)


BY_PHASE = {"symptoms": symptoms, "timeline": timeline, "correlation": correlation, "blast_radius": blast_radius,
            "mitigation": mitigation}


def engine_findings(phase: str, report: IncidentReport) -> Findings:
    return BY_PHASE[phase](report)
