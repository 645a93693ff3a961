from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from wicked_platform.tools.logs.line_sql import iso_to_us, value_to_us
from wicked_platform.tools.logs.sql_text import quote


def us(text: str) -> int:
    instant = datetime.fromisoformat(text)
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@pytest.fixture
def con():
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'Europe/Berlin'")
    yield connection
    connection.close()


@pytest.mark.parametrize(("stamp", "expected"), [
    ("2024-01-15T14:23:15Z", "2024-01-15T14:23:15+00:00"),
    ("2024-01-15 14:23:15,250", "2024-01-15T13:23:15.250+00:00"),  # no zone: the session's (Berlin, +01:00)
    ("2024-07-15 14:23:15", "2024-07-15T12:23:15+00:00"),  # summer time
    ("2024-01-15T14:23:15.123456789-05:00", "2024-01-15T19:23:15.123456+00:00"),
    ("2024-01-15 14:23:15 +0200", "2024-01-15T12:23:15+00:00"),
])
def test_iso_stamps_to_epoch_microseconds(con, stamp, expected):
    assert con.execute(f"SELECT {iso_to_us('$s')}", {"s": stamp}).fetchone()[0] == us(expected)


@pytest.mark.parametrize(("value", "expected"), [
    ("1705328595", "2024-01-15T14:23:15+00:00"), ("1705328595.5", "2024-01-15T14:23:15.5+00:00"),
    ("1705328595123", "2024-01-15T14:23:15.123+00:00"), ("2024-01-15T14:23:15Z", "2024-01-15T14:23:15+00:00"),
])
def test_time_values_of_json_and_logfmt(con, value, expected):
    assert con.execute(f"SELECT {value_to_us('$v')}", {"v": value}).fetchone()[0] == us(expected)


def test_garbage_times_are_null(con):
    assert con.execute(f"SELECT {value_to_us('$v')}", {"v": "soon"}).fetchone()[0] is None


def test_quote_doubles_quotes():
    assert duckdb.execute(f"SELECT {quote(chr(39) + 'it' + chr(39) + 's')}").fetchone()[0] == "'it's"
