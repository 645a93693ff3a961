"""A directory of many pod logs through the command line: the printed report counts them in groups, the saved
investigation keeps every file, and `--rollback-decision` reads them all again (issue #16, item 5)."""

import json

from support.many_logs import cri_pod_logs

from wicked_platform.agents.cli import main
from wicked_platform.agents.state import StateStore


def test_the_printed_report_groups_the_files_and_the_saved_one_keeps_them_all(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    base = cri_pod_logs(tmp_path, 80)
    state = tmp_path / "state"
    assert main(["incident", "cart slow", "--log", str(base), "--format", "json", "--state-dir", str(state)]) == 0
    printed = json.loads(capsys.readouterr().out)["inputs"]
    assert printed["log_files"] == 80 and printed["logs"] == [] and printed["omitted"] == {"logs": 80}
    assert [(g["service"], g["files"], g["directory"]) for g in printed["log_groups"]] == [
        ("cart-api", 40, str(base)), ("checkout-api", 40, str(base))]
    saved = StateStore(state).load().inputs
    assert len(saved.logs) == 80 and saved.omitted == {}
    assert main(["incident", "--rollback-decision", "--format", "json", "--state-dir", str(state)]) == 0
    assert json.loads(capsys.readouterr().out)["reevaluated"] is True
