from support.scans import make_scan, seed_scan_lines

from wicked_platform.tools.analysis.deploys import deploys_from_logs
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.analysis.timeline import build_timeline


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
