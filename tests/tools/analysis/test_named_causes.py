"""Causes the errors name or the change itself makes plain: an expired certificate, a flag switched on,
and errors that never rose at all."""

from datetime import timedelta

from support.scans import at, commit, diff_with, history, make_scan

from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.correlation import rank_candidates
from wicked_platform.tools.analysis.hypotheses import build_hypotheses
from wicked_platform.tools.analysis.impact import affected_services, critical_path_reason
from wicked_platform.tools.analysis.playbook import follow_up_and_lessons
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.analysis.rollback import evaluate_rollback
from wicked_platform.tools.analysis.suspicion import best_change, is_toggle
from wicked_platform.tools.analysis.symptoms import expired_certificates
from wicked_platform.tools.changes.models import ConfigValueChange
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.investigation import (
    assemble_report, assess_blast_radius, decide_mitigation, read_changes, symptoms_from_scan,
)
from wicked_platform.tools.report import InputSummary


def _midnight_expiry():
    lines = [(at(m), "INFO", "orders-api", "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "orders-api",
               "Payment call failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid")
              for s in range(0, 1800, 2)]
    lines += [(at(m), "ERROR", "orders-api", "Payment declined: do_not_honor") for m in range(0, 30, 10)]
    return make_scan(lines)


def test_errors_saying_a_certificate_expired_are_named_as_such():
    scan = _midnight_expiry()
    onset = find_onset(scan)
    found = expired_certificates(scan, onset)
    assert len(found) == 1 and found[0].startswith("orders-api: Payment call failed") and "x509" in found[0]
    assert expired_certificates(make_scan([(at(0), "ERROR", "a", "tls: expired certificate")]), None) == []


def test_an_expired_certificate_is_fixed_forward_not_reverted():
    scan = _midnight_expiry()
    onset = find_onset(scan)
    context = IncidentContext()
    affected = affected_services(scan, onset, context)
    blast = blast_radius(scan, onset, affected, context, "payments failing")
    certificates = expired_certificates(scan, onset)
    # A commit seven hours before the onset, on the failing service: a weak candidate whose revert is not offered.
    weak = commit("a", "feat(orders-api): Finer latency buckets", at(30) - timedelta(hours=7), ["orders-api"])
    [top] = rank_candidates(onset, affected.direct, affected.related, [], history(weak), {}, [])
    assert top.confidence == "LOW"
    decision = evaluate_rollback(onset.comparison, blast, top, [], [], False, context,
                                 critical_path_reason(affected.direct, context, "payments failing"),
                                 expired_certificates=certificates)
    assert decision.recommendation == "HOTFIX" and decision.command is None and decision.alternative is None
    assert "TLS certificate expired" in decision.reason
    hypotheses = build_hypotheses(scan, onset, affected, [], [], context, expired_certificates=certificates)
    assert hypotheses[0].title == "TLS certificate expired" and hypotheses[0].likelihood == "HIGH"
    follow_up, lessons = follow_up_and_lessons(None, "SEV1", [], None, expired_certificates=certificates)
    assert any("expiring within 14 days" in f for f in follow_up) and "Schedule blameless postmortem" in follow_up


def test_a_flag_switched_on_is_as_big_a_change_as_a_tenfold_one():
    flag = ConfigValueChange(file="services/pricing/flags.yaml", key="new_pricing_engine", before="false", after="true")
    ttl = ConfigValueChange(file="services/pricing/settings.py", key="PRICE_CACHE_TTL_SECONDS", before="60", after="120")
    assert is_toggle(flag) and not is_toggle(ttl)
    assert not is_toggle(ConfigValueChange(file="f.yaml", key="enabled", before=None, after="true"))
    signatures = ["<*> failed to price cart <*>", "PricingEngineV2 failed to price cart CART-1: no tax rule"]
    c = commit("p", "release", at(0), ["pricing"])
    best = best_change(diff_with(c, ttl, flag), signatures)
    assert best.change.key == "new_pricing_engine" and best.feature_flag and best.big
    # From the masked signature alone (`PricingEngineV2` is `<*>`) only the TTL shares a word (`price`):
    # the investigation reads the examples too, for exactly this reason.
    assert best_change(diff_with(c, ttl, flag), signatures[:1]).change.key == "PRICE_CACHE_TTL_SECONDS"


def test_steady_noise_has_no_onset_and_is_watched_not_investigated():
    lines = [(at(m), "INFO", "search-api", "ok") for m in range(120)]
    lines += [(at(m), "ERROR", "search-api", "shard timeout") for m in range(3, 120, 9)]
    lines += [(at(60), "INFO", "deploy-bot", "Deployment search-api-v4.2.0 completed")]
    scan = make_scan(lines)
    context = IncidentContext()
    found = symptoms_from_scan(scan, context)
    changes = read_changes(None, found, context)
    blast = assess_blast_radius(found, context, "errors since the release")
    mitigation = decide_mitigation(found, changes, blast, context, "errors since the release")
    report = assemble_report("errors since the release", found, changes, blast, mitigation,
                             InputSummary(repo=None, context=None))
    assert report.started_at is None and report.status == "MONITORING"
    assert report.root_cause is None and report.rollback_decision.recommendation == "MONITOR"
    assert report.blast_radius.direct == [] and report.severity == "SEV4"
    assert any("usual rate" in note for note in report.notes)
    assert report.correlation.confidence == "NONE"
    assert "errors ran at the same rate before and after search-api v4.2.0 (15:00:00)" in report.correlation.evidence


def test_one_lone_error_is_too_little_to_call_steady():
    scan = make_scan([(at(0), "ERROR", "api", "boom")])
    context = IncidentContext()
    found = symptoms_from_scan(scan, context)
    changes = read_changes(None, found, context)
    blast = assess_blast_radius(found, context, "api errors")
    report = assemble_report("api errors", found, changes, blast, decide_mitigation(found, changes, blast, context, "api errors"),
                             InputSummary(repo=None, context=None))
    assert report.status == "INVESTIGATING" and report.started_at is None
    assert "too few errors over too short a time to tell a rise from their usual rate" in report.notes
