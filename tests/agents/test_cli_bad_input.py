"""Bad input at the command line: exit 2 and one line saying what to fix, or a report that says what
it could not determine. No traceback ever reaches the user; `--debug` shows it.

test_cli.py covers a missing --log file, a bad --since/--tz/--format, a missing --context and
--repo, one wrongly typed context field and an empty log (a --repo that is not git is a logs-only
investigation, not bad input: test_logs_only.py). Here: the rest,
on real files, directories and git repositories built in temp dirs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.git_repos import GitRepo

from wicked_platform.agents import cli, offline

LOG = (
    "2024-01-15T14:20:00Z INFO checkout-api Deployment checkout-api-v2.4.1 started\n"
    + "".join(f"2024-01-15T14:{m:02d}:{s:02d}Z INFO checkout-api served order\n" for m in range(0, 23) for s in (0, 30))
    + "".join(f"2024-01-15T14:23:{s:02d}Z ERROR checkout-api Payment timeout for order ORD-{s}\n" for s in range(15, 45))
)
CONFIG = "export const config = {{\n  paymentTimeout: {},\n  retryAttempts: 3,\n}};\n"


def wp(*args, cwd):
    env = {**os.environ}
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


def one_line_exit_2(r, *fragments):
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr  # not even a "note:" before it
    assert lines[0].startswith("wicked-platform: error: ") and "Traceback" not in r.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture
def plain_dir(tmp_path):
    """A directory that is no git repository, with a good log in it and the odd files below."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "app.log").write_text(LOG)
    (work / "nostamps.log").write_text("starting up\nall good\n")
    (work / "emptydir").mkdir()
    (work / "bindir").mkdir()
    (work / "bindir" / "core.bin").write_bytes(b"\x7fELF\x00\x00\x01")
    os.mkfifo(work / "fifo.log")
    (work / "broken.log").symlink_to(work / "nowhere.log")
    contexts = {
        "services-list.yaml": "services: [checkout-api]\n",
        "depends-string.yaml": "services:\n  checkout-api:\n    depends_on: payment-service\n",
        "critical-maybe.yaml": "services:\n  checkout-api:\n    critical: maybe\n",
        "rate-above-one.yaml": "services:\n  checkout-api:\n    baseline_error_rate: 2\n",
        "typo.yaml": "services:\n  checkout-api:\n    critcal: true\n",
        "negative-users.yaml": "services:\n  checkout-api:\n    active_users: -5\n",
        "env-list.yaml": "services:\n  checkout-api:\n    config_env: {paymentTimeout: [1]}\n",
        "threshold-words.yaml": "revenue_threshold_per_hour: lots\n",
        "top-list.yaml": "- checkout-api\n",
        "broken.yaml": "services: {checkout-api: [}\n",
        "deep.yaml": "services: " + "[" * 5000 + "\n",
    }
    for name, text in contexts.items():
        (work / name).write_text(text)
    (work / "latin1.yaml").write_bytes(b"services:\n  checkout-api:\n    namespace: caf\xe9\n")
    (work / "deploys.yaml").write_text("- service: checkout-api\n  at: 9999-12-31T23:59:59-01:00\n")
    return work


@pytest.mark.parametrize("args, fragments", [
    (["--log", "fifo.log"], ["--log fifo.log", "not a regular file"]),
    (["--log", "broken.log"], ["--log broken.log", "broken symbolic link"]),
    (["--log", "emptydir"], ["--log emptydir", "no text or gzip file"]),
    (["--log", "bindir"], ["--log bindir", "no text or gzip file"]),
    (["--log", "nomatch-*.log"], ["--log nomatch-*.log", "matches no file"]),
    (["--log", "app.log", "--repo", "app.log"], ["--repo app.log", "not a directory"]),
    (["--log", "app.log", "--context", "emptydir"], ["--context emptydir", "not a file"]),
    (["--log", "app.log", "--context", "services-list.yaml"], ["services-list.yaml", "services:", "dictionary"]),
    (["--log", "app.log", "--context", "depends-string.yaml"], ["services.checkout-api.depends_on", "list"]),
    (["--log", "app.log", "--context", "critical-maybe.yaml"], ["services.checkout-api.critical", "boolean"]),
    (["--log", "app.log", "--context", "rate-above-one.yaml"], ["services.checkout-api.baseline_error_rate", "1"]),
    (["--log", "app.log", "--context", "typo.yaml"], ["services.checkout-api.critcal", "unknown key"]),
    (["--log", "app.log", "--context", "negative-users.yaml"], ["services.checkout-api.active_users", "0"]),
    (["--log", "app.log", "--context", "env-list.yaml"], ["services.checkout-api.config_env.paymentTimeout", "string"]),
    (["--log", "app.log", "--context", "threshold-words.yaml"], ["revenue_threshold_per_hour", "number"]),
    (["--log", "app.log", "--context", "top-list.yaml"], ["top-list.yaml", "mapping"]),
    (["--log", "app.log", "--context", "broken.yaml"], ["broken.yaml", "not valid YAML at line 1"]),
    (["--log", "app.log", "--context", "deep.yaml"], ["deep.yaml"]),
    (["--log", "app.log", "--context", "latin1.yaml"], ["latin1.yaml", "not UTF-8"]),
    (["--log", "app.log", "--deploys", "deploys.yaml"], ["--deploys deploys.yaml", "entry 0: at"]),
    (["--log", "app.log", "--deploys", "missing.yaml"], ["--deploys missing.yaml", "no such file"]),
    (["--log", "app.log", "--since", "9999-12-31T23:59:59-01:00"], ["--since '9999-12-31T23:59:59-01:00'"]),
    (["--log", "app.log", "--until", "1900-01-01T00:00:00Z"], ["--until '1900-01-01T00:00:00Z'", "1970"]),
    (["--log", "app.log", "--since", "2024-01-16T00:00:00Z", "--until", "2024-01-15T00:00:00Z"], ["--since", "after --until"]),
    (["--rollback-decision", "--incident", "../etc/passwd"], ["--incident", "INC-"]),
    ([], ["DESCRIPTION is required"]),
])
def test_bad_input_is_one_line_naming_what_to_fix(plain_dir, args, fragments):
    description = [] if not args else ["checkout errors"]
    if "--rollback-decision" in args:
        description = []
    r = wp("incident", *description, *args, "--state-dir", str(plain_dir / "state"), cwd=plain_dir)
    one_line_exit_2(r, *fragments)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_and_directory(plain_dir):
    locked_file, locked_dir = plain_dir / "locked.log", plain_dir / "lockeddir"
    locked_file.write_text(LOG)
    locked_dir.mkdir()
    (locked_dir / "a.log").write_text(LOG)
    locked_file.chmod(0)
    locked_dir.chmod(0)
    try:
        one_line_exit_2(wp("incident", "x", "--log", "locked.log", cwd=plain_dir), "--log locked.log", "permission denied")
        one_line_exit_2(wp("incident", "x", "--log", "lockeddir", cwd=plain_dir), "--log lockeddir", "permission denied")
    finally:
        locked_dir.chmod(0o755)


def report_of(r) -> dict:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)


def test_a_log_with_no_timestamps_is_exit_2_naming_its_first_line(plain_dir):
    # The contract: inputs that hold lines, none of them readable, are bad input, never "no errors".
    one_line_exit_2(wp("incident", "something is off", "--log", "nostamps.log", "--state-dir", str(plain_dir / "state"),
                       cwd=plain_dir), "no line could be read as a log", "nostamps.log: 2 of 2 lines", "'starting up'")


def _repo(tmp_path: Path, name: str = "repo") -> GitRepo:
    repo = GitRepo(tmp_path / name)
    repo.commit("Initial setup", {"services/checkout-api/config.ts": CONFIG.format(5000), "error.log": LOG},
                at="2024-01-15T09:00:00Z")
    repo.commit("perf(checkout-api): Optimize timeout settings",
                {"services/checkout-api/config.ts": CONFIG.format(500)}, at="2024-01-15T13:47:00Z", tag="checkout-api-v2.4.1")
    repo.commit("docs: describe the checkout flow", {"README.md": "# shop\n"}, at="2024-01-15T13:55:00Z")
    return repo


def investigate(repo: Path, tmp_path: Path, *extra: str) -> dict:
    return report_of(wp("incident", "checkout errors", "--repo", str(repo), "--log", str(repo / "error.log"),
                        "--format", "json", "--state-dir", str(tmp_path / "state"), *extra, cwd=tmp_path))


def test_the_culprit_is_found_in_a_full_clone(tmp_path):
    report = investigate(_repo(tmp_path).path, tmp_path)
    assert report["root_cause"]["change"]["key"] == "paymentTimeout"
    assert (report["root_cause"]["change"]["before"], report["root_cause"]["change"]["after"]) == ("5000", "500")


def test_a_detached_head_is_read_like_a_branch(tmp_path):
    repo = _repo(tmp_path)
    repo.detach("HEAD~1")  # the deployed tag, checked out
    report = investigate(repo.path, tmp_path)
    assert report["root_cause"]["subject"] == "perf(checkout-api): Optimize timeout settings"
    assert report["inputs"]["commits_read"] == 2


def test_a_shallow_clone_reports_and_says_what_it_could_not_read(tmp_path):
    shallow = _repo(tmp_path).shallow_clone(tmp_path / "shallow", depth=1)
    report = investigate(shallow.path, tmp_path)
    assert any("shallow clone" in n for n in report["notes"])
    assert report["inputs"]["commits_read"] == 1
    assert report["root_cause"] is None or report["root_cause"]["change"] is None  # the perf diff is not here to read


def test_an_empty_repository_reports_that_no_change_can_be_correlated(tmp_path):
    repo = GitRepo(tmp_path / "empty")
    (repo.path / "error.log").write_text(LOG)
    report = investigate(repo.path, tmp_path)
    assert any("has no commits" in n for n in report["notes"])
    # The logged deploy is all there is to blame: no commit, no diff.
    assert report["root_cause"]["commit"] is None and report["root_cause"]["change"] is None
    assert report["started_at"] == "2024-01-15T14:23:15Z"  # the logs still tell the onset


def test_a_window_with_no_commits_says_so(tmp_path):
    repo = _repo(tmp_path)
    report = investigate(repo.path, tmp_path, "--since", "2024-06-01T00:00:00Z")
    assert any("no commits between" in n for n in report["notes"])
    assert report["inputs"]["commits_read"] == 0


# Internal errors: one line, exit 1; --debug shows the traceback ----------------------------------


def _boom(*_args, **_kwargs):
    raise RuntimeError("engine exploded at step 3")


def test_an_internal_error_is_one_line_and_exit_1(plain_dir, monkeypatch, capsys):
    monkeypatch.chdir(plain_dir)
    monkeypatch.setattr(offline, "investigate", _boom)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    code = cli.main(["incident", "checkout errors", "--log", "app.log", "--agent", "offline", "--state-dir", str(plain_dir / "s")])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last == "wicked-platform: internal error: RuntimeError: engine exploded at step 3 (run with --debug for the traceback)"
    assert "Traceback" not in err


def test_debug_shows_the_traceback_of_internal_errors_and_bad_input(plain_dir, monkeypatch):
    monkeypatch.chdir(plain_dir)
    monkeypatch.setattr(offline, "investigate", _boom)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(RuntimeError, match="engine exploded"):
        cli.main(["incident", "checkout errors", "--log", "app.log", "--agent", "offline", "--debug",
                  "--state-dir", str(plain_dir / "s")])
    r = wp("incident", "checkout errors", "--log", "missing.log", "--debug", cwd=plain_dir)
    assert r.returncode != 0 and "Traceback" in r.stderr and "LogInputError: --log missing.log" in r.stderr


def test_bundled_scenarios_not_on_the_file_system_are_one_line_and_exit_2(monkeypatch, capsys):
    from wicked_platform.scenarios import model

    def zipped():
        raise model.ScenarioError("bundled scenarios are not on the file system (a zip)")

    monkeypatch.setattr(model, "bundled_scenarios_dir", zipped)
    assert cli.main(["eval"]) == 2
    assert capsys.readouterr().err.strip() == "wicked-platform: error: bundled scenarios are not on the file system (a zip)"


@pytest.mark.parametrize("closed", ["2>&-", ">&-"])
def test_the_console_script_exits_with_mains_code_when_the_shell_closed_a_stream(tmp_path, closed):
    """run() flushes what is left and leaves without finalising: a closed stream is None, not an error."""
    command = f'"{sys.executable}" -m wicked_platform.agents.cli schema {closed}; echo "rc=$?" >&3'
    done = subprocess.run(["bash", "-c", f"exec 3>{tmp_path / 'rc'}; {command}"], capture_output=True, text=True,
                          timeout=120)
    assert (tmp_path / "rc").read_text().strip() == ("rc=0" if closed == "2>&-" else "rc=1"), done.stderr
    assert "Traceback" not in done.stderr
