from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz
from support.scans import make_scan, seed_scan_lines

from wicked_platform.tools.analysis.deploys import deploys_from_logs
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.analysis.timeline import build_timeline, event_kind, is_alert
from wicked_platform.tools.logs.models import LogEvent


def test_seed_timeline_rows_in_order_with_the_burst_as_one_row():
    scan = make_scan(seed_scan_lines())
    onset = find_onset(scan)
    deploys, _ = deploys_from_logs(scan.events, None)
    rows = build_timeline(scan, onset, deploys)
    got = [(r.at.strftime("%H:%M:%S"), r.kind) for r in rows]
    assert got == [
        ("14:20:00", "deploy"), ("14:20:30", "deploy"), ("14:23:15", "error_onset"),
        ("14:24:00", "warning"), ("14:24:30", "alert"), ("14:25:00", "alert"),
    ]
    onset_row = rows[2]
    assert onset_row.count == 6 and "Payment timeout for order ORD-1001" in onset_row.event


def test_a_release_tagged_days_before_is_not_a_timeline_row():
    """The timeline shows times of day: a week-old tag would read as if it happened that morning."""
    from datetime import timedelta

    from wicked_platform.tools.report import Deploy

    scan = make_scan(seed_scan_lines())
    onset = find_onset(scan)
    old = Deploy(service="checkout-api", version="v2.3.0", at=onset.at - timedelta(days=7), commit="a" * 40, source="git")
    recent = Deploy(service="checkout-api", version="v2.4.0", at=onset.at - timedelta(hours=3), commit="b" * 40, source="git")
    events = [r.event for r in build_timeline(scan, onset, [old, recent])]
    assert "checkout-api v2.4.0 tagged" in events
    assert not any("v2.3.0" in e for e in events)


def _event(level: str, message: str) -> LogEvent:
    return LogEvent(at=datetime(2024, 1, 15, 14, 25, tzinfo=UTC), service="checkout-api", level=level, message=message)


def test_an_alert_is_a_page_that_fires_not_one_that_resolves_or_a_rule_that_changed():
    firing = [("INFO", "Alert: checkout 5xx above 5% for 2 minutes"), ("WARN", "paging payments on-call"),
              ("CRITICAL", "Checkout failures exceeding threshold"), ("INFO", "PagerDuty: incident triggered, paged alice"),
              ("INFO", "alert rule CheckoutErrorRate firing for checkout-api"),
              ("ERROR", "ALERT: host payments-db could not be resolved"), ("INFO", "Alert: checkout-api has not recovered"),
              ("INFO", "Alert: 0 healthy backends for payments-service"), ("INFO", "Alert: orders-db replication disabled"),
              ("WARN", "Alert: config-server unreachable"), ("INFO", "Alert HighErrorRate on checkout (rule: error_rate > 5%)")]
    quiet = [("INFO", "Alert resolved: checkout 5xx back under 5%"), ("INFO", "Reloaded 42 alert rules"),
             ("INFO", "alerts: 0 firing"), ("DEBUG", "evaluating alert checkout-5xx"), ("INFO", "No active alerts"),
             ("INFO", "Alertmanager configuration updated"), ("INFO", "Reloaded alerting rules; 0 alerts firing"),
             ("FINE", "alert check done"), ("INFO", "RESOLVED: checkout 5xx above 5%"), ("INFO", "incident acknowledged by alice")]
    assert [is_alert(_event(level, text)) for level, text in firing] == [True] * len(firing)
    assert [is_alert(_event(level, text)) for level, text in quiet] == [False] * len(quiet)


def test_a_threshold_is_an_alert_row_when_logged_as_an_error_and_a_warning_row_when_warned():
    assert event_kind(_event("WARN", "Payment provider latency p99 1.8s (threshold 1.5s)")) == "warning"
    assert event_kind(_event("ERROR", "Error rate 12% over the 5% threshold")) == "alert"
    assert event_kind(_event("INFO", "Circuit breaker is OPEN for payment-service")) == "alert"
    assert event_kind(_event("INFO", "Alert resolved: checkout 5xx back under 5%")) == "recovery"


def test_a_burst_folds_by_the_messages_own_signature_even_where_its_digit_shape_reads_as_hex():
    at = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
    lines = [(at.replace(second=s), "CRITICAL", "k8s", m)
             for s, m in ((0, "Scaled pool to 12-node"), (10, "Scaled pool to 3x3-node"), (20, "Scaled pool to 4-node"))]
    rows = build_timeline(make_scan(lines), None, [])
    assert [(r.event, r.count) for r in rows] == [("Scaled pool to 12-node", 3)]


# The timeline always shows the onset: an `error_onset` row at the onset's second, whatever else is there.
def _onset_rows(rows, onset):
    return [r for r in rows if r.kind == "error_onset" and r.at == onset.at]


def test_errors_that_were_there_before_and_rose_get_an_onset_row_with_their_counts():
    """No deploy, no alert, no new message: the same upstream error, three times an hour, then every second."""
    t0 = datetime(2024, 3, 2, 9, 0, tzinfo=UTC)
    lines = [(t0.replace(minute=m), "INFO", "orders-api", "served request") for m in range(20)]
    lines += [(t0.replace(minute=m, second=30), "ERROR", "orders-api", "upstream connect error to inventory-svc")
              for m in (0, 7, 14)]
    lines += [(t0.replace(minute=20, second=s), "ERROR", "orders-api", "upstream connect error to inventory-svc")
              for s in range(50)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    rows = build_timeline(scan, onset, [])
    [row] = _onset_rows(rows, onset)
    assert row.service == "orders-api" and row.count == 50
    assert row.event == "Errors rose: upstream connect error to inventory-svc (×50 from here, ×3 before)"


def test_a_critical_line_at_the_onset_is_the_onset_row_not_an_alert_beside_it():
    t0 = datetime(2024, 10, 14, 3, 0, tzinfo=UTC)
    lines = [(t0.replace(minute=m), "INFO", "postgres", "checkpoint complete") for m in range(12)]
    lines += [(t0.replace(minute=12, second=7), "CRITICAL", "postgres", "PANIC: could not write to file: No space left on device"),
              (t0.replace(minute=13, second=0), "CRITICAL", "postgres", "PANIC: could not write to file: No space left on device")]
    lines += [(t0.replace(minute=12, second=8 + s), "ERROR", "checkout-api", f"Failed to place order ORD-{s}: connection refused")
              for s in range(30)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    rows = build_timeline(scan, onset, [])
    [row] = _onset_rows(rows, onset)
    assert row.service == "postgres" and row.event.startswith("First errors: PANIC: could not write to file")
    assert [r.kind for r in rows if r.at == onset.at] == ["error_onset"]  # not the same line twice
    assert [r.event.split(":")[0] for r in rows if r.service == "checkout-api"] == ["New error"]


def test_a_long_run_up_never_cuts_the_onset_row():
    t0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    lines = [(t0 + timedelta(minutes=2 * i), "WARN", f"svc-{i}", f"threshold warning {i} on svc-{i}") for i in range(80)]
    spike = t0 + timedelta(minutes=170)
    lines += [(spike + timedelta(seconds=s), "ERROR", "billing", "charge failed: gateway timeout") for s in range(40)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    rows = build_timeline(scan, onset, [])
    assert len(rows) == 60 and len(_onset_rows(rows, onset)) == 1


_SERVICES = st.sampled_from(["api", "db", "web"])
_MESSAGES = st.sampled_from(["timeout calling payments", "connection refused", "PANIC: disk full", "circuit breaker open",
                             "deploy of api v2 started", "alert firing: 5xx over 5%", "threshold exceeded"])


@fuzz(150)
@given(st.lists(st.tuples(st.integers(0, 3600), st.sampled_from(["ERROR", "CRITICAL", "WARN", "INFO"]), _SERVICES, _MESSAGES),
                min_size=1, max_size=60),
       st.integers(600, 3000), st.integers(5, 60), _SERVICES, _MESSAGES)
def test_whenever_there_is_an_onset_the_timeline_has_its_row(noise, spike_at, spike_size, service, message):
    t0 = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
    lines = [(t0 + timedelta(seconds=s), level, svc, text) for s, level, svc, text in noise]
    lines += [(t0 + timedelta(seconds=spike_at + i // 3), "ERROR", service, message) for i in range(spike_size)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    rows = build_timeline(scan, onset, [])
    if onset is not None:
        assert len(_onset_rows(rows, onset)) == 1, [(r.at, r.kind, r.event) for r in rows]
