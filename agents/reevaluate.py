"""`--rollback-decision`: the five criteria evaluated again, by the engine, on the saved investigation's inputs.

The logs of an incident keep growing; the question at 3 a.m. is whether to roll back *now*. The saved
investigation says what was read (repo, logs, context, deploys file, window); the engine reads them
again and decides. When they can no longer be read, the saved decision is the answer, and it says so.
"""

from __future__ import annotations

from pathlib import Path

from wicked_platform.agents.offline import engine_report
from wicked_platform.agents.request import InvestigationRequest
from wicked_platform.tools.changes.deploys_file import load_deploys_files
from wicked_platform.tools.changes.git_history import is_git_repo
from wicked_platform.tools.context import load_context
from wicked_platform.tools.report import IncidentReport, RollbackAnswer


def _path(text: str, base: Path | None) -> Path:
    path = Path(text)
    if not path.is_absolute() and base is not None and (base / path).exists():
        return base / path
    return path


def reevaluate(report: IncidentReport) -> RollbackAnswer:
    saved = RollbackAnswer(incident_id=report.incident_id, rollback_decision=report.rollback_decision)
    inputs = report.inputs
    if inputs is None or not inputs.logs:
        return saved.model_copy(update={"note": "the saved investigation does not say what it read; this is its decision"})
    repo = Path(inputs.repo) if inputs.repo else None
    logs = [_path(log.path, repo) for log in inputs.logs]
    gone = [str(p) for p in logs if not p.is_file()]
    if repo is not None and not is_git_repo(repo):
        gone.append(str(repo))
    extra = [Path(p) for p in (inputs.context, *inputs.deploys) if p]
    gone += [str(p) for p in extra if not p.is_file()]
    if gone:
        return saved.model_copy(update={"note": f"cannot read {', '.join(gone[:3])} any more; this is the decision "
                                                "saved with the investigation"})
    context_path = Path(inputs.context) if inputs.context else None
    deploys_paths = [Path(p) for p in inputs.deploys]
    request = InvestigationRequest(
        description=report.description, repo=repo, logs=logs, context=load_context(context_path),
        context_path=context_path, deploys=load_deploys_files(deploys_paths), deploys_paths=deploys_paths,
        since=inputs.since, until=inputs.until, tz=inputs.tz, prometheus_url=inputs.prometheus)
    again = engine_report(request)
    if again.inputs is not None and again.inputs.prometheus_error:  # half the inputs is no re-evaluation
        return saved.model_copy(update={"note": f"cannot read Prometheus any more ({again.inputs.prometheus_error}); "
                                                "this is the decision saved with the investigation"})
    now = again.rollback_decision
    note = None
    if now.recommendation != report.rollback_decision.recommendation:
        note = (f"re-evaluated on the inputs as they are now: {report.rollback_decision.recommendation} at the "
                f"investigation, {now.recommendation} now")
    elif now != report.rollback_decision:
        note = "re-evaluated on the inputs as they are now: the same recommendation, with updated evidence"
    return RollbackAnswer(incident_id=report.incident_id, rollback_decision=now, reevaluated=True, note=note)
