"""The investigation, phase by phase: symptoms -> timeline -> correlation -> blast radius -> mitigation.

Each phase is a function of explicit inputs returning a pydantic model, so the offline agent, the
LLM agent and the MCP tools all call the same engine. Nothing here writes anywhere or runs anything.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.correlation import Candidate, rank_candidates
from wicked_platform.tools.analysis.deploys import deploys_from_logs, deploys_from_tags
from wicked_platform.tools.analysis.hypotheses import build_hypotheses
from wicked_platform.tools.analysis.impact import AffectedServices, affected_services, critical_path_reason
from wicked_platform.tools.analysis.playbook import follow_up_and_lessons
from wicked_platform.tools.analysis.rates import Onset, RateComparison, compare_at, find_onset
from wicked_platform.tools.analysis.rollback import evaluate_rollback
from wicked_platform.tools.analysis.severity import assess_severity
from wicked_platform.tools.analysis.symptoms import (
    has_recovered, open_breakers, resource_signals, rising_signatures, symptoms,
)
from wicked_platform.tools.analysis.timeline import build_timeline, is_alert
from wicked_platform.tools.changes.git_history import commit_diff, known_services_in_repo, read_history
from wicked_platform.tools.changes.models import CommitDiff, GitHistory
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan, SignatureStats
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.redaction import redact_model
from wicked_platform.tools.report import (
    BlastRadius, Correlation, Deploy, DeployRef, Hypothesis, IncidentReport, InputSummary, RollbackDecision,
    RootCause, Symptom, TimelineEvent,
)

MAX_DIFFS = 40  # commits whose diffs are read for suspicious configuration changes


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class SymptomFindings(Frozen):
    scan: LogScan
    onset: Onset | None
    affected: AffectedServices
    rising: list[SignatureStats]
    symptoms: list[Symptom]
    recovered: bool


class ChangeFindings(Frozen):
    history: GitHistory | None
    deploys: list[Deploy]
    match_notes: dict[str, str]
    candidates: list[Candidate]
    notes: list[str] = Field(default_factory=list)


class MitigationFindings(Frozen):
    severity: str
    severity_reasons: list[str]
    decision: RollbackDecision
    hypotheses: list[Hypothesis]
    follow_up: list[str]
    lessons: list[str]


# Phase 1 -------------------------------------------------------------------------------------


def read_symptoms(
    logs: list[Path], context: IncidentContext, *, since: datetime | None = None, until: datetime | None = None,
    tz: str = "UTC", year_hint: int | None = None,
) -> SymptomFindings:
    scan = scan_logs(logs, since=since, until=until, tz=tz, year_hint=year_hint)
    return symptoms_from_scan(scan, context)


def symptoms_from_scan(scan: LogScan, context: IncidentContext) -> SymptomFindings:
    onset = find_onset(scan)
    affected = affected_services(scan, onset, context) if onset else AffectedServices(direct=[], cascade=[], related=[])
    rising = rising_signatures(scan, onset, affected.direct)
    return SymptomFindings(
        scan=scan, onset=onset, affected=affected, rising=rising, symptoms=symptoms(scan, rising),
        recovered=has_recovered(scan, onset, affected.direct),
    )


# Phases 2 and 3 ----------------------------------------------------------------------------


def read_changes(repo: Path | None, found: SymptomFindings, context: IncidentContext) -> ChangeFindings:
    """Deploys from the logs and git, matched to commits, and candidates ranked against the onset."""
    notes: list[str] = []
    history = None
    if repo is not None:
        known = sorted(set(known_services_in_repo(repo)) | set(context.services) | {s.service for s in found.scan.signatures})
        history = read_history(repo, known_services=known)
        if not history.commits:
            notes.append(f"{repo}: the repository has no commits, so no change can be correlated")
        if history.shallow:
            notes.append(f"{repo}: shallow clone; commits older than its depth were not read")
    deploys, match_notes = deploys_from_logs(found.scan.events, history)
    if history is not None:
        deploys = sorted([*deploys, *deploys_from_tags(history, deploys)], key=lambda d: (d.at, d.service, d.version or ""))
    candidates: list[Candidate] = []
    if found.onset is not None:
        diffs = _diffs_for(repo, history, deploys, found.onset)
        signatures = [s.signature for s in found.rising] or [s.signature for s in found.scan.signatures[:5]]
        candidates = rank_candidates(
            found.onset, found.affected.direct, found.affected.related, deploys, history, diffs, signatures, match_notes,
        )
    return ChangeFindings(history=history, deploys=deploys, match_notes=match_notes, candidates=candidates, notes=notes)


def _diffs_for(repo: Path | None, history: GitHistory | None, deploys: list[Deploy], onset: Onset) -> dict[str, CommitDiff]:
    """Diffs of the commits that can matter: deployed ones and those just before the onset."""
    if repo is None or history is None:
        return {}
    wanted: list[str] = [d.commit for d in deploys if d.commit]
    positions = {c.sha: i for i, c in enumerate(history.commits)}
    for sha in list(wanted):  # the commits shipped with each deploy sit just below it in history
        start = positions.get(sha)
        if start is not None:
            wanted += [c.sha for c in history.commits[start + 1 : start + 10]]
    wanted += [c.sha for c in history.commits if c.committed_at <= onset.at][:20]
    diffs: dict[str, CommitDiff] = {}
    for sha in dict.fromkeys(wanted):
        if len(diffs) >= MAX_DIFFS:
            break
        diffs[sha] = commit_diff(repo, sha)
    return diffs


# Phase 4 -----------------------------------------------------------------------------------


def assess_blast_radius(found: SymptomFindings, context: IncidentContext, description: str) -> BlastRadius:
    return blast_radius(found.scan, found.onset, found.affected, context, description)


# Phase 5 -----------------------------------------------------------------------------------


def decide_mitigation(
    found: SymptomFindings, changes: ChangeFindings, blast: BlastRadius, context: IncidentContext, description: str
) -> MitigationFindings:
    comparison = _primary_comparison(found)
    top = changes.candidates[0] if changes.candidates else None
    resources = resource_signals(found.scan)
    decision = evaluate_rollback(
        comparison, blast, top, resources, open_breakers(found.scan, found.onset), found.recovered, context,
        critical_path_reason(found.affected.direct, context, description),
    )
    severity, reasons = assess_severity(
        description, comparison, found.rising, blast, found.scan.events, context, found.recovered
    )
    hypotheses = build_hypotheses(found.scan, found.onset, found.affected, changes.candidates, resources, context)
    follow_up, lessons = follow_up_and_lessons(
        top, severity, resources, found.rising[0].signature if found.rising else None
    )
    return MitigationFindings(
        severity=severity, severity_reasons=reasons, decision=decision, hypotheses=hypotheses,
        follow_up=follow_up, lessons=lessons,
    )


def _primary_comparison(found: SymptomFindings) -> RateComparison | None:
    if found.onset is None:
        return None
    if found.affected.direct:
        return compare_at(found.scan, found.onset.at, found.affected.direct[:1], tests=found.onset.tests) or found.onset.comparison
    return found.onset.comparison


# Assembly ----------------------------------------------------------------------------------


def _humanize(service: str) -> str:
    acronyms = {"api", "db", "ui", "sql", "dns", "cdn", "jwt", "id"}
    return " ".join(w.upper() if w in acronyms else w.capitalize() for w in re.split(r"[-_.]", service) if w)


def _title(description: str, service: str | None, found: SymptomFindings) -> str:
    if service is None:
        return "Investigation: " + (description.strip()[:60] or "no errors found")
    status = re.search(r"\b([45](?:\d\d|xx))\s*(?:errors?|responses?|s\b)", description, re.I)
    if status:
        what = f"{status.group(1).lower()} errors"
    elif found.rising and "timeout" in found.rising[0].signature.lower():
        what = "timeouts"
    else:
        what = "errors"
    return f"{_humanize(service)} {what}"


def incident_id(started: datetime | None, service: str | None, description: str, scan: LogScan) -> str:
    if started is not None and service is not None:
        return f"INC-{started:%Y%m%d-%H%M}-{service}"
    seed = "|".join([description, str(scan.start), str(scan.end), *(f.path for f in scan.files)])
    return f"INC-{(scan.end or scan.start or datetime(1970, 1, 1)):%Y%m%d}-{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def root_cause_from(top: Candidate | None, found: SymptomFindings) -> RootCause | None:
    if top is None or top.confidence not in ("HIGH", "MEDIUM"):
        return None
    label = f"{top.service} {top.deploy.version}" if top.deploy and top.deploy.version else top.service
    change = top.change.change if top.change else None
    if change is not None and change.before is not None and change.after is not None:
        factor = change.factor
        verb = "changed" if factor is None else "lowered" if factor < 1 else "raised"
        summary = f"{change.key} {verb} from {change.before} to {change.after} in {label}"
    elif top.commit is not None:
        summary = f"{label}: {top.commit.subject}"
    else:
        summary = f"{label} deployed just before the errors began"
    return RootCause(
        summary=summary, service=top.service, commit=top.commit.sha if top.commit else None,
        subject=top.commit.subject if top.commit else None, file=change.file if change else None,
        change=change, evidence=list(top.evidence),
    )


def correlation_from(top: Candidate | None, found: SymptomFindings, blast: BlastRadius) -> Correlation:
    comparison = _primary_comparison(found)
    ratio = None
    if blast.error_rate is not None and blast.baseline_error_rate:
        ratio = round(blast.error_rate / blast.baseline_error_rate, 2)
    elif comparison is not None and comparison.ratio is not None:
        ratio = round(comparison.ratio, 2)
    p_value = comparison.p_value if comparison is not None else None
    if top is None or top.confidence == "NONE":
        evidence = ["no deploy or commit precedes the onset"] if found.onset else ["no rise in errors to correlate"]
        return Correlation(confidence="NONE", deploy=None, lag_seconds=None, rate_ratio=ratio, p_value=p_value, evidence=evidence)
    deploy = None
    if top.deploy is not None:
        deploy = DeployRef(service=top.deploy.service, version=top.deploy.version, at=top.deploy.at, commit=top.deploy.commit)
    evidence = list(top.evidence)
    if comparison is not None and comparison.p_value is not None:
        evidence.append(f"the rise is {'significant' if comparison.significant else 'not significant'} "
                        f"(p = {comparison.p_value:.2g}, one-sided exact test)")
    return Correlation(confidence=top.confidence, deploy=deploy, lag_seconds=top.lag_seconds, rate_ratio=ratio,
                       p_value=p_value, evidence=evidence)


def assemble_report(
    description: str, found: SymptomFindings, changes: ChangeFindings, blast: BlastRadius,
    mitigation: MitigationFindings, inputs: InputSummary, agent: str = "offline",
) -> IncidentReport:
    onset = found.onset
    top = changes.candidates[0] if changes.candidates else None
    primary = found.affected.direct[0] if found.affected.direct else None
    started = onset.at if onset else None
    root = root_cause_from(top, found)
    cause_commit = top.commit if root is not None and top is not None else None
    timeline: list[TimelineEvent] = build_timeline(found.scan, onset, changes.deploys, cause_commit)
    detected = next((e.at for e in found.scan.events if onset and e.at >= onset.at and is_alert(e)), None)
    status = "IDENTIFIED" if root else "MONITORING" if found.recovered else "INVESTIGATING"
    notes = [*changes.notes]
    for f in found.scan.files:
        if f.error:
            notes.append(f"{f.path}: could not be read ({f.error})")
        elif f.unparsed:
            notes.append(f"{f.path}: {f.unparsed} of {f.lines} lines not understood as {f.format.value}")
    if found.scan.empty:
        notes.append("no log lines with timestamps were read: severity and rates cannot be measured")
    elif onset is None:
        notes.append("no errors in the logs read")
    blast_text = ""
    if blast.error_rate is not None:
        blast_text = f" {blast.error_rate:.0%} of {primary} requests are failing"
        if blast.revenue_per_hour is not None:
            blast_text += f", about ${blast.revenue_per_hour:,.0f}/hour of revenue at risk"
        blast_text += "."
    if root is not None:
        summary = f"{_title(description, primary, found)} since {started:%H:%M} UTC, caused by {root.summary}.{blast_text}"
    elif onset is not None:
        summary = f"Errors in {', '.join(found.affected.direct) or 'the logs'} rose at {started:%H:%M:%S} UTC; no change correlates with confidence yet.{blast_text}"
    else:
        summary = "No rise in errors was found in the logs read."
    summary += f" Recommendation: {mitigation.decision.recommendation}."
    report = IncidentReport(
        summary=summary,
        incident_id=incident_id(started, primary, description, found.scan),
        title=_title(description, primary, found), description=description, severity=mitigation.severity,
        severity_reasons=mitigation.severity_reasons, status=status, started_at=started, detected_at=detected,
        duration_seconds=int((found.scan.end - started).total_seconds()) if started and found.scan.end else None,
        symptoms=found.symptoms, timeline=timeline, deploys=changes.deploys, root_cause=root,
        correlation=correlation_from(top, found, blast), hypotheses=mitigation.hypotheses, blast_radius=blast,
        rollback_decision=mitigation.decision, follow_up=mitigation.follow_up, lessons=mitigation.lessons,
        notes=notes, inputs=inputs, agent=agent,
    )
    return redact_model(report)
