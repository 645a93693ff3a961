"""How big the incident is: error rate against baseline, users and revenue — never an invented number.

Every figure comes from the logs or from incident-context.yaml; when neither can give it, the field is
null and a note says why. The error rate is failed / all requests of one stream: the request lines of
the logs (access logs; JSON or logfmt lines with an HTTP status). A log may be a sample of the traffic,
so the context's requests_per_minute is never the denominator of errors counted in it: it scales
users and revenue only.
"""

from __future__ import annotations

from wicked_platform.tools.analysis.impact import AffectedServices, critical_path_reason
from wicked_platform.tools.analysis.rates import Onset, compare_at
from wicked_platform.tools.analysis.route_rates import (
    counted_since, reported_routes, route_error_rates, worst_route, worst_route_note,
)
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.figures import percent
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.report import BlastRadius

MIN_BASELINE_REQUESTS = 100  # fewer requests than this before the onset make a measured baseline too noisy


def service_error_rate(scan: LogScan, onset: Onset, service: str) -> float | None:
    """The failing fraction of `service`'s requests since the onset, counted in its request lines; None
    when no line counts its requests."""
    comparison = compare_at(scan, onset.at, [service], tests=onset.tests)
    if comparison is None or not comparison.after_requests:
        return None
    return comparison.after_rate


def _revenue_through_others(
    scan: LogScan, onset: Onset, services: list[str], context: IncidentContext
) -> tuple[float, str] | None:
    """Revenue at risk where it flows through another affected service (checkout-api failing on a slow
    inventory-service): the largest single estimate, since the same orders may pass several services."""
    best: tuple[float, str] | None = None
    for service in services:
        revenue = context.service(service).revenue_per_hour
        rate = service_error_rate(scan, onset, service) if revenue is not None else None
        if revenue is None or rate is None:
            continue
        if best is None or revenue * rate > best[0]:
            note = f"revenue_per_hour at risk = {revenue:,.0f}/h through {service} × {percent(rate)} of its requests failing"
            best = (revenue * rate, note)
    return best


def blast_radius(
    scan: LogScan, onset: Onset | None, affected: AffectedServices, context: IncidentContext, description: str,
    primary_onset: Onset | None = None,
) -> BlastRadius:
    """`primary_onset`: where the primary service's own errors rose, when that is not the incident's onset
    (another service's errors rose first): its rates are measured before and after its own rise."""
    notes: list[str] = []
    direct, cascade = affected.direct, affected.cascade
    critical_reason = critical_path_reason(direct, context, description)
    if onset is None or not direct:
        return BlastRadius(
            services=[], direct=[], cascade=[], critical_path=critical_reason is not None, error_rate=None,
            baseline_error_rate=None, affected_users=None, revenue_per_hour=None,
            notes=["no rise in errors was found, so no service is known to be affected"],
        )
    primary = direct[0]
    svc = context.service(primary)
    own = primary_onset or onset
    comparison = compare_at(scan, own.at, [primary], tests=own.tests)
    counted_at = primary
    if (comparison is None or not comparison.after_requests) and affected.fronts:
        # The primary logs no requests of its own; the proxy in front of it does, and its answers are the primary's
        # (with any other upstream's mixed in, so the rate is if anything too low).
        front, front_comparison = next(((f, c) for f in affected.fronts
                                        if (c := compare_at(scan, own.at, [f])) is not None and c.after_requests),
                                       (primary, comparison))
        counted_at, comparison = front, front_comparison
    error_rate = baseline = None
    rpm = svc.requests_per_minute
    routes, worst = [], None
    if comparison is not None and comparison.after_requests:
        error_rate = comparison.after_rate
        through = "" if counted_at == primary else (
            f" (counted in {counted_at}'s access log, the proxy in front of {primary}: its other upstreams' requests, "
            "if any, make the rate a floor)")
        notes.append(
            f"error_rate measured from request lines: {comparison.after_errors} of {comparison.after_requests} "
            f"{counted_at} requests failed since "
            f"{'the onset' if own is onset else f'its own errors rose ({own.at:%H:%M:%S})'}{through}"
        )
        if comparison.before_requests and comparison.before_requests >= MIN_BASELINE_REQUESTS:
            baseline = comparison.before_rate
            notes.append(
                f"baseline_error_rate measured from request lines: {comparison.before_errors} of "
                f"{comparison.before_requests} requests before {'the onset' if own is onset else 'its own rise'}"
            )
        if rpm is None and comparison.before_requests and comparison.before_seconds > 0:
            rpm = comparison.before_requests / (comparison.before_seconds / 60)
        rates = route_error_rates(scan, counted_at, own.at)
        worst = worst_route(rates)
        routes = reported_routes(rates, worst)
        if worst is not None:
            notes.append(worst_route_note(worst, counted_since(scan, own.at), scan.routes.routes_seen.get(counted_at, 0)))
        elif rates:
            notes.append(f"no route of {counted_at} fails significantly more since the onset than before: "
                         "its failures are spread over its routes")
    else:
        notes.append(
            f"error_rate unknown: no request line (an access log, or a JSON or logfmt line with an HTTP status) "
            f"counts {primary}'s requests; error lines over requests_per_minute would mix a log that may be a "
            "sample with all traffic"
        )
    if baseline is None and svc.baseline_error_rate is not None:
        baseline = svc.baseline_error_rate
        notes.append("baseline_error_rate from incident-context.yaml")
    elif baseline is None:
        notes.append("baseline_error_rate unknown: too few requests before the onset and none in incident-context.yaml")

    affected_users = None
    # Failed requests are not users: a count of users needs the context to say what traffic they make (its
    # requests_per_minute, or how many users are active, against which the logs' own request rate is read).
    traffic_context = svc.requests_per_minute is not None or svc.active_users is not None
    failed_per_hour = rpm * 60 * error_rate if error_rate is not None and rpm else None
    if failed_per_hour is not None and not traffic_context:
        notes.append(f"affected_users unknown: {failed_per_hour:,.0f} failed requests per hour in the logs, but "
                     "incident-context.yaml says nothing of the traffic users make (requests_per_minute, active_users)")
    elif failed_per_hour is not None:
        affected_users = int(round(failed_per_hour))
        note = (
            f"affected_users estimated from traffic: {rpm:g} requests/min × 60 × {percent(error_rate)} failing "
            f"≈ {affected_users:,} failed requests per hour, one user per request"
        )
        if svc.active_users is not None and affected_users > svc.active_users:
            affected_users = svc.active_users
            note += f", capped at the {svc.active_users:,} active users"
        elif svc.active_users:
            note += f" ({affected_users / svc.active_users:.0%} of {svc.active_users:,} active users)"
        notes.append(note)
    else:
        notes.append("affected_users unknown: needs the error rate and the request rate (access logs or requests_per_minute)")

    revenue = None
    if error_rate is not None and svc.revenue_per_hour is not None:
        revenue = round(svc.revenue_per_hour * error_rate, 2)
        notes.append(
            f"revenue_per_hour at risk = {svc.revenue_per_hour:,.0f}/h through {primary} × {percent(error_rate)} failing"
        )
    elif svc.revenue_per_hour is None and (other := _revenue_through_others(scan, onset, [*direct[1:], *cascade], context)):
        revenue = round(other[0], 2)
        notes.append(other[1])
    else:
        notes.append("revenue_per_hour unknown: needs the error rate and revenue_per_hour in incident-context.yaml")
    if critical_reason:
        notes.append(f"critical path: {critical_reason}")
    return BlastRadius(
        services=sorted(set(direct) | set(cascade)), direct=list(direct), cascade=list(cascade),
        critical_path=critical_reason is not None, error_rate=round(error_rate, 4) if error_rate is not None else None,
        baseline_error_rate=round(baseline, 4) if baseline is not None else None, affected_users=affected_users,
        revenue_per_hour=revenue, notes=notes, routes=routes, worst_route=worst,
    )
