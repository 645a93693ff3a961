"""Every row of the stamp catalogue read back from its own sample: by the sniff (Python) and by the
scan (DuckDB), to the same instant."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff_stamped import find_stamp
from wicked_platform.tools.logs.stamp_shapes import SHAPES, python_time
from wicked_platform.tools.logs.stamped_sql import YearRule


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_the_sniff_finds_the_sample_stamp(shape):
    found = find_stamp(shape.sample)
    assert found is not None and found[0].name == shape.name
    stamp_text = shape.sample[:found[2]].split()[-1] if shape.conversion == "epoch" else None
    expected = datetime.fromisoformat(shape.sample_stamp)
    if stamp_text is not None:
        assert python_time(shape, stamp_text) == expected


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_the_scan_reads_the_sample_stamp(shape, logs):
    # Three lines of the layout, a second apart, so the sniff has a file to decide on.
    lines = [shape.sample] * 3
    path = logs.text(f"{shape.name}.log", "\n".join(lines) + "\n")
    scan = scan_logs([path], year_hint=2024)
    stats = scan.files[0]
    assert stats.parsed == 3, (stats, shape.name)
    assert stats.first_at.replace(tzinfo=None) == datetime.fromisoformat(shape.sample_stamp)


def test_a_year_less_stamp_past_the_bound_is_read_in_the_year_before(logs):
    path = logs.text("app.log", "12-31 23:59:58.000  1  2 E Tag: late\n01-01 00:00:02.000  1  2 E Tag: early\n"
                                "01-01 00:00:03.000  1  2 I Tag: ok\n")
    bound = int(datetime(2025, 1, 1, 12).timestamp() * 1e6)
    scan = scan_logs([path], year_hint=YearRule(year=2025, not_after_us=bound))
    assert scan.files[0].format == LogFormat.STAMPED
    assert (scan.start.year, scan.start.month, scan.end.year) == (2024, 12, 2025)


@pytest.mark.parametrize("text", [
    "02-29 10:00:00.000  1234  1300 E Pay: timeout\n03-01 10:00:00.000  1234  1300 I Pay: ok\n",
    "Feb 29 10:00:00 web-1 pay[12]: error: timeout\nMar  1 10:00:00 web-1 pay[12]: ok\n",
], ids=["logcat", "rfc3164"])
def test_a_leap_day_reads_in_the_latest_leap_year_before_the_bound(text, logs):
    scan = scan_logs([logs.text("leap.log", text)], until=datetime(2025, 6, 1, tzinfo=UTC))
    assert scan.files[0].parsed == 2 and scan.start == datetime(2024, 2, 29, 10, tzinfo=UTC)
