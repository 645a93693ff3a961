"""What the generator knows about an incident it wrote: the answer a report is scored against."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.scenarios.model import Scenario
from wicked_platform.tools.report import Recommendation

IncidentKind = Literal["bad_deploy", "flag_flip", "saturation", "control"]
INCIDENT_KINDS: tuple[IncidentKind, ...] = ("bad_deploy", "flag_flip", "saturation", "control")

ChangeKind = Literal["timeout", "pool", "retries", "ttl", "resource_limit", "replicas", "flag", "dependency", "code"]
DeployEvidence = Literal["log", "deploys_file", "tags_only", "none"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IncidentTruth(Strict):
    """The generator's answer. `service`/`subject` are null where no service or commit is to blame."""

    kind: IncidentKind
    service: str | None = Field(description="the service whose change or saturation caused it; null for a control")
    subject: str | None = Field(description="subject of the culprit commit; null when no commit is to blame")
    change_kind: ChangeKind | None = None
    file: str | None = Field(None, description="the file the culprit change is in")
    file_format: str | None = None
    recommendation: Recommendation
    why: str = Field(description="how the expected recommendation follows from the triage workflow")
    deploy_evidence: DeployEvidence
    log_formats: list[str]
    sampled: bool = Field(description="request logs hold a sample of the traffic, not every request")
    cascade_depth: int = Field(ge=0, description="services above the culprit that fail because of it")
    red_herrings: int = Field(ge=0, description="innocent deploys before and after the onset")
    onset: str | None = Field(None, description="first failing request, UTC ISO 8601")
    deploy_lag_seconds: int | None = Field(None, description="from the culprit's deploy completing to the onset")
    grounded_names: list[str] = Field(exclude=True, description=(
        "every token a command may name: words of the repo's files, the context and the logs"))


class GeneratedIncident(Strict):
    """One incident as a scenario (plus the asset files beside it) and its truth."""

    name: str
    scenario: Scenario
    assets: dict[str, str] = Field(default_factory=dict, description="file name -> text beside scenario.yaml")
    truth: IncidentTruth
