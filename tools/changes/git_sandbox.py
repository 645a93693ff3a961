"""Every git process this tool starts, built in one place, so that no repository can make it run a program.

A repository's own configuration can name programs for git to run: `core.fsmonitor` when the index
is read, `diff.external` and textconv drivers, filters, the pager, hooks, `gpg.program` for
signatures, credential helpers and more, and git adds such keys over time. Overriding each with
`-c` would cover only the keys known today (and a driver's name, `diff.<name>.textconv`, is the
repository's to choose). So the repository's configuration is not read at all:

1. **The probe.** `git rev-parse` finds the repository as git would (a work tree, a subdirectory, a
   bare repository, a linked worktree) and applies git's own refusals: dubious ownership
   (`safe.directory`), a broken config, an unknown repository format. It is the one command that
   reads the repository's config, and it reads no index, diff or object, so none of those keys
   is consulted; the `-c` overrides below cover it besides.
2. **The shadow.** Every later command runs against a temporary git directory of our own: its
   `config` is written here (the format version and the object and ref formats the repository
   declares, nothing else), and `objects`, `refs`, `packed-refs`, `reftable` and `shallow` link to
   the repository's. Git then sees the same history, refs and tags, with no work tree, no index,
   no hooks, no attributes file and no configuration the repository wrote — including keys git has
   not invented yet.
3. **The environment.** Neither the system nor the user's global configuration is read by the
   shadowed commands (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL=/dev/null`), so the reading is the
   same on every machine; no prompt, no pager, no transport (`protocol.allow=never`: a partial
   clone's missing object is missing, never fetched).

The probe keeps the user's global and system configuration, where `safe.directory` lives.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from git import Git, GitConfigParser, Repo
from git.exc import GitCommandError, GitCommandNotFound

MIN_GIT = (2, 32)
"""`GIT_CONFIG_GLOBAL` (2.32) and `rev-parse --path-format` (2.31)."""

PROBE_TIMEOUT_SECONDS = 30

SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "log.showSignature=false",
    "protocol.allow=never",
    "gc.auto=0",
    "maintenance.auto=false",
    "core.untrackedCache=false",
)
"""`-c` overrides on every command, the probe included: they win over every configuration file."""

_SAFE_OPTIONS = ("--no-pager", *(arg for pair in SAFE_CONFIG for arg in ("-c", pair)))

_SHADOW_ENVIRONMENT = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_COUNT": "0",
    "GIT_CONFIG_PARAMETERS": "",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_ALLOW_PROTOCOL": "",  # no transport at all: it overrides every protocol.* key a config may set
}

_LINKED = ("objects", "refs", "packed-refs", "reftable", "shallow")
"""What the shadow links to: the history, the refs and the shallow boundary, never config or hooks."""



class RepoRefused(ValueError):
    """Git refuses the repository (ownership, a broken config, an unknown format): `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GitMissing(RuntimeError):
    """No git, or one too old to be confined."""


def locate(path: Path) -> tuple[Path, Path] | None:
    """The repository's git directory and common directory, as git finds them from `path`; None when
    `path` is in no repository. RepoRefused when git finds one and will not read it."""
    command = [_git_executable(), *_SAFE_OPTIONS, "-C", str(path), "rev-parse", "--path-format=absolute",
               "--git-dir", "--git-common-dir"]
    try:
        done = subprocess.run(command, capture_output=True, env=_probe_environment(), timeout=PROBE_TIMEOUT_SECONDS,
                              stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise GitMissing("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise RepoRefused(f"git took longer than {PROBE_TIMEOUT_SECONDS} s to open it") from None
    if done.returncode == 0:
        lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) == 2:
            return Path(lines[0]), Path(lines[1])
        raise RepoRefused("git did not say where its git directory is")
    message = _first_line(done.stderr)
    if "not a git repository" in message:
        return None
    raise RepoRefused(_with_fix(message))


@contextmanager
def open_repository(git_dir: Path, common_dir: Path) -> Iterator[Repo]:
    """A gitpython Repo on a shadow of the repository: its history, refs and tags, none of its config."""
    shadow = Path(tempfile.mkdtemp(prefix="wicked-platform-git-"))
    git_repo: Repo | None = None
    try:
        _build_shadow(shadow, git_dir, common_dir)
        git_repo = Repo(shadow)
        git_repo.git.set_persistent_git_options(no_pager=True, c=list(SAFE_CONFIG))
        git_repo.git.update_environment(
            **_SHADOW_ENVIRONMENT, GIT_DIR=str(shadow), GIT_OBJECT_DIRECTORY=str(common_dir / "objects"),
        )
        yield git_repo
    finally:
        if git_repo is not None:
            git_repo.close()  # ends the persistent `git cat-file` processes before their directory goes
        shutil.rmtree(shadow, ignore_errors=True)


def _build_shadow(shadow: Path, git_dir: Path, common_dir: Path) -> None:
    try:
        head = (git_dir / "HEAD").read_bytes()
    except OSError as exc:
        raise RepoRefused(f"its HEAD cannot be read ({exc.strerror or exc})") from None
    (shadow / "HEAD").write_bytes(head)
    for name in _LINKED:
        target = common_dir / name
        if target.exists():
            (shadow / name).symlink_to(target, target_is_directory=target.is_dir())
    if not (shadow / "objects").exists() or not (shadow / "refs").exists():
        raise RepoRefused("it has no objects or refs directory")
    (shadow / "config").write_text(_shadow_config(common_dir / "config"), encoding="utf-8")


FORMAT_VALUES = {
    "core.repositoryformatversion": ("0", "1"),
    "extensions.objectformat": ("sha1", "sha256"),
    "extensions.refstorage": ("files", "reftable"),
}
"""The repository format, the only keys of the repository's config the shadow keeps, and each value it may
have: the shadow's config is written from these fixed strings, never from the repository's text (a value
holding a line break would otherwise write sections of its own)."""


def _shadow_config(config: Path) -> str:
    """The repository format git must know to read the objects and refs; no other key of the repository's."""
    found = {key: value.strip().lower() for key, value in _config_entries(config) if key in FORMAT_VALUES}
    for key, value in found.items():
        if value not in FORMAT_VALUES[key]:
            raise RepoRefused(f"its config sets {key} to a value git does not define ({value[:40]!r})")
    text = f"[core]\n\trepositoryformatversion = {found.get('core.repositoryformatversion', '0')}\n\tbare = true\n"
    extensions = [f"\t{key.split('.', 1)[1]} = {value}\n" for key, value in sorted(found.items()) if key.startswith("extensions.")]
    return text + ("[extensions]\n" + "".join(extensions) if extensions else "")


def _config_entries(config: Path) -> list[tuple[str, str]]:
    """The repository's `core` and `extensions` keys, read as data in Python: no include followed, nothing run."""
    if not config.is_file():
        return []
    try:
        parser = GitConfigParser(str(config), read_only=True, merge_includes=False)
        parser.read()
        return [(f"{section}.{key}".lower(), str(value)) for section in ("core", "extensions")
                if parser.has_section(section) for key, value in parser.items(section)]
    except (configparser.Error, ValueError, OSError) as exc:
        raise RepoRefused(f"its config cannot be read ({type(exc).__name__})") from None


def _probe_environment() -> dict[str, str]:
    """The caller's environment without git's own variables: the repository is found from its path alone."""
    environment = _environment_without_git()
    environment.update(LC_ALL="C", LANGUAGE="C", GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    for key in ("GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM"):  # the user's limits on discovery
        if key in os.environ:
            environment[key] = os.environ[key]
    return environment


_checked_git: str | None = None


def _git_executable() -> str:
    """`git`, once its version is known to be one the confinement works with."""
    global _checked_git
    if _checked_git is None:
        executable = shutil.which(Git.GIT_PYTHON_GIT_EXECUTABLE or "git")  # the git gitpython runs
        if executable is None:
            raise GitMissing("git is not installed")
        try:
            out = subprocess.run([executable, "version"], capture_output=True, timeout=PROBE_TIMEOUT_SECONDS,
                                 check=True, env=_environment_without_git()).stdout.decode("ascii", "replace")
        except (OSError, subprocess.SubprocessError):
            raise GitMissing("git does not run (`git version` failed)") from None
        found = tuple(int(part) for part in re.findall(r"\d+", out)[:2])
        if found < MIN_GIT:
            raise GitMissing(f"git {'.'.join(map(str, found))} is older than {'.'.join(map(str, MIN_GIT))}, "
                             "the oldest that can be kept from running a repository's programs")
        _checked_git = executable
    return _checked_git


def _environment_without_git() -> dict[str, str]:
    """The caller's environment without git's own variables (GIT_DIR, GIT_CONFIG_*, ...)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line := line.strip().removeprefix("fatal:").removeprefix("error:").strip():
            return line
    return "git gave no reason"


def _with_fix(message: str) -> str:
    """Git's reason, with what to do about it where git's own advice spans several lines."""
    if "dubious ownership" in message and (at := re.search(r"at '(.+)'", message)):
        return (f"git refuses it: {message} (if you trust it: "
                f"git config --global --add safe.directory {at.group(1)})")
    return f"git refuses it: {message}"


def failure_line(exc: GitCommandError) -> str:
    """`git log failed: fatal: ...` — the subcommand and git's first line, not gitpython's dump."""
    command = exc.command if isinstance(exc.command, list) else []
    verb = next((str(part) for part in command[1:] if not str(part).startswith("-") and "=" not in str(part)), "command")
    stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
    lines = [line.strip().removeprefix("stderr: ").strip("'").strip() for line in stderr.splitlines()]
    return f"git {verb} failed: {next((line for line in lines if line), 'no message')}"


__all__ = ["GitCommandError", "GitCommandNotFound", "GitMissing", "RepoRefused", "failure_line", "locate",
           "open_repository"]
