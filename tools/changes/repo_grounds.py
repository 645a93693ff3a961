"""What the repository at a commit says exists: the workloads its manifests declare, and the environment
variables its code reads or its manifests set. Commands name only what is found here (or in the
context file, or the logs); every read goes through git_history, so no repository runs any code.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from wicked_platform.tools.changes.env_readers import GREP_PATTERN, env_reads
from wicked_platform.tools.changes.git_history import RefError, RepoError, files_at, grep_at
from wicked_platform.tools.changes.manifests import manifest_env, workloads_in
from wicked_platform.tools.changes.models import EnvReference, RepoGrounds
from wicked_platform.tools.changes.services import service_for_path

MAX_MANIFESTS = 200
"""Manifest files parsed at most: a platform repository can hold thousands; the service's own are among the first."""

# A deployment file's own keys, at the start of a line: where workloads and their environment are declared.
_MANIFEST_PATTERN = r"^[[:space:]-]*(kind|services|env|environment|extraEnv|extraEnvVars):"
_YAML = ("*.yaml", "*.yml")


def repo_grounds(repo: Path, ref: str, known_services: Collection[str] = ()) -> RepoGrounds:
    """The workloads and environment variables the tree at `ref` declares; empty when it cannot be read."""
    try:
        code, code_cut = grep_at(repo, ref, GREP_PATTERN)
        manifests, manifests_cut = grep_at(repo, ref, _MANIFEST_PATTERN, pathspecs=_YAML, files_only=True)
        paths = sorted({hit.path for hit in manifests}, key=lambda p: (p.count("/"), p))[:MAX_MANIFESTS]
        texts = files_at(repo, ref, paths)
    except (RepoError, RefError):
        return RepoGrounds(commit=ref)
    env: dict[tuple[str, str], EnvReference] = {}
    for hit in code:
        for name, shape in env_reads(hit.path, hit.text):
            env.setdefault((name, hit.path), EnvReference(
                name=name, file=hit.path, line=hit.line, shape=shape, owner=service_for_path(hit.path, known_services)))
    workloads = []
    for path in sorted(texts):
        workloads += workloads_in(path, texts[path])
        for reference in manifest_env(path, texts[path]):
            env.setdefault((reference.name, f"{path}:{reference.owner}"), reference)
    return RepoGrounds(
        commit=ref, workloads=workloads, env=sorted(env.values(), key=lambda e: (e.name, e.file, e.line or 0)),
        files_read=len(texts), truncated=code_cut or manifests_cut or len(manifests) > MAX_MANIFESTS,
    )
