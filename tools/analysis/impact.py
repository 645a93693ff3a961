"""Which services the incident touches: direct (their own errors rose) and cascade (symptoms followed)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.rates import ERROR_CLASSES, Onset, compare_at
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan


class AffectedServices(BaseModel):
    model_config = ConfigDict(frozen=True)

    direct: list[str]
    cascade: list[str]
    related: list[str]  # direct's dependencies and dependants per context, and the cascade


def _first_seen_by_signature(scan: LogScan) -> dict[tuple[str, str], datetime]:
    first: dict[tuple[str, str], datetime] = {}
    for sig in scan.signatures:
        key = (sig.service, sig.signature)
        if key not in first or sig.first_seen < first[key]:
            first[key] = sig.first_seen
    return first


def affected_services(scan: LogScan, onset: Onset, context: IncidentContext) -> AffectedServices:
    services = sorted({p.service for p in scan.points if p.level_class in ERROR_CLASSES})
    direct = []
    for service in services:
        comparison = compare_at(scan, onset.at, [service], tests=onset.tests)
        if comparison is not None and comparison.significant:
            direct.append(service)
    if not direct:
        # Nothing clears the bar on its own: the service with most errors after the onset leads.
        after: dict[str, int] = {}
        for p in scan.points:
            if p.level_class in ERROR_CLASSES and p.at >= onset.at:
                after[p.service] = after.get(p.service, 0) + p.count
        if after:
            direct = [sorted(after.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]]
    first_seen = _first_seen_by_signature(scan)
    # Cascade: services that are not direct but show new symptoms after the onset, or whose
    # errors rose there without clearing the significance bar on their own.
    new_symptoms = {service for (service, _sig), at in first_seen.items() if at >= onset.at}
    rising = set()
    for service in services:
        if service in direct:
            continue
        comparison = compare_at(scan, onset.at, [service])
        if comparison is not None and comparison.after_errors and (comparison.ratio is None or comparison.ratio > 1.5):
            rising.add(service)
    cascade = sorted((new_symptoms | rising) - set(direct))
    related = set(cascade)
    for service in direct:
        related |= set(context.service(service).depends_on) | set(context.dependants_of(service))
    return AffectedServices(direct=direct, cascade=cascade, related=sorted(related - set(direct)))


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

