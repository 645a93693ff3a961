"""An incident made by a measured signal's rise with no error rise (a latency regression): which services it
affects, its blast radius, its timeline row and its summary. The investigation calls these where an error
rise would give the same facts from its errors."""

from __future__ import annotations

from datetime import datetime

from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.impact import AffectedServices
from wicked_platform.tools.analysis.rates import Onset, compare_at
from wicked_platform.tools.analysis.signal_judgment import SignalRise, describe
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.report import BlastRadius, TimelineEvent


def rise_affected(rise: SignalRise, context: IncidentContext) -> AffectedServices:
    """The service that slowed is the one affected; its dependencies and dependants per the context are related."""
    related = sorted(set(context.service(rise.service).depends_on) | {
        name for name in context.services if rise.service in context.service(name).depends_on})
    return AffectedServices(direct=[rise.service], cascade=[], related=related)


def rise_blast_radius(scan: LogScan, rise: SignalRise, affected: AffectedServices, context: IncidentContext,
                      description: str) -> BlastRadius:
    """The blast radius measured at the rise's onset: the errors of its service before and after it (what
    failed, if anything). Users and revenue are counted from failing requests; slowed requests are not in that
    count, so they are unknown rather than the failures' near-zero."""
    comparison = compare_at(scan, rise.at, [rise.service])
    onset = Onset(at=rise.at, comparison=comparison, new_signatures=[]) if comparison is not None else None
    blast = blast_radius(scan, onset, affected, context, description)
    if rise.signal.kind == "error_rate" or (blast.affected_users is None and blast.revenue_per_hour is None):
        return blast  # requests that fail are what users and revenue are counted from
    note = (f"affected_users and revenue_per_hour unknown: they count failing requests, and {rise.service}'s requests "
            f"slowed rather than failed ({rise.what} {rise.signal.ratio:g}× its baseline); how many users a slowdown "
            "drives away is not in the logs")
    # The estimates from failures no longer stand: their notes go with them.
    kept = [n for n in blast.notes if not n.startswith(("affected_users estimated", "revenue_per_hour at risk"))]
    return blast.model_copy(update={"affected_users": None, "revenue_per_hour": None, "notes": [*kept, note]})


def with_rise_row(timeline: list[TimelineEvent], rise: SignalRise) -> list[TimelineEvent]:
    """The timeline with the rise's onset, where an error rise would have its error_onset row."""
    row = TimelineEvent(at=rise.at, service=rise.service, kind="note", event=f"onset: {describe(rise.signal)}")
    return sorted([*timeline, row], key=lambda event: event.at)


def rise_sentence(rise: SignalRise) -> str:
    """`P95 latency of checkout-api rose 16× at 14:30:40, from ... .`: the rise, as a sentence of the summary."""
    text = describe(rise.signal)
    return text[0].upper() + text[1:] + "."


def uncorrelated_summary(rise: SignalRise, started: datetime) -> str:
    what = rise.what[0].upper() + rise.what[1:]
    return (f"{what} of {rise.service} rose at {started:%H:%M:%S} UTC with no rise in errors; no change correlates "
            f"with confidence yet. {rise_sentence(rise)}")
