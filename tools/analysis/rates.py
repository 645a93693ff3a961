"""Error series, the onset of an incident, and how sure we are that errors rose.

The onset is the change point that makes the rise most significant: for every second in which
errors were logged, split the window there and test whether the errors after it are more than the
time (or the requests) after it would explain. Exact tests from scipy, never hand-rolled.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.error_points import ErrorPoints, at_second, error_points
from wicked_platform.tools.analysis.exact_tests import binomial_sf, fisher_greater, xlogy
from wicked_platform.tools.logs.models import LogFileStats, LogScan, RequestPoint
from wicked_platform.tools.timeutil import UtcDatetime, epoch_us
SIGNIFICANT_P = 0.01
MIN_RISE_ERRORS = 5
"""Errors after a split, at least, for a rise: a few errors are an anecdote, however unlikely their timing. Across
a handful of services and hundreds of quiet windows, two or three errors in a window's last minutes (a client
gone, three failed health checks) pass p < 0.01 by chance about once in a hundred incidents of the corpus."""
SPARSE_COVERAGE = 0.05
"""Time that only logs this much sparser than the typical line's are writing counts as partly observed."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Bucket(Frozen):
    at: UtcDatetime
    errors: int
    requests: int | None = None


class ErrorSeries(Frozen):
    bucket_seconds: int
    buckets: list[Bucket]


class RateComparison(Frozen):
    """Errors before and after a split point, and what they say."""

    split: UtcDatetime
    before_errors: int
    before_seconds: float
    after_errors: int
    after_seconds: float
    before_requests: int | None = Field(None, description="requests counted from access logs, when any")
    after_requests: int | None = None
    p_value: float | None = Field(description="one-sided exact test that the after-rate exceeds the before-rate")

    @property
    def before_rate(self) -> float | None:
        """Errors per request when requests are counted, else errors per second."""
        if self.before_requests is not None:
            return self.before_errors / self.before_requests if self.before_requests else None
        return self.before_errors / self.before_seconds if self.before_seconds > 0 else None

    @property
    def after_rate(self) -> float | None:
        if self.after_requests is not None:
            return self.after_errors / self.after_requests if self.after_requests else None
        return self.after_errors / self.after_seconds if self.after_seconds > 0 else None

    @property
    def ratio(self) -> float | None:
        """after/before; None when the before-rate is zero or unknown (an unbounded ratio is not a number)."""
        before, after = self.before_rate, self.after_rate
        if not before or after is None:
            return None
        return after / before

    @property
    def rising(self) -> bool:
        return (self.after_rate or 0) > (self.before_rate or 0)

    @property
    def significant(self) -> bool:
        return (self.rising and self.after_errors >= MIN_RISE_ERRORS and self.p_value is not None
                and self.p_value < SIGNIFICANT_P)

    @property
    def anecdotal(self) -> bool:
        """Errors rose past chance, but too few of them to measure a rise by."""
        return (self.rising and self.after_errors < MIN_RISE_ERRORS and self.p_value is not None
                and self.p_value < SIGNIFICANT_P)


class Onset(Frozen):
    at: UtcDatetime = Field(description="the first error at or after the change point")
    tests: int = Field(1, description="candidate splits tried; p-values at the onset are Bonferroni-adjusted by it")
    comparison: RateComparison
    new_signatures: list[str] = Field(description="error signatures first seen at or after the onset")


def _requests_per_second(requests: Iterable[RequestPoint]) -> dict[datetime, tuple[int, int]]:
    counts: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for point in requests:
        counts[point.at][0] += point.requests
        counts[point.at][1] += point.errors
    return {at: (req, err) for at, (req, err) in counts.items()}


def _window_seconds(start: datetime, end: datetime) -> float:
    # Both ends are whole seconds that were logged, so the window holds end - start + 1 seconds.
    return (end - start).total_seconds() + 1


def _observing_files(scan: LogScan, services: Iterable[str] | None) -> list[LogFileStats]:
    """The files that observed `services`: those whose lines name one of them. A service is seen only where a
    file that writes its lines was written: a 2015 Hadoop log says nothing of an access log's service in 2024,
    nor a pod's log of the hours before the pod started. All files for all services, or when none names them
    (a scan made without saying which services each file names)."""
    if services is None:
        return list(scan.files)
    index = scan.files_by_service
    positions = sorted({position for service in services for position in index.get(service, ())})
    return [scan.files[position] for position in positions] or list(scan.files)


def _observed_clock(scan: LogScan, services: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Seconds of the window that were observed, as a piecewise-linear clock: (offsets, observed seconds).

    Each file covers its first to its last line at its mean lines per second. A second counts in full
    where the files covering it write at least SPARSE_COVERAGE of the density the typical line is
    written at (the line-weighted median), and in proportion below that: a deploy log whose 09:35 line
    stretches the window back an hour before the application logs begin adds almost nothing before
    10:30, so the first errors of those logs are not taken for a rise out of silence. Where logs cover
    the window it is the wall clock. Of `services`, only the files that observed them count (see
    `_observing_files`): each service runs on its own clock. None when a file does not say when its lines
    begin and end.
    """
    if scan.start is None or scan.end is None:
        return None
    total = _window_seconds(scan.start, scan.end)
    spans = []
    for file in _observing_files(scan, services):
        lines = file.parsed - file.outside_window
        if lines <= 0:
            continue
        if file.first_at is None or file.last_at is None:
            return None
        lo = max((file.first_at - scan.start).total_seconds(), 0.0)
        hi = min((file.last_at - scan.start).total_seconds() + 1, total)
        if hi > lo:
            spans.append((lo, hi, lines / (hi - lo)))
    if not spans:
        return None
    edges = np.array(sorted({0.0, total, *(lo for lo, _, _ in spans), *(hi for _, hi, _ in spans)}))
    density = np.zeros(len(edges) - 1)
    for lo, hi, per_second in spans:
        density[(edges[:-1] >= lo) & (edges[1:] <= hi)] += per_second
    seconds = np.diff(edges)
    order = np.argsort(density)
    lines = np.cumsum((density * seconds)[order])
    typical = density[order][int(np.searchsorted(lines, lines[-1] / 2))]
    weight = np.minimum(1.0, density / (SPARSE_COVERAGE * typical)) if typical > 0 else np.ones_like(density)
    return edges, np.concatenate(([0.0], np.cumsum(weight * seconds)))


def observed_seconds(scan: LogScan, lo: datetime, hi: datetime, services: Iterable[str] | None = None) -> float:
    """Observed seconds in [lo, hi) of the scan's window (see `_observed_clock`), by the files that observed
    `services` (all when None); wall seconds when the files do not say when they begin and end."""
    if scan.start is None or scan.end is None or hi <= lo:
        return 0.0
    clock = _observed_clock(scan, services)
    total = _window_seconds(scan.start, scan.end)
    offsets = np.clip([(lo - scan.start).total_seconds(), (hi - scan.start).total_seconds()], 0.0, total)
    if clock is None:
        return float(offsets[1] - offsets[0])
    start, stop = np.interp(offsets, *clock)
    return float(stop - start)


def compare_at(
    scan: LogScan, split: datetime, services: Iterable[str] | None = None, requests: bool = True, tests: int = 1,
    *, points: ErrorPoints | None = None,
) -> RateComparison | None:
    """Errors before `split` against errors from `split` on, for `services` (all when None).

    `tests` is how many splits were tried to choose this one: the p-value is multiplied by it
    (Bonferroni), because the best of many splits looks significant even in steady noise.
    `points`: `error_points(scan, services)`, where the caller has them already.
    """
    if scan.start is None or scan.end is None:
        return None
    services = list(services) if services is not None else None
    points = error_points(scan, services) if points is None else points
    after = points.since(split).total
    before = points.total - after
    window_end = scan.end + timedelta(seconds=1)  # the last logged second is in the window
    before_s = observed_seconds(scan, scan.start, split, services)
    after_s = observed_seconds(scan, split, window_end, services)
    req_points = [r for r in scan.requests if services is None or r.service in services] if requests else []
    if req_points and points.since(split).services_with_points() - {r.service for r in req_points}:
        # Some errors come from services whose requests no line counts (an application log of messages
        # beside other services' access logs): a rate over the counted requests would drop exactly
        # those errors, so the errors are compared over time instead, every service's alike.
        req_points = []
    if req_points:
        # Requests are countable: the rate is failed requests over requests, tested exactly (Fisher).
        per_req = _requests_per_second(req_points)
        before_req = sum(r for at, (r, _) in per_req.items() if at < split)
        after_req = sum(r for at, (r, _) in per_req.items() if at >= split)
        before_err = sum(e for at, (_, e) in per_req.items() if at < split)
        after_err = sum(e for at, (_, e) in per_req.items() if at >= split)
        p_value = None
        if before_req and after_req:
            table = [[after_err, after_req - after_err], [before_err, before_req - before_err]]
            p_value = min(1.0, fisher_greater(table) * tests)
        return RateComparison(
            split=split, before_errors=before_err, before_seconds=before_s, after_errors=after_err,
            after_seconds=after_s, before_requests=before_req, after_requests=after_req, p_value=p_value,
        )
    p_value = None
    if before_s > 0 and after_s > 0 and before + after > 0:
        # Conditional on the total, errors after the split are Binomial(total, share of time after).
        share = after_s / (before_s + after_s)
        p_value = min(1.0, float(binomial_sf(after - 1, before + after, share)) * tests)
    return RateComparison(
        split=split, before_errors=before, before_seconds=before_s, after_errors=after,
        after_seconds=after_s, p_value=p_value,
    )


def find_onset(scan: LogScan, services: Iterable[str] | None = None) -> Onset | None:
    """The split that makes the rise in errors most significant; the earliest on ties.

    Every second with errors is a candidate. The binomial tail is computed for all candidates at
    once (vectorised), so gigabytes of logs cost no more here than their number of error seconds.
    """
    if scan.start is None or scan.end is None:
        return None
    services = list(services) if services is not None else None
    points = error_points(scan, services)
    seconds, counts = points.per_second()
    if not len(seconds):
        return None
    total = int(counts.sum())
    before = np.concatenate(([0], np.cumsum(counts)[:-1]))
    after = total - before
    total_s = _window_seconds(scan.start, scan.end)
    # As timedelta.total_seconds() divides: whole microseconds by a million.
    before_s = (seconds * 1_000_000 - epoch_us(scan.start)) / 1_000_000
    if (clock := _observed_clock(scan, services)) is not None:
        before_s = np.interp(before_s, *clock)
        total_s = float(clock[1][-1])
    share_after = np.clip((total_s - before_s) / total_s, 1e-12, 1.0)
    p_values = binomial_sf(after - 1, total, share_after)
    # A split with nothing logged before it says nothing: the window simply starts with errors.
    p_values = np.where(before_s > 0, p_values, 1.0)
    # With thousands of errors the tail underflows to 0.0 at many splits, and the earliest of those
    # ties is usually far too early. The likelihood-ratio statistic of a rise at the split (G test,
    # binomial against the share of time) never underflows and ranks splits as the p-value does
    # wherever both are finite: it breaks the ties.
    expected_after = total * share_after
    rise = np.where(after > expected_after, 2 * (
        xlogy(after, after / expected_after)
        + xlogy(before, before / np.maximum(total - expected_after, 1e-300))
    ), 0.0)
    best = int(np.lexsort((np.arange(len(seconds)), -rise, p_values))[0])
    split = at_second(seconds[best])
    tests = int(np.count_nonzero(before_s > 0)) or 1
    comparison = compare_at(scan, split, services, tests=tests, points=points)
    if comparison is None:
        return None
    first_seen = points.first_second_by_signature()
    new = sorted(sig for sig, second in first_seen.items() if second >= seconds[best])
    return Onset(at=split, tests=tests, comparison=comparison, new_signatures=new)


MAX_SERIES_BUCKETS = 1440
"""Buckets an error series holds at most (a day of minutes): a wider span gets wider buckets."""


def error_series(
    scan: LogScan, services: Iterable[str] | None = None, bucket_seconds: int | None = None, max_buckets: int = 120
) -> ErrorSeries:
    """Errors (and requests, where counted) per bucket, for a chart or a model's context."""
    if scan.start is None or scan.end is None:
        return ErrorSeries(bucket_seconds=bucket_seconds or 60, buckets=[])
    span = _window_seconds(scan.start, scan.end)
    if bucket_seconds is None:
        nice = (1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 21600, 86400)
        bucket_seconds = next((n for n in nice if span / n <= max_buckets), nice[-1])
    # However long the logs span and however fine a bucket was asked for, the series stays small.
    bucket_seconds = max(bucket_seconds, math.ceil(span / MAX_SERIES_BUCKETS))
    services = list(services) if services is not None else None
    origin = scan.start.replace(microsecond=0)
    n_buckets = int(span // bucket_seconds) + 1
    errors = [0] * n_buckets
    origin_second = epoch_us(origin) // 1_000_000
    for second, n in zip(*(column.tolist() for column in error_points(scan, services).per_second()), strict=True):
        errors[(second - origin_second) // bucket_seconds] += n
    req_points = [r for r in scan.requests if services is None or r.service in services]
    requests: list[int] | None = [0] * n_buckets if req_points else None
    for point in req_points:
        index = int((point.at - origin).total_seconds() // bucket_seconds)
        if requests is not None and 0 <= index < n_buckets:
            requests[index] += point.requests
    buckets = [
        Bucket(
            at=origin + timedelta(seconds=i * bucket_seconds),
            errors=errors[i],
            requests=requests[i] if requests is not None else None,
        )
        for i in range(n_buckets)
    ]
    return ErrorSeries(bucket_seconds=bucket_seconds, buckets=buckets)
