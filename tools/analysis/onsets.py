"""Each service's own onset, and the incident's: the earliest at which one service's errors really rose.

The onset over all lines of all files together is one split for everything: a service whose errors rose
among others' steady noise is lost in their sum, and a lone error of another file can pull the split to
it. Each service is tested on its own errors and on its own clock (the time the files that write its
lines cover, `rates._observing_files`), with the same exact test; the incident begins at the earliest of
those rises. Testing every service is testing that many times: a service's rise counts only when it is
significant after multiplying its p-value by the number of services tested (Bonferroni, as the splits are).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.error_points import error_points
from wicked_platform.tools.analysis.impact import messengers
from wicked_platform.tools.analysis.rates import SIGNIFICANT_P, Onset, find_onset
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan


class ServiceOnsets(BaseModel):
    """The onset over all errors, each service's own, and the one the incident starts at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    overall: Onset | None
    by_service: dict[str, Onset]
    risen: list[str]  # services whose own errors really rose, earliest onset first
    incident: Onset | None  # the incident's onset: `overall`, or the earliest real rise of one service where they differ


def really_rose(onset: Onset, services_tested: int) -> bool:
    """A service's own rise that stays significant when the number of services tested is accounted for."""
    comparison = onset.comparison
    return (comparison.significant and comparison.p_value is not None
            and comparison.p_value * max(1, services_tested) < SIGNIFICANT_P)


def service_onsets(scan: LogScan, context: IncidentContext) -> ServiceOnsets:
    """Per service the onset of its own errors, and the incident's onset.

    The incident's onset is the overall one when that is a significant rise no later than any service's own
    real rise (they agree: the aggregate saw the same or an earlier rise); otherwise it is the earliest
    service's own onset. Services that only page about others (`messengers`) are no origin.
    """
    overall = find_onset(scan)
    if overall is None:
        return ServiceOnsets(overall=None, by_service={}, risen=[], incident=None)
    services = sorted(error_points(scan).services_with_points())
    if len(services) < 2:
        return ServiceOnsets(overall=overall, by_service={s: overall for s in services},
                             risen=[s for s in services if overall.comparison.significant], incident=overall)
    by_service = {service: onset for service in services if (onset := find_onset(scan, [service])) is not None}
    paging = messengers(scan, context)
    risen = sorted((onset.at, service) for service, onset in by_service.items()
                   if service not in paging and really_rose(onset, len(services)))
    incident = overall
    if risen:
        first_at, first = risen[0]
        if not (overall.comparison.significant and overall.at <= first_at):
            incident = by_service[first]
    return ServiceOnsets(overall=overall, by_service=by_service, risen=[service for _, service in risen],
                         incident=incident)


def primary_onset(incident: Onset | None, direct: list[str], by_service: dict[str, Onset]) -> Onset | None:
    """The primary (first direct) service's own onset where its errors rose at another time than the incident's
    (another service's rose first), else None: its rates are its own, before and after its own rise."""
    if incident is None or not direct:
        return None
    own = by_service.get(direct[0])
    return own if own is not None and own.at != incident.at else None
