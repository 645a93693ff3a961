"""A service's series -> a `Signal`: where it rose (the onset), its level before and after, and the test of the rise.

The onset is the split of the series that best separates a lower level before from a higher one after (the
largest Welch t statistic over all splits); the rise is tested with a one-sided Mann-Whitney U test of the
steps after against the steps before (scipy), and counts only when it is also large enough to matter for its
kind (RISE). Steps of a range query are not independent samples, so the p-value is a guide, which is why the
size of the rise is asked as well. Levels are medians (one slow minute does not make a baseline), except for
counts of events, which are means: restarts (most steps have none) and error rates (at 0.2% of two requests a
second most rate windows hold no failure, and the median of such steps is 0 where the counters' failed / all
requests is not; the mean of the steps' ratios is that ratio where traffic is steady).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np

from wicked_platform.tools.metrics.queries import AskedSeries
from wicked_platform.tools.report import Signal

SPARK_STEPS = 60
MIN_STEPS = 6  # fewer steps than this in the window: levels only, no onset
ALPHA = 0.001
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
MEAN_LEVELS = ("restarts", "error_rate")  # counts of events: their level is the mean of the steps (module doc)


class Rise:
    """How much higher a level must be for its kind to count as a regression: a factor and a floor."""

    def __init__(self, factor: float, at_least: float = 0.0):
        self.factor, self.at_least = factor, at_least

    def met(self, before: float, after: float) -> bool:
        if after - before < self.at_least:
            return False
        return before <= 0 or after >= self.factor * before


RISE: dict[str, Rise] = {
    "error_rate": Rise(2.0, at_least=0.005),  # half a percent more requests failing, and at least double
    "latency_p50": Rise(1.5), "latency_p95": Rise(1.5), "latency_p99": Rise(1.5),
    "cpu": Rise(1.3), "memory": Rise(1.3),
    "saturation": Rise(1.2, at_least=0.1),
    "restarts": Rise(1.0, at_least=0.5),  # restarts per hour
}


def signal_from(series: AskedSeries, start: datetime, end: datetime) -> Signal:
    times = np.array([t for t, _ in series.points], dtype=float)
    values = np.array([v for _, v in series.points], dtype=float)
    spark = _sparkline(times, values, start, end)
    common = dict(service=series.service, kind=series.kind, source="prometheus", unit=series.unit, query=series.query,
                  series=spark, series_start=start, series_step_seconds=_spark_step(start, end))
    if len(values) < MIN_STEPS:
        half = len(values) // 2
        before = _level(series.kind, values[:half]) if half else None
        after = _level(series.kind, values[half:]) if len(values) else None
        return Signal(**common, before=before, after=after, ratio=_ratio(before, after), onset=None, p_value=None)
    split = _best_split(values)
    # Steps within a rate() range of the split mix both levels (their windows straddle it): the levels leave them out.
    guard = min(_smear_steps(series.query, times), split - 1, len(values) - split - 1)
    before, after = _level(series.kind, values[:split - guard]), _level(series.kind, values[split + guard:])
    p_value = _rise_p_value(values[:split], values[split:])
    rose = p_value is not None and p_value < ALPHA and RISE[series.kind].met(before, after)
    if not rose:
        half = len(values) // 2
        before, after = _level(series.kind, values[:half]), _level(series.kind, values[half:])
        return Signal(**common, before=before, after=after, ratio=_ratio(before, after), onset=None, p_value=None)
    onset = datetime.fromtimestamp(times[split], tz=UTC)
    return Signal(**common, before=before, after=after, ratio=_ratio(before, after), onset=onset,
                  p_value=float(f"{p_value:.3g}"))


def _smear_steps(query: str, times: np.ndarray) -> int:
    """How many steps the widest range of the query (`[240s]`, `[5m]`) spans: each of them averages over it."""
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.0
    seconds = [int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"\[(\d+)([smh])\]", query)]
    return int(np.ceil(max(seconds) / step)) if seconds and step > 0 else 0


def _best_split(values: np.ndarray) -> int:
    """The index where the steps after it most exceed the steps before it (Welch's t), the earliest on a tie."""
    n = len(values)
    margin = max(3, n // 20)
    k = np.arange(margin, n - margin + 1)
    csum, csq = np.cumsum(values), np.cumsum(values**2)
    total, total_sq = csum[-1], csq[-1]
    n_before, n_after = k, n - k
    mean_before = csum[k - 1] / n_before
    mean_after = (total - csum[k - 1]) / n_after
    var_before = np.maximum(csq[k - 1] / n_before - mean_before**2, 0)
    var_after = np.maximum((total_sq - csq[k - 1]) / n_after - mean_after**2, 0)
    scale = np.sqrt(var_before / n_before + var_after / n_after) + 1e-12 * (1 + abs(mean_before))
    score = (mean_after - mean_before) / scale
    return int(k[int(np.argmax(score))])


def _rise_p_value(before: np.ndarray, after: np.ndarray) -> float | None:
    if np.all(before == before[0]) and np.all(after == before[0]):
        return None  # a flat series: nothing to test
    return mann_whitney_greater(after, before)


def mann_whitney_greater(x: np.ndarray, y: np.ndarray) -> float:
    """P of x tending larger than y: the one-sided Mann-Whitney U test, normal approximation with the tie and
    continuity corrections. It is `scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic")`
    (a test holds them equal), computed with numpy and scipy.special: scipy.stats takes most of a second to
    import, more than all the queries of an investigation."""
    from scipy.special import ndtr

    n1, n2 = len(x), len(y)
    pooled = np.concatenate([x, y])
    _, inverse, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    ranks = (upper - (counts - 1) / 2)[inverse]  # average ranks of ties
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    tie_term = float((counts**3 - counts).sum()) / (n * (n - 1))
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term))
    if sigma == 0:
        return 1.0
    z = (u - n1 * n2 / 2 - 0.5) / sigma
    return float(ndtr(-z))


def _level(kind: str, values: np.ndarray) -> float:
    level = float(np.mean(values)) if kind in MEAN_LEVELS else float(np.median(values))
    return _round(level)


def _ratio(before: float | None, after: float | None) -> float | None:
    if before is None or after is None or before <= 0:
        return None
    return _round(after / before)


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def _spark_step(start: datetime, end: datetime) -> int:
    return max(1, int(np.ceil((end - start).total_seconds() / SPARK_STEPS)))


def _sparkline(times: np.ndarray, values: np.ndarray, start: datetime, end: datetime) -> list[float | None]:
    """The series in SPARK_STEPS equal steps across the window: each step's mean, None where it has no point."""
    step = _spark_step(start, end)
    slots = ((times - start.timestamp()) // step).astype(int)
    spark: list[float | None] = []
    for slot in range(SPARK_STEPS):
        inside = values[slots == slot]
        spark.append(_round(float(inside.mean())) if len(inside) else None)
    while spark and spark[-1] is None:  # a window that ends early leaves empty steps past its end
        spark.pop()
    return spark
