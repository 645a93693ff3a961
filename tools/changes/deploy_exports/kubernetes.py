"""`kubectl get replicasets -o json`: each of a Deployment's replica sets is one of its rollouts.

A Deployment keeps a replica set per pod template it has run (up to revisionHistoryLimit). Each
carries its revision (`deployment.kubernetes.io/revision`), the change-cause kubectl recorded
(`kubernetes.io/change-cause`), its containers' images and its creation time: what shipped, and
when. A rollback re-uses an old replica set, so its creation time stays the first rollout's; the
revision says it came back.

`kubectl rollout history` prints revisions and change-causes but no time at all: it is recognised
and refused, naming the export that has the times.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.changes.image_refs import image_reference, looks_like_sha
from wicked_platform.tools.timeutil import UtcDatetime

REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"
POD_TEMPLATE_HASH = "pod-template-hash"
# deployment.apps/billing-api
# REVISION  CHANGE-CAUSE
ROLLOUT_HISTORY = re.compile(r"^\s*deployments?(?:\.apps)?/(?P<name>\S+)\s*\n\s*REVISION\s+CHANGE-CAUSE\s*$", re.MULTILINE)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Owner(_Shape):
    kind: str
    name: str


class _Meta(_Shape):
    name: str
    creationTimestamp: UtcDatetime  # noqa: N815 - Kubernetes' own spelling
    annotations: dict[str, str] = {}
    labels: dict[str, str] = {}
    ownerReferences: list[_Owner] = []  # noqa: N815


class _Container(_Shape):
    name: str
    image: str


class _PodSpec(_Shape):
    containers: list[_Container] = Field(min_length=1)


class _Template(_Shape):
    spec: _PodSpec


class _ReplicaSetSpec(_Shape):
    template: _Template


class ReplicaSet(_Shape):
    kind: str
    metadata: _Meta
    spec: _ReplicaSetSpec


def replica_sets(document: Any) -> list[Any] | None:
    """The replica set objects of a `kubectl get` export (one, a List, or a bare list), else None."""
    if isinstance(document, dict) and document.get("kind") == "ReplicaSet":
        return [document]
    items = document.get("items") if isinstance(document, dict) and document.get("kind") in ("List", "ReplicaSetList") \
        else document if isinstance(document, list) else None
    if items and all(isinstance(i, dict) and i.get("kind", "ReplicaSet") == "ReplicaSet" and "spec" in i
                     and isinstance(i.get("metadata"), dict) and "ownerReferences" in i["metadata"] for i in items):
        return items
    return None


def record(replica_set: ReplicaSet) -> DeployRecord:
    meta = replica_set.metadata
    owner = next((o.name for o in meta.ownerReferences if o.kind == "Deployment"), None)
    pod_hash = meta.labels.get(POD_TEMPLATE_HASH)
    service = owner or (meta.name.removesuffix(f"-{pod_hash}") if pod_hash else meta.name)
    containers = replica_set.spec.template.spec.containers
    # The service's own container, else the first with a tag: sidecars ship on their own schedule.
    own = sorted(containers, key=lambda c: c.name != service)
    tagged = [(c, ref) for c in own if (ref := image_reference(c.image))]
    version = tagged[0][1][1] if tagged else None
    commit = version if version and looks_like_sha(version) else None
    parts = [f"revision {meta.annotations[REVISION]}" if REVISION in meta.annotations else None,
             f"replica set {meta.name}",
             f"change-cause: {meta.annotations[CHANGE_CAUSE]}" if meta.annotations.get(CHANGE_CAUSE) else None]
    return DeployRecord(service=service, version=version, at=meta.creationTimestamp, commit=commit).by(
        "kubernetes", "; ".join(p for p in parts if p))
