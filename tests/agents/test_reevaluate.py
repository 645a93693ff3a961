"""`--rollback-decision` evaluates the criteria again on the saved inputs, or says why it could not."""

import json

from support.built import build

from wicked_platform.agents.cli import main
from wicked_platform.tools.report import InputSummary


def _investigate(built, monkeypatch, capsys):
    monkeypatch.chdir(built.repo)
    assert main(["incident", built.description, *built.args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _decide(capsys):
    assert main(["incident", "--rollback-decision", "--format", "json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_unchanged_inputs_give_the_same_decision_evaluated_again(tmp_path, monkeypatch, capsys):
    report = _investigate(build("checkout-timeout", tmp_path), monkeypatch, capsys)
    answer, err = _decide(capsys)
    assert answer["reevaluated"] and answer["note"] is None and err == ""
    assert answer["rollback_decision"] == report["rollback_decision"]


def test_logs_that_changed_since_change_the_answer_and_it_says_so(tmp_path, monkeypatch, capsys):
    built = build("checkout-timeout", tmp_path)
    _investigate(built, monkeypatch, capsys)
    # The incident's lines vanish (say the log was rotated and rewritten with the quiet hours only).
    (built.repo / "error.log").write_text("2024-01-15T14:00:00Z INFO checkout-api started\n")
    for log in (built.repo / "logs").iterdir():
        lines = log.read_text().splitlines(keepends=True)
        log.write_text("".join(line for line in lines if ":2024:14:0" in line or ":2024:14:1" in line))
    answer, err = _decide(capsys)
    assert answer["reevaluated"] and answer["rollback_decision"]["recommendation"] != "ROLLBACK"
    assert err.startswith("note: re-evaluated on the inputs as they are now: ROLLBACK at the investigation, ")


def test_inputs_that_are_gone_give_the_saved_decision_and_say_so(tmp_path, monkeypatch, capsys):
    built = build("checkout-timeout", tmp_path)
    report = _investigate(built, monkeypatch, capsys)
    (built.repo / "error.log").unlink()
    answer, err = _decide(capsys)
    assert not answer["reevaluated"] and answer["rollback_decision"] == report["rollback_decision"]
    assert "cannot read" in err and "error.log" in err and "saved with the investigation" in err


def test_an_investigation_saved_with_one_deploys_file_or_none_still_loads():
    """Before --deploys repeated, the saved inputs named one file (or null)."""
    assert InputSummary.model_validate({"repo": None, "context": None, "deploys": "d.yaml"}).deploys == ["d.yaml"]
    assert InputSummary.model_validate({"repo": None, "context": None, "deploys": None}).deploys == []
