"""The server as a client meets it: a real subprocess over stdio, via the SDK and the MCP Inspector CLI."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

REPO = Path(__file__).resolve().parents[3]
INSPECTOR = REPO / "node_modules" / ".bin" / "mcp-inspector"
SERVER = [sys.executable, "-m", "wicked_platform.tools.mcp"]


def test_stdio_server_lists_and_calls_tools(checkout_timeout):
    params = StdioServerParameters(command=SERVER[0], args=SERVER[1:], cwd=str(checkout_timeout.repo))

    async def go():
        async with Client(params) as client:
            tools = await client.list_tools()
            result = await client.call_tool("correlate_changes", {"logs": ["error.log", "logs/"]})
            return tools, result
    tools, result = anyio.run(go)
    assert len(tools.tools) == 10
    assert not result.is_error
    assert result.structured_content["candidates"][0]["change"]["key"] == "paymentTimeout"


def _inspector(cwd, *args):
    if not INSPECTOR.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: the MCP Inspector CLI cannot be installed")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=REPO, check=True, timeout=600)
    run = subprocess.run([str(INSPECTOR), "--cli", *SERVER, *args], cwd=cwd, capture_output=True, text=True,
                         timeout=120, env={**os.environ})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_inspector_cli_lists_the_tools(checkout_timeout):
    listed = _inspector(checkout_timeout.repo, "--method", "tools/list")
    names = {t["name"] for t in listed["tools"]}
    assert "evaluate_rollback_criteria" in names and len(names) == 10
    assert all(t["annotations"]["readOnlyHint"] for t in listed["tools"])


def test_inspector_cli_calls_a_tool(checkout_timeout):
    called = _inspector(checkout_timeout.repo, "--method", "tools/call", "--tool-name", "incident_timeline")
    assert called["structuredContent"]["started_at"] == "2024-01-15T14:23:15Z"
