"""What deploy systems print, read as deploy records: one reader per export, recognised by content.

Each reader says how to find its items in a parsed document, the pydantic shape of one item, and
how an item becomes records. A document none of them recognises is the project's own record list.
An item that does not fit its shape is one line naming the export, the item and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from wicked_platform.tools.changes.deploy_exports import argocd, github, helm, kubernetes
from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.report import RecordSource
from wicked_platform.tools.userfile import first_problem


class ExportReader(NamedTuple):
    source: RecordSource
    what: str  # the export, as an error names it
    items: Callable[[Any], list[Any] | None]  # the document's items when it is this export, else None
    shape: type[BaseModel]
    records: Callable[[Any], list[DeployRecord]]


def _one(make: Callable[[Any], DeployRecord | None]) -> Callable[[Any], list[DeployRecord]]:
    return lambda item: [r for r in (make(item),) if r is not None]


EXPORT_READERS: tuple[ExportReader, ...] = (
    ExportReader("kubernetes", "kubectl get replicasets", kubernetes.replica_sets, kubernetes.ReplicaSet,
                 _one(kubernetes.record)),
    ExportReader("argocd", "Argo CD application", argocd.applications, argocd.Application, argocd.records),
    ExportReader("helm", "helm history", helm.revisions, helm.HelmRevision, _one(helm.record)),
    ExportReader("github", "GitHub deployment", github.deployments, github.Deployment, _one(github.record)),
)


class ExportError(ValueError):
    """An export was recognised but one of its items does not fit: the message names item and field."""


def read_export(document: Any) -> list[DeployRecord] | None:
    """The records of a recognised export; None when no reader recognises the document."""
    for reader in EXPORT_READERS:
        items = reader.items(document)
        if items is None:
            continue
        found: list[DeployRecord] = []
        for index, item in enumerate(items):
            try:
                found += reader.records(reader.shape.model_validate(item))
            except ValidationError as exc:
                raise ExportError(f"{reader.what} {index}: {first_problem(exc)}") from None
        return found
    return None


def read_export_text(text: str, file_stem: str) -> list[DeployRecord] | None:
    """Records of an export printed as a table rather than JSON; None when the text is none of them.
    `kubectl rollout history` holds no time, so it raises ExportError naming what to export instead."""
    if named := kubernetes.ROLLOUT_HISTORY.search(text):
        raise ExportError(
            f"kubectl rollout history prints no times, so no deploy can be placed in time; export "
            f"`kubectl get replicasets -o json` for deployment {named['name']} instead (it holds each revision's "
            "change-cause, image and creation time)")
    return argocd.history_table(text, file_stem)
