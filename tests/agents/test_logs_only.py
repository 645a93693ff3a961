"""A `--repo` that is not a git repository: the investigation runs on the logs (and any deploys file) alone,
its notes say that no history was read and why, and the saved investigation answers `--rollback-decision`
and `postmortem` like any other."""

import json
import shutil
import subprocess

from support.built import build

from wicked_platform.agents.cli import main

NO_HISTORY = "no git history was read"


def _logs_of(built, dest):
    """The scenario's logs copied into `dest`, without its repository."""
    dest.mkdir(parents=True)
    shutil.copy(built.repo / "error.log", dest / "error.log")
    shutil.copytree(built.repo / "logs", dest / "logs")
    return dest


def _incident(capsys, *args):
    code = main(["incident", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_folder_of_logs_without_git_gives_a_full_report_from_the_logs(tmp_path, monkeypatch, capsys):
    built = build("checkout-timeout", tmp_path / "built")
    incident = _logs_of(built, tmp_path / "incident")
    monkeypatch.chdir(tmp_path)
    code, out, err = _incident(capsys, built.description, "--repo", str(incident), "--format", "json")
    assert code == 0, err
    assert f"{incident} is not a git repository; investigating logs only" in err
    report = json.loads(out)
    assert report["started_at"] == "2024-01-15T14:23:15Z" and report["detected_at"] == "2024-01-15T14:25:00Z"
    assert [(d["service"], d["version"], d["source"], d["commit"]) for d in report["deploys"]] == [
        ("checkout-api", "v2.4.1", "log", None)]
    assert report["blast_radius"]["direct"] == ["checkout-api"] and report["blast_radius"]["error_rate"] is not None
    assert report["inputs"]["repo"] is None and report["inputs"]["commits_read"] == 0
    [note] = [n for n in report["notes"] if n.startswith(NO_HISTORY)]
    assert f"({incident} is not a git repository)" in note and "deploys come from the logs alone" in note
    assert report["root_cause"] is None or report["root_cause"]["commit"] is None  # no history, no commit named
    # The saved investigation, read back from the folder's own state dir.
    code, out, err = _incident(capsys, "--rollback-decision", "--repo", str(incident), "--format", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["reevaluated"] and answer["rollback_decision"] == report["rollback_decision"]
    assert main(["postmortem", "--repo", str(incident)]) == 0
    assert f"- ID: {report['incident_id']}" in capsys.readouterr().out


def test_a_folder_whose_git_repository_is_below_it_is_logs_only_with_its_deploys_file(tmp_path, monkeypatch, capsys):
    """git looks up from the folder, never down: a repository in a subfolder is not the folder's history."""
    built = build("checkout-timeout", tmp_path / "built")
    incident = _logs_of(built, tmp_path / "incident")
    shutil.copytree(built.repo, incident / "services" / "shop")  # a checkout inside, with its .git
    assert (incident / "services" / "shop" / ".git").is_dir()
    deploys = incident / "deploys.yaml"
    deploys.write_text("- {service: checkout-api, version: v2.4.1, at: '2024-01-15T14:20:00Z'}\n")
    monkeypatch.chdir(incident)  # no --repo: the working directory
    code, out, err = _incident(capsys, built.description, "--log", "error.log", "--log", "logs/", "--deploys",
                               "deploys.yaml")
    assert code == 0, err
    assert out.startswith("## Incident Triage: ")
    assert "**Started**: 14:23:15 UTC (2024-01-15)" in out
    notes = out[out.index("### Notes"):]
    assert f"- {NO_HISTORY} ({incident} is not a git repository): deploys come from the logs and the deploys file alone" in notes
    assert "| 14:20:00 | checkout-api |" in out
    assert main(["postmortem"]) == 0
    assert "# Root Cause Analysis: " in capsys.readouterr().out


def test_a_subfolder_of_a_repository_reads_its_history(tmp_path, monkeypatch, capsys):
    """The other side of the line: a folder inside a repository is that repository, as git finds it."""
    built = build("checkout-timeout", tmp_path)
    monkeypatch.chdir(built.repo)
    code, out, err = _incident(capsys, built.description, *built.args, "--repo", "services", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["root_cause"]["change"]["key"] == "paymentTimeout"
    assert not any(n.startswith(NO_HISTORY) for n in report["notes"])


def test_a_repository_git_refuses_is_still_bad_input(tmp_path, monkeypatch, capsys):
    built = build("checkout-timeout", tmp_path)
    (built.repo / ".git" / "config").write_text("[core\n")
    monkeypatch.chdir(built.repo)
    code, out, err = _incident(capsys, built.description, *built.args, "--repo", ".")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "git refuses it" in err


def test_an_empty_git_directory_is_no_repository(tmp_path, monkeypatch, capsys):
    """A `.git` that is an empty folder (a failed clone) holds no history: git says so, and the logs are read."""
    built = build("checkout-timeout", tmp_path / "built")
    incident = _logs_of(built, tmp_path / "incident")
    (incident / ".git").mkdir()
    assert subprocess.run(["git", "-C", str(incident), "rev-parse", "--git-dir"], capture_output=True).returncode != 0
    monkeypatch.chdir(incident)
    code, out, err = _incident(capsys, built.description, *built.args, "--format", "json")
    assert code == 0, err
    assert any(n.startswith(f"{NO_HISTORY} ({incident} is not a git repository)") for n in json.loads(out)["notes"])


def test_errors_that_rose_without_a_deploy_or_an_alert_show_their_onset_in_the_timeline(tmp_path, monkeypatch, capsys):
    lines = [f"2024-03-02T09:{m:02d}:00Z INFO orders-api served request" for m in range(20)]
    lines += [f"2024-03-02T09:{m:02d}:30Z ERROR orders-api upstream connect error to inventory-svc" for m in (0, 7, 14)]
    lines += [f"2024-03-02T09:20:{s:02d}Z ERROR orders-api upstream connect error to inventory-svc" for s in range(50)]
    (tmp_path / "app.log").write_text("\n".join(sorted(lines)) + "\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _incident(capsys, "orders failing", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["started_at"] == "2024-03-02T09:20:00Z"
    assert [(e["at"], e["kind"]) for e in report["timeline"]] == [(report["started_at"], "error_onset")]
    assert main(["postmortem"]) == 0
    assert "- 09:20:00: [orders-api] Errors rose: upstream connect error to inventory-svc (×50 from here, ×3 before)" in (
        capsys.readouterr().out)
