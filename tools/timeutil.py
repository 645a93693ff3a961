"""UTC everywhere: one place that turns datetimes into the report's form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, PlainSerializer


def to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(value: datetime) -> int:
    """Microseconds since the epoch, exactly (a naive datetime is UTC): the integer the scan's times are."""
    return (to_utc(value) - EPOCH) // timedelta(microseconds=1)


def from_epoch_us(value: int) -> datetime:
    """The UTC datetime of a count of microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=int(value))


FIRST_YEAR, END_YEAR = 1970, 2200
"""The years a log line can have been written in: a stamp or a bound outside them is garbled (9999)."""


def parse_time(argument: str, value: str | None, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 time from the user (`Z` accepted); one without a zone is in `zone`.

    Bad text, or a time outside FIRST_YEAR..END_YEAR, raises ValueError naming the argument, which
    every caller turns into its one-line error.
    """
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        year = parsed.astimezone(UTC).year  # 9999-12-31T23:59-01:00 is no year a datetime holds
    except (ValueError, OverflowError):
        raise ValueError(f"{argument} {value!r}: expected an ISO 8601 time such as 2024-01-15T14:00:00Z") from None
    if not FIRST_YEAR <= year < END_YEAR:
        raise ValueError(f"{argument} {value!r}: outside the years {FIRST_YEAR}-{END_YEAR - 1} that logs are read in")
    return parsed


def iso_z(value: datetime) -> str:
    """`2024-01-15T14:23:15Z`, or with microseconds when they are not zero."""
    value = to_utc(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def hhmmss(value: datetime) -> str:
    return to_utc(value).strftime("%H:%M:%S")


def human_duration(seconds: float) -> str:
    """`2m45s`, `1h05m`, `40s` — what a person reads in a report."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _utc_field(value: datetime) -> datetime:
    try:
        return to_utc(value)
    except OverflowError:  # 9999-12-31T23:59-01:00: pydantic reports a ValueError as the field's problem
        raise ValueError("out of the range of times (its UTC year is past 9999 or before 1)") from None


UtcDatetime = Annotated[
    AwareDatetime | datetime,
    AfterValidator(_utc_field),
    PlainSerializer(iso_z, return_type=str, when_used="json"),
]
"""A datetime that is always UTC inside the engine and `...Z` in JSON."""
