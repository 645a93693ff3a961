"""The five phases of an investigation, as data: what each establishes, with which tools, in how many
steps, and the findings it hands on. The offline agent and the model-driven loop walk the same list;
the prompt templates and the plugin's markdown are rendered from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.prompts import render

Recommendation = Literal["ROLLBACK", "HOTFIX", "DISABLE_FEATURE", "SCALE", "MONITOR"]
Confidence = Literal["HIGH", "MEDIUM", "LOW", "NONE"]


class Findings(BaseModel):
    """What a phase established, in the model's words; every value is checked against tool results."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="two or three sentences an on-call engineer can act on", max_length=1200)


class SymptomsFindings(Findings):
    primary_service: str | None = Field(None, description="the service whose errors rose first or most")
    onset: str | None = Field(None, description="when the errors began, ISO 8601 UTC, as a tool reported it")
    signatures: list[str] = Field(default_factory=list, max_length=5, description="the main error signatures")


class TimelineFindings(Findings):
    deploys: list[str] = Field(default_factory=list, max_length=10,
                               description="deploys around the onset: service and version or commit sha")


class CorrelationFindings(Findings):
    commit: str | None = Field(None, description="the sha of the change that caused it, or null when none did")
    file: str | None = Field(None, description="the file of that change that matters")
    confidence: Confidence = "NONE"


class BlastRadiusFindings(Findings):
    services: list[str] = Field(default_factory=list, description="every affected service, direct and cascade")


class MitigationFindings(Findings):
    recommendation: Recommendation = Field(description="exactly what evaluate_rollback_criteria recommended")


class Phase(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    goal: str
    tools: tuple[str, ...]
    step_budget: int = Field(ge=1, description="model turns allowed before the engine finishes the phase")
    findings: type[Findings]

    @property
    def template(self) -> str:
        return f"responder/phases/{self.name}.md.j2"

    def prompt(self, description: str, facts: dict[str, str | None]) -> str:
        return render(self.template, description=description, facts=facts)


PHASES: tuple[Phase, ...] = (
    Phase(name="symptoms", title="Symptoms", step_budget=3, findings=SymptomsFindings,
          goal="What is failing, since when, and how much worse than before.",
          tools=("read_logs", "error_rate_ratio", "metric_signals", "query_metrics")),
    Phase(name="timeline", title="Timeline", step_budget=3, findings=TimelineFindings,
          goal="What was deployed or changed around the onset, in order.",
          tools=("deploy_history", "incident_timeline")),
    Phase(name="correlation", title="Correlation", step_budget=3, findings=CorrelationFindings,
          goal="Which change caused it, with evidence and a confidence.",
          tools=("correlate_changes", "git_diff")),
    Phase(name="blast_radius", title="Blast radius", step_budget=2, findings=BlastRadiusFindings,
          goal="Who and what is affected: services, the critical path, users, revenue.",
          tools=("blast_radius", "metric_signals", "query_metrics")),
    Phase(name="mitigation", title="Mitigation", step_budget=2, findings=MitigationFindings,
          goal="The fastest safe mitigation: the engine's rollback decision, its criteria and commands.",
          tools=("evaluate_rollback_criteria",)),
)

TOOL_NAMES: tuple[str, ...] = tuple(dict.fromkeys(name for phase in PHASES for name in phase.tools))
PLUGIN_TOOL_PREFIX = "mcp__plugin_wicked-platform_wicked-platform__"


def system_prompt(surface: Literal["api", "plugin"]) -> str:
    prefix = PLUGIN_TOOL_PREFIX if surface == "plugin" else ""
    return render("responder/system.md.j2", phases=PHASES, tool_prefix=prefix, surface=surface)
