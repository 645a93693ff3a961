from datetime import UTC, datetime

import numpy as np

from wicked_platform.tools.logs.models import LevelClass, LogFormat
from wicked_platform.tools.logs.scan_results import FileRead, FileSpan, ScanTables, build_scan

T0 = 1_705_328_595  # 2024-01-15T14:23:15Z


def tables(**changes) -> ScanTables:
    base = dict(
        spans={0: FileSpan(lines=5, parsed=4, continuation=1, first_us=T0 * 10**6, last_us=(T0 + 9) * 10**6,
                           window_first_us=T0 * 10**6, window_last_us=(T0 + 9) * 10**6)},
        level_counts={"error": 3, "other": 1}, service_counts=[("api", 3)],
        signatures=[("api", "ERROR", "error", "boom <*>", 3, T0 * 10**6, (T0 + 1) * 10**6, "boom 1", 0)],
        series=[("api", "boom <*>", "error")],
        point_secs=np.array([T0, T0 + 1]), point_keys=np.array([0, 0]), point_counts=np.array([2, 1]),
        requests=[], events=[((T0 + 2) * 10**6, "api", "INFO", "Deployment api-v1.2.0 started",
                                 "2024-01-15T14:00:02Z INFO api Deployment api-v1.2.0 started", 3)],
        file_services={0: ["api"]},
    )
    return ScanTables(**{**base, **changes})


def test_build_scan_from_plain_rows():
    read = FileRead(file_id=0, path="a.log", format=LogFormat.PLAIN)
    scan = build_scan([read], tables(), max_events=10)
    assert scan.level_counts == {"alert": 0, "error": 3, "warning": 0, "other": 1}
    assert [(p.at.second, p.count, p.level_class) for p in scan.points] == [(15, 2, LevelClass.ERROR), (16, 1, LevelClass.ERROR)]
    assert scan.points[0].at.tzinfo is UTC and scan.points[0].signature == "boom <*>"
    assert len(scan.events) == 3 and not scan.events_truncated  # a line logged three times is three events
    assert scan.start == datetime(2024, 1, 15, 14, 23, 15, tzinfo=UTC)
    assert (scan.files[0].lines, scan.files[0].continuation) == (5, 1)


def test_events_past_the_cap_are_cut_and_flagged():
    scan = build_scan([FileRead(file_id=0, path="a.log")], tables(), max_events=2)
    assert len(scan.events) == 2 and scan.events_truncated


def test_a_file_without_rows_counts_nothing():
    read = FileRead(file_id=1, path="gone.log", error="no such file")
    scan = build_scan([read], tables(spans={}), max_events=10)
    assert (scan.files[0].lines, scan.files[0].error, scan.start) == (0, "no such file", None)
