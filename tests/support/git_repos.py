"""Real git repositories for the hardening tests, made with the git CLI under an isolated configuration.

`GitRepo.commit` writes files and commits them at a given time (message verbatim: subject, body);
`GitRepo.fast_import` writes thousands of commits in one `git fast-import` run, in well under a
second; `shallow_clone` and `detach` make the other shapes a user's checkout can have.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wicked_platform.scenarios.build import isolated_git_env

AUTHOR = "Dev Eloper <dev@example.com>"


class GitRepo:
    def __init__(self, path: Path, *, init: bool = True) -> None:
        self.path = path
        self.env = isolated_git_env(path.parent)
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q")

    def git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, input=input, capture_output=True,
                              env={**self.env, **(env or {})}, check=True, timeout=120)
        return done.stdout.decode("utf-8", "replace").strip()

    def commit(self, message: str | bytes, files: dict[str, str | bytes | None] | None = None, *,
               at: datetime | str = "2024-01-15T12:00:00Z", author: str = AUTHOR, tag: str | None = None) -> str:
        """Write (None: delete) `files`, commit them with `message` verbatim at `at`; the new sha."""
        for name, content in (files or {}).items():
            target = self.path / name
            if content is None:
                self.git("rm", "-q", "--", name)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            self.git("add", "--", name)
        when = at if isinstance(at, str) else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        name, _, email = author.partition(" <")
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": name,
               "GIT_AUTHOR_EMAIL": email.rstrip(">"), "GIT_COMMITTER_NAME": "Dev Eloper",
               "GIT_COMMITTER_EMAIL": "dev@example.com"}
        data = message.encode("utf-8") if isinstance(message, str) else message
        self.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-", input=data, env=env)
        sha = self.git("rev-parse", "HEAD")
        if tag:
            self.git("tag", tag, sha)
        return sha

    def fast_import(self, count: int, *, start: datetime, step: timedelta, path: str = "services/api/config.ts") -> None:
        """`count` commits on main, `step` apart from `start`, each changing `path` (a config value)."""
        chunks: list[bytes] = []
        when = int(start.timestamp())
        for index in range(1, count + 1):
            message = f"chore(api): tune retryDelay to {index}\n".encode()
            content = f"export const config = {{\n  retryDelay: {index},\n}};\n".encode()
            stamp = when + int(step.total_seconds()) * (index - 1)
            chunks.append(b"commit refs/heads/main\nmark :%d\n" % index)
            chunks.append(b"author %s %d +0000\ncommitter %s %d +0000\n" % (AUTHOR.encode(), stamp, AUTHOR.encode(), stamp))
            chunks.append(b"data %d\n%s" % (len(message), message))
            if index > 1:
                chunks.append(b"from :%d\n" % (index - 1))
            chunks.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content))
        self.git("fast-import", "--quiet", input=b"".join(chunks))
        self.git("symbolic-ref", "HEAD", "refs/heads/main")

    def shallow_clone(self, dest: Path, depth: int = 1) -> GitRepo:
        GitRepo(dest, init=False).git_at(dest.parent, "clone", "-q", f"--depth={depth}", f"file://{self.path}", str(dest))
        return GitRepo(dest, init=False)

    def git_at(self, cwd: Path, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=self.env, check=True, timeout=120)
        return done.stdout.decode("utf-8", "replace").strip()

    def detach(self, ref: str = "HEAD~1") -> None:
        self.git("checkout", "-q", "--detach", ref)
