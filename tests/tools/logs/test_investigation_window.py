"""Log files far apart in time are never mixed into one onset (issue #16, item 5)."""

from datetime import UTC, datetime, timedelta

from support.far_apart_logs import ACCESS_T0, HADOOP_T0, access_log, hadoop_log, zookeeper_log

from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.investigation import symptoms_from_scan
from wicked_platform.tools.logs.investigation_window import choose_window, periods, scan_investigation_window
from wicked_platform.tools.logs.scan import scan_logs


def test_rotated_files_are_one_period_and_a_years_older_file_another(tmp_path):
    yesterday = tmp_path / "app.log.1"
    today = tmp_path / "app.log"
    yesterday.write_text("2024-03-04T09:00:00Z INFO app started\n2024-03-04T23:59:58Z INFO app rotating\n")
    today.write_text("2024-03-05T00:00:01Z INFO app rotated\n2024-03-05T10:29:00Z ERROR app boom\n")
    scan = scan_logs([hadoop_log(tmp_path / "Hadoop.log"), yesterday, today])
    found = periods(scan.files)
    assert [sorted(p.files) for p in found] == [[0], [1, 2]]


def test_a_2015_hadoop_log_beside_a_2024_access_log_is_not_mixed_into_one_onset(tmp_path):
    paths = [hadoop_log(tmp_path / "Hadoop_2k.log"), access_log(tmp_path / "access.log")]
    scan = scan_investigation_window(paths)
    assert scan.window is not None and scan.window.left_out == [str(paths[0])]
    assert scan.window.reason == "the latest files" and str(paths[0]) in scan.window.note
    assert scan.start == ACCESS_T0
    assert [f.path for f in scan.files] == [str(p) for p in paths]  # the left-out file is still named and counted
    assert scan.files[0].parsed == scan.files[0].outside_window > 0
    found = symptoms_from_scan(scan, IncidentContext())
    # One 500 among 600 requests is no rise, and no Hadoop line is in its before or after.
    assert found.incident_onset is None
    assert "Hadoop_2k" not in {s.service for s in found.scan.signatures}


def test_since_and_until_choose_the_period_nearest_them(tmp_path):
    paths = [access_log(tmp_path / "access.log"), hadoop_log(tmp_path / "Hadoop_2k.log")]
    since, until = datetime(2015, 10, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)
    scan = scan_investigation_window(paths, since=since, until=until)
    assert scan.window.left_out == [str(paths[0])] and "--since/--until" in scan.window.reason
    found = symptoms_from_scan(scan, IncidentContext())
    assert found.incident_onset is not None and found.incident_onset.at == HADOOP_T0 + timedelta(seconds=400)
    assert found.affected.direct == ["Hadoop_2k"]


def test_a_deploy_chooses_the_period_it_falls_in(tmp_path):
    paths = [zookeeper_log(tmp_path / "zookeeper.log"), access_log(tmp_path / "access.log")]
    deployed = datetime(2015, 7, 29, 18, 55, tzinfo=UTC)
    scan = scan_investigation_window(paths, anchors=[deployed])
    assert scan.window.left_out == [str(paths[1])] and scan.window.reason == "the files around the deploys and commits"
    found = symptoms_from_scan(scan, IncidentContext())
    assert found.incident_onset.at == datetime(2015, 7, 29, 19, 20, tzinfo=UTC)
    # A deploy in no period is no reason: the latest period is read, and the note says none fell in one.
    elsewhere = choose_window(scan_logs(paths).files, anchors=[datetime(2019, 1, 1, tzinfo=UTC)])
    assert elsewhere.left_out == [str(paths[0])] and "no deploy or commit" in elsewhere.reason


def test_files_that_overlap_are_one_period_and_not_narrowed(tmp_path):
    paths = [zookeeper_log(tmp_path / "zk-1.log"), zookeeper_log(tmp_path / "zk-2.log")]
    scan = scan_investigation_window(paths)
    assert scan.window is None and choose_window(scan.files) is None
