"""The incident-responder on Claude: the engine decides, the model investigates through the tools and explains.

The engine's report is computed first, from the same inputs the tools read; the model then walks the
phases through the MCP tools and its grounded findings become the report's analysis. The facts and
the rollback decision stay the engine's whatever the model says; what the model could not do, the
engine did, and the notes say so.
"""

from __future__ import annotations

import anyio

from wicked_platform.agents.machine import Progress, run_machine
from wicked_platform.agents.model_client import DEFAULT_MAX_INPUT_TOKENS, ModelClient
from wicked_platform.agents.model_policy import ModelPolicy
from wicked_platform.agents.offline import engine_run
from wicked_platform.agents.request import InvestigationRequest
from wicked_platform.agents.toolbox import Toolbox, input_state
from wicked_platform.tools.report import IncidentReport



def _silent(_: str) -> None:
    pass


async def _investigate(request: InvestigationRequest, client: ModelClient, max_input_tokens: int,
                       progress: Progress) -> IncidentReport:
    as_of = input_state(request)
    engine = engine_run(request)
    report = engine.report
    # A log written to while the engine read it is read again by the tools: the cache must not keep an
    # older scan under the files' newer sizes.
    async with Toolbox(request, engine if input_state(request) == as_of else None) as toolbox:
        policy = ModelPolicy(client, toolbox, request.description, progress=progress,
                             engine_recommendation=report.rollback_decision.recommendation,
                             max_input_tokens=max_input_tokens)
        analysis = await run_machine(policy, report, progress)
    notes = list(report.notes) + policy.notes
    if any(a.by == "engine" for a in analysis):
        notes.append("the model did not finish every phase: those phases are the engine's findings")
    return report.model_copy(update={"agent": f"anthropic:{client.model}", "analysis": analysis,
                                     "usage": client.usage.model_copy(), "notes": notes})


def investigate_with_model(request: InvestigationRequest, client: ModelClient, *,
                           max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS,
                           progress: Progress = _silent) -> IncidentReport:
    return anyio.run(_investigate, request, client, max_input_tokens, progress)


def usage_line(report: IncidentReport) -> str:
    u = report.usage
    if u is None:
        return ""
    cost = "cost unknown for this model" if u.estimated_cost_usd is None else f"est. ${u.estimated_cost_usd:.4f}"
    return (f"model {u.model}: {u.requests} requests, {u.input_tokens + u.cache_creation_input_tokens:,} input tokens "
            f"({u.cache_creation_input_tokens:,} cache writes), {u.cache_read_input_tokens:,} cache reads, "
            f"{u.output_tokens:,} output; {cost}")
