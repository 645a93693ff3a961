"""`wicked-platform-mcp`: the engine's tools over stdio (the metric tools register from metric_tools). One registration per tool, here.

Every tool is read-only and idempotent, takes paths confined to the roots, returns a pydantic
model (so clients get an outputSchema and structuredContent), redacts secrets, is time-boxed,
and reports bad input as a tool error whose text says what to fix.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from wicked_platform.tools.analysis.rates import compare_at, error_series
from wicked_platform.tools.analysis.timeline import build_timeline, is_alert
from wicked_platform.tools.changes.git_history import commit_diff
from wicked_platform.tools.investigation import (
    assess_blast_radius, decide_mitigation, root_cause_from,
)
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.metrics.settings import URL_ENV
from wicked_platform.tools.mcp.confinement import Roots
from wicked_platform.tools.mcp.metric_tools import register as register_metric_tools
from wicked_platform.tools.mcp.results import (
    BlastRadiusResult, CandidateChange, Correlations, DeployHistory, DiffResult, LogSummary, RateResult,
    RollbackEvaluation, Timeline,
)
from wicked_platform.tools.mcp.workspace import Workspace
from wicked_platform.tools.timeutil import parse_time
from wicked_platform.tools.redaction import redact, redact_model

CALL_TIMEOUT_SECONDS = 120.0
MAX_FILES = 50  # file stats returned by read_logs; a directory of thousands still answers small
READ_ONLY = ToolAnnotations(readOnlyHint=True, idempotentHint=True, destructiveHint=False, openWorldHint=False)

Logs = Annotated[list[str], Field(description="log files, directories or globs relative to the root; "
                                              "empty = *.log, *.log.gz and logs/ under the repo")]
Repo = Annotated[str, Field(description="the git repository that was deployed, relative to the root; a directory "
                                        "that is not one is read as logs only")]
Context = Annotated[str | None, Field(description="incident-context.yaml (default: the repo's, when present)")]
Since = Annotated[str | None, Field(description="ignore log lines before this ISO 8601 time")]
Until = Annotated[str | None, Field(description="ignore log lines after this ISO 8601 time")]
Tz = Annotated[str, Field(description="zone of timestamps written without one (IANA name)")]
Description = Annotated[str, Field(description="what the user says is happening")]
Deploys = Annotated[str | list[str] | None, Field(description=(
    "a deploys file, or a list of them: what a deploy system printed (kubectl get replicasets -o json, argocd app get "
    "-o json or app history, helm history -o json, GitHub deployments JSON), or YAML, JSON or JSON lines of service, "
    "at, and optionally version, completed_at, commit; where two files record one service and version, the first wins"))]

R = TypeVar("R", bound=BaseModel)


def _status(scan: LogScan) -> str:
    if scan.empty:
        return "no_data"
    return "found" if scan.signatures else "no_errors"


def build_server(roots: list[Path] | None = None, workspace: Workspace | None = None,
                 prometheus_url: str | None = None) -> MCPServer:
    """The server on `roots` (default: the working directory), or on a `workspace` already set up."""
    workspace = workspace or Workspace(Roots(roots or [Path.cwd()]), prometheus_url=prometheus_url)
    server = MCPServer(
        name="wicked-platform",
        log_level="WARNING",  # the SDK configures the root logger: at INFO every HTTP request of a client would show
        instructions="Deterministic incident-investigation tools: logs, rates, deploys, diffs, correlation, "
        "blast radius, rollback criteria and timeline, and metrics from a configured Prometheus. All are read-only.",
    )

    def tool(fn: Callable[..., R]) -> Callable[..., Any]:
        """Register `fn` as a read-only tool run in a worker thread, time-boxed, with errors made readable."""

        @functools.wraps(fn)
        async def run(**kwargs: Any) -> R:
            try:
                with anyio.fail_after(CALL_TIMEOUT_SECONDS):
                    result = await anyio.to_thread.run_sync(functools.partial(fn, **kwargs), abandon_on_cancel=True)
            except TimeoutError:
                raise ToolError(f"{fn.__name__}: took longer than {CALL_TIMEOUT_SECONDS:.0f} s; narrow since/until or the logs") from None
            except (ValueError, OSError) as exc:
                # Input problems (paths, refs, times, context fields) all arrive as ValueError with one line.
                raise ToolError(redact(str(exc))) from None
            return redact_model(result)

        description = " ".join(inspect.cleandoc(fn.__doc__ or "").split())
        server.add_tool(run, name=fn.__name__, description=description, annotations=READ_ONLY, structured_output=True)
        return run

    @tool
    def read_logs(logs: Logs = [], repo: Repo = ".", since: Since = None, until: Until = None, tz: Tz = "UTC",
                  top: Annotated[int, Field(ge=1, le=200, description="signatures to return")] = 20) -> LogSummary:
        """Summarise the logs: formats detected, lines by level and service, and error/warning signatures
        (messages grouped with ids masked) with counts, first/last seen and an example, within a time window.
        Call it first, to see what is failing and since when; then call error_rate_ratio for the onset."""
        inputs = workspace.inputs(logs, repo, None, since, until, tz)
        scan = workspace.symptoms(inputs).scan
        ranked = sorted(scan.signatures, key=lambda s: (-s.count, s.first_seen, s.service, s.signature))
        return LogSummary(
            status=_status(scan), files=scan.files[:MAX_FILES], files_total=len(scan.files), start=scan.start, end=scan.end, level_counts=scan.level_counts,
            service_counts=scan.service_counts, signatures=ranked[:top], signatures_total=len(ranked),
            truncated=len(ranked) > top or len(scan.files) > MAX_FILES,
        )

    @tool
    def error_rate_ratio(logs: Logs = [], repo: Repo = ".", services: Annotated[list[str] | None, Field(
                             description="services to count (default: all)")] = None,
                         at: Annotated[str | None, Field(description="split time, ISO 8601 (default: the onset)")] = None,
                         bucket_seconds: Annotated[int | None, Field(ge=1, le=86400, description="series bucket")] = None,
                         since: Since = None, until: Until = None, tz: Tz = "UTC") -> RateResult:
        """Bucketed error series, the onset (the split that makes the rise most significant), and the
        after/before error-rate ratio with its exact one-sided p-value (failed requests over requests when
        access logs count them). Call it after read_logs; then correlate_changes with the onset."""
        inputs = workspace.inputs(logs, repo, None, since, until, tz)
        found = workspace.symptoms(inputs)
        scan = found.scan
        split = parse_time("at", at) or (found.onset.at if found.onset else None)
        series = error_series(scan, services, bucket_seconds)
        base = dict(status=_status(scan), services=services, onset=found.onset.at if found.onset else None,
                    split=split, bucket_seconds=series.bucket_seconds, series=series.buckets)
        # The onset was chosen among many splits: its p-value carries that (Bonferroni); a given `at` does not.
        tests = found.onset.tests if found.onset and at is None else 1
        comparison = compare_at(scan, split, services, tests=tests) if split else None
        if comparison is None:
            return RateResult(**base)
        return RateResult(
            **base, before_errors=comparison.before_errors, after_errors=comparison.after_errors,
            before_seconds=comparison.before_seconds, after_seconds=comparison.after_seconds,
            before_requests=comparison.before_requests, after_requests=comparison.after_requests,
            rate_ratio=comparison.ratio, p_value=comparison.p_value, significant=comparison.significant,
        )

    @tool
    def deploy_history(repo: Repo = ".", logs: Logs = [], deploys: Deploys = None,
                       service: Annotated[str | None, Field(description="only this service")] = None,
                       limit: Annotated[int, Field(ge=1, le=500, description="commits to return")] = 30,
                       since: Since = None, until: Until = None, tz: Tz = "UTC") -> DeployHistory:
        """Deploys per service from log events (started/completed) and release tags, each matched to the
        commit it shipped, plus the recent commits with the services they touch. Call it to see what changed
        before the onset; then git_diff on a suspicious commit."""
        inputs = workspace.inputs(logs, repo, None, since, until, tz, deploys=deploys)
        changes = workspace.changes(inputs)
        history = changes.history
        commits = [c for c in (history.commits if history else []) if service is None or service in c.services]
        deploys = [d for d in changes.deploys if service is None or d.service == service]
        return DeployHistory(
            deploys=deploys, commits=commits[:limit], commits_total=len(commits), truncated=len(commits) > limit,
            notes=[f"{k}: {v}" for k, v in sorted(changes.match_notes.items())] + changes.notes,
        )

    @tool
    def git_diff(commit: Annotated[str, Field(description="a commit sha, tag or ref (no leading '-')")],
                 repo: Repo = ".",
                 max_chars: Annotated[int, Field(ge=200, le=100_000, description="diff size bound")] = 8000) -> DiffResult:
        """One commit's change against its parent: the bounded unified diff and the configuration values it
        changed (key, before, after — including old values stated in comments). Call it on the commits
        deploy_history or correlate_changes point at."""
        _, git_repo = workspace.repository(repo)
        if git_repo is None:
            raise ValueError(f"repo {repo!r}: not a git repository, so it has no commit {commit!r}; pass as repo "
                             "the git repository that was deployed (the other tools read logs without one)")
        diff = commit_diff(git_repo, commit, max_chars=max_chars)
        return DiffResult(commit=diff.commit, config_changes=diff.config_changes, diff=diff.diff, truncated=diff.truncated)

    @tool
    def correlate_changes(logs: Logs = [], repo: Repo = ".", context: Context = None, deploys: Deploys = None,
                          since: Since = None,
                          until: Until = None, tz: Tz = "UTC",
                          top: Annotated[int, Field(ge=1, le=50, description="candidates to return")] = 5) -> Correlations:
        """Candidate changes (deploys and recent commits) ranked against the onset, each with a confidence
        (HIGH/MEDIUM/LOW/NONE), the lag, the most suspicious configuration change and evidence sentences.
        A change after the onset is never blamed. Call it after error_rate_ratio; then blast_radius."""
        inputs = workspace.inputs(logs, repo, context, since, until, tz, deploys=deploys)
        found, changes = workspace.symptoms(inputs), workspace.changes(inputs)
        candidates = [
            CandidateChange(
                service=c.service, version=c.deploy.version if c.deploy else None,
                deployed_at=c.deploy.at if c.deploy else None, commit=c.commit.sha if c.commit else None,
                subject=c.commit.subject if c.commit else None, confidence=c.confidence, score=c.score,
                lag_seconds=c.lag_seconds, change=c.change.change if c.change else None,
                feature_flag=bool(c.change and c.change.feature_flag), evidence=c.evidence,
            )
            for c in changes.candidates[:top]
        ]
        return Correlations(
            status=_status(found.scan), onset=found.onset.at if found.onset else None, direct=found.affected.direct,
            related=found.affected.related, candidates=candidates, truncated=len(changes.candidates) > top,
        )

    @tool
    def blast_radius(logs: Logs = [], repo: Repo = ".", context: Context = None, description: Description = "",
                     since: Since = None, until: Until = None, tz: Tz = "UTC") -> BlastRadiusResult:
        """Direct and cascade services, whether the critical path is hit, the error rate against its
        baseline, and affected users and revenue at risk where access logs or incident-context.yaml allow —
        null with a note otherwise, never invented. Call it after correlate_changes."""
        inputs = workspace.inputs(logs, repo, context, since, until, tz)
        blast = assess_blast_radius(workspace.symptoms(inputs), workspace.context(inputs), description,
                                    workspace.changes(inputs))
        return BlastRadiusResult(**blast.model_dump())

    @tool
    def evaluate_rollback_criteria(logs: Logs = [], repo: Repo = ".", context: Context = None,
                                   deploys: Deploys = None, description: Description = "", since: Since = None, until: Until = None,
                                   tz: Tz = "UTC") -> RollbackEvaluation:
        """The five rollback criteria (error rate > 10x baseline, critical user path, deploy correlation, no
        quick mitigation, revenue threshold), each met/not met/unknown with evidence, the severity, and one
        recommendation (ROLLBACK, HOTFIX, DISABLE_FEATURE, SCALE, MONITOR) with the command to print and an
        alternative. Call it last; the decision is the engine's."""
        inputs = workspace.inputs(logs, repo, context, since, until, tz, deploys=deploys)
        ctx = workspace.context(inputs)
        found, changes = workspace.symptoms(inputs), workspace.changes(inputs)
        blast = assess_blast_radius(found, ctx, description, changes)
        mitigation = decide_mitigation(found, changes, blast, ctx, description)
        return RollbackEvaluation(severity=mitigation.severity, severity_reasons=mitigation.severity_reasons,
                                  rollback_decision=mitigation.decision)

    @tool
    def incident_timeline(logs: Logs = [], repo: Repo = ".", context: Context = None, deploys: Deploys = None,
                          since: Since = None,
                          until: Until = None, tz: Tz = "UTC") -> Timeline:
        """The compressed incident timeline: deploys, the culprit commit, the error onset, first sightings of
        new errors and warnings, alerts, circuit breakers and recoveries, bursts folded into one row."""
        inputs = workspace.inputs(logs, repo, context, since, until, tz, deploys=deploys)
        found, changes = workspace.symptoms(inputs), workspace.changes(inputs)
        top = changes.candidates[0] if changes.candidates else None
        cause = top.commit if root_cause_from(top, found) is not None and top is not None else None
        onset = found.onset
        return Timeline(
            started_at=onset.at if onset else None,
            detected_at=next((e.at for e in found.scan.events if onset and e.at >= onset.at and is_alert(e)), None),
            timeline=build_timeline(found.scan, onset, changes.deploys, cause),
        )

    register_metric_tools(tool, workspace)
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wicked-platform-mcp", description="wicked-platform MCP server on stdio")
    parser.add_argument("--root", action="append", type=Path, default=[],
                        help="directory the tools may read (repeatable; default: the working directory)")
    parser.add_argument("--prometheus", default=os.environ.get(URL_ENV) or None,
                        help="the Prometheus-compatible API the metric tools may ask (default: "
                             "$WICKED_PLATFORM_PROMETHEUS_URL, else a context file's prometheus.url)")
    ns = parser.parse_args(argv)
    for root in ns.root:
        if not root.is_dir():
            print(f"wicked-platform-mcp: error: --root {root}: no such directory", file=sys.stderr)
            return 2
    if ns.prometheus is not None and not ns.prometheus.startswith(("http://", "https://")):
        print(f"wicked-platform-mcp: error: --prometheus {redact(ns.prometheus)}: not an http:// or https:// URL",
              file=sys.stderr)
        return 2
    build_server(ns.root or [Path.cwd()], prometheus_url=ns.prometheus).run("stdio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
