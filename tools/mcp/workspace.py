"""The engine behind the tools: inputs resolved inside the roots, results cached per input state.

Tools are called many times on the same logs during one investigation; the scan and the git
history are kept, keyed by every input path's size and mtime, so only the first call pays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.change_times import window_anchors
from wicked_platform.tools.changes.deploys_file import load_deploys_files
from wicked_platform.tools.changes.git_history import RepoError, is_git_repo, reading
from wicked_platform.tools.context import IncidentContext, load_context
from wicked_platform.tools.investigation import ChangeFindings, SymptomFindings, read_changes, symptoms_from_scan
from wicked_platform.tools.logs.discovery import expand_log_args
from wicked_platform.tools.logs.investigation_window import scan_investigation_window
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.mcp.confinement import OutsideRoots, Roots
from wicked_platform.tools.timeutil import parse_time

CACHE_SIZE = 8
T = TypeVar("T")


class Inputs(BaseModel):
    """One investigation's inputs, resolved and confined."""

    model_config = ConfigDict(frozen=True)

    repo: Path | None  # the git repository read; None: logs only
    repo_dir: Path | None = None  # the directory given as the repository, git or not: named when it is not one
    logs: tuple[Path, ...]
    context_path: Path | None
    deploys_paths: tuple[Path, ...] = ()
    since: datetime | None
    until: datetime | None
    tz: str

    def scan_key(self) -> tuple:
        """What a scan of the logs depends on: the files as they are now, the window, the zone."""
        return (_stamps(self.logs), self.since, self.until, self.tz)

    def key(self) -> tuple:
        stamp = _stamps([*self.logs, *(p for p in (self.context_path, *self.deploys_paths) if p is not None)])
        head = None
        if self.repo is not None:
            try:
                head = (self.repo / ".git" / "HEAD").read_text() + str((self.repo / ".git").stat().st_mtime_ns)
            except OSError:
                head = None
        return (str(self.repo), str(self.repo_dir), stamp, self.since, self.until, self.tz, head)


def _stamps(paths) -> tuple:
    """Each path with its size and mtime: a file written since is read again."""
    stamp = []
    for path in paths:
        try:
            stat = path.stat()
            stamp.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            stamp.append((str(path), None, None))
    return tuple(stamp)


class Workspace:
    def __init__(self, roots: Roots, prometheus_url: str | None = None) -> None:
        self.roots = roots
        # The one Prometheus the metric tools may ask (the server's --prometheus or the environment); a
        # context file's prometheus.url is the other. A tool never takes a URL from its caller.
        self.prometheus_url = prometheus_url
        self._lock = threading.Lock()
        # Tools pass different context and deploys files (read_logs none): the scan, the costly part,
        # is kept by what it depends on alone, so no combination of them reads the logs twice.
        self._scans: OrderedDict[tuple, LogScan] = OrderedDict()
        self._symptoms: OrderedDict[tuple, SymptomFindings] = OrderedDict()
        self._changes: OrderedDict[tuple, ChangeFindings] = OrderedDict()

    def inputs(
        self, logs: list[str], repo: str | None, context: str | None, since: str | None, until: str | None, tz: str,
        *, deploys: str | list[str] | None = None,
    ) -> Inputs:
        """The inputs resolved inside the roots. A `repo` that is no git repository is read as logs only
        (repo None); one git finds and refuses, or a path outside the roots, is a ValueError."""
        repo_path, git_repo = self.repository(repo)
        paths = [Path(p) for p in expand_log_args(self.roots.resolve_logs(logs), repo_path)]
        for path in paths:  # a directory argument may hold links that point out of the roots
            self.roots.resolve(str(path), "logs")
        context_path = None
        if context:
            context_path = self.roots.resolve(context, "context")
        elif (repo_path / "incident-context.yaml").is_file():
            context_path = self.roots.resolve(str(repo_path / "incident-context.yaml"), "context")
        named = [deploys] if isinstance(deploys, str) else deploys or []
        deploys_paths = tuple(self.roots.resolve(path, "deploys") for path in named)
        return Inputs(
            repo=git_repo, repo_dir=repo_path, logs=tuple(paths), context_path=context_path, deploys_paths=deploys_paths,
            since=parse_time("since", since), until=parse_time("until", until), tz=tz,
        )

    def repository(self, repo: str | None) -> tuple[Path, Path | None]:
        """The directory `repo` names, inside the roots, and it again when it is a git repository (else None)."""
        repo_path = self.roots.resolve(repo or ".", "repo")
        if not repo_path.is_dir():
            raise OutsideRoots(f"repo {repo!r}: not a directory")
        try:
            return repo_path, repo_path if is_git_repo(repo_path) else None
        except RepoError as exc:
            raise ValueError(f"repo {repo or '.'!r}: {exc.reason}") from None

    def context(self, inputs: Inputs) -> IncidentContext:
        return load_context(inputs.context_path)

    def symptoms(self, inputs: Inputs) -> SymptomFindings:
        def read() -> SymptomFindings:
            # Which period of far-apart logs is investigated depends on the deploys and commits: keyed with them.
            records = load_deploys_files(inputs.deploys_paths) if inputs.deploys_paths else None
            scan = scan_investigation_window(list(inputs.logs), since=inputs.since, until=inputs.until, tz=inputs.tz,
                                             anchors=window_anchors(inputs.repo, records), scan=self.scan(inputs))
            return symptoms_from_scan(scan, self.context(inputs))
        return self._cached(self._symptoms, inputs.key(), read)

    def scan(self, inputs: Inputs) -> LogScan:
        return self._cached(self._scans, inputs.scan_key(),
                            lambda: scan_logs(list(inputs.logs), since=inputs.since, until=inputs.until, tz=inputs.tz))

    def changes(self, inputs: Inputs) -> ChangeFindings:
        def read() -> ChangeFindings:
            records = load_deploys_files(inputs.deploys_paths) if inputs.deploys_paths else None
            found, context = self.symptoms(inputs), self.context(inputs)
            with reading():  # the repository opened once for the history, the diffs and the manifests
                return read_changes(inputs.repo, found, context, records, looked_in=inputs.repo_dir)
        return self._cached(self._changes, inputs.key(), read)

    def prime(self, inputs: Inputs, symptoms: SymptomFindings, changes: ChangeFindings | None = None) -> None:
        """Keep findings computed elsewhere from these inputs (the agent's own engine run), so the tools
        answer from them instead of reading the logs and the history again."""
        self._keep(self._scans, inputs.scan_key(), symptoms.scan)
        self._keep(self._symptoms, inputs.key(), symptoms)
        if changes is not None:
            self._keep(self._changes, inputs.key(), changes)

    def _cached(self, cache: OrderedDict, key: tuple, compute: Callable[[], T]) -> T:
        """The value kept under `key`, else computed (outside the lock: a scan takes seconds) and kept."""
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = compute()
        self._keep(cache, key, value)
        return value

    def _keep(self, cache: OrderedDict, key: tuple, value: object) -> None:
        with self._lock:
            cache[key] = value
            cache.move_to_end(key)
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
