"""The rollback decision: five criteria, each met or not with its evidence, then one recommendation.

The engine decides; a model may explain the decision but never overturn it. Which commands carry the
decision is `commands`' to say, from evidence; they are printed for a human to run — nothing here runs them.
"""

from __future__ import annotations

import re

from wicked_platform.tools.analysis.capacity import relief
from wicked_platform.tools.analysis.commands import (
    CommandEvidence, Grounded, Refusal, Target, find_target, git_revert, restore, rollout_restart, rollout_status,
    rollout_undo,
)
from wicked_platform.tools.analysis.correlation import Candidate
from wicked_platform.tools.analysis.rates import RateComparison
from wicked_platform.tools.analysis.signal_judgment import SignalRise
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.figures import percent
from wicked_platform.tools.report import BlastRadius, Recommendation, RollbackCriterion, RollbackDecision
from wicked_platform.tools.timeutil import human_duration

RESOURCE_SIGNS = re.compile(
    r"out of memory|OOM|OutOfMemory|too many connections|connection pool|pool exhausted|no space left|disk full"
    r"|cannot allocate|resource exhausted|throttl|max_connections|heap space",
    re.I,
)
# Limits every replica shares — the database's connection limit, a full disk — are not relieved by
# adding replicas: more replicas open more connections against a database already refusing them.
SHARED_LIMITS = re.compile(r"too many connections|too many clients|max_connections|no space left|disk full", re.I)


def scaling_ruled_out(resource_signals: list[str], expired_certificates: list[str]) -> bool:
    """The logs show more replicas would not help: a limit every replica shares (a database's connections), or an
    expired certificate every replica presents."""
    return bool(expired_certificates) or len(relieved_by_scaling(resource_signals)) < len(resource_signals)


def relieved_by_scaling(resource_signals: list[str]) -> list[str]:
    """The resource signals that more replicas can relieve (memory, CPU, throttling), most frequent first."""
    return [s for s in resource_signals if not SHARED_LIMITS.search(s)]


def _rate_criterion(blast: BlastRadius, comparison: RateComparison | None) -> RollbackCriterion:
    cid = "error_rate_10x_baseline"
    er, base = blast.error_rate, blast.baseline_error_rate
    if er is not None and base:
        return RollbackCriterion(id=cid, met=er >= 10 * base, evidence=f"{percent(er)} vs {percent(base)} baseline ({er / base:.0f}×)")
    if comparison is None:
        return RollbackCriterion(id=cid, met=None, evidence="no errors in the logs read")
    p = f"p = {comparison.p_value:.2g}" if comparison.p_value is not None else "p not computable"
    if comparison.ratio is not None:
        return RollbackCriterion(
            id=cid, met=comparison.ratio >= 10 and comparison.significant,
            evidence=f"error rate {comparison.ratio:.1f}× the rate before the onset ({p})",
        )
    if comparison.before_errors == 0 and comparison.after_errors:
        return RollbackCriterion(
            id=cid, met=comparison.significant,
            evidence=f"0 errors in {human_duration(comparison.before_seconds)} before the onset, "
            f"{comparison.after_errors} in {human_duration(comparison.after_seconds)} after ({p}); "
            "no baseline errors, so the ratio is unbounded",
        )
    return RollbackCriterion(id=cid, met=None, evidence="the error rate cannot be compared with a baseline")


def evaluate_rollback(
    comparison: RateComparison | None,
    blast: BlastRadius,
    top: Candidate | None,
    resource_signals: list[str],
    breaker_services: list[str],
    recovered: bool,
    context: IncidentContext,
    critical_reason: str | None,
    expired_certificates: list[str] = (),
    evidence: CommandEvidence | None = None,
    signal_rise: SignalRise | None = None,
    signal_checks: list[str] = (),
) -> RollbackDecision:
    """The criteria and the recommendation; its commands come from `commands`, each name grounded in `evidence`.
    `signal_rise`: a measured signal (latency) that rose with no error rise: the incident, as an error rise is;
    `signal_checks`: the verification steps that name it and its baseline."""
    evidence = evidence or CommandEvidence()
    significant = comparison is not None and comparison.significant
    rose = f"{signal_rise.what} of {signal_rise.service} rose" if signal_rise is not None and not significant else "errors rose"
    significant = significant or signal_rise is not None
    if top is not None and top.confidence == "NONE":
        top = None  # a change after the onset suggests nothing to undo
    correlated = top is not None and top.confidence in ("HIGH", "MEDIUM")
    notes: list[str] = []

    # What is acted on: the correlated change's service; without one, the service whose errors rose (a weak
    # candidate's service is no target: scaling a caller whose innocent release came first relieves nothing).
    service = ((top.service if correlated else None) or (blast.direct[0] if blast.direct else None)
               or (top.service if top else None))
    target: Target | Refusal | None = find_target(service, context, evidence) if service else None
    scored = top.change if top is not None else None
    change = scored.change if scored is not None else None
    eased = scored is not None and scored.eases is not None
    fix: Grounded | Refusal | None = None
    if change is not None and not eased:
        fix = restore(change, target or Refusal(note="no service to act on"), context, evidence, service=service)
    flag = correlated and scored is not None and scored.feature_flag
    switch = fix if flag and isinstance(fix, Grounded) else None

    criteria = [_rate_criterion(blast, comparison)]
    criteria.append(RollbackCriterion(
        id="critical_user_path", met=blast.critical_path,
        evidence=critical_reason or "no direct service is marked critical or serves checkout, payment or auth",
    ))
    if top is not None and top.confidence != "NONE":
        label = f"{top.service} {top.deploy.version}" if top.deploy and top.deploy.version else top.service
        criteria.append(RollbackCriterion(
            id="deploy_correlation", met=correlated,
            evidence=f"{top.confidence} confidence: {label}, {top.lag_seconds} s before the onset",
        ))
    else:
        criteria.append(RollbackCriterion(id="deploy_correlation", met=False, evidence="no deploy or commit before the onset correlates"))
    scalable = relieved_by_scaling(resource_signals)
    shared = [s for s in resource_signals if s not in scalable]
    if switch is not None:
        quick = f"a feature flag ({change.key}) can be switched back without a deploy"
    elif scalable:
        quick = f"resource exhaustion ({scalable[0]}) may be relieved by scaling"
    else:
        quick = None
    no_quick = "no feature flag or resource signal offers a faster fix than a rollback"
    if quick is None and shared:
        no_quick = (f"{shared[0]} is a limit every replica shares: scaling out would not relieve it; "
                    "no feature flag offers a faster fix than a rollback")
    criteria.append(RollbackCriterion(id="no_quick_mitigation", met=quick is None, evidence=quick or no_quick))
    threshold = context.revenue_threshold_per_hour
    if blast.revenue_per_hour is None:
        criteria.append(RollbackCriterion(id="revenue_threshold", met=None, evidence="revenue at risk unknown: no revenue_per_hour in incident-context.yaml or no error rate"))
    else:
        criteria.append(RollbackCriterion(
            id="revenue_threshold", met=blast.revenue_per_hour >= threshold,
            evidence=f"${blast.revenue_per_hour:,.0f}/hour at risk vs ${threshold:,.0f}/hour threshold",
        ))

    workload = target if isinstance(target, Target) else None
    # A change in a compose file, to a service nothing declares a Kubernetes workload for (its name is only the
    # contract's default): the service runs under compose, which applies the revert; no kubectl undoes or sets it.
    compose_run = (workload is not None and not workload.declared and change is not None and change.place is not None
                   and change.place.system == "compose")
    undo = rollout_undo(workload) if workload and not compose_run else None
    # Where no Kubernetes workload is known, a compose service's change is applied by compose: revert, then recreate.
    compose_change = (top.change.change if top is not None and top.change is not None and (workload is None or compose_run)
                      else None)
    revert = (git_revert(top.commit, compose_change)
              if top is not None and top.commit is not None and not eased else None)
    grounded_fix = fix if isinstance(fix, Grounded) and not compose_run else None

    recommendation: Recommendation
    command: Grounded | None
    alternative: Grounded | None
    if not significant or recovered:
        recommendation, command, alternative = "MONITOR", None, None
        reason = "errors recovered before the end of the logs" if significant else "no significant rise in errors"
    elif switch is not None:
        recommendation, command, alternative = "DISABLE_FEATURE", switch, undo
        reason = f"the correlated change switches feature flag {change.key}"
    elif correlated and top.deploy is not None:
        if flag:
            notes.append(f"feature flag {change.key} has no switch outside a deploy: {fix.note}")
        recommendation = "ROLLBACK"
        command = undo or revert
        alternative = grounded_fix or (revert if command is not revert else None)
        reason = f"{rose} significantly right after {top.service} {top.deploy.version or ''}".rstrip() + " was deployed"
    elif correlated:
        if flag:
            notes.append(f"feature flag {change.key} has no switch outside a deploy: {fix.note}")
        recommendation, command, alternative = "ROLLBACK", revert, grounded_fix
        reason = f"{rose} significantly after commit {top.commit.short if top.commit else ''} to {top.service}"
    elif scalable:
        recommendation = "SCALE"
        relieved = relief(workload, evidence, scalable) if workload else None
        scaled = relieved.command if relieved else None
        command = scaled if isinstance(scaled, Grounded) else None
        if isinstance(scaled, Refusal):
            notes.append(scaled.note)
        alternative = (relieved.alternative or rollout_restart(workload)) if relieved and workload else None
        reason = f"resource exhaustion ({scalable[0]}) and no correlated change"
        if relieved is not None and relieved.why:
            reason += f": {relieved.why}, so its memory limit is raised rather than its replicas"
        if relieved is not None and relieved.note:
            notes.append(relieved.note)
    else:
        # Nothing correlates well enough to undo: fix forward. A weak candidate's revert is offered
        # as the alternative to consider, never as the command.
        recommendation, command, alternative = "HOTFIX", None, revert
        reason = f"{rose} significantly but no change correlates well enough to roll back"
        if expired_certificates:
            # An older release carries the same certificate: renewing it is the fix, reverting is noise.
            alternative = None
            reason = (f"the errors say a TLS certificate expired ({expired_certificates[0]}): renew it; "
                      "no change correlates, and a rollback would ship the same certificate")
        if shared:
            reason += f"; {shared[0]} is a shared limit that more replicas would worsen, not relieve"
    if eased and recommendation != "MONITOR":
        by = f" by commit {top.commit.short}" if top.commit else ""
        notes.append(f"{change.key} was raised from {change.before} to {change.after}{by}: more {scored.eases} eases "
                     "these errors, so it is neither set back nor reverted")
    if recommendation in ("ROLLBACK", "SCALE", "DISABLE_FEATURE") and isinstance(target, Refusal):
        notes.append(target.note)
    if recommendation == "ROLLBACK" and isinstance(fix, Refusal) and not flag and fix.note != getattr(target, "note", None):
        lead = "no alternative" if alternative is None else "the alternative is the revert, not a setting changed back"
        notes.append(f"{lead}: {fix.note}")

    verification = []
    if recommendation == "ROLLBACK" and workload and command is undo:
        verification.append(f"Watch `{rollout_status(workload)}` until the rollback completes")
    verification.extend(signal_checks)
    if recommendation != "MONITOR":
        verification.append("Monitor error rate for 5 minutes")
    if blast.direct:
        base = f" ({percent(blast.baseline_error_rate)})" if blast.baseline_error_rate is not None else ""
        verification.append(f"Verify {blast.direct[0]} success rate returns to baseline{base}")
    for breaker in breaker_services:
        verification.append(f"Confirm the circuit breaker for {breaker} closes")
    if recommendation == "MONITOR":
        verification.append("Re-run the investigation if the error rate rises")
    return RollbackDecision(
        recommendation=recommendation, reason=reason, criteria=criteria,
        command=command.command if command else None, alternative=alternative.command if alternative else None,
        command_parts=command.parts if command else [], alternative_parts=alternative.parts if alternative else [],
        verification=verification, notes=list(dict.fromkeys(notes)),
    )
