"""Real git repositories in tmp_path, built with gitpython, with fixed identities and dates so
their shas do not change from run to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from git import Actor, Repo

DEV = Actor("Dev Eloper", "dev@example.com")
START = 1_705_327_200  # 2024-01-15T14:00:00Z


class RepoBuilder:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.repo = Repo.init(path)
        with self.repo.config_writer() as config:  # local to the temp repo: never the user's config
            config.set_value("user", "name", DEV.name)
            config.set_value("user", "email", DEV.email)
            config.set_value("commit", "gpgsign", "false")
        self.minute = 0

    def commit(self, message: str, files: dict[str, str | None] | None = None) -> str:
        """Write (or, for None, delete) `files`, commit them one minute after the previous commit."""
        for name, text in (files or {}).items():
            target = self.path / name
            if text is None:
                self.repo.index.remove([name], working_tree=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.repo.index.add([name])
        date = f"{START + 60 * self.minute} +0000"  # git's own date form: seconds since the epoch, offset
        self.minute += 1
        made = self.repo.index.commit(message, author=DEV, committer=DEV, author_date=date, commit_date=date)
        return made.hexsha

    def tag(self, name: str, sha: str, message: str | None = None) -> None:
        self.repo.create_tag(name, ref=sha, message=message)


@pytest.fixture
def make_repo(tmp_path: Path):
    def make(name: str = "repo") -> RepoBuilder:
        return RepoBuilder(tmp_path / name)

    return make
