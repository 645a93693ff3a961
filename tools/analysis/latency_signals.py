"""Latency signals from the durations the log lines carry: p50/p95/p99 per service (p95 per busy route), each
with its onset and a rank test of the rise.

The quantiles per minute are DuckDB's (scan_results.fetch_latency, over every line). The onset is chosen the
way the error onset chooses its own (rates.find_onset): every second with a sampled duration is a candidate
split, each scored at once (vectorised) by the rank-sum statistic of the durations after it against those
before, the best taken (the earliest on ties); its p-value is scipy's one-sided Mann-Whitney U test at that
split, Bonferroni-adjusted by the candidates tried, as the best of many splits looks significant even in noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from wicked_platform.tools.analysis.error_points import at_second
from wicked_platform.tools.analysis.exact_tests import average_ranks, rank_sum_greater
from wicked_platform.tools.logs.models import LatencyTable, LogScan
from wicked_platform.tools.report import Signal, SignalKind
from wicked_platform.tools.timeutil import epoch_us

SIGNIFICANT_P = 0.01
MIN_SIDE = 10  # durations on each side of a split, at least: fewer say nothing about a rise
MAX_STEPS = 60  # a signal's series for the sparkline holds at most this many steps
QUANTILES: tuple[tuple[SignalKind, float], ...] = (("latency_p50", 50.0), ("latency_p95", 95.0), ("latency_p99", 99.0))


@dataclass(frozen=True)
class DurationOnset:
    """Where durations rose, and the rank test of the rise there."""

    at: datetime
    p_value: float
    tests: int


def best_split(seconds: np.ndarray, ms: np.ndarray) -> DurationOnset | None:
    """The split that makes the rise in durations most significant (see the module docstring); None when too few
    durations lie on either side of every split, or none rose. `seconds` ascending."""
    n = len(ms)
    if n < 2 * MIN_SIDE:
        return None
    ranks = average_ranks(ms)
    firsts = np.flatnonzero(np.r_[True, seconds[1:] != seconds[:-1]])  # the first duration of each second
    after_n = n - firsts
    usable = (firsts >= MIN_SIDE) & (after_n >= MIN_SIDE)
    if not usable.any():
        return None
    firsts, after_n = firsts[usable], after_n[usable]
    before_rank = np.r_[0.0, np.cumsum(ranks)][firsts]
    after_rank = ranks.sum() - before_rank
    u_after = after_rank - after_n * (after_n + 1) / 2
    before_n = n - after_n
    _, tie_counts = np.unique(ms, return_counts=True)
    tie_term = float((tie_counts ** 3 - tie_counts).sum()) / (n * (n - 1))
    variance = after_n * before_n / 12.0 * ((n + 1) - tie_term)
    if not (variance > 0).all():
        return None  # every duration alike: nothing rose
    z = (u_after - after_n * before_n / 2.0) / np.sqrt(variance)
    best = int(np.lexsort((np.arange(len(z)), -z))[0])
    if z[best] <= 0:
        return None
    split = firsts[best]
    tests = len(firsts)
    p_value = min(1.0, rank_sum_greater(ms[split:], ms[:split]) * tests)
    return DurationOnset(at=at_second(int(seconds[split])), p_value=p_value, tests=tests)


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
