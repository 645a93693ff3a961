"""What is wrong, read from the logs: rising signatures, resource signals, circuit breakers, recovery."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

from wicked_platform.tools.analysis.error_points import ERROR_CLASSES, at_second, error_points
from wicked_platform.tools.analysis.rates import Onset, observed_seconds
from wicked_platform.tools.analysis.rollback import RESOURCE_SIGNS
from wicked_platform.tools.logs.models import LevelClass, LogEvent, LogScan, SignatureStats
from wicked_platform.tools.report import Symptom

MAX_SYMPTOMS = 10
QUIET_TO_RECOVER = timedelta(minutes=10)  # errors absent this long before the end of the logs = recovered
QUIET_EXPECTED_ERRORS = 5.0
"""Errors the incident's own rate would have logged in a quiet tail before the quiet can mean recovery:
Poisson(5) gives none 0.7% of the time."""
_BREAKER_OPEN = re.compile(r"circuit[ -]?breaker\W+(?:is\s+)?(?:open(?:ed)?)\b(?:\W+(?:for|to|on)\s+(?P<target>[\w.-]+))?", re.I)
# "recovered", not "recover": `the database system is in recovery mode` and `unable to recover` are failures.
RECOVERY = re.compile(
    r"\brecovered\b|\brecovery (?:complete|completed|finished|succeeded|done)\b|\bresolved\b|back to normal"
    r"|healthy again|circuit[ -]?breaker\W+(?:is\s+)?closed",
    re.I,
)
# Words that page someone: `Alert: ...`, `Alerting on-call`, `paging payments on-call`, `paged alice`.
PAGE_WORDS = re.compile(r"\balert|\bpag(?:ing|ed)\b", re.I)
_FAILURE_LEVELS = frozenset({"ERROR", "ERR", "SEVERE", "CRITICAL", "CRIT", "FATAL", "ALERT", "EMERG", "PANIC"})


def is_recovery(event: LogEvent) -> bool:
    """A line saying something recovered — never one logged as a failure itself."""
    return event.level.upper() not in _FAILURE_LEVELS and bool(RECOVERY.search(event.message))


def rising_signatures(scan: LogScan, onset: Onset | None, services: list[str]) -> list[SignatureStats]:
    """Error signatures of `services` whose rate after the onset is more than twice their rate before."""
    if onset is None or scan.start is None or scan.end is None:
        return []
    before_s = max((onset.at - scan.start).total_seconds(), 1.0)
    after_s = max((scan.end - onset.at).total_seconds() + 1, 1.0)
    points = error_points(scan, services)
    totals, afters = points.per_key().tolist(), points.since(onset.at).per_key().tolist()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # before, after the onset
    for key in points.keys_present():
        pair = counts[(points.services[key], points.signatures[key])]
        pair[0] += totals[key] - afters[key]
        pair[1] += afters[key]
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
                last_seen=s.last_seen, example=s.example, stack=s.stack)
        for s in [*rising, *rest][:MAX_SYMPTOMS]
    ]


def resource_signals(scan: LogScan) -> list[str]:
    """Errors that say a resource ran out, most frequent first, then the events that do at any level (the kubelet
    logs a container OOMKilled at INFO), as `service: example`."""
    from_errors = [f"{s.service}: {s.example}" for s in sorted(scan.signatures, key=lambda s: (-s.count, s.signature))
                   if RESOURCE_SIGNS.search(s.signature) or RESOURCE_SIGNS.search(s.example)]
    from_events = [f"{e.service}: {e.message}" for e in scan.events if RESOURCE_SIGNS.search(e.message)]
    return list(dict.fromkeys([*from_errors, *from_events]))[:5]


# The clock, not a change, broke these: TLS stacks say so in their own words.
_CERT_EXPIRED = re.compile(
    r"certificate (?:has |is )?expired|expired certificate|certificate_expired|cert(?:ificate)? (?:has )?expired", re.I
)


def expired_certificates(scan: LogScan, onset: Onset | None) -> list[str]:
    """Errors since the onset that say a TLS certificate expired (`x509: certificate has expired`,
    `tls: expired certificate`), most frequent first, as `service: example`."""
    if onset is None:
        return []
    found = [s for s in scan.signatures if s.level_class in ERROR_CLASSES and s.last_seen >= onset.at
             and (_CERT_EXPIRED.search(s.example) or _CERT_EXPIRED.search(s.signature))]
    return [f"{s.service}: {s.example}" for s in sorted(found, key=lambda s: (-s.count, s.service, s.signature))][:3]


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
    errors = error_points(scan, services).since(onset.at)
    if not len(errors.seconds):
        return False
    last_error = at_second(errors.seconds.max())
    if _expected_in_quiet_tail(scan, onset, services, last_error) < QUIET_EXPECTED_ERRORS:
        # The logs end (or stop covering these services) too soon after the last error to tell a
        # recovery from a pause, whatever a line says: "back to normal" in a ticket note, a username
        # or a user agent is text, not a measurement.
        return False
    recovered_line = any(e.at > last_error and is_recovery(e) for e in scan.events)
    return recovered_line or scan.end - last_error >= QUIET_TO_RECOVER


def _expected_in_quiet_tail(scan: LogScan, onset: Onset, services: list[str], last_error) -> float:
    """How many errors the incident's rate predicts after `last_error`, had nothing changed.

    Counted requests say it directly: the failing fraction since the onset times the requests served
    after the last failure. Without them, errors per observed second times the observed seconds of
    the tail (see rates.observed_seconds: a sparse file after the main logs end observes little).
    """
    requests = [r for r in scan.requests if r.service in services and r.at >= onset.at]
    served = sum(r.requests for r in requests)
    if served:
        failed = sum(r.errors for r in requests)
        return failed / served * sum(r.requests for r in requests if r.at > last_error)
    count = error_points(scan, services).since(onset.at).total
    after_last = last_error + timedelta(seconds=1)
    failing = observed_seconds(scan, onset.at, after_last)
    quiet = observed_seconds(scan, after_last, scan.end + timedelta(seconds=1))
    return count / failing * quiet if failing > 0 else 0.0
