"""The onset of a rise in durations: a step where it steps, a ramp where its first slow requests were logged, and
the p-value scipy's rank test, adjusted for the splits tried."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from wicked_platform.tools.analysis.duration_onset import MIN_SIDE, best_split

T0 = 1_705_327_200  # 2024-01-15T14:00:00Z


def _durations(slow_from: int | None, seed: int = 7, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    seconds = np.arange(T0, T0 + n, dtype=np.int64)
    ms = np.array([rng.lognormvariate(4.1, 0.3) * (16 if slow_from is not None and s >= slow_from else 1)
                   for s in seconds.tolist()])
    return seconds, ms


def test_the_onset_is_where_durations_rose_and_its_p_value_is_scipys_adjusted():
    seconds, ms = _durations(T0 + 400)
    onset = best_split(seconds, ms)
    assert onset is not None
    assert int(onset.at.timestamp()) == T0 + 400
    split = 400
    exact = mannwhitneyu(ms[split:], ms[:split], alternative="greater").pvalue
    assert onset.tests == len(seconds) - 2 * MIN_SIDE + 1
    assert onset.p_value == pytest.approx(min(1.0, exact * onset.tests))


def test_steady_durations_have_no_significant_onset():
    seconds, ms = _durations(None)
    onset = best_split(seconds, ms)
    assert onset is None or onset.p_value > 0.01


def test_too_few_durations_say_nothing():
    seconds, ms = _durations(T0 + 5, n=2 * MIN_SIDE - 1)
    assert best_split(seconds, ms) is None


def test_a_fall_is_no_rise():
    seconds, ms = _durations(None)
    ms[300:] /= 16
    onset = best_split(seconds, ms)
    assert onset is None or onset.p_value > 0.01



def _ramped(slow_share, seed: int = 11, rate: float = 2.0, n_seconds: int = 3600):
    """Requests at `rate` per second for an hour, each slow (x60, a query that lost its LIMIT) with the
    probability `slow_share(second)` gives."""
    rng = random.Random(seed)
    seconds, ms = [], []
    t = float(T0)
    while (t := t + rng.expovariate(rate)) < T0 + n_seconds:
        second = int(t)
        slow = rng.random() < slow_share(second)
        seconds.append(second)
        ms.append(rng.lognormvariate(3.7, 0.25) * (60 if slow else 1))
    return np.array(seconds, dtype=np.int64), np.array(ms)


def test_a_rollout_ramp_starts_where_its_first_pod_took_traffic():
    # Three pods, replaced two minutes apart from 14:30; a third of the traffic is the route that became slow.
    start = T0 + 1800
    pods_new = lambda s: 0 if s < start else min(3, 1 + (s - start) // 120)  # noqa: E731
    seconds, ms = _ramped(lambda s: pods_new(s) / 3 / 3)
    onset = best_split(seconds, ms)
    assert onset is not None and onset.p_value < 0.01
    assert start <= int(onset.at.timestamp()) <= start + 5


def test_a_canary_takes_its_share_first_and_the_onset_is_the_canary():
    # 10% of the traffic slow for ten minutes (the canary), then all of it.
    canary = T0 + 1200
    seconds, ms = _ramped(lambda s: 0.0 if s < canary else 0.1 if s < canary + 600 else 1.0, seed=5)
    onset = best_split(seconds, ms)
    assert onset is not None and onset.p_value < 0.01
    assert canary <= int(onset.at.timestamp()) <= canary + 10


def test_one_slow_request_long_before_the_rise_does_not_move_the_onset():
    rise = T0 + 2400
    seconds, ms = _ramped(lambda s: 1.0 if s >= rise else 0.0, seed=9)
    ms[100] *= 80  # a lone slow request twenty minutes before
    onset = best_split(seconds, ms)
    assert onset is not None and int(onset.at.timestamp()) == int(seconds[np.searchsorted(seconds, rise)])


def test_a_tail_that_widens_for_a_moment_is_no_onset_for_a_rise_that_never_came():
    seconds, ms = _ramped(lambda s: 0.3 if T0 + 1000 <= s < T0 + 1010 else 0.0, seed=13)
    onset = best_split(seconds, ms)
    assert onset is None or onset.p_value > 0.01
