"""Latency signals: before/after figures, onsets and series from the durations the lines carry."""

from __future__ import annotations

import random

import pytest

from wicked_platform.tools.analysis.latency_signals import latency_signals
from wicked_platform.tools.logs.scan import scan_logs

T0 = 1_705_327_200  # 2024-01-15T14:00:00Z


def _access_log(tmp_path, slow_from: int, name: str = "checkout-api-access.log"):
    rng = random.Random(3)
    lines = []
    for second in range(1800):
        slow = second >= slow_from
        took = rng.lognormvariate(-2.8, 0.3) * (16 if slow else 1)
        minute, sec = divmod(second, 60)
        lines.append(f'10.0.0.1 - - [15/Jan/2024:14:{minute:02d}:{sec:02d} +0000] "GET /api/checkout HTTP/1.1" 200 5 '
                     f'"-" "ua" {took:.3f} {took:.3f}')
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_signals_of_an_access_log_give_before_after_onset_and_series(tmp_path):
    scan = scan_logs([_access_log(tmp_path, 1000)])
    signals = {s.kind: s for s in latency_signals(scan) if s.route is None}
    p95 = signals["latency_p95"]
    assert p95.source == "logs" and p95.unit == "seconds" and p95.query is None
    assert p95.onset is not None and abs(int(p95.onset.timestamp()) - (T0 + 1000)) <= 5  # a slow-looking fast request may lead it
    assert 0.05 < p95.before < 0.15 and 0.8 < p95.after < 2.5
    assert p95.ratio == pytest.approx(p95.after / p95.before, rel=0.01)
    assert len(p95.series) == 30 and p95.series_step_seconds == 60 and p95.series_start.timestamp() == T0
    assert max(p95.series[:16]) < min(p95.series[17:])  # the per-minute p95 steps up at 14:16:40
    assert set(signals) == {"latency_p50", "latency_p95", "latency_p99"}


def test_signals_are_deterministic(tmp_path):
    path = _access_log(tmp_path, 1000)
    assert latency_signals(scan_logs([path])) == latency_signals(scan_logs([path]))


def test_a_log_without_durations_has_no_signals(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("2024-01-15T14:00:00Z INFO api started\n2024-01-15T14:00:01Z ERROR api boom\n")
    assert latency_signals(scan_logs([path])) == []


def _partly_slow_log(tmp_path, share: float, layout: str):
    """Two lines a second for 30 minutes; from 14:15 `share` of the requests take 20 times longer, the rest as before
    (so the median stays where it was). In a combined access log, or as JSON lines with a duration field."""
    rng = random.Random(11)
    lines = []
    for second in range(1800):
        for _ in range(2):
            took = rng.lognormvariate(-3.0, 0.25) * (20 if second >= 900 and rng.random() < share else 1)
            stamp = f"2024-01-15T14:{second // 60:02d}:{second % 60:02d}Z"
            lines.append(f'10.0.0.1 - - [15/Jan/2024:14:{second // 60:02d}:{second % 60:02d} +0000] "GET /c/1 HTTP/1.1" '
                         f'200 5 "-" "ua" {took:.3f} {took:.3f}' if layout == "access" else
                         f'{{"ts":"{stamp}","level":"info","service":"catalog-api","msg":"request","status":200,'
                         f'"duration_ms":{took * 1000:.1f}}}')
    path = tmp_path / f"catalog-api.{'log' if layout == 'access' else 'jsonl'}"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("layout", ["access", "json"])
def test_a_third_of_requests_slowed_with_the_median_steady_is_significant_degradation(tmp_path, layout):
    from wicked_platform.tools.analysis.latency_signals import slowed_share
    from wicked_platform.tools.analysis.signal_judgment import SignalRise, figure, severity_reasons
    from wicked_platform.tools.figures import percent
    from wicked_platform.tools.timeutil import hhmmss

    scan = scan_logs([_partly_slow_log(tmp_path, 0.33, layout)])
    p95 = next(s for s in latency_signals(scan) if s.kind == "latency_p95" and s.route is None)
    assert p95.onset is not None
    slowed = slowed_share(scan, p95.service, p95.onset)
    assert slowed is not None and 0.25 < slowed.after < 0.42 and slowed.before == pytest.approx(0.01, abs=0.005)
    reasons = severity_reasons(SignalRise(signal=p95, companions=[]), critical_path=False, slowed=slowed)
    assert reasons[0] == ("SEV2", f"Significant degradation: {percent(slowed.after)} of catalog-api's requests since "
                                  f"{hhmmss(p95.onset)} took longer than {figure(slowed.threshold_seconds, 'seconds')}, "
                                  f"which {percent(slowed.before)} did before")


def test_a_tenth_of_requests_slowed_is_a_performance_spike_only(tmp_path):
    from wicked_platform.tools.analysis.latency_signals import slowed_share
    from wicked_platform.tools.analysis.signal_judgment import SignalRise, severity_reasons

    scan = scan_logs([_partly_slow_log(tmp_path, 0.10, "access")])
    p95 = next(s for s in latency_signals(scan) if s.kind == "latency_p95" and s.route is None)
    slowed = slowed_share(scan, p95.service, p95.onset)
    assert slowed is not None and slowed.after < 0.2
    assert [severity for severity, _ in severity_reasons(SignalRise(signal=p95, companions=[]), False, slowed)] == ["SEV3"]
    assert slowed_share(scan, p95.service, scan.start) is None  # nothing before: no share to compare with
