"""Which time the investigation looks at when the log files lie far apart in time.

A 2015 Hadoop log beside a 2024 access log are two stories: read as one, their errors share one onset
and one before/after rate, and a single 500 of the access log "follows" Hadoop's failures nine years
on. Files whose stamps lie within SEPARATE_GAP of each other form one period (rotated files, a deploy
log an hour before the application's); periods further apart are never mixed. The investigation reads
one period, chosen in this order:

1. with --since/--until, the period nearest them (the lines outside them are already left out);
2. else the latest period that a deploy record or a commit falls in or just before (SEPARATE_GAP);
3. else the latest period.

The files of the other periods are read no further: they stay in the report's inputs, their lines
counted as outside the window, and a note (and a warning on stderr) names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.models import LogFileStats, LogScan, WindowChoice
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.stamped_sql import YearRule
from wicked_platform.tools.timeutil import UtcDatetime, iso_z, to_utc

SEPARATE_GAP = timedelta(days=1)
"""Files whose lines are further apart than this (no file bridging them) belong to separate periods."""
MAX_NAMED = 5  # left-out files named in a note; the rest are counted


class Period(BaseModel):
    """A run of files whose times overlap or lie within SEPARATE_GAP of each other."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: UtcDatetime
    end: UtcDatetime
    files: list[int]  # indexes into the scan's files


def _days(gap: timedelta) -> str:
    return "a day" if gap == timedelta(days=1) else f"{gap.total_seconds() / 86400:g} days"


def _span(file: LogFileStats, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime] | None:
    """The file's time within --since/--until, None when no line of it is in them."""
    if file.first_at is None or file.last_at is None or file.parsed - file.outside_window <= 0:
        return None
    start = max(file.first_at, since) if since is not None else file.first_at
    end = min(file.last_at, until) if until is not None else file.last_at
    return (start, end) if start <= end else None


def periods(files: Sequence[LogFileStats], since: datetime | None = None, until: datetime | None = None) -> list[Period]:
    """The files' periods, oldest first: spans merged where they overlap or are within SEPARATE_GAP."""
    spans = sorted((span, index) for index, file in enumerate(files) if (span := _span(file, since, until)) is not None)
    found: list[Period] = []
    for (start, end), index in spans:
        if found and start - found[-1].end <= SEPARATE_GAP:
            last = found[-1]
            found[-1] = Period(start=last.start, end=max(last.end, end), files=[*last.files, index])
        else:
            found.append(Period(start=start, end=end, files=[index]))
    return found


def choose_window(
    files: Sequence[LogFileStats], since: datetime | None = None, until: datetime | None = None,
    anchors: Sequence[datetime] = (),
) -> WindowChoice | None:
    """The period to investigate when the files hold more than one; None when they hold one (or none).

    `anchors`: when deploys were recorded and changes committed; a period they fall in (or precede by at
    most SEPARATE_GAP) is the one the change could have touched.
    """
    since, until = (to_utc(bound) if bound is not None else None for bound in (since, until))
    found = periods(files, since, until)
    if len(found) < 2:
        return None
    if since is not None or until is not None:
        def distance(period: Period) -> timedelta:
            gaps = [abs(period.start - since)] if since is not None else []
            gaps += [abs(until - period.end)] if until is not None else []
            return min(gaps)
        chosen = min(reversed(found), key=distance)  # the later on ties
        reason = f"the files nearest --{'since' if until is None else 'until' if since is None else 'since/--until'}"
    else:
        moments = [to_utc(at) for at in anchors]
        touched = [p for p in found if any(p.start - SEPARATE_GAP <= at <= p.end for at in moments)]
        if touched:
            chosen, reason = touched[-1], "the files around the deploys and commits"
        else:
            chosen, reason = found[-1], "the latest files"
            if moments:
                reason += "; no deploy or commit falls in any period"
    kept = set(chosen.files)
    left_out = [file.path for index, file in enumerate(files) if index not in kept]
    named = ", ".join(left_out[:MAX_NAMED]) + (f" and {len(left_out) - MAX_NAMED} more" if len(left_out) > MAX_NAMED else "")
    note = (f"the logs hold {len(found)} periods more than {_days(SEPARATE_GAP)} apart, never mixed into one onset: "
            f"investigated {iso_z(chosen.start)} to {iso_z(chosen.end)} ({reason}); left out {len(left_out)} "
            f"file{'s' if len(left_out) != 1 else ''} whose lines all lie outside it: {named}")
    return WindowChoice(start=chosen.start, end=chosen.end, reason=reason, left_out=left_out, periods=len(found),
                        note=note)


def scan_investigation_window(
    paths: list[Path], *, since: datetime | None = None, until: datetime | None = None, tz: str = "UTC",
    year_hint: int | YearRule | None = None, anchors: Sequence[datetime] = (), scan: LogScan | None = None,
) -> LogScan:
    """`scan_logs` of `paths`, narrowed to one period when they hold several (see the module's doc).

    The files of the period are read again on their own; the others keep their counts from the first
    read, every line outside the window, so the report still names and counts them. `scan`: the first
    read, when the caller has it.
    """
    first = scan if scan is not None else scan_logs(paths, since=since, until=until, tz=tz, year_hint=year_hint)
    choice = choose_window(first.files, since, until, anchors)
    if choice is None:
        return first
    left = set(choice.left_out)
    kept = [path for path, file in zip(paths, first.files, strict=True) if file.path not in left]
    narrowed = scan_logs(kept, since=since, until=until, tz=tz, year_hint=year_hint)
    by_path = {file.path: file for file in narrowed.files}
    files = [by_path[file.path] if file.path not in left else
             file.model_copy(update={"outside_window": file.parsed, "services": []}) for file in first.files]
    return narrowed.model_copy(update={"files": files, "window": choice})
