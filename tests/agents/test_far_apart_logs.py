"""Logs far apart in time, through the command line: one period is investigated, the files of the other are
named on stderr and in the notes, and `--rollback-decision` re-reads the same period (issue #16, item 5)."""

import json

from support.far_apart_logs import access_log, hadoop_log

from wicked_platform.agents.cli import main


def _incident(capsys, *args):
    code = main(["incident", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_years_older_log_is_named_on_stderr_and_kept_out_of_the_symptoms(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hadoop, access = hadoop_log(tmp_path / "Hadoop_2k.log"), access_log(tmp_path / "access.log", set(range(400, 600, 2)))
    code, out, err = _incident(capsys, "API errors", "--log", str(hadoop), "--log", str(access), "--format", "json",
                               "--state-dir", str(tmp_path / "state"))
    assert code == 0, err
    assert f"warning: {hadoop}: far apart in time from the period investigated" in err
    report = json.loads(out)
    assert report["started_at"] == "2024-03-05T10:20:00Z"  # the access log's own rise, request 400
    assert report["blast_radius"]["direct"] == ["access"]
    assert {s["service"] for s in report["symptoms"]} == {"access"}  # nothing of 2015
    assert report["inputs"]["left_out"] == [str(hadoop)]
    assert any("investigated 2024-03-05T10:00:00Z to 2024-03-05T10:29:57Z (the latest files)" in n for n in report["notes"])
    assert "left out (see the notes)" in report["summary"]
    assert main(["incident", "--rollback-decision", "--format", "json", "--state-dir", str(tmp_path / "state")]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["reevaluated"] and answer["rollback_decision"] == report["rollback_decision"]


def test_until_in_the_older_period_investigates_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    hadoop, access = hadoop_log(tmp_path / "Hadoop_2k.log"), access_log(tmp_path / "access.log")
    code, out, err = _incident(capsys, "job failing", "--log", str(access), "--log", str(hadoop), "--until",
                               "2015-10-19T00:00:00Z", "--format", "json", "--state-dir", str(tmp_path / "state"))
    assert code == 0, err
    report = json.loads(out)
    assert report["started_at"] == "2015-10-18T18:08:27Z" and report["blast_radius"]["direct"] == ["Hadoop_2k"]
    assert "far apart" not in err  # --until left the access log out already: one period, nothing to choose
