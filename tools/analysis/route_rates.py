"""Which of a service's routes fail since the onset: each route's error rate before and after, and the worst.

The counts are the scan's (route_counts.py: DuckDB over every request line, per route and bucket of time).
A route is the worst when two things hold. Its rise is no chance: a one-sided Fisher exact test of its
failed requests since the onset against its own before (a route first seen since the onset is held to the
service's rate before), Bonferroni-adjusted for the routes compared, below SIGNIFICANT_P. And among those,
the lower 95% confidence bound of its failing share (Clopper-Pearson) is the highest: 3 of 3 failing
(bound 37%) does not outrank 600 of 1,000 (bound 57%), so a route seen on a handful of requests is never
the worst on noise alone.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from wicked_platform.tools.analysis.exact_tests import fisher_greater, proportion_lower_bound
from wicked_platform.tools.analysis.rates import SIGNIFICANT_P
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.report import RouteErrorRate
from wicked_platform.tools.timeutil import epoch_us, from_epoch_us

MAX_REPORTED_ROUTES = 5
WORST_CONFIDENCE = 0.95


def route_error_rates(scan: LogScan, service: str, split: datetime) -> list[RouteErrorRate]:
    """Every kept route of `service`, before `split` and since it; most failed since first."""
    table = scan.routes
    wanted = [key for key, series in enumerate(table.series) if series.service == service]
    if not wanted:
        return []
    keys, starts = np.array(table.keys, dtype=np.int64), np.array(table.starts, dtype=np.int64)
    requests, errors = np.array(table.requests, dtype=np.int64), np.array(table.errors, dtype=np.int64)
    after = starts >= counted_since(scan, split).timestamp()
    service_before = [sum(p.requests for p in scan.requests if p.service == service and p.at < split),
                      sum(p.errors for p in scan.requests if p.service == service and p.at < split)]
    counts = []
    for key in wanted:
        mine = keys == key
        counts.append((table.series[key].route, int(requests[mine & ~after].sum()), int(errors[mine & ~after].sum()),
                       int(requests[mine & after].sum()), int(errors[mine & after].sum())))
    compared = sum(1 for *_, after_requests, _ in counts if after_requests)
    rates = [_rate(service, route, before, failed_before, after_requests, failed_after, service_before, compared)
             for route, before, failed_before, after_requests, failed_after in counts]
    return sorted(rates, key=lambda r: (-r.failed_after, -(r.error_rate or 0), r.route))


def counted_since(scan: LogScan, split: datetime) -> datetime:
    """Where the routes' counts since the onset begin: the start of the bucket the split falls in (the split
    itself while buckets are one second wide)."""
    width = scan.routes.bucket_seconds
    return from_epoch_us(epoch_us(split) // 1_000_000 // width * width * 1_000_000)


def _rate(service: str, route: str, before: int, failed_before: int, after: int, failed_after: int,
          service_before: list[int], compared: int) -> RouteErrorRate:
    reference = [before, failed_before] if before else service_before
    p_value = None
    if after and reference[0]:
        table = [[failed_after, after - failed_after], [reference[1], reference[0] - reference[1]]]
        p_value = min(1.0, fisher_greater(table) * max(1, compared))
    return RouteErrorRate(
        service=service, route=route, requests_before=before, failed_before=failed_before, requests_after=after,
        failed_after=failed_after, error_rate=round(failed_after / after, 4) if after else None,
        baseline_error_rate=round(failed_before / before, 4) if before else None, p_value=p_value,
    )


def worst_route(rates: list[RouteErrorRate]) -> RouteErrorRate | None:
    """The route whose rise is significant with the highest lower bound on its error rate (module docstring)."""
    risen = [r for r in rates if r.failed_after and r.p_value is not None and r.p_value < SIGNIFICANT_P]
    if not risen:
        return None
    return min(risen, key=lambda r: (-proportion_lower_bound(r.failed_after, r.requests_after, WORST_CONFIDENCE),
                                     -r.failed_after, r.route))


def reported_routes(rates: list[RouteErrorRate], worst: RouteErrorRate | None) -> list[RouteErrorRate]:
    """The routes the report lists: the most failed, at most MAX_REPORTED_ROUTES, the worst always among them."""
    shown = rates[:MAX_REPORTED_ROUTES]
    if worst is not None and worst not in shown:
        shown = [*shown[: MAX_REPORTED_ROUTES - 1], worst]
    return shown


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%".replace(".0%", "%")


def worst_route_note(worst: RouteErrorRate, since: datetime, routes_seen: int) -> str:
    """The blast radius's evidence for the worst route, every figure counted in the logs."""
    before = (f"{worst.failed_before:,} of {worst.requests_before:,} ({_pct(worst.baseline_error_rate)}) before"
              if worst.requests_before else "no requests to it before")
    others = f" of {routes_seen:,} routes" if routes_seen > 1 else " (its only route)"
    return (f"worst route{others}: {worst.route} on {worst.service}, {worst.failed_after:,} of {worst.requests_after:,} "
            f"requests failed ({_pct(worst.error_rate)}) since {since:%H:%M:%S}, against {before} "
            f"(Fisher p = {worst.p_value:.2g}); ranked by the 95% lower bound of its error rate "
            f"({_pct(round(proportion_lower_bound(worst.failed_after, worst.requests_after, WORST_CONFIDENCE), 4))}), "
            "so a route failing on a handful of requests does not outrank it")
