"""How a deploy shows up: a deploy tool's log lines (in one of several phrasings), a deploys file,
git tags alone, or nothing but the commit itself."""

from __future__ import annotations

import json
import random
from datetime import datetime

import yaml
from pydantic import BaseModel, ConfigDict

from wicked_platform.scenarios.corpus.truth import DeployEvidence
from wicked_platform.tools.timeutil import iso_z

DEPLOY_EVIDENCE: tuple[DeployEvidence, ...] = ("log", "deploys_file", "tags_only", "none")


class DeployEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    service: str
    version: str  # `v1.4.2`
    started: datetime
    completed: datetime


def _stamp(at: datetime) -> str:
    return iso_z(at)


# Phrasings deploy tools print, start and end; `{s}` service, `{v}` version, `{t}` time.
PHRASINGS: tuple[tuple[str, str], ...] = (
    ("{t} INFO deploy-bot Deployment {s}-{v} started", "{t} INFO deploy-bot Deployment {s}-{v} completed"),
    ("{t} INFO ci Rolling out {s} {v} to production", "{t} INFO ci Rollout of {s} {v} finished"),
    ("ts={t} level=info source=spinnaker msg=\"Deploying {s} version {v}\"",
     "ts={t} level=info source=spinnaker msg=\"Deployed {s} version {v} successfully\""),
    ('{{"timestamp": "{t}", "level": "INFO", "service": "deployer", "message": "Started deploy of {s} {v}"}}',
     '{{"timestamp": "{t}", "level": "INFO", "service": "deployer", "message": "Finished deploy of {s} {v}"}}'),
)


def deploy_log(rng: random.Random, events: list[DeployEvent]) -> str:
    """The deploy tool's log, one phrasing for the whole file (a tool prints one way)."""
    start, end = rng.choice(PHRASINGS)
    lines = []
    for event in events:
        lines.append((event.started, start.format(t=_stamp(event.started), s=event.service, v=event.version)))
        lines.append((event.completed, end.format(t=_stamp(event.completed), s=event.service, v=event.version)))
    return "".join(line + "\n" for _, line in sorted(lines))


def deploys_file(rng: random.Random, events: list[DeployEvent]) -> tuple[str, str]:
    """The project's own deploy records, as YAML or JSON (name, text)."""
    records = [{"service": e.service, "version": e.version, "at": _stamp(e.started), "completed_at": _stamp(e.completed)}
               for e in sorted(events, key=lambda e: e.started)]
    if rng.random() < 0.5:
        return "deploys.json", json.dumps(records, indent=2) + "\n"
    return "deploys.yaml", yaml.safe_dump({"deploys": records}, sort_keys=False)
