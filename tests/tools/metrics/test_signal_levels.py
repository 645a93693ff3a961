"""Levels of counted events: an error rate whose failures are sparse is their mean, not a median of 0, and the
steps a rate() range straddles at the onset are no level's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from wicked_platform.tools.metrics.queries import AskedSeries
from wicked_platform.tools.metrics.signals import signal_from

START = datetime(2024, 6, 4, 9, 0, tzinfo=UTC)


def error_rate(values, query="q"):
    points = [((START + timedelta(minutes=i)).timestamp(), float(v)) for i, v in enumerate(values)]
    return signal_from(AskedSeries(service="api", kind="error_rate", unit="ratio", query=query, points=points),
                       START, START + timedelta(minutes=len(values) - 1))


def test_sparse_failures_are_a_rate_not_a_median_of_zero():
    rng = np.random.default_rng(3)
    # ~1 failure per 4-minute window of 480 requests: most steps hold none (0.2% of 2 a second)
    steady = rng.poisson(0.8, 120) / 480
    signal = error_rate(steady)
    assert np.median(steady) == 0 or signal.after > 0
    assert 0.001 < signal.after < 0.003 and 0.001 < signal.before < 0.003


def test_the_steps_a_rate_range_straddles_are_left_out_of_both_levels():
    # 0.1% then 6% from step 60; a 5-minute range smears the rise over the 5 steps after it
    values = [0.001] * 60 + [0.001 + (0.059 * (i + 1) / 5) for i in range(5)] + [0.06] * 55
    smeared = error_rate(values, query="sum(rate(http_requests_total[5m]))")
    assert smeared.onset is not None
    assert smeared.before == 0.001 and abs(smeared.after - 0.06) < 1e-9
    assert error_rate(values, query="q").after < 0.06  # a query without a range: no step is left out
