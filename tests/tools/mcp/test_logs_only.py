"""The tools on a root that is no git repository: each that can answer from the logs (and a deploys file)
answers, saying where history would have helped; `git_diff`, which has nothing to read, says what to pass."""

import shutil

import anyio
import pytest
from mcp import Client
from support.built import build

from wicked_platform.tools.mcp.server import build_server

LOGS = ["error.log", "logs/"]
DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"
LOG_TOOLS = ("read_logs", "error_rate_ratio", "deploy_history", "correlate_changes", "blast_radius",
             "evaluate_rollback_criteria", "incident_timeline")


def _calls(root, repo, calls):
    async def go():
        async with Client(build_server([root])) as client:
            return [await client.call_tool(name, arguments) for name, arguments in calls]
    return anyio.run(go)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """Two folders without history of their own: the logs alone, and the logs beside a checkout in a subfolder."""
    base = tmp_path_factory.mktemp("logs-only")
    built = build("checkout-timeout", base / "built")
    plain = base / "plain"
    shutil.copytree(built.repo, plain, ignore=shutil.ignore_patterns(".git"))
    nested = base / "nested"
    shutil.copytree(plain, nested)
    shutil.copytree(built.repo, nested / "vendor" / "shop")  # with its .git, below the folder, not above it
    return {"plain": plain, "nested": nested}


@pytest.mark.parametrize("shape", ["plain", "nested"])
def test_every_tool_but_git_diff_answers_from_the_logs(shapes, shape):
    root = shapes[shape]
    calls = [(tool, {"logs": LOGS, **({"description": DESCRIPTION} if "rollback" in tool or "blast" in tool else {})})
             for tool in LOG_TOOLS]
    results = dict(zip(LOG_TOOLS, _calls(root, ".", calls), strict=True))
    for tool, result in results.items():
        assert not result.is_error, (tool, result.content)
    history = results["deploy_history"].structured_content
    assert [(d["service"], d["version"], d["source"]) for d in history["deploys"]] == [("checkout-api", "v2.4.1", "log")]
    assert history["commits"] == []
    assert any(n.startswith(f"no git history was read ({root} is not a git repository)") for n in history["notes"])
    assert results["incident_timeline"].structured_content["started_at"] == "2024-01-15T14:23:15Z"
    candidates = results["correlate_changes"].structured_content["candidates"]
    assert candidates and all(c.get("commit") is None for c in candidates)  # a deploy, never a commit, is named


@pytest.mark.parametrize("shape", ["plain", "nested"])
def test_git_diff_without_a_repository_is_a_tool_error_saying_what_to_pass(shapes, shape):
    [result] = _calls(shapes[shape], ".", [("git_diff", {"commit": "HEAD"})])
    assert result.is_error
    text = result.content[0].text
    assert "repo '.': not a git repository" in text and "pass as repo the git repository that was deployed" in text


def test_a_deploys_file_feeds_deploy_history_without_a_repository(shapes, tmp_path):
    root = shapes["plain"]
    deploys = root / "deploys.yaml"
    deploys.write_text("- {service: checkout-api, version: v2.4.1, at: '2024-01-15T14:20:00Z'}\n")
    try:
        [result] = _calls(root, ".", [("deploy_history", {"logs": LOGS, "deploys": "deploys.yaml"})])
    finally:
        deploys.unlink()
    assert not result.is_error, result.content
    s = result.structured_content
    assert [(d["service"], d["source"]) for d in s["deploys"]] == [("checkout-api", "deploys-file")]
    assert any("deploys come from the logs and the deploys file alone" in n for n in s["notes"])


def test_deploy_history_takes_a_list_of_deploys_files(shapes):
    root = shapes["plain"]
    first, second = root / "deploys-a.yaml", root / "deploys-b.json"
    first.write_text("- {service: checkout-api, version: v2.4.1, at: '2024-01-15T14:20:00Z'}\n")
    second.write_text('[{"service": "payment-service", "version": "v7.0.0", "at": "2024-01-15T13:50:00Z"}]\n')
    try:
        [result] = _calls(root, ".", [("deploy_history", {"logs": LOGS, "deploys": [first.name, second.name]})])
    finally:
        first.unlink()
        second.unlink()
    assert not result.is_error, result.content
    deploys = result.structured_content["deploys"]
    assert [(d["service"], d["version"], d["source"]) for d in deploys] == [
        ("payment-service", "v7.0.0", "deploys-file"), ("checkout-api", "v2.4.1", "deploys-file")]
