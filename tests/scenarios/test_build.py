"""Building scenarios: real repos with stable SHAs, the story's diffs, and the logs byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from git import Repo

from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.model import ScenarioError, load_scenario
from wicked_platform.tools.context import load_context

PERF = "perf(checkout-api): Optimize timeout settings"


def _build(folder: Path, dest: Path):
    return build_scenario(load_scenario(folder), folder, dest)


def _log_bytes(built) -> dict[str, bytes]:
    return {p.relative_to(built.repo).as_posix(): p.read_bytes() for p in built.logs}


@pytest.mark.parametrize("name", ["checkout-timeout", "seed-literal"])
def test_building_twice_gives_the_same_shas_and_bytes(bundled, tmp_path, name):
    first = _build(bundled / name, tmp_path / "one")
    second = _build(bundled / name, tmp_path / "two")
    assert first.sha_by_subject and first.sha_by_subject == second.sha_by_subject
    assert _log_bytes(first) == _log_bytes(second)
    assert (first.repo / "error.log").read_bytes() == (second.repo / "error.log").read_bytes()
    if first.context:
        assert first.context.read_bytes() == second.context.read_bytes()


def test_checkout_timeout_shas_are_pinned(bundled, tmp_path):
    # Same bytes on any machine: these SHAs only change when the scenario itself does.
    built = _build(bundled / "checkout-timeout", tmp_path / "b")
    assert built.sha_by_subject[PERF] == "9e0aed736448b04d4a83891d02849ce61fbf0c44"


def test_checkout_timeout_perf_commit_lowers_the_timeout(bundled, tmp_path):
    built = _build(bundled / "checkout-timeout", tmp_path / "b")
    repo = Repo(built.repo)
    perf = repo.commit(built.sha_by_subject[PERF])
    assert perf.summary == PERF
    (diff,) = perf.parents[0].diff(perf, create_patch=True)
    assert diff.a_path == diff.b_path == "services/checkout-api/config.ts"
    patch = diff.diff.decode()
    assert "-  paymentTimeout: 5000," in patch and "+  paymentTimeout: 500," in patch
    assert repo.tags["checkout-api-v2.4.1"].commit == perf
    assert repo.active_branch.name == "main"
    assert perf.committed_datetime.isoformat() == "2024-01-15T13:47:00+00:00"
    assert perf.author.email == "sam@example.com"


def test_checkout_timeout_commits_change_what_they_say(bundled, tmp_path):
    built = _build(bundled / "checkout-timeout", tmp_path / "b")
    repo = Repo(built.repo)
    touched = {}
    for commit in repo.iter_commits("HEAD"):
        if commit.parents:
            touched[commit.summary] = {d.b_path or d.a_path for d in commit.parents[0].diff(commit)}
    assert all(p.startswith("services/user-service/") for p in touched["feat(user-service): Add session caching"])
    assert touched["fix(payment-service): Update retry logic"] == {"services/payment-service/retry.ts"}
    assert len(list(repo.iter_commits("HEAD"))) == 4
    assert not repo.is_dirty(untracked_files=False)


def test_checkout_timeout_logs_and_context(bundled, tmp_path):
    built = _build(bundled / "checkout-timeout", tmp_path / "b")
    assert built.repo == (tmp_path / "b").resolve()
    assert [p.relative_to(built.repo).as_posix() for p in built.logs] == ["error.log", "logs/checkout-api-access.log"]
    assert (built.repo / "error.log").read_bytes() == (bundled / "checkout-timeout" / "error.log").read_bytes()
    access = (built.repo / "logs" / "checkout-api-access.log").read_text().splitlines()
    assert 1000 < len(access) < 1400  # ~47/min over 25 minutes
    assert built.context == built.repo / "incident-context.yaml"
    context = load_context(built.context)
    assert context.service("checkout-api").depends_on == ["payment-service", "user-service"]
    assert "requests_per_minute: 47\n" in built.context.read_text()  # written as a person would, not 47.0
    assert built.args == ["--log", "error.log", "--log", "logs/"]
    assert built.setup_exit_status is None


def test_seed_literal_replays_the_seed_as_written(bundled, tmp_path):
    built = _build(bundled / "seed-literal", tmp_path / "b")
    # HOME is the build dir, so the script's `cd ~/test-wicked-platform/incident-response` lands here.
    assert built.repo == (tmp_path / "b" / "test-wicked-platform" / "incident-response").resolve()
    repo = Repo(built.repo)
    assert [c.summary for c in repo.iter_commits("HEAD")] == [PERF, "Initial setup"]  # the two empty commits fail
    assert set(built.sha_by_subject) == {PERF, "Initial setup"}
    assert (built.repo / "error.log").read_bytes() == (bundled / "checkout-timeout" / "error.log").read_bytes()
    assert "nothing to commit" in built.setup_output
    assert built.setup_exit_status == 0  # the script's last command (the heredoc) succeeds
    assert built.context is None and built.logs == [] and built.args == []
    config = (built.repo / "services/checkout-api/config.ts").read_text()
    assert "paymentTimeout: 500,  // BUG: Should be 5000" in config


def test_build_is_isolated_from_a_parent_git(bundled, tmp_path, monkeypatch):
    # Inside a hook, git exports GIT_DIR and friends; the build must not write into that repo.
    decoy = tmp_path / "decoy"
    Repo.init(decoy)
    monkeypatch.setenv("GIT_DIR", str(decoy / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(decoy / ".git" / "index"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2030-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'user.name'='Intruder'")
    built = _build(bundled / "checkout-timeout", tmp_path / "b")
    assert built.sha_by_subject[PERF] == "9e0aed736448b04d4a83891d02849ce61fbf0c44"
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert not Repo(decoy).head.is_valid()


def test_dest_must_be_empty(bundled, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("x")
    with pytest.raises(FileExistsError):
        _build(bundled / "checkout-timeout", tmp_path / "b")


def _setup_scenario(tmp_path: Path, script: str, **extra) -> Path:
    folder = tmp_path / "scenario"
    folder.mkdir()
    scenario = {"title": "t", "description": "d", "repo": {"setup": "setup.sh", "setup_date": "2024-01-15T09:00:00Z"}}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario | extra))
    (folder / "setup.sh").write_text(script)
    return folder


def test_failing_setup_is_recorded_not_fatal(tmp_path):
    folder = _setup_scenario(tmp_path, "git init -q\necho hi > a.txt\ngit add a.txt\ngit commit -qm 'add a'\nfalse\n")
    built = _build(folder, tmp_path / "b")
    assert built.setup_exit_status == 1
    assert list(built.sha_by_subject) == ["add a"]


def test_setup_without_a_repo_fails_the_build(tmp_path):
    folder = _setup_scenario(tmp_path, "echo no repo here\n")
    with pytest.raises(ScenarioError, match="setup.sh: the script left no git repo"):
        _build(folder, tmp_path / "b")


def test_setup_that_hangs_times_out(tmp_path):
    folder = _setup_scenario(tmp_path, "git init -q\nsleep 30\n")
    with pytest.raises(ScenarioError, match="did not finish within 0.5 s"):
        build_scenario(load_scenario(folder), folder, tmp_path / "b", setup_timeout=0.5)


def test_log_may_not_overwrite_a_file_the_repo_has(tmp_path):
    folder = _setup_scenario(tmp_path, "git init -q\necho old > error.log\n",
                             logs=[{"path": "error.log", "file": "new.log"}])
    (folder / "new.log").write_text("new\n")
    with pytest.raises(ScenarioError, match="logs.0.path: 'error.log' already exists"):
        _build(folder, tmp_path / "b")
