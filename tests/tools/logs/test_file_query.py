from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from wicked_platform.tools.logs.file_query import Window, read_lines_sql, stamps_query
from wicked_platform.tools.logs.line_sql import line_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.sniff import FileLayout


def us(text: str) -> int:
    return (datetime.fromisoformat(text) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_lines_arrive_whole(logs):
    tricky = ['a\x01b\tc "d" \'e\' \\f,g;h|i', "", "  indented", '"starts with a quote', "ends with a tab\t"]
    path = logs.text("x.log", "\n".join(tricky) + "\n", newline="\r\n")
    rows = duckdb.execute(read_lines_sql("$path", gzip=False), {"path": str(path)}).fetchall()
    assert [line for (line,) in rows] == tricky


def test_gzip_lines(logs):
    path = logs.gz("x.gz", "one\ntwo\n")
    assert duckdb.execute(read_lines_sql("$path", gzip=True), {"path": str(path)}).fetchall() == [("one",), ("two",)]


@pytest.mark.parametrize(("zone", "separator", "tz", "since", "expected"), [
    ("Z", "T", "UTC", "2024-01-15T14:20:30.700+00:00", "line >= '2024-01-15T14:20:30'"),
    ("+02:00", "T", "UTC", "2024-01-15T14:20:30+00:00", "line >= '2024-01-15T16:20:30'"),
    (" -0500", " ", "UTC", "2024-01-15T14:20:30+00:00", "line >= '2024-01-15 09:20:30'"),
    ("", " ", "Europe/Berlin", "2024-07-15T14:20:30+00:00", "line >= '2024-07-15 16:20:30'"),
])
def test_window_as_text_in_the_files_own_zone(zone, separator, tz, since, expected):
    layout = FileLayout(path="x", format=LogFormat.PLAIN, service="x", stamp_zone=zone, stamp_separator=separator)
    assert Window(since_us=us(since)).text_contains_sql(layout, tz) == expected


def test_window_as_text_keeps_the_whole_last_second():
    layout = FileLayout(path="x", format=LogFormat.PLAIN, service="x", stamp_zone="Z")
    window = Window(until_us=us("2024-01-15T14:23:17+00:00"))
    assert window.text_contains_sql(layout, "UTC") == "line < '2024-01-15T14:23:18'"
    assert window.contains_sql("ts") == f"ts <= {us('2024-01-15T14:23:17+00:00')}"
    assert Window().contains_sql("ts") == "true"


def test_stamps_of_lines_kept_as_text():
    layout = FileLayout(path="x", format=LogFormat.PLAIN, service="x", service_token=True, stamp_zone="Z")
    rows = dict(duckdb.execute(stamps_query(line_sql(layout, year=2024)),
                               {"lines": ["2024-01-15T14:23:15.5Z INFO api ok", "20 apples"]}).fetchall())
    assert rows == {"2024-01-15T14:23:15.5Z INFO api ok": us("2024-01-15T14:23:15.5+00:00"), "20 apples": None}
