"""The MCP server exactly as the plugin's .mcp.json describes it, started the way Claude Code starts
it for a user who only installed the Python package: a clean environment (`env -i`: PATH holding the
venv's bin and git, HOME a temp dir, nothing else), the project as the working directory."""

import json
import os
import shutil
import string
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from support.claude_code import PLUGIN, VENV_BIN
from wicked_platform.agents.phases import TOOL_NAMES


def server_config() -> dict:
    config = json.loads((PLUGIN / ".mcp.json").read_text())
    assert list(config["mcpServers"]) == ["wicked-platform"], "the tool prefix mcp__plugin_wicked-platform_wicked-platform__ needs this name"
    return config["mcpServers"]["wicked-platform"]


def expand(value: str) -> str:
    """What Claude Code does to ${CLAUDE_PLUGIN_ROOT} in a plugin's .mcp.json."""
    return string.Template(value).substitute(CLAUDE_PLUGIN_ROOT=str(PLUGIN))


def test_mcp_json_needs_only_the_installed_package():
    server = server_config()
    assert set(server) <= {"command", "args", "env"}
    # No path into this checkout: an installed plugin lives in Claude Code's cache, not here.
    assert "/" not in server["command"] or server["command"].startswith("${CLAUDE_PLUGIN_ROOT}/")
    assert (VENV_BIN / expand(server["command"])).exists() or shutil.which(expand(server["command"]))


def clean_start(repo, home, path: str) -> StdioServerParameters:
    env_i = shutil.which("env")
    if env_i is None:
        pytest.skip("no env(1) to start the server with an empty environment")
    server = server_config()
    command = [expand(server["command"]), *(expand(a) for a in server.get("args", []))]
    clean = [f"PATH={path}", f"HOME={home}", *(f"{k}={expand(v)}" for k, v in server.get("env", {}).items())]
    return StdioServerParameters(command=env_i, args=["-i", *clean, *command], cwd=str(repo))


def test_server_starts_from_a_clean_environment_and_lists_the_eight_tools(checkout_timeout, tmp_path):
    git = Path(shutil.which("git")).parent  # the engine reads git history: git is a prerequisite
    params = clean_start(checkout_timeout.repo, tmp_path, f"{VENV_BIN}{os.pathsep}{git}")

    async def go():
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            logs = await client.call_tool("read_logs", {"logs": ["error.log", "logs/"]})
            return tools, logs
    tools, logs = anyio.run(go)
    assert sorted(t.name for t in tools) == sorted(TOOL_NAMES)
    assert all(t.annotations.read_only_hint for t in tools)
    # Paths resolve against the working directory Claude Code gives the server: the user's project.
    assert not logs.is_error, logs.content[0].text
    assert logs.structured_content["signatures_total"] > 0


def test_server_starts_without_git_on_path(checkout_timeout, tmp_path):
    params = clean_start(checkout_timeout.repo, tmp_path, str(VENV_BIN))

    async def go():
        with anyio.fail_after(60):
            async with Client(params) as client:
                return (await client.list_tools()).tools
    assert len(anyio.run(go)) == len(TOOL_NAMES)
