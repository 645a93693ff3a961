"""The CLI on a repository armed with a trap for every git key that runs a program: the investigation,
`--rollback-decision` and `postmortem` all answer, and no trap fires."""

import json
import os
import subprocess
import sys

from support.built import build
from support.git_traps import arm


def wp(*args, cwd):
    env = {key: value for key, value in os.environ.items() if key != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=180)


def test_every_command_answers_and_no_trap_fires(tmp_path):
    built = build("checkout-timeout", tmp_path)
    trapped = arm(built.repo, tmp_path / "sprung")
    state = ["--state-dir", str(tmp_path / "state")]
    report = wp("incident", built.description, *built.args, "--format", "json", *state, cwd=built.repo)
    assert report.returncode == 0, report.stderr
    found = json.loads(report.stdout)
    assert found["root_cause"]["commit"] == built.sha_by_subject["perf(checkout-api): Optimize timeout settings"]
    assert found["rollback_decision"]["recommendation"] == "ROLLBACK"
    decision = wp("incident", "--rollback-decision", "--format", "json", *state, cwd=built.repo)
    assert decision.returncode == 0, decision.stderr
    assert json.loads(decision.stdout)["rollback_decision"]["recommendation"] == "ROLLBACK"
    postmortem = wp("postmortem", *state, cwd=built.repo)
    assert postmortem.returncode == 0, postmortem.stderr
    assert "paymentTimeout" in postmortem.stdout
    assert trapped.fired() == []


def test_a_repository_git_refuses_is_one_line_and_exit_2(tmp_path):
    built = build("checkout-timeout", tmp_path)
    (built.repo / ".git" / "config").write_text("[core\n")
    r = wp("incident", built.description, *built.args, *["--state-dir", str(tmp_path / "state")], cwd=built.repo)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "git refuses it" in r.stderr and "Traceback" not in r.stderr
