"""series -> Signal on shapes written apart from the code: a step, a ramp, noise, spikes, too few steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from wicked_platform.tools.metrics.queries import AskedSeries, step_for
from wicked_platform.tools.metrics.signals import mann_whitney_greater, signal_from

START = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


def asked(values, kind="latency_p95", unit="seconds", step=60):
    points = [((START + timedelta(seconds=step * i)).timestamp(), float(v)) for i, v in enumerate(values)]
    return AskedSeries(service="api", kind=kind, unit=unit, query="q", points=points)


def signal(values, **kwargs):
    step = kwargs.get("step", 60)
    return signal_from(asked(values, **kwargs), START, START + timedelta(seconds=step * (len(values) - 1)))


def test_a_step_up_has_its_onset_and_levels():
    rng = np.random.default_rng(7)
    values = np.r_[0.06 + rng.normal(0, 0.004, 120), 0.8 + rng.normal(0, 0.05, 60)]
    s = signal(values)
    assert s.onset == START + timedelta(minutes=120)
    assert s.before == pytest.approx(0.06, abs=0.005) and s.after == pytest.approx(0.8, abs=0.05)
    assert s.ratio > 10 and s.p_value < 1e-10 and len(s.series) == 60


def test_a_memory_ramp_has_an_onset_after_it_began():
    values = [500 + (max(0, i - 100) * 5) for i in range(180)]
    s = signal(values, kind="memory", unit="bytes")
    assert s.onset is not None and s.onset > START + timedelta(minutes=100)


def test_noise_without_a_level_change_has_no_onset():
    rng = np.random.default_rng(3)
    s = signal(0.06 + rng.normal(0, 0.01, 300))
    assert s.onset is None and s.p_value is None and s.ratio == pytest.approx(1, abs=0.1)


def test_a_small_real_rise_is_not_a_regression():
    rng = np.random.default_rng(5)  # +20% latency: significant, but under the factor that makes a regression
    s = signal(np.r_[0.1 + rng.normal(0, 0.002, 100), 0.12 + rng.normal(0, 0.002, 100)])
    assert s.onset is None


def test_error_rate_needs_a_floor_as_well_as_a_factor():
    assert signal([0.0001] * 100 + [0.0004] * 100, kind="error_rate", unit="ratio").onset is None
    assert signal([0.001] * 100 + [0.05] * 100, kind="error_rate", unit="ratio").onset is not None


def test_restart_spikes_are_a_rise_in_their_mean():
    values = [0.0] * 200 + ([60.0, 60.0] + [0.0] * 18) * 5
    s = signal(values, kind="restarts", unit="per hour")
    assert s.onset is not None and s.after == pytest.approx(6, rel=0.2)


def test_too_few_steps_give_levels_only():
    s = signal([1.0, 1.0, 5.0])
    assert s.onset is None and s.before == 1.0 and s.after == 3.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=3, max_size=40), st.lists(st.integers(0, 20), min_size=3, max_size=40))
def test_mann_whitney_is_scipys_asymptotic_test(x, y):
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    if np.all(np.r_[x, y] == x[0]):
        return  # scipy answers NaN for no variation at all; signals never ask it then
    expected = mannwhitneyu(x, y, alternative="greater", method="asymptotic").pvalue
    assert mann_whitney_greater(x, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("span", [timedelta(minutes=5), timedelta(hours=7), timedelta(days=1), timedelta(days=7),
                                  timedelta(days=400)])
def test_step_keeps_a_series_under_a_thousand_points(span):
    step = step_for(START, START + span)
    assert span.total_seconds() / step + 1 <= 1000
    assert step in (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400) or step % 86400 == 0
