"""The plugin's generated files are the templates' output, byte for byte, and say what the issue asks:
the eight read-only MCP tools and nothing that can change production."""

import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml

from support.claude_code import PLUGIN, REPO
from wicked_platform.agents.phases import PLUGIN_TOOL_PREFIX, TOOL_NAMES, system_prompt
from wicked_platform.agents.plugin_build import CLI_PERMISSION, plugin_files, stale_files

MCP_TOOLS = {PLUGIN_TOOL_PREFIX + name for name in TOOL_NAMES}


def frontmatter(relative: str) -> tuple[dict, str]:
    _, head, body = (PLUGIN / relative).read_text().split("---\n", 2)
    return yaml.safe_load(head), body


def tool_list(value: str) -> set[str]:
    return {t.strip() for t in value.split(",")}


def wp(*args, cwd=REPO):
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    return subprocess.run([sys.executable, "-m", "wicked_platform.agents.cli", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=60)


def test_committed_plugin_files_match_the_templates():
    stale = stale_files(PLUGIN)
    assert not stale, f"{stale} drifted from prompts/plugin and prompts/responder: run `wicked-platform plugin build`"


def test_manifest_version_is_the_package_version():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    manifest = json.loads((PLUGIN / ".claude-plugin" / "plugin.json").read_text())
    assert manifest["name"] == "wicked-platform"
    assert manifest["version"] == project["version"]
    assert manifest["license"] == project["license"]
    assert manifest["description"] and manifest["author"]["name"] and manifest["keywords"]


def test_command_allows_the_eight_tools_and_only_the_cli():
    meta, body = frontmatter("commands/incident.md")
    assert tool_list(meta["allowed-tools"]) == MCP_TOOLS | {CLI_PERMISSION}
    assert CLI_PERMISSION == "Bash(wicked-platform incident:*)"
    assert meta["description"] and meta["argument-hint"]
    assert body.count("$ARGUMENTS") == 1
    assert system_prompt("plugin").rstrip("\n") in body
    assert "--rollback-decision" in body.split("$ARGUMENTS", 1)[1], "the body branches on --rollback-decision"


def test_agent_is_the_responder_prompt_with_the_eight_tools():
    meta, body = frontmatter("agents/incident-responder.md")
    assert meta["name"] == "incident-responder"
    assert "incident" in meta["description"] and meta["model"]
    assert tool_list(meta["tools"]) == MCP_TOOLS
    assert body == system_prompt("plugin")


def test_marketplace_lists_the_plugin():
    marketplace = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text())
    assert marketplace["description"] and marketplace["owner"]["name"]
    assert [(p["name"], p["source"]) for p in marketplace["plugins"]] == [("wicked-platform", "./plugin")]


def test_plugin_build_check_passes_on_the_checkout():
    r = wp("plugin", "build", "--check", "--dir", str(PLUGIN))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""


def test_plugin_build_rewrites_a_drifted_copy(tmp_path):
    copy = tmp_path / "plugin"
    shutil.copytree(PLUGIN, copy)
    (copy / "commands" / "incident.md").write_text("hand-edited\n")
    (copy / "agents" / "incident-responder.md").unlink()
    r = wp("plugin", "build", "--dir", str(copy))
    assert r.returncode == 0, r.stderr
    assert "commands/incident.md" in r.stderr and "agents/incident-responder.md" in r.stderr
    assert stale_files(copy) == []
    assert {p: (copy / p).read_text() for p in plugin_files()} == plugin_files()


def test_plugin_build_check_fails_on_drift(tmp_path):
    copy = tmp_path / "plugin"
    shutil.copytree(PLUGIN, copy)
    (copy / "commands" / "incident.md").write_text("hand-edited\n")
    r = wp("plugin", "build", "--check", "--dir", str(copy))
    assert "commands/incident.md: out of date" in r.stderr
    assert (copy / "commands" / "incident.md").read_text() == "hand-edited\n"
    assert r.returncode == 1


def test_plugin_build_rejects_a_missing_dir(tmp_path):
    r = wp("plugin", "build", "--dir", str(tmp_path / "nope"))
    assert r.returncode == 2 and "--dir" in r.stderr
