"""GitHub's deployments API (`GET /repos/{owner}/{repo}/deployments`, `gh api ...`): each deployment's
sha, ref, environment and created_at; its statuses (`/deployments/{id}/statuses`) when the export
embeds them as `statuses`, the first `success` marking it complete. The service is the payload's
`service`/`app` when the workflow put one there, else the repository's name.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.changes.image_refs import looks_like_sha
from wicked_platform.tools.timeutil import UtcDatetime

PAYLOAD_SERVICE_KEYS = ("service", "app", "application", "component")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class DeploymentStatus(_Shape):
    state: str
    created_at: UtcDatetime


class Deployment(_Shape):
    id: int | None = None
    url: str | None = None
    repository_url: str | None = None
    sha: str
    ref: str | None = None
    task: str | None = None
    environment: str
    created_at: UtcDatetime
    payload: dict[str, Any] | str | None = None
    statuses: list[DeploymentStatus] = []


def deployments(document: Any) -> list[Any] | None:
    items = document if isinstance(document, list) else [document] if isinstance(document, dict) else None
    # What marks GitHub's deployment object: a sha, and its own API address (the rest its shape checks).
    if items and all(isinstance(d, dict) and "sha" in d and ("statuses_url" in d or "/deployments/" in str(d.get("url", "")))
                     for d in items):
        return items
    return None


def _repository(deployment: Deployment) -> str | None:
    for url in (deployment.repository_url, deployment.url):
        if url and "/repos/" in url:
            parts = url.split("/repos/", 1)[1].split("/")
            if len(parts) >= 2 and parts[1]:
                return parts[1]
    return None


def record(deployment: Deployment) -> DeployRecord | None:
    payload = deployment.payload if isinstance(deployment.payload, dict) else {}
    named = next((v for k in PAYLOAD_SERVICE_KEYS if isinstance(v := payload.get(k), str) and v), None)
    service = named or _repository(deployment)
    if service is None:
        return None
    ref = deployment.ref if deployment.ref and deployment.ref != deployment.sha else None
    version = ref or (deployment.sha[:7] if looks_like_sha(deployment.sha) else deployment.sha)
    done = sorted(s.created_at for s in deployment.statuses if s.state == "success")
    how = "the deployment's payload" if named else "the repository's name"
    note = f"GitHub deployment {deployment.id or ''} to {deployment.environment}; service from {how}".replace("  ", " ")
    return DeployRecord(service=service, version=version, at=deployment.created_at, completed_at=done[0] if done else None,
                        commit=deployment.sha).by("github", note)
