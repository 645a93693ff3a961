"""`wicked-platform eval --generated N --seed S`: investigate a randomized corpus and score the answers.

Each generated incident is built like a bundled scenario (its assets written beside it, the repo
built into a temp dir) and investigated through the CLI. The report's answer is set beside the
generator's truth. Nothing here depends on the clock: no timings in the output, so the same N and
seed give the same bytes.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.agents.evaluation import investigate
from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.corpus.incident import generate_incident
from wicked_platform.scenarios.corpus.truth import INCIDENT_KINDS, GeneratedIncident, IncidentTruth
from wicked_platform.tools.report import IncidentReport

# The names a kubectl command points at: `deployment/NAME` or `deployment NAME`, `-n NS` or
# `--namespace[=| ]NS`, and `VAR=value` after `set env`.
DEPLOYMENT = re.compile(r"\bdeployments?(?:\.apps)?[/ ]([A-Za-z0-9][A-Za-z0-9_.-]*)")
NAMESPACE = re.compile(r"(?:\s-n\s+|--namespace[= ])([A-Za-z0-9][A-Za-z0-9_.-]*)")
ENV_ASSIGNMENT = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)=")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportAnswer(Model):
    """What the report said, in the fields the truth is compared with."""

    service: str | None = Field(description="root_cause.service")
    commit: str | None = Field(description="root_cause.commit")
    subject: str | None = Field(description="root_cause.subject")
    recommendation: str | None
    command: str | None
    alternative: str | None


class IncidentResult(Model):
    name: str
    truth: IncidentTruth
    truth_commit: str | None = Field(description="the sha of the truth's subject in the built repo")
    answer: ReportAnswer | None = Field(description="null when the investigation did not produce a report")
    root_cause_service_correct: bool
    root_cause_commit_correct: bool
    recommendation_correct: bool
    false_rollback: bool
    ungrounded_names: list[str] = Field(description="names in the commands that no generated file, context or log holds")
    ungrounded_commands: int
    error: str | None = None


class KindScore(Model):
    incidents: int
    root_cause_service_correct: int
    root_cause_commit_correct: int
    recommendation_correct: int
    recommendations: dict[str, int] = Field(description="what the reports recommended, counted")


class GeneratedScorecard(Model):
    generated: int
    seed: int
    agent: str
    root_cause_service_accuracy: float
    root_cause_commit_accuracy: float
    recommendation_accuracy: float
    false_rollbacks: int
    ungrounded_commands: int
    errors: int
    by_kind: dict[str, KindScore]
    incidents: list[IncidentResult]


def command_names(command: str) -> list[str]:
    """The deployment, namespace and environment variable names a command names."""
    names = DEPLOYMENT.findall(command) + NAMESPACE.findall(command)
    if " set env " in f" {command} ":
        names += ENV_ASSIGNMENT.findall(command)
    return names


def _root_cause_scores(truth: IncidentTruth, answer: ReportAnswer, truth_commit: str | None) -> tuple[bool, bool]:
    """(service right, commit right). A control has no root cause; saturation has a service but no
    commit, and a report may leave the root cause null there (as the bundled memory-leak scenario does)."""
    if truth.kind == "control":
        return answer.service is None, answer.commit is None
    if truth.kind == "saturation":
        return answer.service in (None, truth.service), answer.commit is None
    return answer.service == truth.service, truth_commit is not None and answer.commit == truth_commit


def score_incident(generated: GeneratedIncident, workdir: Path, agent: str) -> IncidentResult:
    truth = generated.truth
    folder = workdir / f"{generated.name}.assets"
    folder.mkdir(parents=True)
    for name, text in generated.assets.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    built = build_scenario(generated.scenario, folder, workdir / generated.name)
    truth_commit = built.sha_by_subject.get(truth.subject) if truth.subject else None
    status, out, err = investigate(built, workdir / f"{generated.name}.state", agent)
    if status != 0:
        # The temp dir's name is random: it must not reach the scorecard, which is the same bytes every run.
        lines = err.getvalue().replace(str(workdir), "<build>").strip().splitlines()
        return IncidentResult(name=generated.name, truth=truth, truth_commit=truth_commit, answer=None,
                              root_cause_service_correct=False, root_cause_commit_correct=False,
                              recommendation_correct=False, false_rollback=False, ungrounded_names=[],
                              ungrounded_commands=0, error=lines[-1] if lines else f"exit {status}")
    report = IncidentReport.model_validate_json(out.getvalue())
    cause, decision = report.root_cause, report.rollback_decision
    answer = ReportAnswer(service=cause.service if cause else None, commit=cause.commit if cause else None,
                          subject=cause.subject if cause else None, recommendation=decision.recommendation,
                          command=decision.command, alternative=decision.alternative)
    service_ok, commit_ok = _root_cause_scores(truth, answer, truth_commit)
    grounded = set(truth.grounded_names)
    ungrounded, commands = [], 0
    for command in (decision.command, decision.alternative):
        missing = [name for name in command_names(command or "") if name not in grounded]
        ungrounded += missing
        commands += bool(missing)
    return IncidentResult(
        name=generated.name, truth=truth, truth_commit=truth_commit, answer=answer,
        root_cause_service_correct=service_ok, root_cause_commit_correct=commit_ok,
        recommendation_correct=decision.recommendation == truth.recommendation,
        false_rollback=decision.recommendation == "ROLLBACK" and truth.recommendation != "ROLLBACK",
        ungrounded_names=ungrounded, ungrounded_commands=commands,
    )


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def evaluate_generated(count: int, seed: int, agent: str = "offline",
                       progress: Callable[[str], None] = lambda _: None) -> GeneratedScorecard:
    results = []
    with tempfile.TemporaryDirectory(prefix="wicked-platform-corpus-") as tmp:
        for index in range(count):
            generated = generate_incident(seed, index)
            progress(f"{generated.name} ({generated.truth.kind})…")
            results.append(score_incident(generated, Path(tmp), agent))
    by_kind = {}
    for kind in INCIDENT_KINDS:
        of_kind = [r for r in results if r.truth.kind == kind]
        if of_kind:
            by_kind[kind] = KindScore(
                incidents=len(of_kind), root_cause_service_correct=sum(r.root_cause_service_correct for r in of_kind),
                root_cause_commit_correct=sum(r.root_cause_commit_correct for r in of_kind),
                recommendation_correct=sum(r.recommendation_correct for r in of_kind),
                recommendations=dict(sorted(Counter(r.answer.recommendation if r.answer else "error"
                                                    for r in of_kind).items())))
    return GeneratedScorecard(
        generated=count, seed=seed, agent=agent,
        root_cause_service_accuracy=_share(sum(r.root_cause_service_correct for r in results), count),
        root_cause_commit_accuracy=_share(sum(r.root_cause_commit_correct for r in results), count),
        recommendation_accuracy=_share(sum(r.recommendation_correct for r in results), count),
        false_rollbacks=sum(r.false_rollback for r in results),
        ungrounded_commands=sum(r.ungrounded_commands for r in results),
        errors=sum(r.error is not None for r in results), by_kind=by_kind, incidents=results,
    )


def generated_scorecard_markdown(card: GeneratedScorecard) -> str:
    lines = [f"## Generated corpus scorecard (--generated {card.generated} --seed {card.seed}, {card.agent} agent)", "",
             f"- root cause service accuracy: {card.root_cause_service_accuracy:.0%}",
             f"- root cause commit accuracy: {card.root_cause_commit_accuracy:.0%}",
             f"- recommendation accuracy: {card.recommendation_accuracy:.0%}",
             f"- false ROLLBACKs: {card.false_rollbacks}", f"- ungrounded commands: {card.ungrounded_commands}",
             f"- investigations that failed: {card.errors}", "",
             "| Kind | Incidents | Service | Commit | Recommendation | Recommended |",
             "|------|-----------|---------|--------|----------------|-------------|"]
    for kind, score in card.by_kind.items():
        given = ", ".join(f"{rec} {n}" for rec, n in score.recommendations.items())
        lines.append(f"| {kind} | {score.incidents} | {score.root_cause_service_correct} | "
                     f"{score.root_cause_commit_correct} | {score.recommendation_correct} | {given} |")
    wrong = [r for r in card.incidents if not (r.root_cause_service_correct and r.root_cause_commit_correct
                                               and r.recommendation_correct) or r.ungrounded_commands]
    if wrong:
        lines += ["", "| Incident | Kind | Change (file) | Evidence | Expected | Got | Service | Commit | Ungrounded |",
                  "|----------|------|---------------|----------|----------|-----|---------|--------|------------|"]
    for r in wrong:
        truth, got = r.truth, r.answer
        change = f"{truth.change_kind} ({truth.file_format})" if truth.change_kind else "—"
        lines.append(f"| {r.name} | {truth.kind} | {change} | {truth.deploy_evidence} | {truth.recommendation} | "
                     f"{got.recommendation if got else 'error: ' + (r.error or '')} | "
                     f"{'ok' if r.root_cause_service_correct else (got.service if got else '—')} | "
                     f"{'ok' if r.root_cause_commit_correct else 'wrong'} | {', '.join(r.ungrounded_names) or '—'} |")
    return "\n".join(lines) + "\n"
