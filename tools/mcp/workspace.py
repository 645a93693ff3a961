"""The engine behind the tools: inputs resolved inside the roots, results cached per input state.

Tools are called many times on the same logs during one investigation; the scan and the git
history are kept, keyed by every input path's size and mtime, so only the first call pays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.deploys_file import load_deploys_file
from wicked_platform.tools.changes.git_history import is_git_repo
from wicked_platform.tools.context import IncidentContext, load_context
from wicked_platform.tools.investigation import ChangeFindings, SymptomFindings, read_changes, read_symptoms
from wicked_platform.tools.logs.discovery import expand_log_args
from wicked_platform.tools.mcp.confinement import OutsideRoots, Roots
from wicked_platform.tools.timeutil import parse_time

CACHE_SIZE = 8


class Inputs(BaseModel):
    """One investigation's inputs, resolved and confined."""

    model_config = ConfigDict(frozen=True)

    repo: Path | None
    logs: tuple[Path, ...]
    context_path: Path | None
    deploys_path: Path | None = None
    since: datetime | None
    until: datetime | None
    tz: str

    def key(self) -> tuple:
        stamp = []
        for path in [*self.logs, *(p for p in (self.context_path, self.deploys_path) if p is not None)]:
            try:
                stat = path.stat()
                stamp.append((str(path), stat.st_size, stat.st_mtime_ns))
            except OSError:
                stamp.append((str(path), None, None))
        head = None
        if self.repo is not None:
            try:
                head = (self.repo / ".git" / "HEAD").read_text() + str((self.repo / ".git").stat().st_mtime_ns)
            except OSError:
                head = None
        return (str(self.repo), tuple(stamp), self.since, self.until, self.tz, head)


class Workspace:
    def __init__(self, roots: Roots) -> None:
        self.roots = roots
        self._lock = threading.Lock()
        self._symptoms: OrderedDict[tuple, SymptomFindings] = OrderedDict()
        self._changes: OrderedDict[tuple, ChangeFindings] = OrderedDict()

    def inputs(
        self, logs: list[str], repo: str | None, context: str | None, since: str | None, until: str | None, tz: str,
        *, need_repo: bool = False, deploys: str | None = None,
    ) -> Inputs:
        repo_path = self.roots.resolve(repo or ".", "repo")
        if not repo_path.is_dir():
            raise OutsideRoots(f"repo {repo!r}: not a directory")
        git_repo = repo_path if is_git_repo(repo_path) else None
        if need_repo and git_repo is None:
            raise ValueError(f"repo {repo or '.'!r}: not a git repository; pass the repository that was deployed")
        paths = [Path(p) for p in expand_log_args(self.roots.resolve_logs(logs), repo_path)]
        for path in paths:  # a directory argument may hold links that point out of the roots
            self.roots.resolve(str(path), "logs")
        context_path = None
        if context:
            context_path = self.roots.resolve(context, "context")
        elif (repo_path / "incident-context.yaml").is_file():
            context_path = self.roots.resolve(str(repo_path / "incident-context.yaml"), "context")
        deploys_path = self.roots.resolve(deploys, "deploys") if deploys else None
        return Inputs(
            repo=git_repo, logs=tuple(paths), context_path=context_path, deploys_path=deploys_path,
            since=parse_time("since", since), until=parse_time("until", until), tz=tz,
        )

    def context(self, inputs: Inputs) -> IncidentContext:
        return load_context(inputs.context_path)

    def symptoms(self, inputs: Inputs) -> SymptomFindings:
        key = inputs.key()
        with self._lock:
            if key in self._symptoms:
                self._symptoms.move_to_end(key)
                return self._symptoms[key]
        found = read_symptoms(list(inputs.logs), self.context(inputs), since=inputs.since, until=inputs.until, tz=inputs.tz)
        with self._lock:
            self._symptoms[key] = found
            while len(self._symptoms) > CACHE_SIZE:
                self._symptoms.popitem(last=False)
        return found

    def changes(self, inputs: Inputs) -> ChangeFindings:
        key = inputs.key()
        found = self.symptoms(inputs)
        with self._lock:
            if key in self._changes:
                self._changes.move_to_end(key)
                return self._changes[key]
        records = load_deploys_file(inputs.deploys_path) if inputs.deploys_path else None
        changes = read_changes(inputs.repo, found, self.context(inputs), records)
        with self._lock:
            self._changes[key] = changes
            while len(self._changes) > CACHE_SIZE:
                self._changes.popitem(last=False)
        return changes
