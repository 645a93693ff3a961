"""The plugin and the marketplace as Claude Code itself reads them: `claude plugin validate --strict`
(warnings fail too), then a real marketplace add and install into an isolated HOME."""

import json

from support.claude_code import PLUGIN, REPO, run_claude


def test_plugin_validates_strictly(claude, tmp_path):
    r = run_claude(claude, "plugin", "validate", str(PLUGIN), "--strict", home=tmp_path, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Validation passed" in r.stdout


def test_marketplace_validates_strictly(claude, tmp_path):
    r = run_claude(claude, "plugin", "validate", str(REPO), "--strict", home=tmp_path, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "marketplace.json" in r.stdout and "Validation passed" in r.stdout


def test_strict_validation_catches_a_broken_agent(claude, tmp_path):
    """The validator reads the agent's frontmatter, so the checks above are not vacuous."""
    broken = tmp_path / "plugin"
    (broken / ".claude-plugin").mkdir(parents=True)
    (broken / "agents").mkdir()
    (broken / ".claude-plugin" / "plugin.json").write_text((PLUGIN / ".claude-plugin" / "plugin.json").read_text())
    (broken / "agents" / "incident-responder.md").write_text("---\nname: [unclosed\n---\nbody\n")
    r = run_claude(claude, "plugin", "validate", str(broken), "--strict", home=tmp_path / "home", cwd=tmp_path)
    assert r.returncode == 1 and "frontmatter" in r.stdout


def test_installs_from_the_repo_marketplace(claude, tmp_path):
    home, marketplace = tmp_path / "home", json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text())
    home.mkdir()
    added = run_claude(claude, "plugin", "marketplace", "add", str(REPO), home=home, cwd=tmp_path)
    assert added.returncode == 0, added.stdout + added.stderr
    installed = run_claude(claude, "plugin", "install", f"wicked-platform@{marketplace['name']}", home=home, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = run_claude(claude, "plugin", "list", "--json", home=home, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    plugins = json.loads(listed.stdout)
    ours = [p for p in plugins if p["id"] == f"wicked-platform@{marketplace['name']}"]
    assert ours and ours[0]["enabled"] and ours[0]["version"] == json.loads(
        (PLUGIN / ".claude-plugin" / "plugin.json").read_text())["version"], plugins
