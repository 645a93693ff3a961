"""A built scenario as an InvestigationRequest, and the report fields the engine alone decides."""

from __future__ import annotations

from wicked_platform.agents.offline import InvestigationRequest
from wicked_platform.scenarios.build import BuiltScenario
from wicked_platform.tools.context import load_context
from wicked_platform.tools.logs.discovery import expand_log_args

ENGINE_FIELDS = ("severity", "status", "started_at", "detected_at", "root_cause", "correlation", "blast_radius",
                 "rollback_decision", "timeline", "deploys", "symptoms", "hypotheses", "incident_id")


def request_for(built: BuiltScenario) -> InvestigationRequest:
    args = list(built.args)
    logs = [str(built.repo / args[i + 1]) for i, a in enumerate(args) if a == "--log"]
    context = built.repo / "incident-context.yaml"
    present = context if context.is_file() else None
    return InvestigationRequest(description=built.description, repo=built.repo,
                                logs=expand_log_args(logs, built.repo), context=load_context(present),
                                context_path=present)


def engine_fields(report) -> dict:
    return report.model_dump(mode="json", include=set(ENGINE_FIELDS))
