"""Blast radius, severity and the rollback decision, end to end over the analysis layer."""

from datetime import timedelta

import pytest
from support.scans import at, commit, diff_with, history, make_scan, seed_scan_lines

from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.correlation import rank_candidates
from wicked_platform.tools.analysis.deploys import deploys_from_logs
from wicked_platform.tools.analysis.impact import affected_services, critical_path_reason
from wicked_platform.tools.analysis.rates import compare_at, find_onset
from wicked_platform.tools.analysis.commands import CommandEvidence, env_name
from wicked_platform.tools.analysis.rollback import evaluate_rollback, relieved_by_scaling
from wicked_platform.tools.analysis.severity import assess_severity
from wicked_platform.tools.analysis.symptoms import open_breakers, rising_signatures
from wicked_platform.tools.changes.models import ConfigValueChange
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import RequestPoint

DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"


def _decide(scan, context, description=DESCRIPTION, changes=(), resources=()):
    onset = find_onset(scan)
    affected = affected_services(scan, onset, context)
    blast = blast_radius(scan, onset, affected, context, description)
    perf = commit("a", "perf(checkout-api): Optimize timeout settings", scan.start - timedelta(minutes=30), ["checkout-api"])
    deploys, _ = deploys_from_logs(scan.events, history(perf))
    ranked = rank_candidates(onset, affected.direct, affected.related, deploys, history(perf),
                             {perf.sha: diff_with(perf, *changes)}, [s.signature for s in scan.signatures])
    comparison = compare_at(scan, onset.at, affected.direct[:1], tests=onset.tests)
    decision = evaluate_rollback(comparison, blast, ranked[0] if ranked else None, list(resources),
                                 open_breakers(scan, onset), False, context,
                                 critical_path_reason(affected.direct, context, description), evidence=_logged(scan))
    rising = rising_signatures(scan, onset, affected.direct)
    severity = assess_severity(description, comparison, rising, blast, scan.events, context, False)
    return affected, blast, decision, severity


def _logged(scan) -> CommandEvidence:
    """The services the scan's lines come from: what names a workload when nothing else does."""
    counts = {}
    for sig in scan.signatures:
        counts[sig.service] = counts.get(sig.service, 0) + sig.count
    return CommandEvidence(log_services=counts)


TIMEOUT = ConfigValueChange(file="services/checkout-api/config.ts", key="paymentTimeout", before="5000", after="500")


def test_seed_log_without_context_rolls_back_with_honest_nulls():
    affected, blast, decision, (severity, reasons) = _decide(make_scan(seed_scan_lines()), IncidentContext(), changes=[TIMEOUT])
    assert affected.direct == ["checkout-api"] and affected.cascade == ["payment-service"]
    assert blast.error_rate is None and blast.affected_users is None and blast.revenue_per_hour is None
    assert any("affected_users unknown" in n for n in blast.notes)
    assert severity == "SEV1" and reasons[0].startswith("Payment processing down")
    assert decision.recommendation == "ROLLBACK"
    assert decision.command == "kubectl rollout undo deployment/checkout-api"
    # Nothing says PAYMENT_TIMEOUT exists (no config_env, no repository read): the revert, and a note why.
    assert decision.alternative == f"git revert --no-edit {'a' * 40}"
    assert any("no environment variable is known to set paymentTimeout" in n for n in decision.notes)
    assert decision.command_parts[0].source.startswith("the logs: ")
    met = {c.id: c.met for c in decision.criteria}
    assert met == {"error_rate_10x_baseline": True, "critical_user_path": True, "deploy_correlation": True,
                   "no_quick_mitigation": True, "revenue_threshold": None}
    assert "Confirm the circuit breaker for payment-service closes" in decision.verification


def test_context_and_access_log_give_rate_users_and_revenue():
    lines = seed_scan_lines()
    start = lines[0][0] - timedelta(minutes=20)
    requests = []
    for s in range(0, 25 * 60, 60):
        when = start + timedelta(seconds=s)
        failing = when >= lines[2][0]
        requests.append(RequestPoint(at=when, service="checkout-api", requests=47, errors=40 if failing else (1 if s % 120 == 0 else 0)))
    scan = make_scan(lines, requests=requests)
    context = IncidentContext.model_validate({"services": {"checkout-api": {
        "critical": True, "namespace": "shop", "active_users": 16000, "revenue_per_hour": 211000,
        "config_env": {"paymentTimeout": "CHECKOUT_PAYMENT_TIMEOUT_MS"}}}})
    _, blast, decision, (severity, _) = _decide(scan, context, changes=[TIMEOUT])
    assert blast.error_rate == pytest.approx(40 / 47, abs=0.01)
    assert 2000 <= blast.affected_users <= 2800
    assert blast.revenue_per_hour == pytest.approx(211000 * blast.error_rate, rel=0.01)
    assert decision.command == "kubectl rollout undo deployment/checkout-api -n shop"
    assert decision.alternative == "kubectl set env deployment/checkout-api CHECKOUT_PAYMENT_TIMEOUT_MS=5000 -n shop"
    assert all(c.met for c in decision.criteria)
    assert severity == "SEV1"


def test_noise_only_is_monitor_and_low_severity():
    lines = [(at(m), "INFO", "api", "ok") for m in range(120)]
    lines += [(at(m), "ERROR", "api", "upstream flaked") for m in range(3, 120, 9)]
    lines += [(at(60), "INFO", "api", "Deployment api-v1.0.1 completed")]
    _, _, decision, (severity, _) = _decide(make_scan(lines), IncidentContext(), description="some errors in api")
    assert decision.recommendation == "MONITOR" and decision.command is None
    assert severity in ("SEV3", "SEV4")


FLAG = ConfigValueChange(file="services/checkout-api/flags.yaml", key="newPricingEnabled", before="false", after="true")


def test_feature_flag_with_a_switch_recommends_disabling_it():
    context = IncidentContext.model_validate({"services": {"checkout-api": {
        "config_env": {"newPricingEnabled": "FEATURE_NEW_PRICING"}}}})
    _, _, decision, _ = _decide(make_scan(seed_scan_lines()), context, changes=[FLAG])
    assert decision.recommendation == "DISABLE_FEATURE"
    assert decision.command == "kubectl set env deployment/checkout-api FEATURE_NEW_PRICING=false"
    assert [p.role for p in decision.command_parts] == ["workload", "variable", "value"]
    assert decision.command_parts[1].source == "incident-context.yaml: services.checkout-api.config_env.newPricingEnabled"


def test_a_flag_without_a_switch_is_rolled_back_never_disabled_with_no_command():
    """DISABLE_FEATURE always has a command: a flag only a deploy can switch is rolled back, and a note says why."""
    _, _, decision, _ = _decide(make_scan(seed_scan_lines()), IncidentContext(), changes=[FLAG])
    assert decision.recommendation == "ROLLBACK"
    assert decision.command == "kubectl rollout undo deployment/checkout-api"
    assert any(n.startswith("feature flag newPricingEnabled has no switch outside a deploy") for n in decision.notes)
    assert next(c for c in decision.criteria if c.id == "no_quick_mitigation").met is True


def _resource_decision(message: str):
    lines = [(at(m), "INFO", "db-api", "ok") for m in range(60)]
    lines += [(at(40 + s / 60), "ERROR", "db-api", message) for s in range(0, 600, 5)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    affected = affected_services(scan, onset, IncidentContext())
    blast = blast_radius(scan, onset, affected, IncidentContext(), "db errors")
    return evaluate_rollback(compare_at(scan, onset.at, tests=onset.tests), blast, None, [f"db-api: {message}"], [], False,
                             IncidentContext(), None, evidence=_logged(scan))


def test_resource_exhaustion_without_a_correlated_change_scales():
    decision = _resource_decision("java.lang.OutOfMemoryError: Java heap space")
    assert decision.recommendation == "SCALE"
    assert decision.command.startswith("kubectl scale deployment/db-api --replicas=$((")
    assert decision.alternative == "kubectl rollout restart deployment/db-api"
    quick = next(c for c in decision.criteria if c.id == "no_quick_mitigation")
    assert quick.met is False and "relieved by scaling" in quick.evidence


@pytest.mark.parametrize("message", ["ER_CON_COUNT_ERROR: Too many connections", "FATAL: sorry, too many clients already",
                                     "write /var/lib/app/spool: no space left on device"])
def test_a_limit_every_replica_shares_is_not_scaled(message):
    """More replicas open more connections against a database that refuses them, and free no disk."""
    decision = _resource_decision(message)
    assert decision.recommendation == "HOTFIX"
    assert "shared limit" in decision.reason
    quick = next(c for c in decision.criteria if c.id == "no_quick_mitigation")
    assert quick.met is True and "scaling out would not relieve it" in quick.evidence


def test_scalable_and_shared_signals_together_still_scale():
    assert relieved_by_scaling(["a: Too many connections", "b: OOMKilled", "c: disk full"]) == ["b: OOMKilled"]


@pytest.mark.parametrize("key,env", [("paymentTimeout", "PAYMENT_TIMEOUT"), ("db.pool.size", "DB_POOL_SIZE"),
                                     ("MAX_RETRIES", "MAX_RETRIES"), ("httpClientTimeoutMs", "HTTP_CLIENT_TIMEOUT_MS")])
def test_env_name_derivation(key, env):
    assert env_name(key) == env


def test_only_a_deploy_after_the_onset_gives_no_command_to_undo_it():
    from wicked_platform.tools.analysis.correlation import Candidate
    from wicked_platform.tools.report import Deploy

    scan = make_scan(seed_scan_lines())
    onset = find_onset(scan)
    late = Deploy(service="checkout-api", version="v2.4.2", at=onset.at + timedelta(minutes=1), commit=None, source="log")
    top = rank_candidates(onset, ["checkout-api"], [], [late], history(), {}, [])[0]
    assert isinstance(top, Candidate) and top.confidence == "NONE"
    affected = affected_services(scan, onset, IncidentContext())
    blast = blast_radius(scan, onset, affected, IncidentContext(), "errors")
    decision = evaluate_rollback(compare_at(scan, onset.at, ["checkout-api"], tests=onset.tests), blast, top, [], [],
                                 False, IncidentContext(), None)
    assert decision.recommendation == "HOTFIX"
    assert decision.command is None and decision.alternative is None
    assert not next(c for c in decision.criteria if c.id == "deploy_correlation").met


def test_baseline_noise_in_a_bystander_is_not_cascade():
    """Two errors after the onset against two before, or one of several quiet services passing
    p < 0.05 by chance, is no cascade (db-pool-exhaustion, red-herring-late-deploy)."""
    lines = [(at(m), "INFO", svc, "ok") for m in range(60) for svc in ("orders-api", "payments-api", "cart-api")]
    lines += [(at(40 + s / 60), "ERROR", "orders-api", "Timeout acquiring a connection") for s in range(0, 1200, 3)]
    lines += [(at(m), "ERROR", "payments-api", "Provider answered 502") for m in (7, 31, 44, 52)]
    # cart-api: 5 errors in 40 min, then 8 in 20 — p ≈ 0.034 on its own, but two bystanders share the 0.05.
    lines += [(at(m), "ERROR", "cart-api", "upstream connect error") for m in (3, 12, 20, 28, 36, 41, 43, 45, 47, 50, 53, 55, 58)]
    lines += [(at(41), "WARN", "inventory-service", "Pool could not grow: MySQL refused new connections")]
    scan = make_scan(lines)
    onset = find_onset(scan)
    assert 0.025 < compare_at(scan, onset.at, ["cart-api"]).p_value < 0.05
    affected = affected_services(scan, onset, IncidentContext())
    assert affected.direct == ["orders-api"]
    assert affected.cascade == ["inventory-service"]  # a new symptom after the onset still is
