"""`wicked-platform eval --generated N --seed S`: the scorecard's shape, its determinism, its scoring."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from wicked_platform.agents.corpus_evaluation import ReportAnswer, _root_cause_scores, command_names
from wicked_platform.scenarios.corpus.incident import generate_incident

FIELDS = {"generated", "root_cause_service_accuracy", "root_cause_commit_accuracy", "recommendation_accuracy",
          "false_rollbacks", "ungrounded_commands", "incidents"}


def wp(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)


def test_a_small_corpus_prints_the_scorecard_and_the_same_bytes_twice(tmp_path):
    first = wp("eval", "--generated", "6", "--seed", "3", "--format", "json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    card = json.loads(first.stdout)
    assert FIELDS <= card.keys()
    assert card["generated"] == 6 and len(card["incidents"]) == 6
    for key in ("root_cause_service_accuracy", "root_cause_commit_accuracy", "recommendation_accuracy"):
        assert 0 <= card[key] <= 1
    assert isinstance(card["false_rollbacks"], int) and isinstance(card["ungrounded_commands"], int)
    assert {r["truth"]["kind"] for r in card["incidents"]} == {"bad_deploy", "flag_flip", "saturation", "control"}
    for result in card["incidents"]:
        assert {"truth", "answer", "truth_commit"} <= result.keys()
        assert result["error"] is None, result["error"]
    # The acceptance bar of issue #17, held on the small corpus every CI run builds: one wrong answer here is a
    # regression of the judgment the 300-incident scorecard measures.
    assert card["false_rollbacks"] == 0 and card["ungrounded_commands"] == 0
    wrong = [(r["name"], r["truth"]["recommendation"], r["answer"]["recommendation"]) for r in card["incidents"]
             if not (r["root_cause_service_correct"] and r["root_cause_commit_correct"] and r["recommendation_correct"])]
    assert wrong == []
    second = wp("eval", "--generated", "6", "--seed", "3", "--format", "json", cwd=tmp_path)
    assert second.stdout == first.stdout


def test_markdown_scorecard_names_the_figures(tmp_path):
    result = wp("eval", "--generated", "2", "--seed", "9", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "root cause service accuracy" in result.stdout and "false ROLLBACKs" in result.stdout


def test_generated_rejects_a_count_below_one(tmp_path):
    result = wp("eval", "--generated", "0", cwd=tmp_path)
    assert result.returncode == 2 and "--generated 0" in result.stderr and "Traceback" not in result.stderr


def test_command_names_are_the_deployment_namespace_and_env_vars():
    assert command_names("kubectl set env deployment/pay-api PAY_TIMEOUT=5000 -n shop") == [
        "pay-api", "shop", "PAY_TIMEOUT"]
    assert command_names("kubectl rollout undo deployment/pay-api --namespace=shop") == ["pay-api", "shop"]
    assert command_names("git revert --no-edit abc123") == []


def test_a_name_the_generated_files_do_not_hold_is_ungrounded():
    truth = next(generate_incident(5, i).truth for i in range(8) if generate_incident(5, i).truth.kind == "bad_deploy")
    grounded = set(truth.grounded_names)
    assert truth.service in grounded
    assert "INVENTED_VARIABLE_NAME" not in grounded


def test_root_cause_scoring_per_kind():
    truth = generate_incident(2, 0).truth  # index 0 is a bad deploy
    assert truth.kind == "bad_deploy"
    right = ReportAnswer(service=truth.service, commit="a" * 40, subject=truth.subject, recommendation="ROLLBACK",
                         command=None, alternative=None)
    assert _root_cause_scores(truth, right, "a" * 40) == (True, True)
    assert _root_cause_scores(truth, right, "b" * 40) == (True, False)
    control = generate_incident(2, 3).truth
    assert control.kind == "control"
    assert _root_cause_scores(control, right, None) == (False, False)
    nothing = right.model_copy(update={"service": None, "commit": None})
    assert _root_cause_scores(control, nothing, None) == (True, True)
