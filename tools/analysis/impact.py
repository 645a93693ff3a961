"""Which services the incident touches: direct (their own errors rose) and cascade (symptoms followed)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.error_points import ERROR_CLASSES, error_points
from wicked_platform.tools.analysis.rates import Onset, compare_at, find_onset
from wicked_platform.tools.analysis.symptoms import PAGE_WORDS
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LevelClass, LogScan


CASCADE_P = 0.05  # family-wise bar for a bystander's own rise to make it cascade (not tested for the onset's choice)


class AffectedServices(BaseModel):
    model_config = ConfigDict(frozen=True)

    direct: list[str]
    cascade: list[str]
    related: list[str]  # direct's dependencies and dependants per context, and the cascade
    fronts: list[str] = []  # cascade services known only by their access logs' 5xx: proxies of the direct ones


# A page is news about the incident, not a failure of whoever sends it: `disk-monitor: ALERT ... paging
# database on-call` does not make disk-monitor an affected service.
_NOTIFICATION = re.compile(r"\balert\b|\bpag(?:ing|ed)\b", re.I)


def _first_seen_by_signature(scan: LogScan) -> dict[tuple[str, str], datetime]:
    first: dict[tuple[str, str], datetime] = {}
    for sig in scan.signatures:
        if _NOTIFICATION.search(sig.example):
            continue
        key = (sig.service, sig.signature)
        if key not in first or sig.first_seen < first[key]:
            first[key] = sig.first_seen
    return first


def messengers(scan: LogScan, context: IncidentContext) -> set[str]:
    """Services whose every error and alert line pages about another service (an SLO monitor, an alerting
    bot): they report the incident and are no part of its blast radius. A service that alerts about
    itself (`alert: consumer lag 90k, dropping batch`) is failing, and stays."""
    known = sorted(set(scan.service_counts) | set(context.services), key=lambda name: (-len(name), name))
    names = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, known)) + r")(?![\w-])") if known else None
    notices: dict[str, list[bool]] = {}
    for sig in scan.signatures:
        if sig.level_class in ERROR_CLASSES:
            about_another = bool(names and PAGE_WORDS.search(sig.example)
                                 and any(name != sig.service for name in names.findall(sig.example)))
            notices.setdefault(sig.service, []).append(about_another)
    return {service for service, pages in notices.items() if all(pages)}


def _dependencies(service: str, context: IncidentContext, named: Mapping[str, set[str]] | None = None) -> set[str]:
    """Everything `service` calls, directly or through others, per the context's depends_on and the
    dependencies its errors name (`named`)."""
    named = named or {}
    found: set[str] = set()
    todo = [*context.service(service).depends_on, *sorted(named.get(service, ()))]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += [*context.service(name).depends_on, *sorted(named.get(name, ()))]
    return found


def downstream_of_failing(rising: list[str], context: IncidentContext, named: Mapping[str, set[str]] | None = None) -> set[str]:
    """Services among `rising` that call (directly or transitively) another of them that does not call
    them back: their errors are explained by that dependency's, so they are its cascade."""
    calls = {service: _dependencies(service, context, named) for service in rising}
    return {
        service for service in rising
        if any(other != service and other in calls[service] and service not in calls[other] for other in rising)
    }


NAMING_SLACK = timedelta(seconds=60)
"""How far before the onset an error may begin and still be one of the incident's."""
DEGRADED_WINDOW = timedelta(minutes=30)
"""How long before the onset an upstream's own new symptoms (slow queries, warnings) may begin: a slow deploy
degrades the dependency before its callers' timeouts add up to errors."""


def named_dependencies(scan: LogScan, onset: Onset, context: IncidentContext) -> dict[str, set[str]]:
    """Per service, the other services its errors since the onset name: `Timeout calling inventory-service`
    says the caller depends on inventory-service as plainly as a depends_on would."""
    services = set(scan.service_counts) | {sig.service for sig in scan.signatures} | set(context.services)
    known = sorted(services - {""}, key=lambda name: (-len(name), name))
    if not known:
        return {}
    names = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, known)) + r")(?![\w-])")
    named: dict[str, set[str]] = {}
    for sig in scan.signatures:
        if sig.level_class not in ERROR_CLASSES or sig.last_seen < onset.at - NAMING_SLACK or _NOTIFICATION.search(sig.example):
            continue
        for name in names.findall(sig.example) + names.findall(sig.signature):
            if name != sig.service:
                named.setdefault(sig.service, set()).add(name)
    return named


MIN_SYMPTOM_LINES = 3
"""Lines a new signature needs to be a symptom rather than a one-off."""


def _first_new_symptom(scan: LogScan, service: str, onset: Onset) -> datetime | None:
    """When `service` began to degrade: its first error or warning signature that is new in the window before
    the onset, lasts into the incident and recurs (one logged from the start, or gone before the onset, is
    its usual noise)."""
    start = scan.start
    earliest = onset.at - DEGRADED_WINDOW
    firsts = [sig.first_seen for sig in scan.signatures
              if sig.service == service and sig.level_class in (*ERROR_CLASSES, LevelClass.WARNING)
              and sig.first_seen >= earliest and (start is None or sig.first_seen > start + NAMING_SLACK)
              and sig.last_seen >= onset.at - NAMING_SLACK and sig.count >= MIN_SYMPTOM_LINES]
    return min(firsts) if firsts else None


def _degraded_upstream(service: str, scan: LogScan, onset: Onset, calls: set[str],
                       began: Mapping[str, datetime]) -> str | None:
    """The dependency of `service` (by depends_on or named by its errors) that degraded first — no later than
    `service`'s own errors began: the upstream-most degraded service is the incident's origin, its callers the
    cascade."""
    found = []
    for upstream in sorted(calls):
        degraded = _first_new_symptom(scan, upstream, onset)
        if degraded is not None and service in began and degraded <= began[service]:
            found.append((degraded, upstream))
    return min(found)[1] if found else None


def affected_services(scan: LogScan, onset: Onset, context: IncidentContext) -> AffectedServices:
    paging = messengers(scan, context)
    points = error_points(scan)
    services = sorted(points.services_with_points() - paging)
    direct = []
    for service in services:
        comparison = compare_at(scan, onset.at, [service], tests=onset.tests)
        if comparison is not None and comparison.significant:
            direct.append(service)
    # A service failing because something it calls is failing is the cascade, not the origin: cart-api
    # timing out on a slow inventory-service is inventory-service's incident. What it calls is told by
    # depends_on, and by the errors themselves when they name the service they were calling.
    named_raw = named_dependencies(scan, onset, context)
    involved = sorted(set(services) | set(named_raw) | {name for names in named_raw.values() for name in names})
    began = {service: first for service in involved if (first := _began(scan, service, onset)) is not None}
    named = _consistent(named_raw, context, began)
    downstream = downstream_of_failing(direct, context, named)
    direct = [service for service in direct if service not in downstream]
    # An upstream whose own symptoms began first, though its errors did not rise on their own (it slowed
    # down, its callers timed out), is still the origin.
    for service in list(direct):
        calls = set(named.get(service, ())) | set(context.service(service).depends_on)
        upstream = _degraded_upstream(service, scan, onset, calls, began)
        if upstream is not None and upstream not in direct and upstream not in paging:
            direct = sorted(set(direct) - {service} | {upstream})
            downstream.add(service)
    # A proxy's access log (nginx, an ingress controller, a gateway) fails the requests its upstreams fail: beside a
    # service whose own error lines rose, a service known only by the 5xx answers of its access log is the front
    # those failures passed through, and its part is the cascade.
    fronts = {service for service in [*direct, *sorted(downstream)] if _answers_only(scan, service)
              and fronts_for(service, [d for d in direct if d != service], context)}
    if fronts and set(direct) - fronts:
        direct = [service for service in direct if service not in fronts]
        downstream |= fronts
    if not direct and not onset.comparison.significant:
        # Errors at their usual rate, before and after: steady noise touches no service.
        return AffectedServices(direct=[], cascade=[], related=[])
    if not direct:
        # Nothing clears the bar on its own: the service with most errors after the onset leads.
        after = points.since(onset.at).except_services(paging).by_service()
        if after:
            direct = [sorted(after.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]]
    first_seen = _first_seen_by_signature(scan)
    # Cascade: services that are not direct but show new symptoms after the onset, or whose
    # errors rose there without clearing the significance bar on their own.
    new_symptoms = {service for (service, _sig), at in first_seen.items() if at >= onset.at}
    rising = set()
    bystanders = [service for service in services if service not in direct]
    for service in bystanders:
        comparison = compare_at(scan, onset.at, [service])
        # A rise, not noise: two baseline errors after the onset against two before is no cascade,
        # and among many services one clears p < 0.05 by chance, so the bar is shared (Bonferroni).
        if (comparison is not None and comparison.after_errors and (comparison.ratio is None or comparison.ratio > 1.5)
                and comparison.p_value is not None and comparison.p_value < CASCADE_P / len(bystanders)):
            rising.add(service)
    cascade = sorted((new_symptoms | rising | downstream) - set(direct) - paging)
    related = set(cascade)
    for service in direct:
        related |= set(context.service(service).depends_on) | set(context.dependants_of(service))
    return AffectedServices(direct=direct, cascade=cascade, related=sorted(related - set(direct)),
                            fronts=sorted(fronts & set(cascade)))


# What names a proxy, a load balancer or a web server in front of services (each word of a service's name is
# looked up): ingress-nginx, api-gateway, edge-lb, envoy, traefik; `access` is a bare access.log's name.
PROXY_WORDS = frozenset({"nginx", "ingress", "gateway", "gw", "edge", "envoy", "traefik", "haproxy", "proxy", "lb",
                         "caddy", "httpd", "apache", "alb", "elb", "access", "frontend", "router"})


def fronts_for(service: str, others: list[str], context: IncidentContext) -> bool:
    """Whether `service` stands in front of the others: the context says it calls one of them, or its name is a
    proxy's. An application's own access log beside an unrelated worker's errors is no front of that worker."""
    if any(other in _dependencies(service, context) for other in others):
        return True
    return bool(set(re.split(r"[-_.]", service.lower())) & PROXY_WORDS)


def _answers_only(scan: LogScan, service: str) -> bool:
    """Every error of `service` is a 5xx answer in an access log: it tells of failed requests, not of its own faults."""
    levels = {sig.level for sig in scan.signatures if sig.service == service and sig.level_class in ERROR_CLASSES}
    return levels == {"5XX"}


def _began(scan: LogScan, service: str, onset: Onset) -> datetime | None:
    """When `service`'s part in the incident began: the onset of its own errors where they rose, or its
    first new symptom, whichever came first."""
    times = []
    own = find_onset(scan, [service])
    if own is not None and own.comparison.significant:
        times.append(own.at)
    if (new := _first_new_symptom(scan, service, onset)) is not None:
        times.append(new)
    return min(times) if times else None


def _consistent(named: Mapping[str, set[str]], context: IncidentContext, began: Mapping[str, datetime]) -> dict[str, set[str]]:
    """The named dependencies the other evidence does not contradict. A message names a caller as readily as a
    callee (`TLS handshake error (client orders-api)`), so A naming B counts only when B does not name A, the
    context does not say B calls A, and B's trouble began no later than A's (a dependency fails first)."""
    kept: dict[str, set[str]] = {}
    for service, others in named.items():
        for other in others:
            if service in named.get(other, ()) or service in _dependencies(other, context):
                continue
            if service in began and other in began and began[other] > began[service]:
                continue
            kept.setdefault(service, set()).add(other)
    return kept


CRITICAL_WORDS = ("checkout", "payment", "pay", "billing", "auth", "login", "signin", "signup", "cart", "order", "purchase")


def critical_path_reason(direct: list[str], context: IncidentContext, description: str) -> str | None:
    """Why the incident is on a critical user path, or None when nothing says it is."""
    for service in direct:
        flag = context.service(service).critical
        if flag:
            return f"{service} is marked critical in incident-context.yaml"
    for service in direct:
        if context.service(service).critical is False:
            continue
        hit = next((w for w in CRITICAL_WORDS if w in service.lower()), None)
        if hit:
            return f"{service} serves the {hit} path"
    text = description.lower()
    hit = next((w for w in CRITICAL_WORDS if w in text), None)
    if hit and not any(context.service(s).critical is False for s in direct):
        return f"the description names the {hit} path"
    return None

