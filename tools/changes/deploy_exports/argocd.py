"""Argo CD's deployment history: `argocd app get APP -o json` (or `kubectl get applications -o json`),
whose `status.history[]` holds each sync's revision, deployStartedAt and deployedAt, and the table
`argocd app history APP` prints (ID, DATE, REVISION), which does not name the application.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.changes.image_refs import looks_like_sha, tag_version
from wicked_platform.tools.timeutil import UtcDatetime

# ID  DATE                           REVISION
# 3   2024-01-15 14:20:00 +0000 UTC  main (9f1c2ab)
HISTORY_HEADER = re.compile(r"^ID\s+DATE\s+REVISION\s*$", re.MULTILINE)
HISTORY_ROW = re.compile(r"^(?P<id>\d+)\s+(?P<date>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)? (?P<offset>[+-]\d{4})"
                         r"(?: [A-Z]+)?\s+(?P<revision>.*?)\s*$")
_SHORT_SHA = re.compile(r"^(?P<target>.*?)\s*\((?P<sha>[0-9a-f]{7,40})\)$")
# `argocd app history billing-api` in a saved terminal session names the application.
HISTORY_COMMAND = re.compile(r"argocd app history (?:--?\S+ )*(?P<app>[a-z0-9][a-z0-9.-]*)")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Source(_Shape):
    targetRevision: str | None = None  # noqa: N815 - Argo CD's own spelling
    chart: str | None = None


class RevisionHistory(_Shape):
    id: int | None = None
    revision: str | None = None
    revisions: list[str] = []
    deployStartedAt: UtcDatetime | None = None  # noqa: N815
    deployedAt: UtcDatetime  # noqa: N815
    source: _Source = _Source()


class _Meta(_Shape):
    name: str


class _Status(_Shape):
    history: list[RevisionHistory] = []


class Application(_Shape):
    metadata: _Meta
    status: _Status = _Status()


def applications(document: Any) -> list[Any] | None:
    """The Application objects of an export (one, or a List of them), else None."""
    def is_app(item: Any) -> bool:
        return isinstance(item, dict) and item.get("kind") == "Application" and str(item.get("apiVersion", "")).startswith("argoproj.io/")

    if is_app(document):
        return [document]
    items = document.get("items") if isinstance(document, dict) else None
    if isinstance(items, list) and items and all(is_app(i) for i in items):
        return items
    return None


def _version(entry: RevisionHistory) -> tuple[str | None, str | None]:
    """(version, commit): a chart version or a version-like target revision (a release tag's version part), else
    the short sha."""
    revision = entry.revision or (entry.revisions[0] if entry.revisions else None)
    commit = revision if revision and looks_like_sha(revision) else None
    target = entry.source.targetRevision
    if target and entry.source.chart:
        return target, commit
    if version := _release_version(target):
        return version, commit
    if commit:
        return commit[:7], commit
    return revision, None


def _release_version(target: str | None) -> str | None:
    """The version a target revision names: `v2.3.1`, or the version part of a release tag `cart-api-v2.3.1`;
    None for a branch or a sha."""
    return tag_version(target) if target else None


def records(app: Application) -> list[DeployRecord]:
    found = []
    for entry in app.status.history:
        version, commit = _version(entry)
        note = f"Argo CD history id {entry.id}" if entry.id is not None else None
        found.append(DeployRecord(service=app.metadata.name, version=version, at=entry.deployStartedAt or entry.deployedAt,
                                  completed_at=entry.deployedAt, commit=commit).by("argocd", note))
    return found


def history_table(text: str, fallback_service: str) -> list[DeployRecord] | None:
    """Records of an `argocd app history` table, else None. The table names no application: a saved
    `argocd app history NAME` command line names it, else the file's name does, and the note says so."""
    if not HISTORY_HEADER.search(text):
        return None
    named = HISTORY_COMMAND.search(text)
    service = named["app"] if named else fallback_service
    how = "named by the `argocd app history` command in the file" if named else \
        "named after the file: `argocd app history` does not print the application"
    found = []
    for line in text.splitlines():
        row = HISTORY_ROW.match(line.strip())
        if not row:
            continue
        at = f"{row['date'].replace(' ', 'T')}{row['offset'][:3]}:{row['offset'][3:]}"
        revision = row["revision"]
        short = _SHORT_SHA.match(revision)
        target, sha = (short["target"], short["sha"]) if short else (revision, revision if looks_like_sha(revision) else None)
        version = _release_version(target) or sha or target or None
        found.append(DeployRecord(service=service, version=version, at=at, completed_at=at, commit=sha).by(
            "argocd", f"Argo CD history id {row['id']}; {service} {how}"))
    return found
