"""`wicked-platform postmortem`: seed 000's root cause analysis, from the saved investigation."""

import json

from support.built import build

from wicked_platform.agents.cli import main

SECTIONS = ("# Root Cause Analysis:", "## Incident Summary", "## Timeline", "## Root Cause", "## Why Not Caught?",
            "## Contributing Factors", "## Corrective Actions", "## Prevention Measures", "## Lessons Learned",
            "## Approval", "## Follow-Up Checklist")


def test_the_postmortem_of_the_latest_investigation_has_every_section_and_its_facts(tmp_path, monkeypatch, capsys):
    built = build("checkout-timeout", tmp_path)
    monkeypatch.chdir(built.repo)
    assert main(["incident", built.description, *built.args, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(["postmortem"]) == 0
    text = capsys.readouterr().out
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert f"- ID: {report['incident_id']}" in text
    assert "`paymentTimeout` changed from `5000` to `500`" in text
    assert "Which test or check would have failed with `paymentTimeout` at `500`?" in text
    assert "- Data loss: not determinable from logs and git" in text  # asked, never invented
    assert "[ ] Post-incident meeting scheduled (required: SEV1)" in text


def test_without_a_saved_investigation_it_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["postmortem"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wicked-platform: error: ")
