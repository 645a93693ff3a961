"""Signals in the judgment, whatever their source: each rule on two shapes (a Prometheus and a log signal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wicked_platform.tools.analysis.commands import CommandEvidence
from wicked_platform.tools.analysis.metric_judgment import (
    blast_from_signals, decide, reported_signals, with_counters,
)
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.report import BlastRadius, Deploy, RollbackCriterion, RollbackDecision, Signal

AT = datetime(2024, 1, 15, 14, 20, tzinfo=UTC)
CONTEXT = IncidentContext.model_validate({"services": {"checkout-api": {"namespace": "shop", "critical": True},
                                                       "search": {"deployment": "search-web"}}})
IDS = ("error_rate_10x_baseline", "critical_user_path", "deploy_correlation", "no_quick_mitigation", "revenue_threshold")


def sig(service, kind, before, after, onset=AT, source="prometheus", unit="seconds"):
    ratio = after / before if before else None
    return Signal(service=service, kind=kind, source=source, unit=unit, before=before, after=after, ratio=ratio,
                  onset=onset, p_value=1e-9 if onset else None, query="q" if source == "prometheus" else None)


def monitor():
    return RollbackDecision(recommendation="MONITOR", reason="no significant rise in errors",
                            criteria=[RollbackCriterion(id=i, met=False, evidence="-") for i in IDS], command=None,
                            alternative=None, verification=["Re-run the investigation if the error rate rises"])


def deploy(service, at, version=None, source="prometheus"):
    return Deploy(service=service, version=version, at=at, commit=None, source=source)


@pytest.mark.parametrize("source", ["prometheus", "logs"])
def test_metric_judgment_rolls_back_a_latency_rise_right_after_its_deploy(source):
    p95 = sig("checkout-api", "latency_p95", 0.06, 0.9, source=source)
    decision, severity, reasons = decide(monitor(), "SEV4", ["No significant rise in errors"], [p95],
                                         [deploy("checkout-api", AT - timedelta(minutes=2), "v2.5.0", "log")],
                                         CONTEXT, CommandEvidence())
    assert decision.recommendation == "ROLLBACK"
    assert decision.command == "kubectl rollout undo deployment/checkout-api -n shop"
    assert next(c for c in decision.criteria if c.id == "deploy_correlation").met is True
    assert "Verify p95 latency of checkout-api is back under 72 ms (baseline 60 ms)" in decision.verification
    assert severity == "SEV2" and reasons[0].startswith("Critical path degraded: p95 latency of checkout-api")


def test_metric_judgment_does_not_blame_a_deploy_after_the_rise_or_long_before_it():
    p95 = sig("checkout-api", "latency_p95", 0.06, 0.9)
    for at in (AT + timedelta(minutes=1), AT - timedelta(hours=2)):
        decision, *_ = decide(monitor(), "SEV4", [], [p95], [deploy("checkout-api", at)], CONTEXT, CommandEvidence())
        assert decision.recommendation == "HOTFIX" and decision.command is None


@pytest.mark.parametrize("signals", [
    [sig("search", "saturation", 0.55, 0.96, unit="ratio")],
    [sig("search", "saturation", 0.93, 0.95, onset=None, unit="ratio")],  # near its limit all along
    [sig("search", "restarts", 0.0, 6.0, unit="per hour")],
])
def test_metric_judgment_scales_resource_pressure_with_no_change(signals):
    decision, severity, _ = decide(monitor(), "SEV4", [], signals, [], CONTEXT, CommandEvidence())
    assert decision.recommendation == "SCALE"
    assert decision.command.startswith("kubectl scale deployment/search-web --replicas=")
    assert decision.alternative == "kubectl rollout restart deployment/search-web"
    assert next(c for c in decision.criteria if c.id == "no_quick_mitigation").met is False
    assert severity == "SEV3"


def test_metric_judgment_keeps_a_decision_the_logs_made():
    made = monitor().model_copy(update={"recommendation": "HOTFIX", "reason": "logs"})
    decision, severity, _ = decide(made, "SEV2", [], [sig("checkout-api", "latency_p95", 0.06, 0.9)],
                                   [deploy("checkout-api", AT - timedelta(minutes=1))], CONTEXT, CommandEvidence())
    assert decision.recommendation == "HOTFIX" and severity == "SEV2"
    assert any(v.startswith("Verify p95 latency of checkout-api") for v in decision.verification)


def test_a_hotfix_for_want_of_a_quick_mitigation_becomes_scale_when_an_affected_service_is_at_its_limit():
    """The logs' latency rose with no change to blame (HOTFIX: nothing quick), but the service sits at its limit:
    scaling is the quicker relief, even with a deploy of it in the window."""
    made = monitor().model_copy(update={"recommendation": "HOTFIX", "reason": "p95 latency rose with no change"})
    slow = sig("search", "latency_p95", 0.5, 2.4, source="logs")
    at_limit = sig("search", "saturation", 0.6, 0.97, unit="ratio")
    recent = [deploy("search", AT - timedelta(minutes=5))]
    decision, *_ = decide(made, "SEV3", [], [slow, at_limit], recent, CONTEXT, CommandEvidence(), affected=["search"])
    assert decision.recommendation == "SCALE"
    assert decision.command.startswith("kubectl scale deployment/search-web --replicas=")
    # Not for a service the logs did not find affected, not for restarts alone (a crash loop is no capacity
    # problem), and not where the logs showed more replicas would not help.
    for signals, affected, ruled_out in (([slow, at_limit], ["checkout-api"], False),
                                         ([slow, sig("search", "restarts", 0.0, 4.0, unit="per hour")], ["search"], False),
                                         ([slow, at_limit], ["search"], True)):
        kept, *_ = decide(made, "SEV3", [], signals, recent, CONTEXT, CommandEvidence(), affected=affected,
                          scaling_ruled_out=ruled_out)
        assert kept.recommendation == "HOTFIX"


@pytest.mark.parametrize("resource", [
    sig("checkout-api", "cpu", 0.8, 1.1, unit="cores"),       # a traffic ramp
    sig("checkout-api", "memory", 2.0e9, 2.8e9, unit="bytes"),  # a rollout's surge pods summed in
])
def test_cpu_or_memory_that_rose_with_no_limit_to_measure_it_against_decides_nothing(resource):
    for deploys in ([deploy("checkout-api", AT - timedelta(minutes=10), "v2.5.0", "log")], []):
        decision, severity, _ = decide(monitor(), "SEV4", [], [resource], deploys, CONTEXT, CommandEvidence())
        assert (decision.recommendation, severity) == ("MONITOR", "SEV4")
    assert blast_from_signals(blast([]), [resource]).direct == []


def test_metric_judgment_leaves_steady_signals_alone():
    steady = [sig("checkout-api", "latency_p95", 0.06, 0.061, onset=None)]
    decision, severity, _ = decide(monitor(), "SEV4", [], steady, [], CONTEXT, CommandEvidence())
    assert decision == monitor() and severity == "SEV4"


def blast(direct, error_rate=None, notes=()):
    return BlastRadius(services=list(direct), direct=list(direct), cascade=[], critical_path=False,
                       error_rate=error_rate, baseline_error_rate=None, affected_users=None, revenue_per_hour=None,
                       notes=list(notes))


def test_counters_replace_a_rate_counted_in_log_lines():
    counted = sig("orders", "error_rate", 0.001, 0.06, unit="ratio")
    replaced = with_counters(blast(["orders"], 0.5, ["error_rate measured from request lines: 5 of 10"]), [counted])
    assert (replaced.error_rate, replaced.baseline_error_rate) == (0.06, 0.001)
    assert replaced.notes[0].startswith("error_rate from Prometheus request counters (all traffic, not a log sample)")
    assert not any(n.startswith("error_rate measured") for n in replaced.notes)
    from_logs = sig("orders", "error_rate", 0.001, 0.06, source="logs", unit="ratio")
    assert with_counters(blast(["orders"], 0.5), [from_logs]).error_rate == 0.5  # a log rate is no counter


def test_signals_name_the_affected_services_when_the_logs_did_not():
    hit = blast_from_signals(blast([], notes=["no rise in errors was found, so no service is known to be affected"]),
                             [sig("search", "saturation", 0.5, 0.95, unit="ratio"), sig("cart", "cpu", 1, 1.01, None)])
    assert hit.direct == ["search"] and hit.notes[0].startswith("affected services from their signals:")


def test_reported_signals_keep_the_affected_and_the_moved():
    signals = [sig("a", "latency_p95", 1, 1, None), sig("b", "latency_p95", 1, 3), sig("c", "cpu", 1, 1, None)]
    assert [s.service for s in reported_signals(signals, ["a"])] == ["a", "b"]
