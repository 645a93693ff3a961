"""Reading a repository runs none of its code: every git function against a repository armed with a
trap for each key that names a program, and the repositories git refuses, each one clear line."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from support.built import build
from support.git_traps import arm, spring_with_plain_git

from wicked_platform.scenarios.build import isolated_git_env
from wicked_platform.tools.changes import git_sandbox
from wicked_platform.tools.changes.git_history import (
    RepoError, commit_diff, is_git_repo, known_services_in_repo, read_history, resolve_commit,
)


@pytest.fixture
def trapped(tmp_path):
    built = build("checkout-timeout", tmp_path)
    return arm(built.repo, tmp_path / "sprung")


def test_the_traps_are_armed(trapped):
    fired = spring_with_plain_git(trapped)
    assert {"core.fsmonitor", "filter.trap.process", "gpg.program"} <= {name.removeprefix("included-") for name in fired}


def test_every_history_reader_springs_no_trap(trapped):
    history = read_history(trapped.repo)
    assert history.head and len(history.commits) >= 3
    assert history.commits[0].subject == "chore: attributes"
    fix = next(c for c in history.commits if "timeout" in c.subject.lower())
    diff = commit_diff(trapped.repo, fix.sha)
    assert diff.config_changes and "paymentTimeout" in diff.diff
    assert resolve_commit(trapped.repo, "HEAD~1") == history.commits[1].sha
    assert known_services_in_repo(trapped.repo) == known_services_in_repo(trapped.repo)
    assert is_git_repo(trapped.repo / "services")
    assert trapped.fired() == []


def test_a_nested_working_directory_finds_its_repository(trapped):
    nested = trapped.repo / "services"
    assert read_history(nested).head == read_history(trapped.repo).head
    assert trapped.fired() == []


def test_a_linked_worktree_and_a_bare_clone_read_the_same_history(tmp_path):
    repo = build("checkout-timeout", tmp_path).repo
    env = isolated_git_env(tmp_path)
    worktree, bare = tmp_path / "wt", tmp_path / "bare.git"
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(worktree), "HEAD~1"], cwd=repo, env=env,
                   check=True, capture_output=True)
    subprocess.run(["git", "clone", "-q", "--bare", "--no-local", str(repo), str(bare)], env=env, check=True,
                   capture_output=True)
    trapped = arm(repo, tmp_path / "sprung")  # the worktree shares the armed config
    head = read_history(repo).commits
    assert read_history(worktree).head == head[3].sha  # HEAD~1 before the two commits arm() adds
    assert [c.sha for c in read_history(bare).commits] == [c.sha for c in head[2:]]
    assert trapped.fired() == []


def test_the_shadow_is_gone_after_reading(trapped, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    read_history(trapped.repo)
    assert list((tmp_path / "tmp").iterdir()) == []


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=isolated_git_env(repo.parent), check=True, capture_output=True)


def test_a_broken_config_is_one_line_naming_what_git_says(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".git" / "config").write_text("[core\n\tbare = nope\n")
    with pytest.raises(RepoError) as caught:
        read_history(repo)
    message = str(caught.value)
    assert message.startswith(f"--repo {repo}: git refuses it:") and "config" in message
    assert "\n" not in message


def test_an_unknown_repository_format_is_refused(tmp_path):
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "core.repositoryformatversion", "99")
    with pytest.raises(RepoError, match="git refuses it"):
        is_git_repo(repo)


def test_an_unreadable_object_store_is_one_line(tmp_path):
    built = build("checkout-timeout", tmp_path)
    pack = built.repo / ".git" / "objects"
    for obj in pack.rglob("*"):
        if obj.is_file() and obj.parent.name not in ("info", "pack"):
            obj.chmod(0o644)
            obj.write_bytes(b"not an object")
    with pytest.raises(RepoError) as caught:
        read_history(built.repo)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"--repo {built.repo}: git ")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository to another owner (CI runs as root)")
def test_dubious_ownership_is_refused_with_the_fix(tmp_path, monkeypatch):
    repo = tmp_path / "theirs"
    repo.mkdir()
    _git(repo, "init", "-q")
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no safe.directory of the machine's user
    monkeypatch.delenv("SUDO_UID", raising=False)
    with pytest.raises(RepoError) as caught:
        is_git_repo(repo)
    assert "dubious ownership" in str(caught.value) and "safe.directory" in str(caught.value)


def test_not_a_repository_is_not_refused(tmp_path):
    assert is_git_repo(tmp_path) is False


def test_git_older_than_the_confinement_needs_is_refused(tmp_path, monkeypatch):
    fake = tmp_path / "git"
    fake.write_text("#!/bin/sh\necho 'git version 2.20.1'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(git_sandbox, "_checked_git", None)
    monkeypatch.setattr(git_sandbox.Git, "GIT_PYTHON_GIT_EXECUTABLE", str(fake))
    with pytest.raises(RepoError, match="older than 2.32"):
        is_git_repo(tmp_path)
    monkeypatch.setattr(git_sandbox, "_checked_git", None)


@pytest.mark.parametrize("key,value", [
    ("extensions.refstorage", 'files\n[remote "evil"]\n\tpromisor = true\n\turl = ext::sh -c touch% PWNED\n'),
    ("extensions.objectformat", "sha1\n[core]\n\tfsmonitor = sh -c 'touch PWNED'\n"),
    ("core.repositoryformatversion", "0\n[diff]\n\texternal = sh -c 'touch PWNED'\n"),
])
def test_a_format_value_cannot_write_config_into_the_shadow(tmp_path, key, value):
    built = build("checkout-timeout", tmp_path)
    section, _, name = key.partition(".")
    config = built.repo / ".git" / "config"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    config.write_text(config.read_text() + f'[{section}]\n\t{name} = "{escaped}"\n')
    try:
        shadow = git_sandbox._shadow_config(config)
    except git_sandbox.RepoRefused as refused:  # a value git does not define: refused, in one line
        assert "\n" not in str(refused)
    else:  # git read the value otherwise (or not at all): the shadow holds only the format, as fixed text
        assert all(re.fullmatch(r"\[core\]|\[extensions\]|\t(repositoryformatversion = [01]|bare = true|"
                                r"objectformat = sha(1|256)|refstorage = (files|reftable))", line)
                   for line in shadow.splitlines()), shadow
    try:
        assert read_history(built.repo).commits
    except RepoError as refused:
        assert "\n" not in str(refused)
    assert not (built.repo / "PWNED").exists() and not Path("PWNED").exists()
