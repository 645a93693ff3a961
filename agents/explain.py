"""The model's part in `--rollback-decision`: a few sentences explaining the engine's decision, or nothing.

The decision itself never changes. The explanation is held to the decision it explains: it must
state the engine's recommendation and every value it quotes must be in the decision; otherwise the
answer goes out without it, and says why.
"""

from __future__ import annotations

import anyio

from wicked_platform.agents.grounding import Evidence, ungrounded
from wicked_platform.agents.model_client import ModelClient, ModelUnavailable
from wicked_platform.agents.phases import Findings, system_prompt
from wicked_platform.prompts import render
from wicked_platform.tools.redaction import redact
from wicked_platform.tools.report import RollbackAnswer

MAX_OUTPUT_TOKENS = 400


async def _explain(answer: RollbackAnswer, client: ModelClient) -> RollbackAnswer:
    decision = redact(answer.rollback_decision.model_dump_json(indent=1))
    recommendation = answer.rollback_decision.recommendation
    prompt = render("responder/explain_rollback.md.j2", incident_id=answer.incident_id, recommendation=recommendation,
                    decision=decision)
    try:
        response = await client.create(
            system=[{"type": "text", "text": system_prompt("api"), "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": prompt}], max_tokens=MAX_OUTPUT_TOKENS)
    except ModelUnavailable as exc:
        return answer.model_copy(update={"note": _join(answer.note, f"no explanation: {exc}")})
    text = " ".join(b.text for b in response.content if b.type == "text").strip()
    problems = ungrounded(Findings(summary=text[:1200]), Evidence([decision]))
    if recommendation not in text:
        problems.insert(0, f"it does not state the engine's recommendation ({recommendation})")
    if not text or problems:
        why = "; ".join(problems) or "it was empty"
        return answer.model_copy(update={"note": _join(answer.note, f"the model's explanation was not used: {why}")})
    return answer.model_copy(update={"explanation": text[:1200], "explained_by": f"anthropic:{client.model}"})


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def explain(answer: RollbackAnswer, client: ModelClient) -> RollbackAnswer:
    return anyio.run(_explain, answer, client)
