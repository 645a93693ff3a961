"""What measured signals say for the judgment, whatever measured them (logs or Prometheus): which rose, where
the incident they make began, what severity they indicate, and how to verify a mitigation against them.

A latency regression with no error rise is an incident in its own right (seed 000: "Latency: p95 normally
50ms, now 500ms?"): its onset is correlated with deploys like an error rise, and it can justify a rollback.
Everything here reads `list[Signal]`; nothing looks at where a signal came from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.latency_signals import SlowedShare
from wicked_platform.tools.figures import percent
from wicked_platform.tools.report import Severity, Signal, SignalKind
from wicked_platform.tools.timeutil import UtcDatetime, hhmmss

SIGNIFICANT_P = 0.01
RISE_RATIO = 1.5
"""A signal rose when its level after the onset is at least this many times its level before: with enough
requests a rank test finds a 3% slowdown significant, which pages nobody."""
# The one order of signal kinds, wherever several rose at once: as seed 000's triage reads the metrics ("Error rate:
# normally <0.1%, now >1%? Latency: p95 normally 50ms ...? Memory ...? CPU ...?", then "Container restarts?"),
# the tail before the median (p95 is what on-call watches), and last a resource's share of its limit, which is
# read beside the resource it measures.
HEADLINE: tuple[SignalKind, ...] = ("error_rate", "latency_p95", "latency_p99", "latency_p50", "memory", "cpu",
                                    "restarts", "saturation")
HEADLINE_RANK: dict[SignalKind, int] = {kind: rank for rank, kind in enumerate(HEADLINE)}
KIND_NAMES: dict[SignalKind, str] = {"latency_p50": "p50 latency", "latency_p95": "p95 latency", "latency_p99": "p99 latency",
                                 "error_rate": "error rate", "cpu": "CPU", "memory": "memory", "restarts": "restarts",
                                 "saturation": "saturation"}
LATENCY_KINDS = frozenset({"latency_p50", "latency_p95", "latency_p99"})


class SignalRise(BaseModel):
    """The signal whose rise makes the incident (the leading one), and the others of its service that rose with it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    signal: Signal
    companions: list[Signal]

    @property
    def service(self) -> str:
        return self.signal.service

    @property
    def at(self) -> datetime:
        assert self.signal.onset is not None
        return self.signal.onset

    @property
    def what(self) -> str:
        """`p95 latency`: what rose, in the words evidence uses."""
        return signal_name(self.signal)

    def all(self) -> list[Signal]:
        return [self.signal, *self.companions]


class RiseAt(BaseModel):
    """An onset as the correlation reads it: when, whether the rise is significant, its p-value, and what rose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: UtcDatetime
    significant: bool
    p_value: float | None
    what: str = "errors"
    verb: str = "began"


def signal_name(signal: Signal) -> str:
    name = KIND_NAMES[signal.kind]
    return f"{name} of {signal.route}" if signal.route else name


# From nothing, a ratio says nothing: a signal at 0 before its onset rose when it reached this (an error rate of
# 1%, a restart an hour); other units never start at 0.
ZERO_BASE_FLOOR = {"ratio": 0.01, "per hour": 1.0}


def has_risen(signal: Signal) -> bool:
    """Rose at an onset, significantly where a test applies, by at least RISE_RATIO (from 0: to ZERO_BASE_FLOOR)."""
    if signal.onset is None or signal.before is None or signal.after is None:
        return False
    if signal.p_value is not None and signal.p_value >= SIGNIFICANT_P:
        return False
    if signal.before <= 0:
        floor = ZERO_BASE_FLOOR.get(signal.unit)
        return floor is not None and signal.after >= floor
    return signal.after >= RISE_RATIO * signal.before


def leading_rise(signals: list[Signal], fronts: Callable[[str, str], bool] | None = None) -> SignalRise | None:
    """The earliest risen service-wide signal (p95 first at one onset), with the rest of its service's that rose;
    a route's rise leads only where no service-wide signal rose. A service that `fronts(service, other)` another
    (a proxy, or a caller by the context) yields the lead to the service behind it whose same signal rose within
    FRONT_LAG: a gateway's request time holds its upstream's, so the slowdown is the upstream's, seen twice."""
    risen = [s for s in signals if has_risen(s)]
    if not risen:
        return None
    lead = min(risen, key=_lead_key)
    if fronts is not None and lead.route is None and lead.onset is not None:
        behind = [s for s in risen if s.route is None and s.kind == lead.kind and s.service != lead.service
                  and s.onset is not None and s.onset - lead.onset <= FRONT_LAG and fronts(lead.service, s.service)]
        lead = min(behind, key=_lead_key, default=lead)
    companions = [s for s in risen if s is not lead and s.service == lead.service]
    companions.sort(key=lambda s: (s.route is not None, HEADLINE_RANK[s.kind], s.route or ""))
    return SignalRise(signal=lead, companions=companions)


FRONT_LAG = timedelta(minutes=5)
"""How much later a service behind a front may show its rise and still be where the front's rise comes from: both
see the same slow requests, the front's onset may lead by the noise of where each split fell."""


def _lead_key(signal: Signal) -> tuple:
    return (signal.route is not None, signal.onset, HEADLINE_RANK[signal.kind], signal.service, signal.route or "")


def headline_first(signals: list[Signal], basis: list[Signal] = ()) -> list[Signal]:
    """The report's order: first `basis`, the signals the decision rests on (what the recommendation acts on:
    the regression a rollback undoes, the resource a scale-out relieves), in HEADLINE order; then the other risen
    signals as they lead the story (service-wide before routes, earliest, HEADLINE on a tie); then the steady
    ones as measured, for comparison."""
    first = sorted((s for s in signals if s in basis),
                   key=lambda s: (s.route is not None, HEADLINE_RANK[s.kind], s.service, s.route or ""))
    rest = [s for s in signals if s not in first]
    risen = sorted((s for s in rest if has_risen(s)), key=_lead_key)
    return [*first, *risen, *(s for s in rest if not has_risen(s))]


def as_onset(rise: SignalRise) -> RiseAt:
    return RiseAt(at=rise.at, significant=True, p_value=rise.signal.p_value, what=rise.what, verb="rose")


def figure(value: float | None, unit: str) -> str:
    """`62 ms`, `1.01 s`, `85%`: a signal's value as a responder reads it."""
    if value is None:
        return "unknown"
    if unit == "seconds":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "bytes":
        return f"{value / 2**20:.0f} MiB"
    if unit == "cores":
        return f"{value:.2f} cores"
    if unit == "per hour":
        return f"{value:.3g}/hour"
    return f"{value:g}"


def p_text(p_value: float | None) -> str:
    if p_value is None:
        return "no test"
    return "p < 1e-300" if p_value == 0 else f"p = {p_value:.2g}"


def describe(signal: Signal) -> str:
    """`p95 latency of checkout-api rose 16× at 14:30:40, from 62 ms to 1.01 s (p < 1e-300, rank test)`."""
    ratio = f" {signal.ratio:g}×" if signal.ratio is not None else ""
    test = "rank test" if signal.kind in LATENCY_KINDS else "exact test"
    when = f" at {hhmmss(signal.onset)}" if signal.onset is not None else ""
    return (f"{signal_name(signal)} of {signal.service} rose{ratio}{when}, from {figure(signal.before, signal.unit)} "
            f"to {figure(signal.after, signal.unit)} ({p_text(signal.p_value)}, {test} of {_MEASURED[signal.source]} "
            "before and after the onset)")


_MEASURED = {"logs": "the logs", "prometheus": "Prometheus's series"}


def back_under(signal: Signal) -> float | None:
    """The level a mitigation must bring the signal back under: twice its baseline, rounded up to two figures."""
    if signal.before is None or signal.before <= 0:
        return None
    target = 2 * signal.before
    scale = 10 ** (math.floor(math.log10(target)) - 1)
    return math.ceil(round(target / scale, 9)) * scale


def verification_steps(rise: SignalRise) -> list[str]:
    """Each risen service-wide signal's check: `p95 latency of checkout-api back under 120 ms (62 ms before 14:30:40)`."""
    steps = []
    for signal in rise.all():
        if signal.route is not None:
            continue
        target = back_under(signal)
        if target is None:
            continue
        steps.append(f"Verify {signal_name(signal)} of {signal.service} is back under {figure(target, signal.unit)} "
                     f"(it was {figure(signal.before, signal.unit)} before {hhmmss(rise.at)}, "
                     f"{figure(signal.after, signal.unit)} since)")
    return steps


ERROR_SPIKE = 0.01  # seed 000's "Error rate spike >1%": high
SIGNIFICANT_SHARE = 0.20  # seed 000's "Significant degradation (20%+ users affected)": high


def severity_reasons(rise: SignalRise, critical_path: bool, slowed: SlowedShare | None = None) -> list[tuple[Severity, str]]:
    """Seed 000's rubric for a rise in a measured signal: an error rate risen past 1% is an error-rate spike, and on
    the critical path a critical feature broken (high); half the requests slowed, or 20% more of them slower than
    99% were before (`slowed`, where the durations were read), is significant degradation (high); a tail that
    slowed, a performance spike (medium)."""
    signals = rise.all()
    reasons: list[tuple[Severity, str]] = []
    errors = next((s for s in signals if s.kind == "error_rate" and s.route is None), None)
    if errors is not None and errors.after is not None and errors.after > ERROR_SPIKE:
        reasons.append(("SEV2", f"Error rate spike above 1%: {describe(errors)}"))
        if critical_path:
            reasons.append(("SEV2", f"Critical feature broken: {figure(errors.after, errors.unit)} of "
                                    f"{rise.service}'s requests failing on the critical path"))
    median = next((s for s in signals if s.kind == "latency_p50" and s.route is None), None)
    if median is not None:
        reasons.append(("SEV2", f"Significant degradation: more than half of {rise.service}'s requests slowed — "
                                f"{describe(median)}"))
    elif slowed is not None and slowed.service == rise.service and slowed.after - slowed.before >= SIGNIFICANT_SHARE:
        reasons.append(("SEV2", f"Significant degradation: {percent(slowed.after)} of {rise.service}'s requests since "
                                f"{hhmmss(slowed.at)} took longer than {figure(slowed.threshold_seconds, 'seconds')}, "
                                f"which {percent(slowed.before)} did before"))
    if rise.signal.kind in LATENCY_KINDS:
        path = " on the critical path" if critical_path else ""
        reasons.append(("SEV3", f"Performance spike{path}: {describe(rise.signal)}"))
    elif not reasons:
        reasons.append(("SEV3", f"Partial degradation: {describe(rise.signal)}"))
    return reasons
