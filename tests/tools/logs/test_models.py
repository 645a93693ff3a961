"""The point table: columns in, the same points out; misaligned columns refused."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from wicked_platform.tools.logs.models import LevelClass, LogScan, PointTable, SignaturePoint, SignatureSeries

T = datetime(2024, 1, 15, 14, 23, 15, tzinfo=UTC)


def test_from_points_sums_per_second_and_series_and_rows_give_them_back_in_order():
    later = T.replace(second=16)
    table = PointTable.from_points([
        SignaturePoint(later, "checkout-api", "Payment timeout for order <*>", LevelClass.ERROR, 1),
        SignaturePoint(T, "checkout-api", "Payment timeout for order <*>", LevelClass.ERROR, 2),
        SignaturePoint(T, "checkout-api", "Payment timeout for order <*>", LevelClass.ERROR, 1),
        SignaturePoint(T, "cart-api", "Upstream slow", LevelClass.WARNING, 4),
    ])
    assert table.seconds == [int(T.timestamp()), int(T.timestamp()), int(later.timestamp())]
    assert [(p.at, p.service, p.count) for p in table.rows()] == [
        (T, "cart-api", 4), (T, "checkout-api", 3), (later, "checkout-api", 1)]
    assert table.rows()[0].at.tzinfo is UTC


def test_misaligned_columns_and_keys_past_the_series_are_refused():
    series = [SignatureSeries(service="a", signature="boom", level_class=LevelClass.ERROR)]
    with pytest.raises(ValidationError, match="one entry per point"):
        PointTable(series=series, seconds=[1, 2], keys=[0], counts=[1, 1])
    with pytest.raises(ValidationError, match="past the series"):
        PointTable(series=series, seconds=[1], keys=[1], counts=[1])


def test_a_scan_without_points_has_none():
    scan = LogScan(files=[], level_counts={}, signatures=[], events=[])
    assert scan.points == [] and scan.point_table.series == []
