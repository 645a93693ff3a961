"""Latency signals from the durations the log lines carry: p50/p95/p99 per service (p95 per busy route), each
with its onset and a rank test of the rise.

The quantiles per minute are DuckDB's (scan_results.fetch_latency, over every line). The onset and its rank
test are duration_onset's, one per service (and per busy route) for all three quantiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.duration_onset import SIGNIFICANT_P, DurationOnset, best_split
from wicked_platform.tools.analysis.error_points import at_second
from wicked_platform.tools.logs.models import LatencyTable, LogScan
from wicked_platform.tools.report import Signal, SignalKind
from wicked_platform.tools.timeutil import UtcDatetime, epoch_us

MAX_STEPS = 60  # a signal's series for the sparkline holds at most this many steps
QUANTILES: tuple[tuple[SignalKind, float], ...] = (("latency_p50", 50.0), ("latency_p95", 95.0), ("latency_p99", 99.0))


def latency_signals(scan: LogScan) -> list[Signal]:
    """A service's p50/p95/p99 and its busiest routes' p95, each with before/after figures, its onset where the
    durations rose significantly, and its series for the sparkline. Empty when no line said how long it took."""
    table = scan.latency
    if not table.series or scan.start is None or scan.end is None:
        return []
    signals: list[Signal] = []
    seconds = np.array(table.sample_seconds, dtype=np.int64)
    ms = np.array(table.sample_ms, dtype=float)
    services = np.array(table.sample_services, dtype=object)
    routes = np.array(table.sample_routes, dtype=object)
    for key, series in enumerate(table.series):
        mask = services == series.service
        if series.route is not None:
            mask &= routes == series.route
        own_seconds, own_ms = seconds[mask], ms[mask]
        order = np.argsort(own_seconds, kind="stable")
        own_seconds, own_ms = own_seconds[order], own_ms[order]
        onset = best_split(own_seconds, own_ms)
        kinds = QUANTILES if series.route is None else QUANTILES[1:2]
        for kind, q in kinds:
            signals.append(_signal(scan, table, key, kind, q, own_seconds, own_ms, onset))
    return signals


def _signal(scan: LogScan, table: LatencyTable, key: int, kind: SignalKind, q: float, seconds: np.ndarray,
            ms: np.ndarray, onset: DurationOnset | None) -> Signal:
    series = table.series[key]
    if onset is not None:
        split = epoch_us(onset.at) // 1_000_000
    else:  # no rise: the window's halves, as the contract says
        split = (epoch_us(scan.start) + (epoch_us(scan.end) - epoch_us(scan.start)) // 2) // 1_000_000
    before_ms, after_ms = ms[seconds < split], ms[seconds >= split]
    before = _seconds(np.percentile(before_ms, q)) if len(before_ms) else None
    after = _seconds(np.percentile(after_ms, q)) if len(after_ms) else None
    rose = onset is not None and onset.p_value < SIGNIFICANT_P and before is not None and after is not None and after > before
    steps, start, step_seconds = _steps(scan, table, key, kind)
    return Signal(
        service=series.service, route=series.route, kind=kind, source="logs", unit="seconds", before=before,
        after=after, ratio=round(after / before, 2) if before and after is not None else None,
        onset=onset.at if rose else None, p_value=_p(onset.p_value) if onset is not None else None, query=None,
        series=steps, series_start=start, series_step_seconds=step_seconds,
    )


def _seconds(ms: float) -> float:
    return round(float(ms) / 1000.0, 6)


def _p(value: float) -> float:
    return float(f"{value:.3g}")


def _steps(scan: LogScan, table: LatencyTable, key: int, kind: SignalKind) -> tuple[list[float | None], datetime, int]:
    """The per-minute quantile across the window in at most MAX_STEPS steps of whole minutes: each step the
    line-weighted mean of its minutes' quantiles, in seconds; None where no line said how long it took."""
    first = epoch_us(scan.start) // 1_000_000 // 60 * 60
    last = epoch_us(scan.end) // 1_000_000 // 60 * 60
    minutes = (last - first) // 60 + 1
    step = 60 * max(1, math.ceil(minutes / MAX_STEPS))
    count = (last - first) // step + 1
    totals, weights = [0.0] * count, [0] * count
    values: Sequence[float] = {"latency_p50": table.p50, "latency_p95": table.p95, "latency_p99": table.p99}[kind]
    for minute, point_key, n, value in zip(table.minutes, table.keys, table.counts, values, strict=True):
        if point_key != key or not first <= minute <= last:
            continue
        index = (minute - first) // step
        totals[index] += value * n
        weights[index] += n
    steps = [_seconds(total / weight) if weight else None for total, weight in zip(totals, weights, strict=True)]
    return steps, at_second(first), step


SLOW_QUANTILE = 99.0
"""A request slower than this share of the service's requests were before the onset is a slowed one."""
MIN_SHARE_SAMPLES = 100  # durations on each side of the onset, at least, for a share to say anything


class SlowedShare(BaseModel):
    """How many of a service's requests since a latency onset took longer than all but 1% did before it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: str
    at: UtcDatetime
    threshold_seconds: float = Field(description="the duration 99% of the requests before the onset stayed under")
    before: float = Field(description="share of the requests before the onset over the threshold (about 0.01)")
    after: float = Field(description="share of the requests since the onset over it")


def slowed_share(scan: LogScan, service: str, at: datetime) -> SlowedShare | None:
    """The share of `service`'s requests since `at` slower than its 99th percentile before `at`, from the
    durations the scan sampled (a deterministic sample, so shares stay unbiased); None with too few durations."""
    table = scan.latency
    seconds = np.array(table.sample_seconds, dtype=np.int64)
    ms = np.array(table.sample_ms, dtype=float)
    own = np.array(table.sample_services, dtype=object) == service
    split = epoch_us(at) // 1_000_000
    before, after = ms[own & (seconds < split)], ms[own & (seconds >= split)]
    if len(before) < MIN_SHARE_SAMPLES or len(after) < MIN_SHARE_SAMPLES:
        return None
    threshold = float(np.percentile(before, SLOW_QUANTILE))
    return SlowedShare(service=service, at=at, threshold_seconds=_seconds(threshold),
                       before=round(float(np.mean(before > threshold)), 4), after=round(float(np.mean(after > threshold)), 4))
