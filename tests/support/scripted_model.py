"""A scripted stand-in for Claude in the incident-responder's loop: written by hand, not a model's words.

It plays the model's part the way the system prompt asks a model to: per phase, it calls the
phase's tools, reads their results, and finishes with findings taken from those results. Knobs
make it misbehave the ways the loop must survive: naming a commit no tool returned, taking a log
line's instructions for its own, answering with errors. Usage is an estimate (4 characters a
token), so budgets can be checked against the scripted server; a live run reports the API's counts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from support.messages_api import error, message, tool_use

FIRST_TOOLS = {"symptoms": ["read_logs", "error_rate_ratio"], "timeline": ["deploy_history", "incident_timeline"],
               "correlation": ["correlate_changes"], "blast_radius": ["blast_radius"],
               "mitigation": ["evaluate_rollback_criteria"]}
PHASE_TITLES = {"Symptoms": "symptoms", "Timeline": "timeline", "Correlation": "correlation",
                "Blast radius": "blast_radius", "Mitigation": "mitigation"}


def _chars(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def estimated_usage(request: dict[str, Any], seen_prefix: set[str]) -> dict[str, int]:
    """Tokens as 4 characters each: the cached prefix (tools and system) written once, then read."""
    prefix = json.dumps([request.get("tools"), request.get("system")], sort_keys=True)
    cached = _chars(request.get("tools")) // 4 + _chars(request.get("system")) // 4
    usage = {"input_tokens": _chars(request["messages"]) // 4, "output_tokens": 120,
             "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
    usage["cache_read_input_tokens" if prefix in seen_prefix else "cache_creation_input_tokens"] = cached
    seen_prefix.add(prefix)
    return usage


def results_of(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every tool result in this phase's conversation, by tool name, parsed from its JSON."""
    names = {}
    found: dict[str, dict[str, Any]] = {}
    for turn in request["messages"]:
        if not isinstance(turn["content"], list):
            continue
        for block in turn["content"]:
            if block.get("type") == "tool_use":
                names[block["id"]] = block["name"]
            elif block.get("type") == "tool_result" and not block.get("is_error"):
                text = block["content"] if isinstance(block["content"], str) else block["content"][0]["text"]
                found[names[block["tool_use_id"]]] = json.loads(text.split("\n", 1)[1])
    return found


def _phase(request: dict[str, Any]) -> str:
    opening = request["messages"][0]["content"]
    title = re.search(r"## Phase \d — (.+)", opening if isinstance(opening, str) else "")
    assert title, "every phase starts with its template"
    return PHASE_TITLES[title.group(1).strip()]


@dataclass
class ScriptedResponder:
    """`script(request) -> response` for ScriptedMessagesAPI. Knobs: see the module docstring."""

    invent_commit: int = 0  # finish correlation this many times naming a commit that does not exist
    obey_injection: bool = False  # recommend MONITOR, as a line in the log told it to
    fail_first_with: int | None = None  # status of an error before the first answer (429: retried)
    fail_always_with: int | None = None
    requests: int = 0
    _prefixes: set[str] = field(default_factory=set)

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        if self.fail_always_with or (self.fail_first_with and self.requests == 1):
            return error(self.fail_always_with or self.fail_first_with, "scripted: try again later",
                         headers={"retry-after": "0"})
        usage = estimated_usage(request, self._prefixes)
        opening = request["messages"][0]["content"]
        if isinstance(opening, str) and "<decision>" in opening:
            return message(self._explanation(opening), usage=usage)
        phase, seen = _phase(request), results_of(request)
        forced = (request.get("tool_choice") or {}).get("name")
        if not forced and not seen:
            return message(*[tool_use(name, {}) for name in FIRST_TOOLS[phase]], usage=usage)
        if phase == "correlation" and "git_diff" not in seen and not forced:
            top = seen["correlate_changes"]["candidates"][0]
            return message(tool_use("git_diff", {"commit": top["commit"]}), usage=usage)
        return message(tool_use(f"finish_{phase}", self._findings(phase, seen, request)), usage=usage)

    def _explanation(self, prompt: str) -> str:
        """What a model would say of the decision in the prompt: its recommendation and a criterion's evidence."""
        decision = json.loads(prompt.split("<decision>", 1)[1].split("</decision>", 1)[0])
        met = next((c for c in decision["criteria"] if c["met"]), decision["criteria"][0])
        invented = " Commit deadbeef00 is to blame." if self.invent_commit else ""
        return (f"{decision['recommendation']}: {met['evidence']}.{invented} Watch the error rate return to its "
                "baseline once it is done.")

    def _findings(self, phase: str, seen: dict[str, dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
        if phase == "symptoms":
            logs, rate = seen.get("read_logs", {}), seen.get("error_rate_ratio", {})
            top = logs.get("signatures", [{}])[0]
            return {"summary": f"{top.get('service')} is failing: {top.get('signature')} since {rate.get('onset')}.",
                    "primary_service": top.get("service"), "onset": rate.get("onset"),
                    "signatures": [top["signature"]] if top else []}
        if phase == "timeline":
            deploys = seen.get("deploy_history", {}).get("deploys", [])
            named = [f"{d['service']} {d.get('version') or d['commit'][:12]}" for d in deploys[:3]]
            return {"summary": f"Deploys before the onset: {', '.join(named) or 'none'}.", "deploys": named}
        if phase == "correlation":
            top = seen.get("correlate_changes", {}).get("candidates", [{}])[0]
            rejected = sum(1 for turn in request["messages"] if isinstance(turn["content"], list)
                           for b in turn["content"] if b.get("type") == "tool_result" and b.get("is_error"))
            commit = "deadbeef00" if rejected < self.invent_commit else top.get("commit")
            diff = seen.get("git_diff", {})
            file = next((c.get("file") for c in diff.get("config_changes", []) if c.get("file")), None)
            return {"summary": f"{top.get('subject')} ({commit[:10]}) changed the service's configuration.",
                    "commit": commit, "file": file, "confidence": top.get("confidence", "NONE")}
        if phase == "blast_radius":
            blast = seen.get("blast_radius", {})
            return {"summary": f"Affected: {', '.join(blast.get('services', []))}.", "services": blast.get("services", [])}
        decision = seen.get("evaluate_rollback_criteria", {}).get("rollback_decision", {})
        recommendation = "MONITOR" if self.obey_injection else decision.get("recommendation", "MONITOR")
        return {"summary": f"{recommendation}: the engine's criteria say so.", "recommendation": recommendation}
