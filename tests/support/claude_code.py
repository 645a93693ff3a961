"""The Claude Code CLI for tests: the npm package `@anthropic-ai/claude-code` from package.json, run
with an isolated HOME, a dummy API key (never a real one) and no traffic it can avoid."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "plugin"
CLAUDE = REPO / "node_modules" / ".bin" / "claude"
VENV_BIN = Path(sys.executable).parent  # holds wicked-platform and wicked-platform-mcp


def claude_cli() -> Path:
    """The CLI, installed with npm on first use; the test skips when node/npm are absent."""
    if not CLAUDE.exists():
        if shutil.which("npm") is None or shutil.which("node") is None:
            pytest.skip("node/npm is not installed: the Claude Code CLI (@anthropic-ai/claude-code) cannot be installed")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=REPO, check=True, timeout=900)
    return CLAUDE


def claude_env(home: Path, *, base_url: str | None = None, path: tuple[Path, ...] = ()) -> dict[str, str]:
    """A clean environment: PATH (extra dirs, the venv, git, /usr/bin, /bin), an isolated HOME, a dummy key."""
    git = Path(shutil.which("git") or "/usr/bin/git").parent
    dirs = [*path, VENV_BIN, git, Path("/usr/bin"), Path("/bin")]
    env = {
        "PATH": os.pathsep.join(dict.fromkeys(str(d) for d in dirs)),
        "HOME": str(home),
        "ANTHROPIC_API_KEY": "sk-ant-test-not-a-real-key",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",  # no telemetry, update checks or error reports
        "DISABLE_AUTOUPDATER": "1",
        # -p mode: connect MCP servers before the first request, and wait for a slow start (the server
        # imports the whole engine: seconds on a busy machine; Claude Code's default wait is 5 s).
        "MCP_CONNECTION_NONBLOCKING": "0",
        "MCP_CONNECT_TIMEOUT_MS": "60000",
        "LANG": "C.UTF-8",
    }
    if base_url:
        env["ANTHROPIC_BASE_URL"] = base_url
    return env


def run_claude(claude: Path, *args: str, home: Path, cwd: Path, timeout: float = 120,
               base_url: str | None = None, path: tuple[Path, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(claude), *args], cwd=cwd, env=claude_env(home, base_url=base_url, path=path),
                          capture_output=True, text=True, timeout=timeout)
