"""The judgment of measured signals, whatever measured them: which rose, what leads, severity, verification."""

from __future__ import annotations

from datetime import UTC, datetime

from wicked_platform.tools.analysis.signal_judgment import (
    as_onset, back_under, has_risen, leading_rise, severity_reasons, verification_steps,
)
from wicked_platform.tools.report import Signal

AT = datetime(2024, 1, 15, 14, 30, 40, tzinfo=UTC)


def _signal(kind="latency_p95", before=0.06, after=1.0, p=1e-12, onset=AT, service="checkout-api", route=None,
            source="logs"):
    return Signal(service=service, route=route, kind=kind, source=source, unit="seconds", before=before, after=after,
                  ratio=after / before if before else None, onset=onset, p_value=p, query=None)


def test_a_rise_needs_an_onset_a_significant_test_and_a_ratio():
    assert has_risen(_signal())
    assert not has_risen(_signal(onset=None))
    assert not has_risen(_signal(p=0.2))
    assert not has_risen(_signal(after=0.08))  # significant, but 1.3x pages nobody
    assert has_risen(_signal(p=None, source="prometheus"))  # a metric with no test: its ratio decides


def test_p95_leads_and_a_route_only_where_no_service_wide_signal_rose():
    rise = leading_rise([_signal("latency_p50"), _signal("latency_p99"), _signal("latency_p95"),
                         _signal(route="/api/cart")])
    assert rise is not None and rise.signal.kind == "latency_p95" and rise.signal.route is None
    assert [s.kind for s in rise.companions] == ["latency_p99", "latency_p50", "latency_p95"]
    only_route = leading_rise([_signal(route="/api/cart"), _signal(after=0.07)])
    assert only_route is not None and only_route.signal.route == "/api/cart"
    assert leading_rise([_signal(p=0.5)]) is None


def test_the_earliest_rise_leads():
    later = _signal(service="a-api", onset=AT.replace(minute=40))
    rise = leading_rise([later, _signal(service="z-api")])
    assert rise is not None and rise.service == "z-api"


def test_as_onset_reads_like_an_error_onset():
    onset = as_onset(leading_rise([_signal()]))
    assert onset.at == AT and onset.significant and onset.what == "p95 latency" and onset.verb == "rose"


def test_verification_names_the_signal_and_twice_its_baseline():
    steps = verification_steps(leading_rise([_signal(before=0.062)]))
    assert steps == ["Verify p95 latency of checkout-api is back under 130 ms (it was 62 ms before 14:30:40, 1.00 s since)"]
    assert back_under(_signal(before=0.05)) == 0.1


def test_severity_half_the_requests_slowed_is_high_a_tail_is_medium():
    both = severity_reasons(leading_rise([_signal(), _signal("latency_p50")]), critical_path=True)
    assert [level for level, _ in both] == ["SEV2", "SEV3"]
    assert "more than half" in both[0][1] and "critical path" in both[1][1]
    tail = severity_reasons(leading_rise([_signal()]), critical_path=False)
    assert [level for level, _ in tail] == ["SEV3"] and tail[0][1].startswith("Performance spike:")


def test_an_error_rate_rising_from_nothing_has_risen_and_leads():
    from datetime import UTC, datetime

    from wicked_platform.tools.analysis.signal_judgment import has_risen, headline_first, leading_rise
    from wicked_platform.tools.report import Signal

    at = datetime(2024, 1, 15, 14, 20, tzinfo=UTC)

    def signal(kind, unit, before, after):
        return Signal(service="cart-api", kind=kind, source="prometheus", unit=unit, before=before, after=after,
                      ratio=None, onset=at, p_value=1e-9, query="q")

    from_zero = signal("error_rate", "ratio", 0.0, 0.3)
    steady = signal("latency_p95", "seconds", 0.06, 0.061).model_copy(update={"onset": None})
    assert has_risen(from_zero) and not has_risen(signal("error_rate", "ratio", 0.0, 0.002))
    assert headline_first([steady, from_zero])[0] is from_zero
    assert leading_rise([steady, from_zero]).signal is from_zero


def test_an_error_rate_rise_past_one_percent_is_high_severity_and_a_small_one_medium():
    from wicked_platform.tools.analysis.signal_judgment import leading_rise, severity_reasons

    def rate(after):
        return _signal("error_rate", before=0.002, after=after).model_copy(update={"unit": "ratio"})

    high = severity_reasons(leading_rise([rate(0.08)]), critical_path=True)
    assert [level for level, _ in high] == ["SEV2", "SEV2"]
    assert high[0][1].startswith("Error rate spike above 1%") and high[1][1].startswith("Critical feature broken")
    assert [level for level, _ in severity_reasons(leading_rise([rate(0.009)]), critical_path=False)] == ["SEV3"]


def test_the_signals_a_decision_rests_on_head_the_report_in_one_kind_order():
    from wicked_platform.tools.analysis.signal_judgment import headline_first

    p95 = _signal()
    memory = _signal("memory", before=1e9, after=1.9e9).model_copy(update={"unit": "bytes"})
    restarts = _signal("restarts", before=0.0, after=6.0).model_copy(update={"unit": "per hour"})
    assert headline_first([p95, restarts, memory], basis=[restarts, memory]) == [memory, restarts, p95]


def test_a_front_yields_the_lead_to_the_service_behind_it_whose_latency_rose_with_it():
    from datetime import timedelta

    from wicked_platform.tools.analysis.impact import fronts_for
    from wicked_platform.tools.context import IncidentContext

    context = IncidentContext.model_validate({"services": {"storefront": {"depends_on": ["search"]}}})

    def fronts(front, other):
        return fronts_for(front, [other], context)

    # An edge proxy's request time holds its upstream's: the edge's split fell a second earlier.
    edge = _signal(service="api-gateway", onset=AT - timedelta(seconds=1), after=3.1)
    origin = _signal(service="catalog-api", after=3.0)
    assert leading_rise([edge, origin]).signal is edge  # without knowing who fronts whom, the earliest leads
    assert leading_rise([edge, origin], fronts=fronts).signal is origin
    # A caller by the context (no proxy in its name) yields to what it calls.
    caller = _signal(service="storefront", onset=AT - timedelta(seconds=20))
    callee = _signal(service="search", onset=AT + timedelta(seconds=30))
    assert leading_rise([caller, callee], fronts=fronts).signal is callee
    # An unrelated service that slowed later, or a front whose upstream rose long after, keeps its own lead.
    worker = _signal(service="report-worker", onset=AT + timedelta(seconds=30))
    assert leading_rise([caller, worker], fronts=fronts).signal is caller
    late = _signal(service="catalog-api", onset=AT + timedelta(minutes=20))
    assert leading_rise([edge, late], fronts=fronts).signal is edge
