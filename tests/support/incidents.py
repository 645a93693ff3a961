"""A small incident on a real git repository: its commits, a plain log, a context file, and the engine's report.

    repo = GitRepo(tmp_path / "repo")
    repo.commit("Initial import", {...}, at=before(days=1))
    repo.commit("perf(api): ...", {...}, at=at(20), tag="api-v1.1.0")
    report = investigate(repo, [*traffic("api"), *deploy("api", "v1.1.0", 24), *errors("api", 27, "boom")])

The engine runs its phases as the CLI does (symptoms, changes, blast radius, mitigation), reading the
repository through git like any user's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from support.git_repos import GitRepo

from wicked_platform.tools.context import load_context
from wicked_platform.tools.investigation import (
    assemble_report, assess_blast_radius, decide_mitigation, read_changes, read_symptoms,
)
from wicked_platform.tools.report import IncidentReport, InputSummary

T0 = datetime(2024, 6, 3, 10, 0, 0, tzinfo=UTC)
END = 60  # minutes of log after T0


def at(minutes: float) -> datetime:
    return T0 + timedelta(seconds=round(minutes * 60))


def before(days: float) -> datetime:
    return T0 - timedelta(days=days)


def line(when: datetime, level: str, service: str, message: str) -> str:
    return f"{when:%Y-%m-%dT%H:%M:%SZ} {level} {service} {message}"


def traffic(service: str, every_s: int = 10, message: str = "GET /health 200") -> list[str]:
    return [line(T0 + timedelta(seconds=s), "INFO", service, message) for s in range(0, END * 60, every_s)]


def errors(service: str, from_minute: float, message: str, every_s: int = 4, level: str = "ERROR") -> list[str]:
    start = round(from_minute * 60)
    return [line(T0 + timedelta(seconds=s), level, service, message.format(n=s)) for s in range(start, END * 60, every_s)]


def noise(service: str, message: str = "upstream connect flaked, retried", minutes: tuple[int, ...] = (3, 11)) -> list[str]:
    """A couple of errors before the incident: the baseline a rise is measured against."""
    return [line(at(m), "ERROR", service, message) for m in minutes]


def deploy(service: str, version: str, minute: float) -> list[str]:
    return [line(at(minute), "INFO", service, f"Deployment {service}-{version} started"),
            line(at(minute + 1), "INFO", service, f"Deployment {service}-{version} completed")]


def investigate(repo: GitRepo, lines: list[str], context: dict | None = None,
                description: str = "errors rising for customers") -> IncidentReport:
    """The engine's report on `lines` (written to a log beside the repository) and `context`."""
    log = repo.path.parent / "incident.log"
    log.write_text("\n".join(sorted(lines)) + "\n")
    context_path: Path | None = None
    if context is not None:
        context_path = repo.path.parent / "incident-context.yaml"
        context_path.write_text(yaml.safe_dump(context))
    loaded = load_context(context_path)
    found = read_symptoms([log], loaded)
    changes = read_changes(repo.path, found, loaded)
    blast = assess_blast_radius(found, loaded, description)
    mitigation = decide_mitigation(found, changes, blast, loaded, description)
    inputs = InputSummary(repo=str(repo.path), context=str(context_path) if context_path else None)
    return assemble_report(description, found, changes, blast, mitigation, inputs)
