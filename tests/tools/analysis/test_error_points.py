"""Error points as numpy columns: the questions the rates ask, answered from the point table's columns."""

from __future__ import annotations

from datetime import UTC, datetime

from wicked_platform.tools.analysis.error_points import error_points
from wicked_platform.tools.analysis.rates import error_series, find_onset
from wicked_platform.tools.logs.models import LevelClass, LogScan, PointTable, SignatureSeries


def _scan(seconds: list[int], keys: list[int]) -> LogScan:
    series = [SignatureSeries(service="api", signature=s, level_class=LevelClass.ERROR) for s in ("a", "b")]
    series.append(SignatureSeries(service="web", signature="slow", level_class=LevelClass.WARNING))
    return LogScan(files=[], level_counts={}, signatures=[], events=[],
                   point_table=PointTable(series=series, seconds=seconds, keys=keys, counts=[1] * len(seconds)),
                   start=datetime.fromtimestamp(0, UTC), end=datetime.fromtimestamp(9, UTC))


def test_errors_are_counted_per_second_per_service_and_since_a_time():
    points = error_points(_scan([1, 2, 2, 8, 8], [0, 0, 2, 1, 1]))  # the warning at second 2 is no error
    seconds, counts = points.per_second()
    assert (seconds.tolist(), counts.tolist()) == ([1, 2, 8], [1, 1, 2])
    assert points.since(datetime.fromtimestamp(2, UTC)).total == 3
    assert points.since(datetime.fromtimestamp(2.000001, UTC)).total == 2  # a second is before a split inside it
    assert (points.by_service(), points.first_second_by_signature()) == ({"api": 4}, {"a": 1, "b": 8})


def test_a_table_out_of_order_reads_as_the_same_table_in_order():
    """The scan writes points in order; a table built by hand may not be, and means the same."""
    ordered, shuffled = _scan([2, 8, 8, 8, 8], [0, 0, 1, 1, 1]), _scan([8, 2, 8, 8, 8], [0, 0, 1, 1, 1])
    assert error_series(shuffled, bucket_seconds=1) == error_series(ordered, bucket_seconds=1)
    assert find_onset(shuffled) == find_onset(ordered)
    assert find_onset(shuffled).new_signatures == ["b"]


def test_scans_still_compare_once_their_columns_are_cached():
    first, second = _scan([1, 2], [0, 1]), _scan([1, 2], [0, 1])
    error_points(first), error_points(second)
    assert first == second and first != _scan([1, 3], [0, 1])
