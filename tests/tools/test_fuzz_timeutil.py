"""Property-based: times from users and files are read, or refused with one line naming the argument.

No text given as --since/--until (or as an MCP tool's `since`, `until`, `at`) and no datetime in a
file (a deploys file's `at`) may raise anything but the ValueError every caller turns into its
one-line error: not an OverflowError from a year 9999 stamp with a negative offset, not a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from support.fuzz import fuzz

from wicked_platform.tools.timeutil import (
    END_YEAR, FIRST_YEAR, UtcDatetime, epoch_us, from_epoch_us, human_duration, iso_z, parse_time, to_utc,
)

ZONES = st.one_of(st.just(UTC), st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-23 * 60 - 59, 23 * 60 + 59)))
ISO_ISH = st.one_of(
    st.text(max_size=40),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.one_of(st.none(), ZONES))
    .map(lambda d: d.isoformat()),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"),
)


@fuzz(400)
@given(ISO_ISH, st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]))
def test_any_text_is_a_time_in_range_or_a_one_line_error_naming_the_argument(text, zone):
    try:
        parsed = parse_time("--since", text, zone)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("--since ") and "\n" not in message
        return
    assert parsed is not None and parsed.tzinfo is not None
    assert FIRST_YEAR <= to_utc(parsed).year < END_YEAR


@fuzz(300)
@given(st.datetimes(min_value=datetime(FIRST_YEAR, 1, 2), max_value=datetime(END_YEAR - 1, 12, 30), timezones=ZONES))
def test_a_time_written_by_iso_z_reads_back_the_same(at):
    assert parse_time("--until", iso_z(at)) == at
    assert iso_z(at).endswith("Z")


@fuzz(300)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.one_of(st.none(), ZONES)))
def test_a_datetime_field_reads_any_datetime_or_says_which_field(at):
    class Record(BaseModel):
        at: UtcDatetime

    try:
        record = Record(at=at)
    except ValidationError as exc:
        assert exc.errors()[0]["loc"] == ("at",)
        return
    assert record.at.tzinfo == UTC


@fuzz(300)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_every_duration_reads_as_words(seconds):
    text = human_duration(seconds)
    assert text and text[-1] in "sm"


@pytest.mark.parametrize("text", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "1969-12-31T23:59:59Z",
                                  "2200-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "", "yesterday", "2024-01-15T14:23:15+25:00"])
def test_the_edges_are_refused_in_one_line(text):
    with pytest.raises(ValueError, match="^--since "):
        parse_time("--since", text)


@fuzz(200)
@given(st.datetimes(min_value=datetime(FIRST_YEAR, 1, 2), max_value=datetime(END_YEAR - 1, 12, 30), timezones=st.one_of(st.none(), ZONES)))
def test_epoch_microseconds_are_exact_both_ways(moment):
    """The scan's times are integers of microseconds; a datetime goes there and back unchanged (naive is UTC)."""
    assert from_epoch_us(epoch_us(moment)) == to_utc(moment)


def test_epoch_microseconds_count_from_1970_utc():
    assert epoch_us(datetime(1970, 1, 1, 0, 0, 1, 5)) == epoch_us(datetime(1970, 1, 1, 1, 0, 1, 5, tzinfo=timezone(timedelta(hours=1)))) == 1_000_005
