"""What an investigation reads: the caller's inputs, resolved and validated.

A module of its own, and a light one, so the CLI can build a request before it loads the agents.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.changes.deploys_file import DeployRecord
from wicked_platform.tools.context import IncidentContext


class InvestigationRequest(BaseModel):
    """Everything an investigation reads, resolved and validated by the caller."""

    model_config = ConfigDict(frozen=True)

    description: str
    repo: Path | None  # the git repository whose history is read; None: logs only
    repo_dir: Path | None = None  # the directory given as the repository (--repo, else the working directory), git or not
    logs: list[Path]
    context: IncidentContext
    context_path: Path | None = None
    deploys_paths: list[Path] = []  # every --deploys file, in the order given
    deploys: list[DeployRecord] = []  # from --deploys: the deploy systems' own records, of every file
    since: datetime | None = None
    until: datetime | None = None
    tz: str = "UTC"
    prometheus_url: str | None = None  # --prometheus, WICKED_PLATFORM_PROMETHEUS_URL or the context's prometheus.url
