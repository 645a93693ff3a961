"""Turn a Scenario into a real git repo with logs and context in a directory of your choosing.

Determinism is the point: building twice, on any machine, gives the same SHAs and the same bytes.
So every git call runs isolated from the user's configuration (GIT_CONFIG_GLOBAL=/dev/null,
GIT_CONFIG_NOSYSTEM=1), with the branch name, signing and hooks pinned, and with author and
committer dates taken from the scenario rather than the clock.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from git import Git, Repo
from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.scenarios.generate import write_log
from wicked_platform.scenarios.model import (
    AUTHOR, DEFAULT_AUTHOR, SCENARIO_FILE, CommitSpec, Scenario, ScenarioError,
)

CONTEXT_FILE = "incident-context.yaml"
SETUP_TIMEOUT_SECONDS = 60.0

# Configuration every git call gets, through GIT_CONFIG_COUNT so it also reaches the git commands a
# setup script runs itself: a fixed branch name, no signing (no key prompts, no signature bytes in
# the commit), no hooks (a global core.hooksPath must not run anything).
PINNED_CONFIG = {
    "init.defaultBranch": "main",
    "commit.gpgSign": "false",
    "tag.gpgSign": "false",
    "core.hooksPath": "/dev/null",
    "core.autocrlf": "false",
    "advice.defaultBranchName": "false",
}


class BuiltScenario(BaseModel):
    """What a build produced: where things are, and how to run the incident command on them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="the scenario folder's name")
    title: str
    description: str = Field(description="the user's words for `wicked-platform incident`")
    repo: Path = Field(description="the built repo's work tree; run the incident command here")
    logs: list[Path] = Field(description="log files the builder placed from `logs:` (a setup script may add others)")
    context: Path | None = Field(description="incident-context.yaml written at the repo root, if any")
    args: list[str] = Field(description="extra CLI args, relative to `repo`")
    sha_by_subject: dict[str, str] = Field(description="commit subject -> 40-hex sha (the newest, if one repeats)")
    setup_exit_status: int | None = Field(None, description="the setup script's exit status; non-zero can be intended")
    setup_output: str = Field("", description="the setup script's stdout and stderr")
    metrics: Path | None = Field(None, description="the scenario's OpenMetrics file, to backfill into a Prometheus")


def isolated_git_env(home: Path) -> dict[str, str]:
    """An environment built from nothing, so no user or system git configuration leaks in."""
    # The standard directories, plus wherever this machine's git lives (Homebrew, a venv, ...).
    dirs = ["/usr/local/bin", "/usr/bin", "/bin"]
    git = shutil.which("git")
    if git and str(Path(git).parent) not in dirs:
        dirs.insert(0, str(Path(git).parent))
    env = {
        "PATH": os.pathsep.join(dirs),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_COUNT": str(len(PINNED_CONFIG)),
    }
    for index, (key, value) in enumerate(PINNED_CONFIG.items()):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def _gitpython_env(work_tree: Path) -> dict[str, str]:
    """Isolated env for gitpython, which starts every git from os.environ and adds ours on top.

    What a parent git leaks into os.environ (running inside a hook or `git rebase -x` sets GIT_DIR,
    GIT_INDEX_FILE, GIT_CONFIG_PARAMETERS...) is overridden with this repo's own values.
    """
    git_dir = work_tree / ".git"
    return isolated_git_env(work_tree) | {
        "GIT_DIR": str(git_dir),
        "GIT_WORK_TREE": str(work_tree),
        "GIT_INDEX_FILE": str(git_dir / "index"),
        "GIT_OBJECT_DIRECTORY": str(git_dir / "objects"),
        "GIT_COMMON_DIR": str(git_dir),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
        "GIT_CONFIG_PARAMETERS": "",
        "GIT_NAMESPACE": "",
    }


def open_repo(work_tree: Path) -> Repo:
    """A gitpython Repo whose git calls all run in the isolated environment."""
    repo = Repo(work_tree)
    repo.git.update_environment(**_gitpython_env(work_tree))
    return repo


def _git_date(when: datetime) -> str:
    """Git's internal date form, `<unix seconds> <+hhmm>`: exact, and keeps the commit's zone."""
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _name_and_email(author: str) -> tuple[str, str]:
    match = AUTHOR.match(author)
    if match is None:  # CommitSpec validated the form; this guards the other callers
        raise ValueError(f"author {author!r} must look like 'Name <email>'")
    return match["name"], match["email"]


def _identity_env(author: str, when: datetime) -> dict[str, str]:
    (name, email), date = _name_and_email(author), _git_date(when)
    return {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_COMMITTER_DATE": date,
    }


def _apply_files(work_tree: Path, commit: CommitSpec) -> None:
    for name, content in commit.files.items():
        target = work_tree / name
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))  # bytes: no newline translation on any platform


def _build_commits(commits: list[CommitSpec], dest: Path) -> Path:
    env = _gitpython_env(dest)
    init = Git(str(dest))
    init.update_environment(**env)
    init.init("--quiet")  # on `main`, through PINNED_CONFIG, like a setup script's own `git init`
    repo = open_repo(dest)
    # Local identity too, so a person who later commits in the built repo is not asked who they are.
    name, email = _name_and_email(commits[0].author)
    repo.git.config("user.name", name)
    repo.git.config("user.email", email)
    for commit in commits:
        _apply_files(dest, commit)
        repo.git.add("--all")
        repo.git.commit("--quiet", "--no-verify", "-m", commit.message,
                        env=_identity_env(commit.author, commit.date))
        for tag in commit.tags:
            repo.git.tag(tag)
    return dest


def _find_repo(dest: Path, script: Path) -> Path:
    """The work tree the setup script created: the single `.git` directory at or below dest."""
    found = []
    for root, dirs, _files in os.walk(dest):
        if ".git" in dirs:
            found.append(Path(root))
            dirs.remove(".git")
    if len(found) != 1:
        what = "no git repo" if not found else f"{len(found)} git repos ({', '.join(map(str, found))})"
        raise ScenarioError(f"{script}: the script left {what} under {dest}; expected exactly one")
    return found[0]


def _run_setup(script: Path, dest: Path, when: datetime, timeout: float) -> tuple[Path, int, str]:
    """Run the script as written — no `set -e`: a command failing in it is part of the story."""
    env = isolated_git_env(dest) | _identity_env(DEFAULT_AUTHOR, when)
    process = subprocess.Popen(
        [shutil.which("bash") or "/bin/bash", "--noprofile", "--norc", str(script)], cwd=dest, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the script and whatever it started
        process.communicate()
        raise ScenarioError(f"{script}: setup did not finish within {timeout:g} s") from None
    return _find_repo(dest, script), process.returncode, output.decode("utf-8", errors="replace")


def _write_logs(scenario: Scenario, folder: Path, repo: Path) -> list[Path]:
    written = []
    for index, log in enumerate(scenario.logs):
        target = repo / log.path
        if target.exists():
            raise ScenarioError(f"{folder / SCENARIO_FILE}: logs.{index}.path: {log.path!r} already exists in the repo")
        target.parent.mkdir(parents=True, exist_ok=True)
        if log.file is not None:
            shutil.copyfile(folder / log.file, target)
        elif log.generate is not None:
            write_log(log.generate, target)
        written.append(target)
    return written


def _whole_numbers(value: Any) -> Any:
    """`47` rather than `47.0`: the model stores floats, the file should read as a person wrote it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def _write_context(scenario: Scenario, folder: Path, repo: Path) -> Path | None:
    if scenario.context is None and scenario.context_file is None:
        return None
    target = repo / CONTEXT_FILE
    if target.exists():
        raise ScenarioError(f"{folder / SCENARIO_FILE}: context: the repo already has {CONTEXT_FILE}")
    if scenario.context_file is not None:
        shutil.copyfile(folder / scenario.context_file, target)
    elif scenario.context is not None:
        # Only what the author wrote: defaults stay implicit, as they would in a hand-written file.
        data = _whole_numbers(scenario.context.model_dump(mode="json", exclude_unset=True))
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8", newline="\n")
    return target


def _sha_by_subject(work_tree: Path) -> dict[str, str]:
    repo = open_repo(work_tree)
    if not repo.head.is_valid():  # a script that ran `git init` and never committed
        return {}
    shas: dict[str, str] = {}
    for commit in repo.iter_commits("HEAD"):  # newest first, so setdefault keeps the newest
        message = commit.message if isinstance(commit.message, str) else commit.message.decode("utf-8", "replace")
        shas.setdefault(message.strip().splitlines()[0] if message.strip() else "", commit.hexsha)
    return shas


def build_scenario(
    scenario: Scenario, folder: Path, dest: Path, *, setup_timeout: float = SETUP_TIMEOUT_SECONDS
) -> BuiltScenario:
    """Build `scenario` (loaded from `folder`) into `dest`, which must be absent or empty."""
    folder, dest = folder.resolve(), dest.resolve()
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest}: not empty; a scenario is built into an empty directory")
    dest.mkdir(parents=True, exist_ok=True)
    status, output = None, ""
    if scenario.repo.commits is not None:
        repo = _build_commits(scenario.repo.commits, dest)
    else:
        assert scenario.repo.setup is not None and scenario.repo.setup_date is not None  # RepoSpec guarantees
        repo, status, output = _run_setup(folder / scenario.repo.setup, dest, scenario.repo.setup_date, setup_timeout)
    logs = _write_logs(scenario, folder, repo)
    context = _write_context(scenario, folder, repo)
    return BuiltScenario(
        name=folder.name, title=scenario.title, description=scenario.description, repo=repo, logs=logs,
        context=context, args=list(scenario.args), sha_by_subject=_sha_by_subject(repo),
        setup_exit_status=status, setup_output=output,
        metrics=folder / scenario.metrics if scenario.metrics else None,
    )
