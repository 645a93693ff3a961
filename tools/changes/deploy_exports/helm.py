"""`helm history RELEASE -o json` (or `-o yaml`): one entry per revision of a release, with when it
was updated, its status, its chart and app version, and what Helm did (`Upgrade complete`, `Rollback
to 3`). The release's name is not in it: the service is named after the chart, and the note says so.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.timeutil import UtcDatetime

KEYS = frozenset({"revision", "status", "chart"})  # what marks helm history; its shape checks the rest
# A chart is `<name>-<semver>`: billing-api-0.1.0, zookeeper-5.22.0, ingress-nginx-4.10.0-rc.1.
CHART = re.compile(r"(?P<name>.+?)-(?P<version>v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)")
NOT_DEPLOYED = frozenset({"uninstalled", "uninstalling"})  # the release went away: nothing shipped


class HelmRevision(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    revision: int
    updated: UtcDatetime
    status: str
    chart: str
    app_version: str | None = None
    description: str | None = None


def revisions(document: Any) -> list[Any] | None:
    if isinstance(document, list) and document and all(isinstance(e, dict) and KEYS <= e.keys() for e in document):
        return document
    return None


def record(entry: HelmRevision) -> DeployRecord | None:
    if entry.status.lower() in NOT_DEPLOYED:
        return None
    chart = CHART.fullmatch(entry.chart)
    service = chart["name"] if chart else entry.chart
    version = entry.app_version or (chart["version"] if chart else None)
    note = (f"helm revision {entry.revision} ({entry.status}{': ' + entry.description if entry.description else ''}); "
            f"{service} named after chart {entry.chart}: helm history does not print the release")
    return DeployRecord(service=service, version=version, at=entry.updated).by("helm", note)
