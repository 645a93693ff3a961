"""Which service a path, a commit subject or a deployment file's structure belongs to.

Monorepos name their services by directory (`services/checkout-api/...`, `apps/web/...`, Helm's
`charts/<name>/`), and conventional-commit subjects name them by scope (`perf(checkout-api): ...`).
Both are conventions, so both are guesses; a service the caller already knows (from logs or the
context file) wins. A deployment file says it outright: `services.prometheus...` in a compose file,
a Deployment's `metadata.name` (see `manifests`); `with_structural_services` adds those.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from wicked_platform.tools.changes.models import CommitDiff, GitHistory

SERVICE_ROOTS: tuple[str, ...] = ("services", "apps", "packages", "cmd", "src", "charts")
"""Directories whose direct subdirectories are services, one per subdirectory."""

# Under `src/` the language's own layout comes first (Maven's `src/main/java`, `src/test`), and
# those directories are not services.
_NOT_SERVICES_UNDER_SRC = frozenset({"main", "test", "tests", "testing", "__tests__", "it"})

# `type(scope)!: subject` — the `!` marks a breaking change and may follow the scope.
_CONVENTIONAL = re.compile(r"^\s*[A-Za-z]+\((?P<scope>[^()\s]+)\)!?:\s")


def service_for_path(path: str, known: Collection[str] = ()) -> str | None:
    """The service `path` belongs to, or None.

    A path component (or the file's stem: `k8s/checkout-api.yaml`) equal to a known service
    decides first; else the first `<root>/<name>/` of the SERVICE_ROOTS convention. A trailing
    `/` marks the last component as a directory, so `apps/web/` is the service `web` while
    `apps/README.md` is no service at all.
    """
    path = path.replace("\\", "/")
    is_dir = path.endswith("/")
    # str.split, not pathlib: this runs for every file of every commit in a long history.
    parts = [part for part in path.split("/") if part and part != "."]
    if not parts:
        return None
    if known:
        for part in parts:
            if part in known:
                return part
        if not is_dir and (stem := _stem(parts[-1])) in known:
            return stem
    # A service is a directory: under `<root>/` it needs something after its name, unless the
    # path itself is known to be a directory.
    dirs = parts if is_dir else parts[:-1]
    for root, name in zip(dirs, dirs[1:]):
        if root not in SERVICE_ROOTS:
            continue
        if root == "src" and name in _NOT_SERVICES_UNDER_SRC:
            continue
        if name.startswith("."):
            continue
        return name
    return None


def _stem(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def conventional_scope(subject: str) -> str | None:
    """`perf(checkout-api): x` -> `checkout-api`; `feat!: x` and plain subjects -> None."""
    match = _CONVENTIONAL.match(subject)
    return match.group("scope") if match else None


def with_structural_services(history: GitHistory, diffs: Mapping[str, CommitDiff]) -> GitHistory:
    """`history` with each read commit's services completed by what its deployment files say: a commit that
    changes only `docker-compose.yml` under `services.prometheus` is prometheus's, though no path names it."""
    commits = []
    for commit in history.commits:
        diff = diffs.get(commit.sha)
        owners = {c.place.owner for c in diff.config_changes if c.place is not None and c.place.owner} if diff else set()
        if owners - set(commit.services):
            commit = commit.model_copy(update={"services": sorted(set(commit.services) | owners)})
        commits.append(commit)
    return history.model_copy(update={"commits": commits})
