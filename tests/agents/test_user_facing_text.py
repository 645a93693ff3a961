"""What users read names no document of the project's own making (the triage workflow's seed files, the
developers' guide, the interface contract, an issue number): it says what it means instead."""

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wicked_platform.agents.cli import app, main
from wicked_platform.agents.phases import system_prompt

CHECKOUT = Path(__file__).resolve().parents[2]
# `seed-literal` is a bundled scenario's folder name, "seeded" a random generator's and `--seed` the option
# that seeds the generated corpus (`eval --generated N --seed S`): none of them is a document.
INTERNAL = re.compile(r"(?<!--)\bseeds?\b(?!-literal)|\bseed 0\d\d\b|DEVELOPERS|CONTRACT\.md|STYLE\.md|\bissue #\d+|\bphase 6\b",
                      re.IGNORECASE)

COMMANDS = [["--help"], ["incident", "--help"], ["postmortem", "--help"], ["eval", "--help"], ["schema", "--help"],
            ["plugin", "--help"], ["plugin", "build", "--help"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_texts_name_no_internal_document(command):
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert not INTERNAL.findall(result.output), result.output


def test_the_postmortem_help_says_what_the_document_holds():
    text = CliRunner().invoke(app, ["postmortem", "--help"]).output
    assert "root cause analysis document" in text and "follow-up checklist" in text


@pytest.mark.parametrize("path", ["README.md", "plugin/README.md", "plugin/commands/incident.md",
                                  "plugin/agents/incident-responder.md"])
def test_documents_users_read_name_no_internal_document(path):
    text = (CHECKOUT / path).read_text()
    assert not INTERNAL.findall(text), [line for line in text.splitlines() if INTERNAL.search(line)]


@pytest.mark.parametrize("surface", ["api", "plugin"])
def test_the_model_is_told_nothing_it_could_echo_into_a_report(surface):
    assert not INTERNAL.findall(system_prompt(surface))


def test_reports_and_postmortems_name_no_internal_document(checkout_timeout, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(checkout_timeout.repo)
    state = ["--state-dir", str(tmp_path / "state")]
    outputs = []
    for command in (["incident", checkout_timeout.description, *checkout_timeout.args, *state],
                    ["incident", "--rollback-decision", *state], ["postmortem", *state]):
        assert main(command) == 0
        outputs.append(capsys.readouterr().out)
    for text in outputs:
        assert not INTERNAL.findall(text)
    assert len(outputs[2]) > 1000  # the postmortem was rendered, not an empty page
