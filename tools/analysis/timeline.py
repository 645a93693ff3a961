"""The incident timeline: deploys, the onset, first sightings, alerts and recoveries, bursts as one row."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from wicked_platform.tools.analysis.error_points import ERROR_CLASSES, error_points
from wicked_platform.tools.analysis.rates import Onset
from wicked_platform.tools.analysis.symptoms import PAGE_WORDS, is_recovery
from wicked_platform.tools.changes.models import Commit
from wicked_platform.tools.logs.models import LevelClass, LogEvent, LogScan
from wicked_platform.tools.logs.signatures import signature, signature_shape
from wicked_platform.tools.report import Deploy, TimelineEvent, TimelineKind

_SECOND = timedelta(seconds=1)  # the onset is a whole second: the first error in it is the first error at the onset
BURST_GAP = timedelta(seconds=60)  # repeats of one event closer than this are one row
MAX_ROWS = 60
HISTORY = timedelta(days=1)  # changes older than this before the onset are not timeline rows
_DEPLOY = re.compile(r"\bdeploy|\brollout\b|\brelease\b|\brolled out\b", re.I)
_ALERT_LEVELS = {"CRITICAL", "CRIT", "FATAL", "ALERT", "EMERG", "PANIC"}
_ERROR_LEVELS = {"ERROR", "ERR", "SEVERE"}
_QUIET_LEVELS = {"DEBUG", "TRACE", "FINE", "FINER", "FINEST", "VERBOSE"}
# An alert that says it stopped pages nobody: the stop word belongs to the alert (`Alert resolved`,
# `RESOLVED: ...`, `0 alerts firing`), not to whatever the alert is about (`host could not be resolved`).
_STOPPED = re.compile(
    r"\b(?:alert|alarm|incident|page)s?\W{0,3}(?:is\s+|was\s+|has\s+been\s+|have\s+been\s+)?"
    r"(?:resolved|cleared|recovered|silenced|muted|suppressed|acknowledged|acked|closed)\b"
    r"|^\W*(?:resolved|cleared|ok)\b|\b(?:no|0|zero)\s+(?:active\s+|firing\s+|open\s+)?alerts?\b"
    r"|\balerts?\W{1,3}(?:0|none)\s+(?:firing|active|open)\b", re.I)
_FIRING = re.compile(r"\b(?:fir(?:ing|ed)|triggered|raised|sent|paging|paged|opened)\b", re.I)
# The alerting set-up changing (rules reloaded, Alertmanager configured) is no alert, unless one fires.
_SETUP = re.compile(r"\balert(?:ing)?[ -]?rules?\b|\breload(?:ed|ing)?\b|\balert(?:ing|manager)?\s+config(?:uration)?\b",
                    re.I)
_BREAKER_OPEN = re.compile(r"circuit[ -]?breaker\W+(?:is\s+)?(?:half[- ])?open", re.I)
_THRESHOLD = re.compile(r"threshold", re.I)
_KIND_ORDER = {"deploy": 0, "change": 1, "error_onset": 2, "error": 3, "warning": 4, "alert": 5, "recovery": 6, "note": 7}


def event_kind(event: LogEvent) -> TimelineKind:
    if _DEPLOY.search(event.message):
        return "deploy"
    if is_recovery(event):
        return "recovery"
    level = event.level.upper()
    # A threshold crossed is an alert when it is logged as an error; a warning about one is a warning.
    if is_alert(event) or _BREAKER_OPEN.search(event.message) or (level in _ERROR_LEVELS and _THRESHOLD.search(event.message)):
        return "alert"
    if level.startswith("WARN"):
        return "warning"
    return "error" if level in _ERROR_LEVELS else "note"


def is_alert(event: LogEvent) -> bool:
    """A line that pages someone: a CRITICAL/FATAL line, or an alert or page that fires, logged at INFO or
    above. Not an alert that resolves, not a change to alerting rules, not a circuit breaker."""
    level = event.level.upper()
    if level in _ALERT_LEVELS:
        return True
    if level in _QUIET_LEVELS:
        return False
    message = event.message
    if not PAGE_WORDS.search(message) or _STOPPED.search(message):
        return False
    return bool(_FIRING.search(message)) or not _SETUP.search(message)


def _compress(rows: list[TimelineEvent]) -> list[TimelineEvent]:
    """Fold repeats of the same (service, kind, signature) within BURST_GAP of each other into one row."""
    out: list[TimelineEvent] = []
    counts: list[int] = []
    last_seen: dict[tuple, tuple[int, datetime]] = {}
    by_shape: dict[str, str] = {}  # an alert storm has few shapes, each signed once
    for row in rows:
        shape = signature_shape(row.event)
        if (masked := by_shape.get(shape)) is None:
            masked = by_shape[shape] = signature(shape)
        key = (row.service, row.kind, masked)
        if key in last_seen and row.at - last_seen[key][1] <= BURST_GAP:
            index, _ = last_seen[key]
            counts[index] += row.count
            last_seen[key] = (index, row.at)
            continue
        last_seen[key] = (len(out), row.at)
        out.append(row)
        counts.append(row.count)
    return [row if row.count == n else row.model_copy(update={"count": n}) for row, n in zip(out, counts, strict=True)]


def build_timeline(
    scan: LogScan, onset: Onset | None, deploys: list[Deploy], cause: Commit | None = None
) -> list[TimelineEvent]:
    rows: list[TimelineEvent] = []
    own_rows: dict[tuple, TimelineEvent] = {}  # each logged event's row, by its line
    for event in scan.events:
        rows.append(TimelineEvent(at=event.at, service=event.service, kind=event_kind(event), event=event.message))
        own_rows.setdefault((event.at, event.service, event.message), rows[-1])
    logged = {(e.at, e.service) for e in scan.events}
    # A release tagged days before is history, not part of the incident: the timeline shows times of
    # day, so a week-old tag would read as if it happened this morning.
    anchor = onset.at if onset is not None else scan.start
    horizon = anchor - HISTORY if anchor is not None else None
    for deploy in deploys:
        if horizon is not None and deploy.at < horizon:
            continue
        if deploy.source != "log" and (deploy.at, deploy.service) not in logged:
            rows.append(TimelineEvent(at=deploy.at, service=deploy.service, kind="deploy",
                                      event=f"{deploy.service} {deploy.version or ''} tagged".replace("  ", " ")))
    if cause is not None and onset is not None and onset.at - HISTORY <= cause.committed_at <= onset.at:
        rows.append(TimelineEvent(at=cause.committed_at, service=cause.services[0] if cause.services else None,
                                  kind="change", event=f"Commit {cause.short}: {cause.subject}"))
    onset_row = None
    if onset is not None:
        onset_sigs = [s for s in scan.signatures if s.first_seen >= onset.at or s.last_seen >= onset.at]
        for sig in sorted(onset_sigs, key=lambda s: (s.first_seen, s.service, s.signature)):
            if sig.first_seen < onset.at:
                continue  # present before the onset: baseline noise, not a new sighting
            starts = sig.level_class in ERROR_CLASSES and onset_row is None and sig.first_seen < onset.at + _SECOND
            own = own_rows.get((sig.first_seen, sig.service, sig.example))
            if own is not None:
                if not starts or own.kind in ("deploy", "recovery"):
                    continue  # the line already has its own row (an alert, a circuit breaker)
                rows.remove(own)  # the first error is an alert line: its row becomes the onset's, with its count
            kind: TimelineKind
            if starts:
                kind, text = "error_onset", f"First errors: {sig.example}"
            elif sig.level_class == LevelClass.WARNING:
                kind, text = "warning", sig.example
            elif sig.level_class == LevelClass.ALERT:
                kind, text = "alert", sig.example
            else:
                kind, text = "error", f"New error: {sig.example}"
            if sig.count > 1:
                span = (sig.last_seen - sig.first_seen).total_seconds()
                text += f" (×{sig.count} through {sig.last_seen:%H:%M:%S})" if span else f" (×{sig.count})"
            rows.append(TimelineEvent(at=sig.first_seen, service=sig.service, kind=kind, event=text, count=sig.count))
            if kind == "error_onset":
                onset_row = rows[-1]
        if onset_row is None:  # no error was new in the onset's second: say which one rose there
            onset_row = _rise_row(scan, onset)
            rows.append(onset_row)
    rows.sort(key=lambda r: (r.at, _KIND_ORDER[r.kind], r.service or "", r.event))
    rows = _compress(rows)
    shown = rows[:MAX_ROWS]
    if onset_row is not None and all(r.kind != "error_onset" for r in shown):  # a long run-up never hides the onset
        return [*rows[: MAX_ROWS - 1], next(r for r in rows if r.kind == "error_onset")]
    return shown


def _rise_row(scan: LogScan, onset: Onset) -> TimelineEvent:
    """The onset's row when the errors there were seen before it (a rate that rose, not a new message), or
    when the first new one already has a row of its own (an alert): the signature with the most errors in
    the onset's second, with its count from there on and before."""
    points = error_points(scan)
    after = points.since(onset.at).per_key()
    in_second = after - points.since(onset.at + _SECOND).per_key()
    series = scan.point_table.series
    if not len(in_second) or int(in_second.max()) == 0:  # the rise is in request counts alone
        comparison = onset.comparison
        return TimelineEvent(at=onset.at, service=None, kind="error_onset", count=comparison.after_errors,
                             event=f"Errors rose: {comparison.after_errors} from here, {comparison.before_errors} before")
    key = min((k for k in range(len(in_second)) if in_second[k]),
              key=lambda k: (-int(in_second[k]), series[k].service, series[k].signature))
    line = series[key]
    stats = next((s for s in scan.signatures if (s.service, s.signature, s.level_class)
                  == (line.service, line.signature, line.level_class)), None)
    example = stats.example if stats is not None else line.signature
    count = int(after[key])
    if stats is not None and stats.first_seen >= onset.at:
        text = f"First errors: {example}" + (f" (×{count})" if count > 1 else "")
    else:
        before = stats.count - count if stats is not None else None
        text = f"Errors rose: {example} (×{count} from here" + (f", ×{before} before)" if before is not None else ")")
    return TimelineEvent(at=onset.at, service=line.service, kind="error_onset", event=text, count=count)
