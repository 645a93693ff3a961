"""Read-only by construction: an investigation runs no kubectl and no git command that writes.

The CLI runs with a PATH whose `kubectl` is a trap and whose `git` records every subcommand before
handing it to the real git; afterwards the trap must be untouched and no write subcommand seen.
"""

import os
import shutil
import subprocess
import sys

WRITES = {"push", "revert", "commit", "reset", "checkout", "merge", "rebase", "tag", "branch", "am", "apply",
          "stash", "clean", "gc", "update-ref", "config"}


def test_investigation_runs_no_kubectl_and_no_git_writes(checkout_timeout, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sprung, calls = tmp_path / "kubectl-sprung", tmp_path / "git-calls"
    (bin_dir / "kubectl").write_text(f"#!/bin/sh\ntouch {sprung}\nexit 1\n")
    real_git = shutil.which("git")
    (bin_dir / "git").write_text(f'#!/bin/sh\necho "$@" >> {calls}\nexec {real_git} "$@"\n')
    for tool in ("kubectl", "git"):
        (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "GIT_PYTHON_GIT_EXECUTABLE": str(bin_dir / "git")}
    env.pop("ANTHROPIC_API_KEY", None)
    before = subprocess.run([real_git, "rev-parse", "HEAD"], cwd=checkout_timeout.repo, capture_output=True, text=True).stdout
    for args in (["incident", checkout_timeout.description, *checkout_timeout.args],
                 ["incident", "--rollback-decision"]):
        r = subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args, "--state-dir", str(tmp_path / "s")],
                           cwd=checkout_timeout.repo, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert "kubectl rollout undo" in r.stdout  # printed, not run
    assert not sprung.exists()
    seen = calls.read_text().splitlines() if calls.exists() else []
    assert seen, "git was expected to be called through the recording wrapper"
    subcommands = {next((a for a in line.split() if not a.startswith("-") and "=" not in a), "") for line in seen}
    assert {"log", "diff"} & subcommands, subcommands  # the wrapper really saw the investigation's git calls
    assert not subcommands & WRITES, subcommands & WRITES
    after = subprocess.run([real_git, "rev-parse", "HEAD"], cwd=checkout_timeout.repo, capture_output=True, text=True).stdout
    assert before == after
