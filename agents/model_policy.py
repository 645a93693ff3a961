"""The model's policy for the phase machine: Claude calls the engine's tools, then states its findings.

Per phase, a short conversation: the phase's template as the user turn, tool calls answered by the
MCP tools, and a `finish_<phase>` call whose input is the phase's findings model. Findings are held
to the tool results (grounding) and re-asked a bounded number of times; the system prompt and the
tool definitions are the same on every request, marked for the prompt cache. What the model cannot
do — a budget spent, the API unavailable, words that do not hold up — falls to the engine.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from wicked_platform.agents.grounding import Evidence, ungrounded
from wicked_platform.agents.machine import Facts, Progress
from wicked_platform.agents.model_client import ModelClient, ModelUnavailable
from wicked_platform.agents.phases import PHASES, Findings, Phase, system_prompt
from wicked_platform.agents.toolbox import Toolbox
from wicked_platform.tools.redaction import redact

CACHED = {"type": "ephemeral"}
MAX_OUTPUT_TOKENS = 1500


def finish_tool(phase: Phase) -> dict[str, Any]:
    schema = phase.findings.model_json_schema()
    schema.pop("title", None)
    return {"name": f"finish_{phase.name}", "input_schema": schema,
            "description": f"Finish the {phase.title.lower()} phase with what it established. Call it once, "
                           "when the phase's questions are answered; every value must come from a tool result."}


class ModelPolicy:
    by = "model"

    def __init__(self, client: ModelClient, toolbox: Toolbox, description: str, *, engine_recommendation: str,
                 max_input_tokens: int, max_reasks: int = 2, progress: Progress = lambda _: None) -> None:
        self.client, self.toolbox, self.progress = client, toolbox, progress
        self.description = redact(description)
        self.engine_recommendation = engine_recommendation
        self.max_input_tokens, self.max_reasks = max_input_tokens, max_reasks
        self.evidence = Evidence([self.description])
        self.notes: list[str] = []
        self.stopped: str | None = None  # why the model is not asked again
        tools = sorted(toolbox.definitions, key=lambda d: d["name"]) + [finish_tool(p) for p in PHASES]
        tools[-1] = {**tools[-1], "cache_control": CACHED}  # caches every tool definition before it too
        self.tools = tools
        self.system = [{"type": "text", "text": system_prompt("api"), "cache_control": CACHED}]

    async def run_phase(self, phase: Phase, facts: Facts) -> Findings | None:
        label = f"[{PHASES.index(phase) + 1}/{len(PHASES)}] {phase.title.lower()}"
        if self.stopped:
            self.notes.append(f"{phase.name}: {self.stopped}; the engine's findings are used")
            return None
        messages: list[dict[str, Any]] = [{"role": "user", "content": phase.prompt(self.description, facts)}]
        turns, reasks, calls = phase.step_budget, 0, []
        while turns > 0:
            if self.client.fresh_input_tokens >= self.max_input_tokens:
                self.stopped = f"the input token budget ({self.max_input_tokens:,}) was spent"
                self.notes.append(f"{phase.name}: {self.stopped}; the engine's findings are used")
                return None
            finish = f"finish_{phase.name}"
            choice = {"type": "tool", "name": finish} if turns == 1 else {"type": "auto"}
            try:
                response = await self.client.create(system=self.system, tools=self.tools, messages=messages,
                                                    tool_choice=choice, max_tokens=MAX_OUTPUT_TOKENS)
            except ModelUnavailable as exc:
                self.stopped = f"the model could not answer: {exc}"
                self.notes.append(f"{phase.name}: {self.stopped}; the engine completed the report")
                return None
            turns -= 1
            if not response.content:
                break
            messages.append({"role": "assistant", "content": [_block(b) for b in response.content]})
            results, accepted = [], None
            for block in (b for b in response.content if b.type == "tool_use"):
                if block.name == finish:
                    reply, accepted_now = self._finish(phase, block.input)
                    if accepted_now is not None:
                        accepted = accepted_now
                    elif reasks < self.max_reasks:
                        reasks, turns = reasks + 1, turns + 1
                    results.append({"type": "tool_result", "tool_use_id": block.id, "content": reply,
                                    "is_error": accepted_now is None})
                elif block.name in phase.tools:
                    outcome = await self.toolbox.call(block.name, dict(block.input))
                    self.evidence.add(outcome.text)
                    calls.append(f"{block.name} {outcome.seconds * 1000:.0f} ms")
                    results.append({"type": "tool_result", "tool_use_id": block.id, "content": outcome.text,
                                    "is_error": outcome.is_error})
                else:
                    results.append({"type": "tool_result", "tool_use_id": block.id, "is_error": True,
                                    "content": f"{block.name} is not a tool of the {phase.title.lower()} phase; "
                                               f"use {', '.join(phase.tools)} or {finish}"})
            if accepted is not None:
                self.progress(f"{label}: {', '.join(calls) or 'no tool calls'} (model)")
                return accepted
            if results:
                messages.append({"role": "user", "content": results})
            else:
                messages.append({"role": "user", "content": f"Call {finish} with your findings."})
        self.notes.append(f"{phase.name}: the model did not give findings that hold up within its step budget; "
                          "the engine's findings are used")
        return None

    def _finish(self, phase: Phase, arguments: Any) -> tuple[str, Findings | None]:
        try:
            findings = phase.findings.model_validate(arguments)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "input"
            return f"Not accepted: {where}: {first['msg']}. Call finish_{phase.name} again.", None
        problems = ungrounded(findings, self.evidence,
                              engine_recommendation=self.engine_recommendation if phase.name == "mitigation" else None)
        if problems:
            self.notes.append(f"{phase.name}: the model's findings were rejected: " + "; ".join(problems))
            return ("Not accepted, these are in no tool result of this investigation: " + "; ".join(problems)
                    + f". Use only values the tools returned, then call finish_{phase.name} again."), None
        return "Accepted.", findings


def _block(block: Any) -> dict[str, Any]:
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "text":
        return {"type": "text", "text": block.text}
    return block.model_dump(exclude_none=True)
