"""Where durations rose: the onset of a latency regression, and the rank test of the rise there.

Two steps, as a rollout shapes a regression. First the split that makes the rise most significant: every second
with a sampled duration is a candidate, each scored at once (vectorised) by the rank-sum statistic of the
durations after it against those before, the best taken (the earliest on ties). That split finds a step well, but
a rollout is a ramp: the first new pod serves a third of the traffic, then two thirds, and the rank-sum statistic,
which weighs every duration alike, peaks in the middle of the ramp, when the slow share is already large.

A regression is first seen in the tail: a few requests far slower than nearly any before. So the second step
looks before the rank split for where the ramp began: it marks the durations above the baseline's p99 (the
baseline is what came before the rank split) and cuts the durations before the split where the share of those
rose most (the likelihood-ratio G statistic of the two shares), while that rise is significant, then looks again
before the cut (binary segmentation). On a step nothing rose before the rank split and it stands; on a ramp the
cut is where the first slow requests were logged. The rank test must still hold at the cut.

The p-value is scipy's one-sided Mann-Whitney U test at the split taken, Bonferroni-adjusted by the candidates
tried, as the best of many splits looks significant even in noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from wicked_platform.tools.analysis.error_points import at_second
from wicked_platform.tools.analysis.exact_tests import average_ranks, chi2_sf_1, rank_sum_greater, xlogy

SIGNIFICANT_P = 0.01
MIN_SIDE = 10  # durations on each side of a split, at least: fewer say nothing about a rise
TAIL_PERCENTILE = 99.0  # a duration above the baseline's p99 is a slow one
MAX_ROUNDS = 8  # baselines taken again before a ramp's start; it holds after two or three


@dataclass(frozen=True)
class DurationOnset:
    """Where durations rose, and the rank test of the rise there."""

    at: datetime
    p_value: float
    tests: int


def best_split(seconds: np.ndarray, ms: np.ndarray) -> DurationOnset | None:
    """The onset of the rise in durations (see the module docstring); None when too few durations lie on either
    side of every split, or none rose. `seconds` ascending, `ms` the durations in the same order."""
    n = len(ms)
    if n < 2 * MIN_SIDE:
        return None
    firsts = np.flatnonzero(np.r_[True, seconds[1:] != seconds[:-1]])  # the first duration of each second
    firsts = firsts[(firsts >= MIN_SIDE) & (n - firsts >= MIN_SIDE)]
    if not len(firsts):
        return None
    rank_split = _rank_split(ms, firsts)
    if rank_split is None:
        return None
    tests = len(firsts)
    split = _ramp_start(ms, firsts, rank_split, tests)
    p_value = min(1.0, rank_sum_greater(ms[split:], ms[:split]) * tests)
    if split != rank_split and p_value >= SIGNIFICANT_P:
        split = rank_split
        p_value = min(1.0, rank_sum_greater(ms[split:], ms[:split]) * tests)
    return DurationOnset(at=at_second(int(seconds[split])), p_value=p_value, tests=tests)


def _rank_split(ms: np.ndarray, firsts: np.ndarray) -> int | None:
    """The index where the rank-sum statistic of after against before is greatest, the earliest on ties; None when
    every duration is alike or nothing rose."""
    n = len(ms)
    ranks = average_ranks(ms)
    after_n = n - firsts
    before_n = n - after_n
    after_rank = ranks.sum() - np.r_[0.0, np.cumsum(ranks)][firsts]
    u_after = after_rank - after_n * (after_n + 1) / 2
    _, tie_counts = np.unique(ms, return_counts=True)
    tie_term = float((tie_counts ** 3 - tie_counts).sum()) / (n * (n - 1))
    variance = after_n * before_n / 12.0 * ((n + 1) - tie_term)
    if not (variance > 0).all():
        return None  # every duration alike: nothing rose
    z = (u_after - after_n * before_n / 2.0) / np.sqrt(variance)
    best = int(np.lexsort((np.arange(len(z)), -z))[0])
    return int(firsts[best]) if z[best] > 0 else None


def _ramp_start(ms: np.ndarray, firsts: np.ndarray, rank_split: int, tests: int) -> int:
    """Where the ramp that `rank_split` lies in began: the durations before the split are cut where the share above
    the baseline's p99 rose most, while that rise is significant (Bonferroni-adjusted), and again before the cut,
    until no earlier rise is (binary segmentation). `rank_split` itself when nothing rose before it.

    The baseline is what came before the start found so far: at first everything before the rank split, ramp
    included, whose slow share can lift its p99 among the slow requests (a canary sending 10% of the traffic for
    ten minutes); the p99 is taken again before each new start, until the start holds."""
    start = rank_split
    for _ in range(MAX_ROUNDS):
        slow = ms > np.percentile(ms[:start], TAIL_PERCENTILE)
        found = rank_split
        while (earlier := _tail_rise(slow[:found], firsts[firsts < found], tests)) is not None:
            found = earlier
        if found == start:
            break
        start = found
    return start


def _tail_rise(slow: np.ndarray, candidates: np.ndarray, tests: int) -> int | None:
    """The candidate index after which the share of `slow` rose most (the G statistic of the 2x2 table of side
    by slow/fast, the earliest on ties), when that rise is significant; else None."""
    n, total = len(slow), int(slow.sum())
    if not len(candidates) or total == 0:
        return None
    slow_before = np.r_[0, np.cumsum(slow)][candidates]
    slow_after = total - slow_before
    before_n, after_n = candidates, n - candidates
    fast_before, fast_after = before_n - slow_before, after_n - slow_after
    share = total / n
    g = 2 * (xlogy(slow_before, slow_before / np.maximum(before_n * share, 1e-300))
             + xlogy(slow_after, slow_after / np.maximum(after_n * share, 1e-300))
             + xlogy(fast_before, fast_before / np.maximum(before_n * (1 - share), 1e-300))
             + xlogy(fast_after, fast_after / np.maximum(after_n * (1 - share), 1e-300)))
    g = np.where(slow_after * before_n > slow_before * after_n, g, 0.0)  # only a rise in the slow share counts
    best = int(np.lexsort((np.arange(len(g)), -g))[0])
    if g[best] <= 0 or chi2_sf_1(g[best]) * tests >= SIGNIFICANT_P:
        return None
    return int(candidates[best])
