"""Prometheus, read for one investigation: the signals per service, the rollouts it saw, and what it could not say.

A server that cannot answer (unreachable, refusing, not Prometheus, slow, too large an answer) is a note and
one warning line; the investigation goes on without it. Nothing here raises for a server's failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.metrics.client import PrometheusClient, PrometheusError
from wicked_platform.tools.metrics.queries import MAX_SERVICES, ask, plan
from wicked_platform.tools.metrics.rollouts import generation_deploys, replicaset_deploys
from wicked_platform.tools.metrics.signals import signal_from
from wicked_platform.tools.report import Deploy, Signal

BASELINE_BEFORE = timedelta(hours=1)  # asked before the logs' first line: the metrics' baseline
MAX_WINDOW = timedelta(days=7)
LATEST_HOURS = timedelta(hours=2)  # read with no logs and no --since: the incident is under way


class MetricFindings(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    signals: list[Signal] = Field(default_factory=list)
    deploys: list[Deploy] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    warning: str | None = Field(None, description="one line for stderr when the server could not answer")
    requests: int = 0
    bytes_received: int = 0
    start: datetime | None = Field(None, description="the window asked, its baseline hour included")
    end: datetime | None = None

    def signal(self, service: str, kind: str) -> Signal | None:
        return next((s for s in self.signals if s.service == service and s.kind == kind), None)


def metric_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The logs' window with an hour of baseline before it, at most MAX_WINDOW long."""
    return max(start - BASELINE_BEFORE, end - MAX_WINDOW), end


def window_without_logs(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """What an investigation with no logs asks Prometheus about: --since/--until, else the LATEST_HOURS before
    --until or now (to the minute: an incident under way), and from --since on to it."""
    end = until or now.replace(second=0, microsecond=0)
    return since or min(end, end - LATEST_HOURS), end


def read_metrics(url: str, services: list[str], start: datetime, end: datetime, context: IncidentContext,
                 client: PrometheusClient | None = None) -> MetricFindings:
    services = list(dict.fromkeys(services))[:MAX_SERVICES]  # the caller's order: the affected services first
    own = client is None
    client = client or PrometheusClient.from_environment(url)
    try:
        return _read(client, url, services, start, end, context)
    except PrometheusError as exc:
        return MetricFindings(url=url, warning=str(exc), requests=client.requests, bytes_received=client.bytes_received,
                              start=start, end=end,
                              notes=[f"Prometheus not read: {exc}; the report stands on the logs and history alone"])
    finally:
        if own:
            client.close()


def _read(client: PrometheusClient, url: str, services: list[str], start: datetime, end: datetime,
          context: IncidentContext) -> MetricFindings:
    label = context.prometheus.service_label if context.prometheus else None
    the_plan = plan(client, services, start, end, label)
    services = the_plan.services
    overrides = {s: context.services[s].metrics for s in services
                 if s in context.services and context.services[s].metrics is not None}
    deployments = {s: context.deployment(s) for s in services}
    asked = ask(client, the_plan, start, end, overrides, deployments)
    signals = [signal_from(series, start, end) for series in asked
               if series.kind not in ("rollout_generation", "replicaset_created")]
    replicasets = next((p.row for p in the_plan.rows if p.row.kind == "replicaset_created"), None)
    if replicasets is not None:
        deploys = replicaset_deploys(client, replicasets, deployments, start, end)
    else:
        deploys = generation_deploys([s for s in asked if s.kind == "rollout_generation"])
    notes = list(the_plan.notes)
    if signals:
        notes.append(f"signals from Prometheus at {url}: {len(signals)} series for "
                     f"{len({s.service for s in signals})} services, computed by the server")
    signals.sort(key=lambda s: (s.service, s.kind, s.query or ""))
    return MetricFindings(url=url, signals=signals, deploys=deploys, notes=notes, requests=client.requests,
                          bytes_received=client.bytes_received, start=start, end=end)
