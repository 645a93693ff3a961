"""The investigation, phase by phase: symptoms -> timeline -> correlation -> blast radius -> mitigation.

Each phase is a function of explicit inputs returning a pydantic model, so the offline agent, the
LLM agent and the MCP tools all call the same engine. Nothing here writes anywhere or runs anything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from wicked_platform.tools.analysis import exact_tests
from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.correlation import Candidate, rank_candidates
from wicked_platform.tools.analysis.metric_judgment import RESOURCE_KINDS
from wicked_platform.tools.analysis.signal_judgment import RiseAt
from wicked_platform.tools.analysis.error_points import ERROR_CLASSES
from wicked_platform.tools.analysis.deploys import (
    deploys_from_logs, deploys_from_records, deploys_from_tags, matched_rollouts, merge_deploys,
)
from wicked_platform.tools.analysis.hypotheses import build_hypotheses
from wicked_platform.tools.analysis.impact import AffectedServices, affected_services, critical_path_reason, fronts_for
from wicked_platform.tools.analysis.latency_signals import latency_signals, slowed_share
from wicked_platform.tools.analysis.playbook import follow_up_and_lessons
from wicked_platform.tools.analysis.onsets import primary_onset, service_onsets
from wicked_platform.tools.analysis.rates import Onset
from wicked_platform.tools.analysis.commands import command_evidence
from wicked_platform.tools.analysis.rollback import evaluate_rollback, scaling_ruled_out
from wicked_platform.tools.analysis.severity import assess_severity
from wicked_platform.tools.analysis.signal_incident import rise_affected, rise_blast_radius
from wicked_platform.tools.analysis.signal_judgment import (
    as_onset, describe, leading_rise, severity_reasons, verification_steps,
)
from wicked_platform.tools.analysis.symptoms import (
    expired_certificates, has_recovered, open_breakers, resource_signals, rising_signatures, symptoms,
)
from wicked_platform.tools.changes.deploys_file import DeployRecord
from wicked_platform.tools.changes.git_history import RefError, commit_diff, known_services_in_repo, read_history
from wicked_platform.tools.changes.models import CommitDiff, GitHistory
from wicked_platform.tools.changes.repo_grounds import repo_grounds
from wicked_platform.tools.changes.services import with_structural_services
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.metrics.rollouts import unseen_rollouts
from wicked_platform.tools.logs.investigation_window import scan_investigation_window
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.logs.stamped_sql import YearRule
from wicked_platform.tools.timeutil import iso_z
from wicked_platform.tools.report import BlastRadius, Deploy, Signal

# The phases' findings and the report written from them live apart; callers import them from here too.
from wicked_platform.tools.findings import (
    ChangeFindings, Frozen, MitigationFindings, SymptomFindings, primary_comparison,
)
from wicked_platform.tools.report_assembly import (
    assemble_report, correlation_from, incident_id, root_cause_from,
)

__all__ = [
    "ChangeFindings", "Frozen", "MitigationFindings", "SymptomFindings", "assemble_report", "assess_blast_radius",
    "correlation_from", "decide_mitigation", "incident_id", "read_changes", "read_symptoms", "root_cause_from",
    "symptoms_from_scan", "with_measured_signals",
]

MAX_DIFFS = 40  # commits whose diffs are read for suspicious configuration changes
COMMIT_LOOKBACK = timedelta(days=30)  # commits read before --since: what the window deployed was committed earlier
COMMIT_SLACK = timedelta(days=1)  # commits read after --until: committer clocks and log clocks disagree


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
    return _rise_unless_errors(found, context)


def with_measured_signals(found: SymptomFindings, signals: list[Signal], context: IncidentContext) -> SymptomFindings:
    """Signals measured apart from the logs (Prometheus's, over the logs' window) beside the logs' own: where the
    logs showed no rise, one of theirs can be the incident, correlated and judged like a rise in the logs.
    Resource signals are left to metric_judgment, which weighs them against their limits."""
    if not signals:
        return found
    merged = found.model_copy(update={"signals": [*found.signals, *signals]})
    return _rise_unless_errors(merged, context, exclude=RESOURCE_KINDS)


def _rise_unless_errors(found: SymptomFindings, context: IncidentContext, exclude: tuple[str, ...] = ()) -> SymptomFindings:
    """A measured rise is the incident where the errors show none; its service is the one affected."""
    if found.incident_onset is not None or found.signal_rise is not None:
        return found
    rise = leading_rise([s for s in found.signals if s.kind not in exclude],
                        fronts=lambda front, other: fronts_for(front, [other], context))
    if rise is None:
        return found
    return found.model_copy(update={"signal_rise": rise, "affected": rise_affected(rise, context)})


# Phases 2 and 3 ----------------------------------------------------------------------------


def read_changes(repo: Path | None, found: SymptomFindings, context: IncidentContext,
                 deploy_records: list[DeployRecord] | None = None, *, looked_in: Path | None = None,
                 rollouts: list[Deploy] = ()) -> ChangeFindings:
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
    if rollouts:  # seen by kube-state-metrics: the same rollout a log or record already names is kept once
        seen, rollout_notes = matched_rollouts(unseen_rollouts(rollouts, deploys), history)
        deploys, match_notes = sorted([*deploys, *seen], key=lambda d: (d.at, d.service, d.version or "")), {
            **match_notes, **rollout_notes}
    if history is not None:  # after the rollouts: a tag a rollout shipped is that rollout, not a deploy of its own
        deploys = sorted([*deploys, *deploys_from_tags(history, deploys)], key=lambda d: (d.at, d.service, d.version or ""))
    candidates: list[Candidate] = []
    if found.incident_onset is not None:  # steady noise has nothing a change could have caused
        diffs = _diffs_for(repo, history, deploys, found.onset)
        if history is not None:  # a compose or manifest change is its service's, whatever its path
            history = with_structural_services(history, diffs)
        # Examples too: masking turns `PricingEngineV2 failed` into `<*> failed`, and the words an
        # identifier holds are what ties an error to the config key of the code it names.
        sources = found.rising or found.scan.signatures[:5]
        # And their stack frames, which name the code the errors fail in.
        signatures = [s.signature for s in sources] + [s.example for s in sources] + [f for s in sources for f in s.stack]
        candidates = rank_candidates(
            found.onset, found.affected.direct, found.affected.related, deploys, history, diffs, signatures, match_notes,
        )
    elif (rise := found.signal_rise) is not None:  # a latency regression with no error rise: its onset is correlated
        diffs = _diffs_for(repo, history, deploys, as_onset(rise))
        if history is not None:
            history = with_structural_services(history, diffs)
        # The rising service's own errors, where it has some, say where it fails.
        errors = [s for s in found.scan.signatures if s.service == rise.service and s.level_class in ERROR_CLASSES][:5]
        texts = [describe(s) for s in rise.all()] + [s.example for s in errors] + [f for s in errors for f in s.stack]
        candidates = rank_candidates(as_onset(rise), found.affected.direct, found.affected.related, deploys, history,
                                     diffs, texts, match_notes)
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


def assess_blast_radius(found: SymptomFindings, context: IncidentContext, description: str,
                        changes: ChangeFindings | None = None) -> BlastRadius:
    """The services hit and what it costs; with `changes`, a dependency whose change brings on the errors (see
    Candidate.brings_on) is among the services, though its own logs show nothing: its callers' errors are its."""
    if found.signal_rise is not None:
        blast = rise_blast_radius(found.scan, found.signal_rise, found.affected, context, description)
    else:
        own = primary_onset(found.onset, found.affected.direct, found.service_onsets)
        blast = blast_radius(found.scan, found.onset, found.affected, context, description, primary_onset=own)
    top = changes.candidates[0] if changes is not None and changes.candidates else None
    if top is None or not top.brings_on or top.confidence not in ("HIGH", "MEDIUM") or top.service in blast.services:
        return blast
    callers = ", ".join(blast.direct)
    return blast.model_copy(update={
        "services": sorted({*blast.services, top.service}),
        "notes": [*blast.notes, f"{top.service} is hit: its change brings on what the errors of {callers} say, "
                                "though its own logs show none"]})


# Phase 5 -----------------------------------------------------------------------------------


def decide_mitigation(
    found: SymptomFindings, changes: ChangeFindings, blast: BlastRadius, context: IncidentContext, description: str
) -> MitigationFindings:
    comparison = primary_comparison(found)
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
        signal_reasons=severity_reasons(found.signal_rise, blast.critical_path,
                                        slowed_share(found.scan, found.signal_rise.service, found.signal_rise.at))
        if found.signal_rise else [],
    )
    hypotheses = build_hypotheses(found.scan, found.incident_onset, found.affected, changes.candidates, resources, context,
                                  expired_certificates=certificates)
    follow_up, lessons = follow_up_and_lessons(
        top, severity, resources, found.rising[0].signature if found.rising else None, expired_certificates=certificates
    )
    return MitigationFindings(
        severity=severity, severity_reasons=reasons, decision=decision, hypotheses=hypotheses,
        follow_up=follow_up, lessons=lessons, scaling_ruled_out=scaling_ruled_out(resources, certificates),
    )
