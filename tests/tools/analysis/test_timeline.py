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
