"""The investigation, phase by phase: symptoms -> timeline -> correlation -> blast radius -> mitigation.

Each phase is a function of explicit inputs returning a pydantic model, so the offline agent, the
LLM agent and the MCP tools all call the same engine. Nothing here writes anywhere or runs anything.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis import exact_tests
from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.correlation import Candidate, rank_candidates
from wicked_platform.tools.analysis.signal_judgment import RiseAt
from wicked_platform.tools.analysis.deploys import deploys_from_logs, deploys_from_records, deploys_from_tags, merge_deploys
from wicked_platform.tools.analysis.hypotheses import build_hypotheses
from wicked_platform.tools.analysis.impact import AffectedServices, affected_services, critical_path_reason
from wicked_platform.tools.analysis.latency_signals import latency_signals
from wicked_platform.tools.analysis.playbook import follow_up_and_lessons
from wicked_platform.tools.analysis.onsets import primary_onset, service_onsets
from wicked_platform.tools.analysis.rates import Onset, RateComparison, compare_at
from wicked_platform.tools.analysis.commands import command_evidence
from wicked_platform.tools.analysis.rollback import evaluate_rollback
from wicked_platform.tools.analysis.severity import assess_severity
from wicked_platform.tools.analysis.signal_incident import (
    rise_affected, rise_blast_radius, rise_sentence, uncorrelated_summary, with_rise_row,
)
from wicked_platform.tools.analysis.signal_judgment import (
    SignalRise, as_onset, describe, leading_rise, severity_reasons, verification_steps,
)
from wicked_platform.tools.analysis.symptoms import (
    expired_certificates, has_recovered, open_breakers, resource_signals, rising_signatures, symptoms,
)
from wicked_platform.tools.analysis.timeline import build_timeline, is_alert
from wicked_platform.tools.changes.deploys_file import DeployRecord
from wicked_platform.tools.changes.git_history import RefError, commit_diff, known_services_in_repo, read_history
from wicked_platform.tools.changes.models import CommitDiff, GitHistory, RepoGrounds
from wicked_platform.tools.changes.repo_grounds import repo_grounds
from wicked_platform.tools.changes.services import with_structural_services
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.coverage import file_notes, read_summary, unreadable
from wicked_platform.tools.logs.investigation_window import scan_investigation_window
from wicked_platform.tools.logs.models import LogScan, SignatureStats
from wicked_platform.tools.logs.stamped_sql import YearRule
from wicked_platform.tools.redaction import redact_model
from wicked_platform.tools.timeutil import iso_z
from wicked_platform.tools.report import (
    BlastRadius, Correlation, Deploy, DeployRef, Hypothesis, IncidentReport, InputSummary, RollbackDecision,
    RootCause, Signal, Symptom, TimelineEvent,
)

MAX_DIFFS = 40  # commits whose diffs are read for suspicious configuration changes
COMMIT_LOOKBACK = timedelta(days=30)  # commits read before --since: what the window deployed was committed earlier
COMMIT_SLACK = timedelta(days=1)  # commits read after --until: committer clocks and log clocks disagree


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class SymptomFindings(Frozen):
    scan: LogScan
    onset: Onset | None
    service_onsets: dict[str, Onset] = Field(default_factory=dict, description=(
        "each service's own onset, of the services whose own errors really rose"))
    affected: AffectedServices
    rising: list[SignatureStats]
    symptoms: list[Symptom]
    recovered: bool
    signals: list[Signal] = Field(default_factory=list, description="measured signals: latency from the logs' durations")
    signal_rise: SignalRise | None = Field(None, description=(
        "the measured signal whose rise is the incident, when errors did not rise (a latency regression alone)"))

    @property
    def incident_onset(self) -> Onset | None:
        """The onset when errors really rose; None for steady noise, whose best split is no onset."""
        if self.signal_rise is None and self.onset is not None and (self.onset.comparison.significant or self.affected.direct):
            return self.onset
        return None


class ChangeFindings(Frozen):
    history: GitHistory | None
    deploys: list[Deploy]
    match_notes: dict[str, str]
    candidates: list[Candidate]
    notes: list[str] = Field(default_factory=list)
    grounds: RepoGrounds | None = Field(None, description="what the repository at the cause's commit (else HEAD) declares: "
                                                          "the names commands may use")


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
    tz: str = "UTC", year_hint: int | YearRule | None = None, anchors: list[datetime] | None = None,
) -> SymptomFindings:
    """The logs' symptoms; `anchors` (`change_times.window_anchors`): when changes were made, which choose
    the period read when the logs lie far apart in time."""
    exact_tests.import_meanwhile()
    scan = scan_investigation_window(logs, since=since, until=until, tz=tz, year_hint=year_hint, anchors=anchors or [])
    return symptoms_from_scan(scan, context)


def symptoms_from_scan(scan: LogScan, context: IncidentContext) -> SymptomFindings:
    onsets = service_onsets(scan, context)
    onset = onsets.incident
    affected = affected_services(scan, onset, context) if onset else AffectedServices(direct=[], cascade=[], related=[])
    rising = rising_signatures(scan, onset, affected.direct)
    signals = latency_signals(scan)
    found = SymptomFindings(
        scan=scan, onset=onset, service_onsets={service: onsets.by_service[service] for service in onsets.risen},
        affected=affected, rising=rising, symptoms=symptoms(scan, rising),
        recovered=has_recovered(scan, onset, affected.direct), signals=signals,
    )
    rise = leading_rise(signals) if found.incident_onset is None else None
    if rise is None:
        return found
    # No error rise, but a measured one: it is the incident, and its service the one affected.
    return found.model_copy(update={"signal_rise": rise, "affected": rise_affected(rise, context)})


# Phases 2 and 3 ----------------------------------------------------------------------------


def read_changes(repo: Path | None, found: SymptomFindings, context: IncidentContext,
                 deploy_records: list[DeployRecord] | None = None, *, looked_in: Path | None = None) -> ChangeFindings:
    """Deploys from the deploys file, the logs and git, matched to commits, and candidates ranked against the onset.

    `repo` None is a logs-only investigation; `looked_in`, the directory that held no repository, is named
    in the note that says so.
    """
    notes: list[str] = []
    history = None
    if repo is None:
        notes.append(no_history_note(looked_in, bool(deploy_records)))
    else:
        known = sorted(set(known_services_in_repo(repo)) | set(context.services) | {s.service for s in found.scan.signatures})
        since, until = _commit_window(found.scan)
        history = read_history(repo, known_services=known, since=since, until=until)
        if history.head is None:
            notes.append(f"{repo}: the repository has no commits, so no change can be correlated")
        elif not history.commits:
            notes.append(f"{repo}: no commits between {iso_z(since) if since else 'the first'} and "
                         f"{iso_z(until) if until else 'HEAD'}, so no change can be correlated")
        if history.truncated:
            notes.append(f"{repo}: only the newest {len(history.commits)} commits"
                         f"{' of the window' if since or until else ''} were read")
        if history.shallow:
            notes.append(f"{repo}: shallow clone; commits older than its depth were not read")
    deploys, match_notes = deploys_from_logs(found.scan.events, history)
    if deploy_records:
        recorded, recorded_notes = deploys_from_records(deploy_records, history)
        deploys, match_notes = merge_deploys(recorded, deploys), {**match_notes, **recorded_notes}
    if history is not None:
        deploys = sorted([*deploys, *deploys_from_tags(history, deploys)], key=lambda d: (d.at, d.service, d.version or ""))
    candidates: list[Candidate] = []
    if found.incident_onset is not None:  # steady noise has nothing a change could have caused
        diffs = _diffs_for(repo, history, deploys, found.onset)
        if history is not None:  # a compose or manifest change is its service's, whatever its path
            history = with_structural_services(history, diffs)
        # Examples too: masking turns `PricingEngineV2 failed` into `<*> failed`, and the words an
        # identifier holds are what ties an error to the config key of the code it names.
        sources = found.rising or found.scan.signatures[:5]
        signatures = [s.signature for s in sources] + [s.example for s in sources]
        candidates = rank_candidates(
            found.onset, found.affected.direct, found.affected.related, deploys, history, diffs, signatures, match_notes,
        )
    elif (rise := found.signal_rise) is not None:  # a latency regression with no error rise: its onset is correlated
        diffs = _diffs_for(repo, history, deploys, as_onset(rise))
        if history is not None:
            history = with_structural_services(history, diffs)
        candidates = rank_candidates(as_onset(rise), found.affected.direct, found.affected.related, deploys, history,
                                     diffs, [describe(s) for s in rise.all()], match_notes)
    grounds = None
    if repo is not None and history is not None and history.head is not None:
        top = candidates[0] if candidates and candidates[0].confidence != "NONE" else None
        ref = top.commit.sha if top is not None and top.commit is not None else history.head
        known = sorted(set(context.services) | {s.service for s in found.scan.signatures} | {d.service for d in deploys})
        grounds = repo_grounds(repo, ref, known)
    return ChangeFindings(history=history, deploys=deploys, match_notes=match_notes, candidates=candidates, notes=notes,
                          grounds=grounds)


def no_history_note(looked_in: Path | None, deploys_file: bool) -> str:
    """Why no commit can be named: the investigation read no git history, and what it read instead."""
    why = f"{looked_in} is not a git repository" if looked_in is not None else "no repository was given"
    read = "the logs and the deploys file" if deploys_file else "the logs"
    return (f"no git history was read ({why}): deploys come from {read} alone, and no commit or configuration "
            "change can be named; give the repository that was deployed to read its changes")


def _commit_window(scan: LogScan) -> tuple[datetime | None, datetime | None]:
    """Commits that can matter to a --since/--until window: from COMMIT_LOOKBACK before it (what was
    deployed in it was committed earlier) to COMMIT_SLACK after it (clocks disagree). No bound without one."""
    return (scan.since - COMMIT_LOOKBACK if scan.since else None, scan.until + COMMIT_SLACK if scan.until else None)


def _diffs_for(repo: Path | None, history: GitHistory | None, deploys: list[Deploy], onset: Onset | RiseAt) -> dict[str, CommitDiff]:
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
        try:
            diffs[sha] = commit_diff(repo, sha)
        except RefError:  # the oldest commit of a shallow clone: its change cannot be read, its place in time can
            continue
    return diffs


# Phase 4 -----------------------------------------------------------------------------------


def assess_blast_radius(found: SymptomFindings, context: IncidentContext, description: str) -> BlastRadius:
    if found.signal_rise is not None:
        return rise_blast_radius(found.scan, found.signal_rise, found.affected, context, description)
    own = primary_onset(found.onset, found.affected.direct, found.service_onsets)
    return blast_radius(found.scan, found.onset, found.affected, context, description, primary_onset=own)


# Phase 5 -----------------------------------------------------------------------------------


def decide_mitigation(
    found: SymptomFindings, changes: ChangeFindings, blast: BlastRadius, context: IncidentContext, description: str
) -> MitigationFindings:
    comparison = _primary_comparison(found)
    top = changes.candidates[0] if changes.candidates else None
    resources = resource_signals(found.scan)
    certificates = expired_certificates(found.scan, found.onset)
    decision = evaluate_rollback(
        comparison, blast, top, resources, open_breakers(found.scan, found.onset), found.recovered, context,
        critical_path_reason(found.affected.direct, context, description), expired_certificates=certificates,
        evidence=command_evidence(found.scan, changes.deploys, changes.grounds), signal_rise=found.signal_rise,
        signal_checks=verification_steps(found.signal_rise) if found.signal_rise else [],
    )
    severity, reasons = assess_severity(
        description, comparison, found.rising, blast, found.scan.events, context, found.recovered,
        signal_reasons=severity_reasons(found.signal_rise, blast.critical_path) if found.signal_rise else [],
    )
    hypotheses = build_hypotheses(found.scan, found.incident_onset, found.affected, changes.candidates, resources, context,
                                  expired_certificates=certificates)
    follow_up, lessons = follow_up_and_lessons(
        top, severity, resources, found.rising[0].signature if found.rising else None, expired_certificates=certificates
    )
    return MitigationFindings(
        severity=severity, severity_reasons=reasons, decision=decision, hypotheses=hypotheses,
        follow_up=follow_up, lessons=lessons,
    )


def _primary_comparison(found: SymptomFindings) -> RateComparison | None:
    if found.signal_rise is not None:  # the errors of the service that slowed, before and after it slowed
        return compare_at(found.scan, found.signal_rise.at, [found.signal_rise.service])
    if found.onset is None:
        return None
    if found.affected.direct:
        onset = primary_onset(found.onset, found.affected.direct, found.service_onsets) or found.onset
        own = compare_at(found.scan, onset.at, found.affected.direct[:1], tests=onset.tests)
        # An upstream that degraded without errors of its own (it slowed, its callers timed out) is measured
        # by the incident's errors, not by its own none.
        return own if own is not None and own.after_errors else found.onset.comparison
    return found.onset.comparison


# Assembly ----------------------------------------------------------------------------------


def _humanize(service: str) -> str:
    acronyms = {"api", "db", "ui", "sql", "dns", "cdn", "jwt", "id"}
    return " ".join(w.upper() if w in acronyms else w.capitalize() for w in re.split(r"[-_.]", service) if w)


def _title(description: str, service: str | None, found: SymptomFindings) -> str:
    if service is None:
        return "Investigation: " + (description.strip()[:60] or "no errors found")
    if found.signal_rise is not None and found.signal_rise.service == service:
        return f"{_humanize(service)} latency"
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
        summary = f"{label} deployed just before the errors began"
    # The file: the one whose value changed, else the commit's only file (a code change, no config value).
    only_file = top.commit.files[0] if top.commit is not None and len(top.commit.files) == 1 else None
    return RootCause(
        summary=summary, service=top.service, commit=top.commit.sha if top.commit else None,
        subject=top.commit.subject if top.commit else None, file=change.file if change else only_file,
        change=change, evidence=list(top.evidence),
    )


def correlation_from(
    top: Candidate | None, found: SymptomFindings, blast: BlastRadius, deploys: list[Deploy] = ()
) -> Correlation:
    comparison = _primary_comparison(found)
    ratio = None
    if blast.error_rate is not None and blast.baseline_error_rate:
        ratio = round(blast.error_rate / blast.baseline_error_rate, 2)
    elif comparison is not None and comparison.ratio is not None:
        ratio = round(comparison.ratio, 2)
    p_value = comparison.p_value if comparison is not None else None
    rise = found.signal_rise
    if rise is not None:  # no error rate rose: the rise correlated is the signal's, its test in the evidence
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
    status = "IDENTIFIED" if root else "MONITORING" if (found.recovered or steady) and rise is None else "INVESTIGATING"
    notes = [*changes.notes, *([found.scan.window.note] if found.scan.window else []), *file_notes(found.scan.files)]
    if found.scan.empty:
        notes.append("no log lines with timestamps were read: severity and rates cannot be measured")
    elif found.onset is None:
        notes.append("no errors in the logs read")
    elif steady:
        notes.append(f"errors stayed at their usual rate: no significant rise (p = {found.onset.comparison.p_value:.2g})")
    elif onset is None:
        notes.append("too few errors over too short a time to tell a rise from their usual rate")
    blast_text = ""
    if blast.error_rate is not None:
        blast_text = f" {blast.error_rate:.0%} of {primary} requests are failing"
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
    elif steady:
        summary = "Errors in the logs read stayed at their usual rate: no rise to investigate."
    elif found.onset is not None:
        summary = "Errors were found, but too few to tell whether they rose."
    else:
        summary = "No rise in errors was found in the logs read."
    left_out = found.scan.window.left_out if found.scan.window else []
    summary += f" {read_summary(found.scan.files, left_out)} Recommendation: {mitigation.decision.recommendation}."
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
        notes=notes, inputs=inputs, agent=agent, signals=found.signals,
    )
    return redact_model(report)
