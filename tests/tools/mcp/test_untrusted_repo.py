"""Every MCP tool that reads git, through the SDK's client, on a repository armed with a trap for every
git key that runs a program, at the root and nested inside it: each answers, and no trap fires."""

import anyio
import pytest
from mcp import Client
from support.built import build
from support.git_traps import arm

from wicked_platform.tools.mcp.server import build_server

LOGS = ["error.log", "logs/"]
DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"
TOOLS = ("read_logs", "error_rate_ratio", "deploy_history", "correlate_changes", "blast_radius",
         "evaluate_rollback_criteria", "incident_timeline")


def calls(root, repo: str):
    prefix = "" if repo == "." else f"{repo}/"
    logs = [prefix + log for log in LOGS]

    async def go():
        results = {}
        async with Client(build_server([root])) as client:
            for tool in TOOLS:
                arguments = {"logs": logs, "repo": repo}
                if tool in ("blast_radius", "evaluate_rollback_criteria"):
                    arguments["description"] = DESCRIPTION
                results[tool] = await client.call_tool(tool, arguments)
            history = results["deploy_history"].structured_content
            commit = history["deploys"][0]["commit"]
            results["git_diff"] = await client.call_tool("git_diff", {"commit": commit, "repo": repo})
        return results
    return anyio.run(go)


@pytest.mark.parametrize("nested", [False, True], ids=["at-the-root", "nested-in-the-root"])
def test_every_git_tool_answers_and_no_trap_fires(tmp_path, nested):
    built = build("checkout-timeout", tmp_path / "work")
    trapped = arm(built.repo, tmp_path / "sprung")
    root, repo = (built.repo.parent, built.repo.name) if nested else (built.repo, ".")
    results = calls(root, repo)
    for tool, result in results.items():
        assert not result.is_error, (tool, result.content)
    change = results["git_diff"].structured_content["config_changes"][0]
    assert (change["key"], change["before"], change["after"]) == ("paymentTimeout", "5000", "500")
    assert trapped.fired() == []


def test_a_refused_repository_is_a_tool_error_saying_why(tmp_path):
    built = build("checkout-timeout", tmp_path)
    (built.repo / ".git" / "config").write_text("[core\n")

    async def go():
        async with Client(build_server([built.repo])) as client:
            return await client.call_tool("deploy_history", {"logs": LOGS})
    result = anyio.run(go)
    assert result.is_error
    assert "repo '.': git refuses it" in result.content[0].text
