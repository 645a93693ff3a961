"""The report written from the phases' findings: title, id, root cause, correlation, summary and notes."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from wicked_platform.tools.analysis.correlation import Candidate
from wicked_platform.tools.analysis.rates import Onset
from wicked_platform.tools.analysis.signal_incident import rise_sentence, uncorrelated_summary, with_rise_row
from wicked_platform.tools.analysis.signal_judgment import LATENCY_KINDS, describe, headline_first
from wicked_platform.tools.analysis.timeline import build_timeline, is_alert
from wicked_platform.tools.figures import percent
from wicked_platform.tools.findings import ChangeFindings, MitigationFindings, SymptomFindings, primary_comparison
from wicked_platform.tools.logs.coverage import file_notes, read_summary, unreadable
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.redaction import redact_model
from wicked_platform.tools.report import (
    BlastRadius, Correlation, Deploy, DeployRef, IncidentReport, InputSummary, RootCause, TimelineEvent,
)
from wicked_platform.tools.timeutil import human_duration


NO_LOGS_READ = "No logs were read."


def _humanize(service: str) -> str:
    acronyms = {"api", "db", "ui", "sql", "dns", "cdn", "jwt", "id"}
    return " ".join(w.upper() if w in acronyms else w.capitalize() for w in re.split(r"[-_.]", service) if w)


def _title(description: str, service: str | None, found: SymptomFindings) -> str:
    if service is None:
        return "Investigation: " + (description.strip()[:60] or "no errors found")
    if found.signal_rise is not None and found.signal_rise.service == service:
        kind = found.signal_rise.signal.kind
        return f"{_humanize(service)} {'errors' if kind == 'error_rate' else 'latency' if kind in LATENCY_KINDS else kind}"
    status = re.search(r"\b([45](?:\d\d|xx))\s*(?:errors?|responses?|s\b)", description, re.I)
    # The 502s the user sees may be another service's answer: a gateway's, in front of the failing one.
    answers = {s.service for s in found.scan.signatures if re.fullmatch(r"[45]XX", s.level.upper())}
    if status and service not in answers and answers & set(found.affected.cascade):
        status = None
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
        what = found.signal_rise.what if found.signal_rise is not None else "errors"
        summary = f"{label} deployed just before the {what} began to rise"
    # The file: the one whose value changed, else the one the errors fail in, else the commit's only file.
    only_file = top.commit.files[0] if top.commit is not None and len(top.commit.files) == 1 else None
    only_file = top.failing_file or only_file
    return RootCause(
        summary=summary, service=top.service, commit=top.commit.sha if top.commit else None,
        subject=top.commit.subject if top.commit else None, file=change.file if change else only_file,
        change=change, evidence=list(top.evidence),
    )


def correlation_from(
    top: Candidate | None, found: SymptomFindings, blast: BlastRadius, deploys: list[Deploy] = ()
) -> Correlation:
    comparison = primary_comparison(found)
    ratio = None
    if blast.error_rate is not None and blast.baseline_error_rate:
        ratio = round(blast.error_rate / blast.baseline_error_rate, 2)
    elif comparison is not None and comparison.ratio is not None:
        ratio = round(comparison.ratio, 2)
    p_value = comparison.p_value if comparison is not None else None
    rise = found.signal_rise
    if rise is not None and rise.signal.kind == "error_rate":  # the counters' rise: their rate and its test
        ratio = ratio if ratio is not None and blast.direct[:1] == [rise.service] else rise.signal.ratio
        p_value = rise.signal.p_value
    elif rise is not None:  # no error rate rose: the rise correlated is the signal's, its test in the evidence
        ratio = p_value = None
    if top is None or top.confidence == "NONE":
        evidence = (["no deploy or commit precedes the onset"] if found.incident_onset or rise
                    else ["no rise in errors to correlate"])
        if rise is not None:
            evidence.append(describe(rise.signal))
        if found.onset is not None and found.incident_onset is None and deploys:
            # What the person asking usually wants to know: did the release change anything?
            evidence += [f"errors ran at the same rate before and after {' '.join(filter(None, (d.service, d.version)))} "
                         f"({d.at:%H:%M:%S})" for d in deploys[-3:]]
        return Correlation(confidence="NONE", deploy=None, lag_seconds=None, rate_ratio=ratio, p_value=p_value, evidence=evidence)
    deploy = None
    if top.deploy is not None:
        deploy = DeployRef(service=top.deploy.service, version=top.deploy.version, at=top.deploy.at, commit=top.deploy.commit)
    evidence = list(top.evidence)
    if rise is not None:
        evidence.append(describe(rise.signal))
    elif comparison is not None and comparison.p_value is not None:
        evidence.append(f"the rise is {'significant' if comparison.significant else 'not significant'} "
                        f"(p = {comparison.p_value:.2g}, one-sided exact test)")
    return Correlation(confidence=top.confidence, deploy=deploy, lag_seconds=top.lag_seconds, rate_ratio=ratio,
                       p_value=p_value, evidence=evidence)


def _errors_since(onset: Onset) -> str:
    comparison = onset.comparison
    return (f"{comparison.after_errors} error{'s' * (comparison.after_errors != 1)} since {onset.at:%H:%M:%S} UTC "
            f"against {comparison.before_errors} in the {human_duration(comparison.before_seconds)} before")


def assemble_report(
    description: str, found: SymptomFindings, changes: ChangeFindings, blast: BlastRadius,
    mitigation: MitigationFindings, inputs: InputSummary, agent: str = "offline",
) -> IncidentReport:
    # The best split of steady noise is no onset: an incident starts where errors rose.
    onset = found.incident_onset
    rise = found.signal_rise
    top = changes.candidates[0] if changes.candidates else None
    primary = found.affected.direct[0] if found.affected.direct else None
    started = onset.at if onset else rise.at if rise else None
    root = root_cause_from(top, found)
    cause_commit = top.commit if root is not None and top is not None else None
    timeline: list[TimelineEvent] = build_timeline(found.scan, onset, changes.deploys, cause_commit)
    if rise is not None:
        timeline = with_rise_row(timeline, rise)
    detected = next((e.at for e in found.scan.events if onset and e.at >= onset.at and is_alert(e)), None)
    # Errors that recovered, or ran at the rate they had before, leave nothing to investigate but watching.
    # Too few errors to compare with anything (one line, no time before it) is not that: keep looking.
    steady = onset is None and found.onset is not None and found.onset.comparison.p_value is not None
    few = steady and found.onset.comparison.anecdotal
    status = "IDENTIFIED" if root else "MONITORING" if (found.recovered or steady) and rise is None else "INVESTIGATING"
    notes = [*changes.notes, *([found.scan.window.note] if found.scan.window else []), *file_notes(found.scan.files)]
    if not found.scan.files:
        notes.append("no logs were read: symptoms, error lines and log-derived rates are unknown; the report stands "
                     "on the other inputs (metrics, history, deploy records, context)")
    elif found.scan.empty:
        notes.append("no log lines with timestamps were read: severity and rates cannot be measured")
    elif found.onset is None:
        notes.append("no errors in the logs read")
    elif few:
        notes.append(f"{_errors_since(found.onset)}: too few to measure a rise by; keep watching")
    elif steady:
        notes.append(f"errors stayed at their usual rate: no significant rise (p = {found.onset.comparison.p_value:.2g})")
    elif onset is None:
        notes.append("too few errors over too short a time to tell a rise from their usual rate")
    blast_text = ""
    if blast.error_rate is not None:
        blast_text = f" {percent(blast.error_rate)} of {primary} requests are failing"
        if blast.revenue_per_hour is not None:
            blast_text += f", about ${blast.revenue_per_hour:,.0f}/hour of revenue at risk"
        blast_text += "."
    measured = f" {rise_sentence(rise)}" if rise is not None else ""
    if root is not None:
        summary = f"{_title(description, primary, found)} since {started:%H:%M} UTC, caused by {root.summary}.{measured}{blast_text}"
    elif rise is not None:
        summary = uncorrelated_summary(rise, started)
    elif onset is not None:
        summary = f"Errors in {', '.join(found.affected.direct) or 'the logs'} rose at {started:%H:%M:%S} UTC; no change correlates with confidence yet.{blast_text}"
    elif few:
        summary = f"{_errors_since(found.onset)}: too few to measure a rise by."
    elif steady:
        summary = "Errors in the logs read stayed at their usual rate: no rise to investigate."
    elif found.onset is not None:
        summary = "Errors were found, but too few to tell whether they rose."
    else:
        summary = "No rise in errors was found in the logs read."
    left_out = found.scan.window.left_out if found.scan.window else []
    read = read_summary(found.scan.files, left_out) if found.scan.files else NO_LOGS_READ
    summary += f" {read} Recommendation: {mitigation.decision.recommendation}."
    severity_reasons = list(mitigation.severity_reasons)
    if missing := unreadable(found.scan.files):
        severity_reasons.append(f"judged on the logs that could be read: {len(missing)} of {len(found.scan.files)} "
                                "log files could not be (see inputs.unread and the notes)")
    report = IncidentReport(
        summary=summary,
        incident_id=incident_id(started, primary, description, found.scan),
        title=_title(description, primary, found), description=description, severity=mitigation.severity,
        severity_reasons=severity_reasons, status=status, started_at=started, detected_at=detected,
        duration_seconds=int((found.scan.end - started).total_seconds()) if started and found.scan.end else None,
        symptoms=found.symptoms, timeline=timeline, deploys=changes.deploys, root_cause=root,
        correlation=correlation_from(top, found, blast, changes.deploys), hypotheses=mitigation.hypotheses, blast_radius=blast,
        rollback_decision=mitigation.decision, follow_up=mitigation.follow_up, lessons=mitigation.lessons,
        notes=notes, inputs=inputs, agent=agent, signals=headline_first(found.signals, found.signal_rise.all() if found.signal_rise else []),
    )
    return redact_model(report)
