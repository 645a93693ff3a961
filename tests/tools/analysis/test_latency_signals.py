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
