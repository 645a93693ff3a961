"""What is wrong, read from the logs: rising signatures, resource signals, circuit breakers, recovery."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

from wicked_platform.tools.analysis.rates import ERROR_CLASSES, Onset
from wicked_platform.tools.analysis.rollback import RESOURCE_SIGNS
from wicked_platform.tools.logs.models import LevelClass, LogScan, SignatureStats
from wicked_platform.tools.report import Symptom

MAX_SYMPTOMS = 10
QUIET_TO_RECOVER = timedelta(minutes=10)  # errors absent this long before the end of the logs = recovered
_BREAKER_OPEN = re.compile(r"circuit[ -]?breaker\W+(?:is\s+)?(?:open(?:ed)?)\b(?:\W+(?:for|to|on)\s+(?P<target>[\w.-]+))?", re.I)
_RECOVERY = re.compile(r"recover|resolved|back to normal|healthy again|circuit[ -]?breaker\W+(?:is\s+)?closed", re.I)


def rising_signatures(scan: LogScan, onset: Onset | None, services: list[str]) -> list[SignatureStats]:
    """Error signatures of `services` whose rate after the onset is more than twice their rate before."""
    if onset is None or scan.start is None or scan.end is None:
        return []
    before_s = max((onset.at - scan.start).total_seconds(), 1.0)
    after_s = max((scan.end - onset.at).total_seconds() + 1, 1.0)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in scan.points:
        if p.level_class in ERROR_CLASSES and p.service in services:
            counts[(p.service, p.signature)][p.at >= onset.at] += p.count
    rising = {key for key, (b, a) in counts.items() if a and a / after_s > 2 * b / before_s}
    found = [s for s in scan.signatures if (s.service, s.signature) in rising]
    return sorted(found, key=lambda s: (-counts[(s.service, s.signature)][1], s.first_seen, s.service, s.signature))


def symptoms(scan: LogScan, rising: list[SignatureStats]) -> list[Symptom]:
    """Rising signatures first, then the rest of the errors, alerts and warnings by count."""
    rising_keys = {(s.service, s.level, s.signature) for s in rising}
    rest = sorted(
        (s for s in scan.signatures if (s.service, s.level, s.signature) not in rising_keys),
        key=lambda s: (s.level_class == LevelClass.WARNING, -s.count, s.first_seen, s.service, s.signature),
    )
    return [
        Symptom(signature=s.signature, service=s.service, level=s.level, count=s.count, first_seen=s.first_seen,
                last_seen=s.last_seen, example=s.example)
        for s in [*rising, *rest][:MAX_SYMPTOMS]
    ]


def resource_signals(scan: LogScan) -> list[str]:
    return [f"{s.service}: {s.example}" for s in sorted(scan.signatures, key=lambda s: (-s.count, s.signature))
            if RESOURCE_SIGNS.search(s.signature) or RESOURCE_SIGNS.search(s.example)][:5]


def open_breakers(scan: LogScan, onset: Onset | None) -> list[str]:
    """Services behind a circuit breaker that opened after the onset."""
    found = []
    for event in scan.events:
        if onset is not None and event.at < onset.at:
            continue
        if match := _BREAKER_OPEN.search(event.message):
            target = match["target"] or event.service
            if target not in found:
                found.append(target)
    return found


def has_recovered(scan: LogScan, onset: Onset | None, services: list[str]) -> bool:
    """Errors of `services` stopped: a recovery line after the last error, or a long quiet tail."""
    if onset is None or scan.end is None:
        return False
    errors = [p.at for p in scan.points if p.level_class in ERROR_CLASSES and p.service in services and p.at >= onset.at]
    if not errors:
        return False
    last_error = max(errors)
    recovered_line = any(e.at > last_error and _RECOVERY.search(e.message) for e in scan.events)
    return recovered_line or scan.end - last_error >= QUIET_TO_RECOVER
