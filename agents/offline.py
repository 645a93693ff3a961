"""The offline incident-responder: the five phases, each calling the engine, with progress on stderr.

It is the embedded default when no model is configured, and a complete product on its own: the
same report model the LLM agent produces, decided by the same engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import anyio
from pydantic import BaseModel, ConfigDict

from wicked_platform.agents.machine import EnginePolicy, run_machine
from wicked_platform.agents.request import InvestigationRequest
from wicked_platform.tools.analysis.commands import command_evidence
from wicked_platform.tools.analysis.metric_judgment import (
    blast_from_signals, decide, decision_basis, onset_of, reported_signals, with_counters,
)
from wicked_platform.tools.analysis.signal_judgment import SignalRise, headline_first
from wicked_platform.tools.changes.change_times import window_anchors
from wicked_platform.tools.changes.git_history import reading
from wicked_platform.tools.input_groups import log_groups
from wicked_platform.tools.investigation import (
    ChangeFindings, SymptomFindings, assemble_report, assess_blast_radius, decide_mitigation, read_changes, read_symptoms,
    symptoms_from_scan, with_measured_signals,
)
from wicked_platform.tools.logs.coverage import mostly_unread, nothing_readable, why_unread
from wicked_platform.tools.logs.discovery import LogInputError
from wicked_platform.tools.logs.investigation_window import scan_investigation_window
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.redaction import redact_model
from wicked_platform.tools.report import IncidentReport, InputSummary, LogInput
from wicked_platform.tools.report_assembly import NO_LOGS_READ
from wicked_platform.tools.timeutil import to_utc

if TYPE_CHECKING:  # imported when a Prometheus is configured: an offline run without one loads no HTTP client
    from wicked_platform.tools.metrics.findings import MetricFindings

PHASES = ("symptoms", "timeline", "correlation", "blast radius", "mitigation")


Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def investigate(request: InvestigationRequest, progress: Progress = _silent, scan: LogScan | None = None) -> IncidentReport:
    """The offline agent: the engine's report, with each phase's findings told by the phase machine under
    the engine's own policy. `scan`: the request's logs, when the caller has read them already."""
    report = engine_run(request, progress, scan).report
    return report.model_copy(update={"analysis": anyio.run(run_machine, EnginePolicy(report), report, progress)})


class EngineRun(BaseModel):
    """The engine's report, and the findings it was made from (what the tools would compute again)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    report: IncidentReport
    symptoms: SymptomFindings
    changes: ChangeFindings


def engine_report(request: InvestigationRequest, progress: Progress = _silent) -> IncidentReport:
    """The five phases, each calling the engine: the facts and the decision of every report."""
    return engine_run(request, progress).report


def engine_run(request: InvestigationRequest, progress: Progress = _silent, scan: LogScan | None = None) -> EngineRun:
    """The findings and the report; `scan`: `scan_logs` of the request's logs and window, when the caller has
    read them already (the CLI reads them while the engine is still being imported)."""
    with reading():  # the repository opened once for all the investigation's reads of it
        return _engine_run(request, progress, scan)


def _engine_run(request: InvestigationRequest, progress: Progress, scan: LogScan | None) -> EngineRun:
    window = tuple(to_utc(bound) if bound else None for bound in (request.since, request.until))
    if scan is not None and ([f.path for f in scan.files] != [str(path) for path in request.logs]
                             or (scan.since, scan.until) != window):
        raise ValueError("engine_run: the scan given is of other logs, or another window, than the request's")
    timings: dict[str, float] = {}

    def phase(name: str, fn: Callable[[], object]):
        progress(f"[{PHASES.index(name) + 1}/5] {name}…")
        start = time.perf_counter()
        result = fn()
        timings[name] = time.perf_counter() - start
        return result

    context, description = request.context, request.description
    anchors = window_anchors(request.repo, request.deploys)
    found = phase("symptoms", lambda: read_symptoms(
        request.logs, context, since=request.since, until=request.until, tz=request.tz, anchors=anchors) if scan is None
        else symptoms_from_scan(scan_investigation_window(request.logs, since=request.since, until=request.until,
                                                          tz=request.tz, anchors=anchors, scan=scan), context))
    if why := nothing_readable(found.scan.files):
        raise LogInputError(why)
    metrics = _read_metrics(request, found, progress)
    if metrics is not None:
        found = with_measured_signals(found, metrics.signals, context)
    changes = phase("timeline", lambda: read_changes(request.repo, found, context, request.deploys,
                                                     looked_in=request.repo_dir,
                                                     rollouts=metrics.deploys if metrics else []))
    # Correlation is ranked inside read_changes (it needs the diffs it reads); the phase reports it.
    phase("correlation", lambda: changes.candidates)
    blast = phase("blast radius", lambda: assess_blast_radius(found, context, description, changes))
    if metrics is not None:
        slowed = found.signal_rise is not None and found.signal_rise.signal.kind != "error_rate"
        blast = with_counters(blast_from_signals(blast, metrics.signals), metrics.signals, context, slowed=slowed)
    mitigation = phase("mitigation", lambda: decide_mitigation(found, changes, blast, context, description))
    logs_decided = mitigation.decision.recommendation
    if metrics is not None:
        decision, severity, reasons = decide(
            mitigation.decision, mitigation.severity, mitigation.severity_reasons, metrics.signals, changes.deploys,
            context, command_evidence(found.scan, changes.deploys, changes.grounds), affected=blast.direct,
            scaling_ruled_out=mitigation.scaling_ruled_out)
        mitigation = mitigation.model_copy(update={"decision": decision, "severity": severity,
                                                   "severity_reasons": reasons})
    inputs = InputSummary(
        repo=str(request.repo) if request.repo else None,
        context=str(request.context_path) if request.context_path else None,
        deploys=[str(path) for path in request.deploys_paths],
        since=request.since, until=request.until, tz=request.tz,
        logs=[LogInput(path=f.path, format=f.format.value, lines=f.lines, unparsed=f.unparsed) for f in found.scan.files],
        log_start=found.scan.start, log_end=found.scan.end,
        commits_read=len(changes.history.commits) if changes.history else 0,
        prometheus=request.prometheus_url,
        unread=[why_unread(f) for f in mostly_unread(found.scan.files)],
        left_out=found.scan.window.left_out if found.scan.window else [],
        log_files=len(found.scan.files), log_groups=log_groups(found.scan.files),
    )
    report = assemble_report(description, found, changes, blast, mitigation, inputs, agent="offline")
    if metrics is not None:
        report = _with_metrics(report, metrics, logs_decided, found.signal_rise)
    progress("done in " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()))
    return EngineRun(report=report, symptoms=found, changes=changes)


def _read_metrics(request: InvestigationRequest, found: SymptomFindings, progress: Progress) -> MetricFindings | None:
    """Prometheus's signals for the services the investigation knows, over the logs' window (None: not configured)."""
    if request.prometheus_url is None:
        return None
    from wicked_platform.tools.metrics.findings import MetricFindings, metric_window, read_metrics, window_without_logs

    start, end = request.since or found.scan.start, request.until or found.scan.end
    if not request.logs:  # Prometheus alone: the window the user gave, else the latest hours
        start, end = window_without_logs(request.since and to_utc(request.since), request.until and to_utc(request.until),
                                         datetime.now(UTC))
    if start is None or end is None:
        return MetricFindings(url=request.prometheus_url, notes=[
            "Prometheus not asked: no time window (the logs held no timestamps; give --since and --until)"])
    affected = found.affected
    services = [*affected.direct, *affected.cascade, *affected.related, *request.context.services,
                *sorted(found.scan.service_counts, key=lambda s: (-found.scan.service_counts[s], s)),
                *(r.service for r in request.deploys), *(e.service for e in found.scan.events)]
    progress("asking Prometheus…")
    started = time.perf_counter()
    metrics = read_metrics(request.prometheus_url, services, *metric_window(to_utc(start), to_utc(end)), request.context)
    progress(f"Prometheus: {metrics.requests} requests, {metrics.bytes_received:,} bytes in "
             f"{(time.perf_counter() - started) * 1000:.0f} ms")
    return metrics


def _with_metrics(report: IncidentReport, metrics: MetricFindings, logs_decided: str,
                  rise: SignalRise | None) -> IncidentReport:
    """The signals, their notes, and, where they decided what the logs could not, an onset and a summary that say so."""
    signals = reported_signals(metrics.signals, report.blast_radius.services)
    notes = [*report.notes, *metrics.notes]
    # The logs' own signals stay beside Prometheus's: each names its source.
    if len(signals) < len(metrics.signals):
        left = len({s.service for s in metrics.signals} - {s.service for s in signals})
        notes.append(f"signals of {left} more services held steady and are left out of the report "
                     "(metric_signals lists them all)")
    logs_own = [s for s in report.signals if s.source == "logs"]
    basis = decision_basis(report.rollback_decision.recommendation, [*logs_own, *metrics.signals],
                           report.blast_radius.direct, rise)
    update: dict = {"signals": headline_first([*logs_own, *signals], basis), "notes": notes}
    if metrics.warning and report.inputs is not None:
        update["inputs"] = report.inputs.model_copy(update={"prometheus_error": metrics.warning})
    if not report.inputs or not report.inputs.logs:  # what was read instead of logs, in the summary's words
        update["summary"] = report.summary.replace(NO_LOGS_READ, _metrics_read(metrics))
    decision = report.rollback_decision
    if decision.recommendation != logs_decided:
        update["summary"] = f"{decision.reason[:1].upper()}{decision.reason[1:]}. {update.get('summary', report.summary)}"
        if report.started_at is None:
            update["started_at"] = onset_of(metrics.signals)
    return redact_model(report.model_copy(update=update))


def _metrics_read(metrics: MetricFindings) -> str:
    """`No logs were read; Prometheus at URL answered 7 series of 1 service from 09:30 to 10:30 UTC.`"""
    window = (f" from {metrics.start:%Y-%m-%d %H:%M} to {metrics.end:%H:%M} UTC"
              if metrics.start is not None and metrics.end is not None else "")
    services = len({s.service for s in metrics.signals})
    answered = (f"answered {len(metrics.signals)} series of {services} service{'s' if services != 1 else ''}"
                if metrics.signals else "answered no series")
    return f"No logs were read; Prometheus at {metrics.url} {answered}{window}."
