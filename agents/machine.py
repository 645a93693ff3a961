"""The phase machine: symptoms → timeline → correlation → blast radius → mitigation, under a policy.

A policy answers one phase at a time with findings, or None when it cannot. The offline agent's
policy reads them off the engine's report; the model's policy asks Claude, through the MCP tools.
Whatever a policy cannot answer, the engine answers, and the report says which phases were whose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from wicked_platform.agents.engine_findings import engine_findings
from wicked_platform.agents.phases import (
    PHASES, BlastRadiusFindings, CorrelationFindings, Findings, Phase, SymptomsFindings, TimelineFindings,
)
from wicked_platform.tools.report import IncidentReport, PhaseAnalysis

Facts = dict[str, str | None]
Progress = Callable[[str], None]


class Policy(Protocol):
    by: str  # "model" or "engine": whose words the findings are

    async def run_phase(self, phase: Phase, facts: Facts) -> Findings | None: ...


class EnginePolicy:
    """The offline agent: each phase's findings are the engine's, from its report."""

    by = "engine"

    def __init__(self, report: IncidentReport) -> None:
        self.report = report

    async def run_phase(self, phase: Phase, facts: Facts) -> Findings | None:
        return engine_findings(phase.name, self.report)


def _carry(facts: Facts, findings: Findings) -> None:
    """What the next phases' templates are told: the few facts each phase hands on."""
    if isinstance(findings, SymptomsFindings):
        facts.update(onset=findings.onset, primary_service=findings.primary_service)
    elif isinstance(findings, TimelineFindings):
        facts["deploys"] = "; ".join(findings.deploys) or None
    elif isinstance(findings, CorrelationFindings):
        facts["cause"] = findings.summary
    elif isinstance(findings, BlastRadiusFindings):
        facts["services"] = ", ".join(findings.services) or None


async def run_machine(policy: Policy, report: IncidentReport, progress: Progress) -> list[PhaseAnalysis]:
    facts: Facts = {"onset": None, "primary_service": None, "deploys": None, "cause": None, "services": None}
    analysis = []
    for index, phase in enumerate(PHASES, start=1):
        findings = await policy.run_phase(phase, dict(facts))
        by = policy.by
        if findings is None:
            findings, by = engine_findings(phase.name, report), "engine"
            if policy.by != "engine":
                progress(f"[{index}/{len(PHASES)}] {phase.title.lower()}: the engine's findings are used")
        _carry(facts, findings)
        analysis.append(PhaseAnalysis(phase=phase.name, summary=findings.summary, by=by))
    return analysis
