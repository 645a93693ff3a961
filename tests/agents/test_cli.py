"""The CLI as users run it: a real subprocess for exit codes and streams, on built scenarios."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"


def wp(*args, cwd, env=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=full_env, timeout=120)


@pytest.fixture
def state(tmp_path):
    return ["--state-dir", str(tmp_path / "state")]


def test_incident_then_rollback_decision(checkout_timeout, state):
    repo = checkout_timeout.repo
    r = wp("incident", DESCRIPTION, *checkout_timeout.args, *state, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("## Incident Triage: Checkout API 500 errors")
    for expected in ("**Severity**: SEV1", "**Status**: IDENTIFIED", "| 14:20:00 | checkout-api | Deployment checkout-api-v2.4.1 started |",
                     "`paymentTimeout: 5000` -> `paymentTimeout: 500`", "**Correlation Confidence**: HIGH",
                     "kubectl rollout undo deployment/checkout-api", "kubectl set env deployment/checkout-api PAYMENT_TIMEOUT=5000",
                     "- [x] Error rate > 10x baseline", "Add config validation to prevent paymentTimeout < 1000"):
        assert expected in r.stdout
    d = wp("incident", "--rollback-decision", "--format", "json", *state, cwd=repo)
    assert d.returncode == 0, d.stderr
    answer = json.loads(d.stdout)
    assert answer["incident_id"] == "INC-20240115-1423-checkout-api"
    assert answer["rollback_decision"]["recommendation"] == "ROLLBACK"
    assert len(answer["rollback_decision"]["criteria"]) == 5


def test_json_report_is_byte_for_byte_stable_and_matches_the_schema(checkout_timeout, state):
    import jsonschema

    runs = [wp("incident", DESCRIPTION, *checkout_timeout.args, "--format", "json", *state, cwd=checkout_timeout.repo)
            for _ in range(2)]
    assert runs[0].returncode == 0 and runs[0].stdout == runs[1].stdout
    schema = json.loads(wp("schema", cwd=checkout_timeout.repo).stdout)
    jsonschema.validate(json.loads(runs[0].stdout), schema)


def test_state_dir_is_gitignored_and_holds_the_report(checkout_timeout, tmp_path):
    state = tmp_path / "s"
    assert wp("incident", DESCRIPTION, *checkout_timeout.args, "--state-dir", str(state), cwd=checkout_timeout.repo).returncode == 0
    assert (state / ".gitignore").read_text() == "*\n"
    assert (state / "latest").read_text().strip() == "INC-20240115-1423-checkout-api"
    assert (state / "incidents" / "INC-20240115-1423-checkout-api.json").is_file()


@pytest.mark.parametrize("args,fragment", [
    (["--log", "missing.log"], "--log missing.log"),
    (["--log", "error.log", "--since", "yesterday"], "--since 'yesterday'"),
    (["--log", "error.log", "--tz", "Mars/Base"], "--tz 'Mars/Base'"),
    (["--log", "error.log", "--context", "nope.yaml"], "--context nope.yaml"),
    (["--log", "error.log", "--repo", "/nonexistent"], "--repo /nonexistent"),
    (["--log", "error.log", "--format", "xml"], "--format"),
])
def test_bad_input_is_one_line_and_exit_2(checkout_timeout, state, args, fragment):
    r = wp("incident", DESCRIPTION, *args, *state, cwd=checkout_timeout.repo)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in r.stderr


def test_context_with_a_wrong_type_names_the_field(checkout_timeout, tmp_path, state):
    bad = tmp_path / "ctx.yaml"
    bad.write_text("services:\n  checkout-api:\n    requests_per_minute: lots\n")
    r = wp("incident", DESCRIPTION, "--log", "error.log", "--context", str(bad), *state, cwd=checkout_timeout.repo)
    assert r.returncode == 2 and "services.checkout-api.requests_per_minute" in r.stderr


def test_a_named_repo_that_is_not_a_git_repository_is_read_as_logs_only(tmp_path, state):
    (tmp_path / "app.log").write_text("2024-01-15T14:23:15Z ERROR api boom\n")
    r = wp("incident", "api errors", "--repo", str(tmp_path), "--format", "json", *state, cwd="/")
    assert r.returncode == 0, r.stderr
    assert r.stderr == f"note: {tmp_path} is not a git repository; investigating logs only (the report's notes say so)\n"
    notes = json.loads(r.stdout)["notes"]
    assert any(n.startswith(f"no git history was read ({tmp_path} is not a git repository)") for n in notes)


def test_logs_only_without_a_repo_still_reports(tmp_path, state):
    (tmp_path / "app.log").write_text("2024-01-15T14:23:15Z ERROR api boom\n")
    r = wp("incident", "api errors", "--format", "json", *state, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["root_cause"] is None and report["status"] == "INVESTIGATING"


def test_empty_log_gives_investigating_with_a_note(tmp_path, state):
    (tmp_path / "empty.log").write_text("")
    r = wp("incident", "something is off", "--log", "empty.log", "--format", "json", *state, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["status"] == "INVESTIGATING" and report["started_at"] is None
    assert any("no log lines" in n for n in report["notes"])


def test_rollback_decision_without_a_saved_investigation(tmp_path):
    r = wp("incident", "--rollback-decision", "--state-dir", str(tmp_path / "none"), cwd=tmp_path)
    assert r.returncode == 2 and "run `wicked-platform incident" in r.stderr


def test_secrets_in_logs_never_reach_the_report_or_the_state(checkout_timeout, tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "app.log").write_text(
        "2024-01-15T14:20:00Z INFO api started\n"
        + "".join(f"2024-01-15T14:2{3 + i // 60}:{i % 60:02d}Z ERROR api login failed password=hunter2 "
                  f"token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc{i}\n" for i in range(30))
    )
    state = tmp_path / "state"
    r = wp("incident", "login broken", "--format", "json", "--state-dir", str(state), cwd=repo)
    assert r.returncode == 0, r.stderr
    saved = "".join(p.read_text() for p in state.rglob("*.json"))
    for text in (r.stdout, r.stderr, saved):
        assert "hunter2" not in text and "eyJhbGci" not in text
    assert "[REDACTED]" in r.stdout


def test_eval_passes_the_bundled_scenarios(tmp_path):
    r = wp("eval", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    card = json.loads(r.stdout)
    assert card["scenarios_passed"] == len(card["scenarios"]) >= 2
    assert card["false_rollbacks"] == 0
