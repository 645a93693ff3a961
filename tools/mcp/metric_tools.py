"""The two metric tools, `query_metrics` and `metric_signals`, registered on the server by `register`.

Both ask only the configured Prometheus (the server's --prometheus, WICKED_PLATFORM_PROMETHEUS_URL, or the
context file's prometheus.url), through the read-only client, with the client's timeouts and byte cap; a
query answer is bounded in series and points. Neither takes a URL from its caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field

from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.mcp.results import Result
from wicked_platform.tools.mcp.workspace import Workspace
from wicked_platform.tools.metrics.client import PrometheusClient, PrometheusError
from wicked_platform.tools.metrics.findings import metric_window, read_metrics
from wicked_platform.tools.metrics.queries import MAX_POINTS, step_for
from wicked_platform.tools.metrics.settings import prometheus_url
from wicked_platform.tools.report import Deploy, Signal
from wicked_platform.tools.timeutil import parse_time

MAX_SERIES = 50


class MetricSeries(Result):
    labels: dict[str, str]
    points: list[tuple[float, str]] = Field(description="(unix seconds, value as the server wrote it)")


class MetricQueryResult(Result):
    """query_metrics"""

    status: Literal["found", "no_data"]
    query: str
    result_type: Literal["matrix", "vector"]
    step_seconds: int | None = Field(description="the range query's step (null for an instant query)")
    series: list[MetricSeries] = Field(description=f"the first {MAX_SERIES} series in label order")
    series_total: int
    truncated: bool


class MetricSignalsResult(Result):
    """metric_signals"""

    status: Literal["found", "no_data", "could_not_read"] = Field(
        description="could_not_read: the server did not answer (see notes); no_data: it answered with no series")
    signals: list[Signal] = Field(description="per service and kind: before/after the onset, ratio, p-value, query")
    deploys: list[Deploy] = Field(description="rollouts kube-state-metrics saw")
    notes: list[str]


Query = Annotated[str, Field(min_length=1, max_length=2000, description="PromQL, evaluated by the server")]
Since = Annotated[str | None, Field(description="range start, ISO 8601 (with until: a range query)")]
Until = Annotated[str | None, Field(description="range end, ISO 8601")]
At = Annotated[str | None, Field(description="instant query time, ISO 8601 (instead of since/until)")]


def _configured(workspace: Workspace, context: IncidentContext) -> str:
    url = workspace.prometheus_url or prometheus_url(None, context.prometheus)
    if url is None:
        raise ValueError("no Prometheus is configured: start the server with --prometheus URL, set "
                         "WICKED_PLATFORM_PROMETHEUS_URL, or give prometheus.url in the context file")
    return url


def register(tool: Callable[[Callable[..., Any]], Any], workspace: Workspace) -> None:
    @tool
    def query_metrics(query: Query, since: Since = None, until: Until = None, at: At = None,
                      repo: Annotated[str, Field(description="the repository whose incident-context.yaml may name "
                                                             "the Prometheus")] = ".",
                      context: Annotated[str | None, Field(description="incident-context.yaml")] = None,
                      ) -> MetricQueryResult:
        """One PromQL query against the configured Prometheus, read-only: a range query over since..until with
        a step keeping each series under 1,000 points, or an instant query at `at`. Returns at most 50 series."""
        inputs = workspace.inputs([], repo, context, None, None, "UTC") if context else None
        ctx = workspace.context(inputs) if inputs else IncidentContext()
        url = _configured(workspace, ctx)
        start, end, instant = parse_time("since", since), parse_time("until", until), parse_time("at", at)
        if instant is None and (start is None or end is None):
            raise ValueError("give since and until for a range query, or at for an instant query")
        if instant is not None and (start or end):
            raise ValueError("give at, or since and until, not both")
        if start is not None and end is not None and start >= end:
            raise ValueError(f"since {since} is not before until {until}")
        try:
            with PrometheusClient.from_environment(url) as client:
                if instant is not None:
                    step = None
                    answer = [MetricSeries(labels=s.metric, points=[s.value]) for s in client.query(query, instant)]
                else:
                    step = step_for(start, end, MAX_POINTS)
                    answer = [MetricSeries(labels=s.metric, points=s.values)
                              for s in client.query_range(query, start, end, step)]
        except PrometheusError as exc:
            raise ValueError(str(exc)) from None
        answer.sort(key=lambda s: sorted(s.labels.items()))
        return MetricQueryResult(status="found" if answer else "no_data", query=query,
                                 result_type="vector" if instant else "matrix", step_seconds=step,
                                 series=answer[:MAX_SERIES], series_total=len(answer),
                                 truncated=len(answer) > MAX_SERIES)

    @tool
    def metric_signals(logs: Annotated[list[str], Field(description="log files, directories or globs relative to the "
                                                                    "root; they give the window and the services")] = [],
                       repo: Annotated[str, Field(description="the repository, relative to the root")] = ".",
                       context: Annotated[str | None, Field(description="incident-context.yaml")] = None,
                       services: Annotated[list[str] | None, Field(max_length=25, description=(
                           "services to ask about (default: those the logs and context name)"))] = None,
                       since: Since = None, until: Until = None,
                       tz: Annotated[str, Field(description="zone of log timestamps written without one")] = "UTC",
                       ) -> MetricSignalsResult:
        """Per-service signals from the configured Prometheus, computed by the server: error rate from request
        counters, latency p50/p95/p99, CPU, memory, use of limits, restarts; each with its onset, before/after
        levels, ratio and p-value, and the PromQL asked; plus rollouts kube-state-metrics saw."""
        inputs = workspace.inputs(logs, repo, context, since, until, tz)
        ctx = workspace.context(inputs)
        url = _configured(workspace, ctx)
        found = workspace.symptoms(inputs)
        start, end = found.scan.since or found.scan.start, found.scan.until or found.scan.end
        if start is None or end is None:
            raise ValueError("no time window: the logs hold no timestamps; give since and until")
        asked = services or [*found.affected.direct, *found.affected.cascade, *ctx.services,
                             *sorted(found.scan.service_counts)]
        metrics = read_metrics(url, asked, *metric_window(start, end), ctx)
        status = "could_not_read" if metrics.warning else "found" if metrics.signals else "no_data"
        return MetricSignalsResult(status=status, signals=metrics.signals, deploys=metrics.deploys, notes=metrics.notes)
