"""Metric signals after the engine (Prometheus's, which arrive once the logs have been read): the blast radius rate
from full-traffic counters, and a decision for a regression neither the error lines nor the logs' own signals
(signal_judgment.py, inside the engine) showed.

The log-based engine decides first. This module only steps in where the signals know more: a request-counter
error rate replaces one counted in (possibly sampled) log lines; a latency, error or resource regression that
the logs did not see as an error rise decides ROLLBACK (it began right after a deploy of its service), SCALE
(a resource near its limit, or restarts, with no such deploy) or HOTFIX (a regression nothing explains); and
verification names the signal and its baseline. A decision the logs already support is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from wicked_platform.tools.analysis.capacity import scale_out
from wicked_platform.tools.analysis.commands import (
    CommandEvidence, Refusal, Target, find_target, rollout_restart, rollout_status, rollout_undo,
)
from wicked_platform.tools.analysis.signal_judgment import HEADLINE_RANK, KIND_NAMES, SignalRise
from wicked_platform.tools.analysis.signal_judgment import figure as signal_figure
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.report import BlastRadius, Deploy, RollbackCriterion, RollbackDecision, Signal

DEPLOY_LAG = timedelta(minutes=30)  # a regression this soon after its service's deploy is laid at the deploy
NEAR_LIMIT = 0.9  # a resource at this share of its limit is saturated, risen or not
RESOURCE_KINDS = ("saturation", "memory", "cpu", "restarts")
SEVERITY_ORDER = {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 4}
WORDS = {**KIND_NAMES, "saturation": "use of its limit"}  # a share of the limit, said as such


def regressions(signals: list[Signal]) -> list[Signal]:
    """Signals that rose at an onset, earliest first (signal_judgment.HEADLINE on a tie)."""
    return sorted((s for s in signals if s.onset is not None),
                  key=lambda s: (s.onset, HEADLINE_RANK[s.kind], s.service))


def saturated(signals: list[Signal]) -> list[Signal]:
    """Resources near their limit or restarting, risen or not, the nearest first."""
    near = [s for s in signals if s.kind == "saturation" and s.after is not None and s.after >= NEAR_LIMIT]
    restarting = [s for s in signals if s.kind == "restarts" and s.onset is not None]
    return sorted(near, key=lambda s: (-(s.after or 0), s.service)) + restarting


def figure(signal: Signal, value: float | None) -> str:
    return signal_figure(value, signal.unit)


def describe(signal: Signal) -> str:
    what = f"{WORDS[signal.kind]} of {signal.service}"
    change = f"{figure(signal, signal.before)} -> {figure(signal, signal.after)}"
    ratio = f", {signal.ratio:g}×" if signal.ratio is not None else ""
    at = f" from {signal.onset:%H:%M} UTC" if signal.onset is not None else ""
    p = f", p = {signal.p_value:.2g}" if signal.p_value is not None else ""
    return f"{what} {change}{ratio}{at} ({signal.source}{p})"


def reported_signals(signals: list[Signal], affected: list[str], at_most: int = 40) -> list[Signal]:
    """The signals a reader needs: every signal of the affected services and of those whose signals moved (or sit
    near a limit), so the steady ones stand beside them as the comparison; where none is, the first `at_most`."""
    interest = set(affected) | {s.service for s in [*regressions(signals), *saturated(signals)]}
    if not interest:
        return signals[:at_most]
    return [s for s in signals if s.service in interest]


def decision_basis(recommendation: str, signals: list[Signal], affected: list[str],
                   rise: SignalRise | None = None) -> list[Signal]:
    """The signals a decision rests on, which head the report's signals[]: for SCALE the resources of the service
    at its limit (affected first, as `decide` chooses it) that rose or sit near it, with its restarts; otherwise
    the rise the engine correlated, else the regressions of the first affected service. What rose alongside
    (a consequence, another service) follows them."""
    if recommendation == "SCALE":
        full = saturated(signals)
        at_limit = [s for s in full if s.service in affected] or full
        if at_limit:
            service = at_limit[0].service
            return [s for s in signals if s.service == service and s.kind in RESOURCE_KINDS
                    and (s.onset is not None or s in full)]
    if rise is not None:
        return [s for s in signals if s in rise.all()]
    service = affected[0] if affected else None
    return [s for s in regressions(signals) if s.service == service and s.kind not in RESOURCE_KINDS]


def with_counters(blast: BlastRadius, signals: list[Signal], context: IncidentContext | None = None,
                  slowed: bool = False) -> BlastRadius:
    """The error rate of the first direct service from request counters (all traffic) where Prometheus has them,
    and the users and revenue at risk sized from it with the context's traffic; `slowed`: the incident is a
    slowdown, whose users and revenue failing requests do not count (signal_incident.rise_blast_radius)."""
    service = blast.direct[0] if blast.direct else None
    counted = next((s for s in signals if s.source == "prometheus" and s.kind == "error_rate"
                    and s.service == service and s.after is not None), None)
    if counted is None or service is None:
        return blast
    notes = [n for n in blast.notes if not n.startswith(("error_rate ", "baseline_error_rate "))]
    notes.insert(0, f"error_rate from Prometheus request counters (all traffic, not a log sample): "
                    f"{figure(counted, counted.after)} of {service} requests failing"
                    f"{' since the onset' if counted.onset else ' in the later half of the window'}")
    baseline = counted.before if counted.before is not None else blast.baseline_error_rate
    if counted.before is not None:
        notes.insert(1, f"baseline_error_rate from the same counters before it: {figure(counted, counted.before)}")
    update: dict = {"error_rate": round(counted.after, 4),
                    "baseline_error_rate": round(baseline, 4) if baseline is not None else None, "notes": notes}
    if context is not None and not slowed:
        update |= _sized_by_counters(service, counted, context, notes)
    return blast.model_copy(update=update)


def _sized_by_counters(service: str, counted: Signal, context: IncidentContext, notes: list[str]) -> dict:
    """Users and revenue at risk from the counters' error rate and the context's traffic (never the log's count
    of error lines over requests_per_minute: a log may be a sample); unknown, with a note, where the context
    lacks the figure. `notes` is updated in place: the log-based estimates' notes give way."""
    svc, rate = context.service(service), counted.after or 0.0
    notes[:] = [n for n in notes if not n.startswith(("affected_users ", "revenue_per_hour "))]
    users = revenue = None
    if svc.requests_per_minute:
        users = int(round(svc.requests_per_minute * 60 * rate))
        note = (f"affected_users estimated from the counters: {svc.requests_per_minute:g} requests/min "
                f"(incident-context.yaml) × 60 × {figure(counted, rate)} failing ≈ {users:,} failed requests per "
                "hour, one user per request")
        if svc.active_users is not None and users > svc.active_users:
            users, note = svc.active_users, f"{note}, capped at the {svc.active_users:,} active users"
        notes.append(note)
    else:
        notes.append("affected_users unknown: needs requests_per_minute in incident-context.yaml")
    if svc.revenue_per_hour is not None:
        revenue = round(svc.revenue_per_hour * rate, 2)
        notes.append(f"revenue_per_hour at risk = {svc.revenue_per_hour:,.0f}/h through {service} × "
                     f"{figure(counted, rate)} failing (Prometheus request counters)")
    else:
        notes.append("revenue_per_hour unknown: needs revenue_per_hour in incident-context.yaml")
    return {"affected_users": users, "revenue_per_hour": revenue}


def blast_from_signals(blast: BlastRadius, signals: list[Signal]) -> BlastRadius:
    """Where the logs named no affected service, the services whose signals rose (or sit near a limit) are it."""
    if blast.direct:
        return blast
    telling = [*(s for s in regressions(signals) if s.kind not in RESOURCE_KINDS), *saturated(signals)]
    hit = list(dict.fromkeys(s.service for s in telling))
    if not hit:
        return blast
    notes = [n for n in blast.notes if not n.startswith("no rise in errors was found")]
    notes.insert(0, "affected services from their signals: " + "; ".join(
        describe(s) for s in telling[:3]))
    return blast.model_copy(update={"direct": hit, "services": sorted(set(hit) | set(blast.cascade)), "notes": notes})


def deploy_before(signal: Signal, deploys: list[Deploy]) -> Deploy | None:
    """The latest deploy of the signal's service that ended within DEPLOY_LAG before its onset."""
    if signal.onset is None:
        return None
    near = [d for d in deploys if d.service == signal.service
            and d.at <= signal.onset <= (d.completed_at or d.at) + DEPLOY_LAG]
    return max(near, key=lambda d: d.at, default=None)


def decide(decision: RollbackDecision, severity: str, reasons: list[str], signals: list[Signal], deploys: list[Deploy],
           context: IncidentContext, evidence: CommandEvidence, affected: list[str] = (),
           scaling_ruled_out: bool = False) -> tuple[RollbackDecision, str, list[str]]:
    """The decision, severity and reasons with the signals weighed; unchanged when the logs already decided.

    CPU and memory that rose without a limit to measure them against are no incident of their own (a rollout's
    surge pods, an autoscaler, a traffic ramp raise them): they decide nothing; a resource near its limit
    (saturation) or restarting does. `affected`: the services the logs found affected; `scaling_ruled_out`: the
    logs showed scaling cannot help (a limit every replica shares, an expired certificate)."""
    risen = [s for s in regressions(signals) if s.kind not in RESOURCE_KINDS]
    full = saturated(signals)
    verification = [*decision.verification, *_verification(risen + [s for s in full if s not in risen])]
    verification = list(dict.fromkeys(verification))
    # HOTFIX says no quick mitigation was found; an affected service at its limit offers one (scaling ranks before
    # a fix), unless the logs showed more replicas would not relieve it.
    at_limit = [s for s in full if s.kind == "saturation" and s.service in affected]
    saturation_offers = decision.recommendation == "HOTFIX" and bool(at_limit) and not scaling_ruled_out
    if (decision.recommendation != "MONITOR" and not saturation_offers) or not (risen or full):
        return decision.model_copy(update={"verification": verification}), severity, reasons
    if saturation_offers:
        full = at_limit
    criteria = {c.id: c for c in decision.criteria}
    notes = list(decision.notes)
    first = risen[0] if risen else full[0]
    deployed = None if saturation_offers else next(
        ((s, d) for s in risen if (d := deploy_before(s, deploys)) is not None), None)
    if deployed is not None:
        signal, deploy = deployed
        target = find_target(signal.service, context, evidence)
        label = " ".join(filter(None, (deploy.service, deploy.version)))
        lag = int((signal.onset - (deploy.completed_at or deploy.at)).total_seconds())
        criteria["deploy_correlation"] = RollbackCriterion(
            id="deploy_correlation", met=True,
            evidence=f"{describe(signal)}, {lag} s after {label} was deployed ({deploy.source})")
        recommendation = "ROLLBACK"
        command = rollout_undo(target) if isinstance(target, Target) else None
        alternative = None
        reason = f"{WORDS[signal.kind]} of {signal.service} rose right after {label} was deployed"
        if isinstance(target, Target):
            verification.insert(0, f"Watch `{rollout_status(target)}` until the rollback completes")
        else:
            notes.append(target.note)
    elif full:
        signal = full[0]
        target = find_target(signal.service, context, evidence)
        scaled = scale_out(target) if isinstance(target, Target) else target
        command = None if isinstance(scaled, Refusal) else scaled
        alternative = rollout_restart(target) if isinstance(target, Target) else None
        if isinstance(scaled, Refusal):
            notes.append(scaled.note)
        criteria["no_quick_mitigation"] = RollbackCriterion(
            id="no_quick_mitigation", met=False,
            evidence=f"resource pressure ({describe(signal)}) may be relieved by scaling")
        recommendation = "SCALE"
        state = "restarting" if signal.kind == "restarts" else "near its limit"
        reason = f"{signal.service} {state} ({WORDS[signal.kind]}) and no correlated change"
    else:
        signal = first
        recommendation, command, alternative = "HOTFIX", None, None
        reason = f"{WORDS[signal.kind]} of {signal.service} rose and no deploy of it precedes the rise"
    decision = decision.model_copy(update={
        "recommendation": recommendation, "reason": reason,
        "criteria": [criteria[c.id] for c in decision.criteria],
        "command": command.command if command else None, "command_parts": command.parts if command else [],
        "alternative": alternative.command if alternative else None,
        "alternative_parts": alternative.parts if alternative else [],
        "verification": verification, "notes": list(dict.fromkeys(notes)),
    })
    severity, reasons = _severity(severity, reasons, signal, context)
    return decision, severity, reasons


def _severity(severity: str, reasons: list[str], signal: Signal, context: IncidentContext) -> tuple[str, list[str]]:
    """A regression is a performance indicator: SEV3 (partial degradation), SEV2 on a critical path."""
    critical = bool(context.service(signal.service).critical)
    level = "SEV2" if critical else "SEV3"
    why = (f"{'Critical path degraded' if critical else 'Partial degradation'}: {describe(signal)}")
    if SEVERITY_ORDER[level] < SEVERITY_ORDER[severity]:
        kept = [r for r in reasons if not r.startswith(("No errors found", "No significant rise"))]
        return level, [why, *kept]
    return severity, [*reasons, why]


def _verification(signals: list[Signal]) -> list[str]:
    steps = []
    for signal in signals:
        if signal.before is None:
            continue
        if signal.kind == "saturation":
            steps.append(f"Verify {signal.service} {WORDS[signal.kind]} falls below {NEAR_LIMIT:.0%}")
            continue
        bound = signal.before * 1.2 if signal.kind != "restarts" else 0
        steps.append(f"Verify {WORDS[signal.kind]} of {signal.service} is back under {figure(signal, bound)} "
                     f"(baseline {figure(signal, signal.before)})")
    return steps


def onset_of(signals: list[Signal]) -> datetime | None:
    risen = regressions(signals)
    return risen[0].onset if risen else None
