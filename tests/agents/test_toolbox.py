"""The model's toolbox answers from the engine's run only when that run read what the tools would read."""

from __future__ import annotations

import json

import anyio
from support.built import build
from support.investigations import request_for

from wicked_platform.agents.offline import engine_run
from wicked_platform.agents.toolbox import Toolbox, input_state


def _deploy_history(request, engine) -> dict:
    async def go():
        async with Toolbox(request, engine) as toolbox:
            outcome = await toolbox.call("deploy_history", {})
            return json.loads(outcome.text.split("\n", 1)[1])
    return anyio.run(go)


def test_an_engine_run_without_the_repo_is_not_handed_to_tools_that_read_it(tmp_path):
    built = build("checkout-timeout", tmp_path)
    request = request_for(built).model_copy(update={"repo": None})  # the engine reads no git history
    engine = engine_run(request)
    assert engine.changes.history is None
    # The tools' repo defaults to the logs' folder, which is the scenario's repository: they read git.
    deploys = _deploy_history(request, engine)["deploys"]
    assert any(d.get("commit") for d in deploys)


def test_the_state_of_the_inputs_changes_when_a_log_grows(tmp_path):
    built = build("checkout-timeout", tmp_path)
    request = request_for(built)
    before = input_state(request)
    with request.logs[0].open("a") as log:
        log.write("2024-01-15T14:26:00Z ERROR checkout-api Payment timeout for order ORD-9999\n")
    assert input_state(request) != before


def test_a_logs_only_run_is_handed_to_the_tools_and_they_say_no_history_was_read(tmp_path, monkeypatch):
    import shutil

    from wicked_platform.tools.mcp import workspace

    built = build("checkout-timeout", tmp_path / "built")
    folder = tmp_path / "incident"
    shutil.copytree(built.repo, folder, ignore=shutil.ignore_patterns(".git"))
    request = request_for(built).model_copy(update={
        "repo": None, "repo_dir": folder, "logs": [folder / p.relative_to(built.repo) for p in request_for(built).logs]})
    engine = engine_run(request)
    scans = []
    monkeypatch.setattr(workspace, "scan_logs", lambda *a, **k: scans.append(1))
    history = _deploy_history(request, engine)
    assert scans == []  # the tools answer from the engine's run on the same folder
    assert [(d["service"], d["source"]) for d in history["deploys"]] == [("checkout-api", "log")]
    assert any(n.startswith(f"no git history was read ({folder} is not a git repository)") for n in history["notes"])
