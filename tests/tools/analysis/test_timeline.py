from datetime import UTC, datetime

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
