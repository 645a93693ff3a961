"""What could not be read is never "no errors": unreadable inputs alone are one line and exit 2; beside
readable logs they are named on stderr and in the report's summary, severity reasons and inputs."""

import json
import os
import subprocess
import sys

import pytest

APACHE = "".join(
    f"[Mon Jan 15 14:{m:02d}:{s:02d} 2024] [{'error' if m >= 20 else 'notice'}] worker {m * 60 + s} state changed\n"
    for m in range(10, 30) for s in range(0, 60, 20))


def wp(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 20)
    (tmp_path / "notes.log").write_text("remember to rotate the password=hunter2secret\nthen call the vendor\n")
    (tmp_path / "httpd-error.log").write_text(APACHE)
    (tmp_path / "empty.log").write_text("")
    return tmp_path


@pytest.mark.parametrize("only,named", [("photo.jpg", "photo.jpg: not text"), ("notes.log", "notes.log: 2 of 2 lines")])
def test_nothing_readable_is_one_line_and_exit_2(inputs, only, named):
    r = wp("incident", "errors", "--log", only, "--state-dir", str(inputs / "s"), cwd=inputs)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and named in r.stderr and "no line could be read" in r.stderr
    assert "hunter2secret" not in r.stderr  # the first unread line is shown redacted


def test_an_empty_log_is_not_unreadable(inputs):
    r = wp("incident", "errors", "--log", "empty.log", "--state-dir", str(inputs / "s"), "--format", "json", cwd=inputs)
    assert r.returncode == 0, r.stderr
    assert "Read 0 lines of 1 log file" in json.loads(r.stdout)["summary"]


def test_unreadable_files_beside_a_log_are_named_everywhere(inputs):
    r = wp("incident", "errors on the web tier", "--log", "httpd-error.log", "--log", "photo.jpg", "--log", "notes.log",
           "--state-dir", str(inputs / "s"), "--format", "json", cwd=inputs)
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and any("photo.jpg" in w for w in warnings) and any("notes.log" in w for w in warnings)
    report = json.loads(r.stdout)
    assert "Read 60 lines of 1 log file; could not read notes.log, photo.jpg." in report["summary"]
    assert any("could not be" in reason for reason in report["severity_reasons"])
    assert report["started_at"] == "2024-01-15T14:20:00Z"  # the Apache errors, read by their level
    assert len(report["inputs"]["unread"]) == 2
    assert "hunter2secret" not in r.stdout + r.stderr
