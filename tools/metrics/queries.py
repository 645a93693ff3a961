"""What to ask Prometheus: which catalogue rows exist, which label names a service, and the range queries.

Discovery is bounded: one label-values call on `__name__`, restricted to the catalogue's names, says which
exist in the window; the service label is the context's, else the first of SERVICE_LABELS whose values on
those metrics include a service the investigation knows (at most one small call per label tried). Then one
range query per row for all the services at once (`sum by (<label>)`), so the number of queries does not
grow with the number of services, and per-service queries from the context replace the defaults.
"""

from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.metrics.catalogue import CATALOGUE, SERVICE_LABELS, MetricRow, metric_names
from wicked_platform.tools.metrics.client import PrometheusClient, RangeSeries
from wicked_platform.tools.metrics.settings import MetricOverrides

MAX_POINTS = 1000  # per series over the window
STEPS = (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
MIN_RATE_RANGE = 60  # seconds: rate() needs two scrapes inside its range, at the usual 15-30 s interval
WIDE_RATE_RANGE = 240  # four scrapes at a 1-minute interval (Grafana's $__rate_interval rule), where a 60 s range
# holds one sample and rate() answers nothing: asked only of rows the narrow range left empty, since a wider range
# smears an onset over it
MAX_SERVICES = 25
PARALLEL = 4  # range queries in flight at once: a real server evaluates them on its own cores


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class AskedSeries(Frozen):
    """One service's series for one signal, as the server computed it."""

    service: str
    kind: str
    unit: str
    query: str
    points: list[tuple[float, float]] = Field(description="(unix seconds, value), NaN and Inf dropped")


class PlannedRow(Frozen):
    row: MetricRow
    label: str = Field(description="the label that names a service in this row's metrics")


class Plan(Frozen):
    rows: list[PlannedRow]
    services: list[str] = Field(description="the services to ask about: the investigation's, else those Prometheus names")
    notes: list[str] = Field(default_factory=list)


def step_for(start: datetime, end: datetime, max_points: int = MAX_POINTS) -> int:
    """The smallest usual step that keeps a series over [start, end] at or under max_points."""
    span = max((end - start).total_seconds(), 1.0)
    wanted = math.ceil(span / (max_points - 1))
    return next((s for s in STEPS if s >= wanted), math.ceil(wanted / 86400) * 86400)


def rate_range(step: int, at_least: int = MIN_RATE_RANGE) -> str:
    return f"{max(step, at_least)}s"


def selector(label: str, services: list[str]) -> str:
    return f'{label}=~"{"|".join(re.escape(s).replace(chr(92), chr(92) * 2) for s in services)}"'


def plan(client: PrometheusClient, services: list[str], start: datetime, end: datetime,
         service_label: str | None) -> Plan:
    """The rows whose metrics exist, each with the label that names a service in them."""
    names = metric_names()
    present = set(client.label_values("__name__", ['{__name__=~"%s"}' % "|".join(names)], start, end))
    rows = [row for row in CATALOGUE if set(row.needs) <= present]
    notes: list[str] = []
    if not rows:
        notes.append("Prometheus holds none of the conventional metric names in the window (request counters, "
                     "latency histograms, cAdvisor, kube-state-metrics); name queries under services.<name>.metrics "
                     "in the context file")
    if not services:
        services, found_note = _services_named(client, rows, service_label, start, end)
        notes += [found_note] if found_note else []
    planned: list[PlannedRow] = []
    labels: dict[str, str | None] = {}  # exporter family -> the label found on its metrics
    for row in rows:
        label = row.service_label or service_label
        if label is None:
            family = row.id.split("/")[0]
            if family not in labels:
                labels[family] = _find_service_label(client, row, services, start, end)
                if labels[family] is None:
                    notes.append(f"no label of {', '.join(SERVICE_LABELS)} on {row.needs[0]} names a known service "
                                 f"({', '.join(services[:5])}); set prometheus.service_label in the context file")
            label = labels[family]
        if label is not None:
            planned.append(PlannedRow(row=row, label=label))
    return Plan(rows=planned, services=services, notes=notes)


def _services_named(client: PrometheusClient, rows: list[MetricRow], service_label: str | None, start: datetime,
                    end: datetime) -> tuple[list[str], str | None]:
    """Where the logs, deploys and context name no service: those the request metrics name (first label of
    SERVICE_LABELS that has values), at most MAX_SERVICES of them in name order."""
    app = next((r for r in rows if r.service_label is None), None) or next((r for r in rows if r.kind == "error_rate"),
                                                                          None)
    if app is None:
        return [], None
    match = ['{__name__="%s"}' % app.needs[0]]
    for label in ([service_label] if service_label else []) + ([app.service_label] if app.service_label else []) + [
            *SERVICE_LABELS]:
        if values := sorted(client.label_values(label, match, start, end)):
            more = f" (the first {MAX_SERVICES} of {len(values)} by name)" if len(values) > MAX_SERVICES else ""
            return values[:MAX_SERVICES], (f"no service was named by the logs, deploys or context: asked about those "
                                           f"{app.needs[0]} names by its `{label}` label{more}")
    return [], None


def _find_service_label(client: PrometheusClient, row: MetricRow, services: list[str], start: datetime,
                        end: datetime) -> str | None:
    match = ['{__name__="%s"}' % row.needs[0]]
    wanted = set(services)
    for label in SERVICE_LABELS:
        if wanted & set(client.label_values(label, match, start, end)):
            return label
    return None


def ask(client: PrometheusClient, the_plan: Plan, start: datetime, end: datetime,
        overrides: dict[str, MetricOverrides], deployments: dict[str, str]) -> list[AskedSeries]:
    """Every row's range query, for all services at once, then the context's own queries per service.

    The queries run side by side (PARALLEL at a time: the server evaluates them on its own cores); their
    answers are read in the plan's order, so where two exporters measure the same signal of a service the
    first in the catalogue's order answers, on every run alike."""
    step = step_for(start, end)
    window = rate_range(step)
    jobs: list[tuple[str, str, str, dict[str, str], str]] = []  # (kind, unit, label, names, promql)
    for planned in the_plan.rows:
        row, label = planned.row, planned.label
        if row.kind == "replicaset_created":
            continue  # an instant answer, read by rollouts
        # Kubernetes objects carry the deployment's name, which the context may give apart from the service's.
        names = {(deployments.get(s, s) if label in ("deployment", "owner_name") else s): s for s in the_plan.services
                 if not _overridden(overrides, s, row.kind)}
        if names:
            jobs.append((row.kind, row.unit, label, names, row.render(selector(label, sorted(names)), label, window)))
    own = [(service, kind, promql, unit) for service in sorted(set(overrides) & set(the_plan.services))
           for kind, promql, unit in overrides[service].queries()]
    queries = [job[4] for job in jobs] + [promql for _, _, promql, _ in own]
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="promql") as pool:
        answers = list(pool.map(lambda promql: client.query_range(promql, start, end, step), queries))
        # Services a rate() row left out may be scraped too seldom for the narrow range (one sample in it): ask the row
        # once more over a wider range, and take from that answer only the services the narrow one lacked.
        wide = rate_range(step, WIDE_RATE_RANGE)
        pairs = list(zip(jobs, answers))
        retry = [(job, missing) for job, answer in pairs if f"[{window}]" in job[4]
                 and (missing := set(job[3]) - {series.metric.get(job[2], "") for series in answer})]
        if wide != window and retry:
            # Only the missing services are asked: the answer stays as small as what it adds.
            widened = [((*job[:4], job[4].replace(f"[{window}]", f"[{wide}]").replace(
                selector(job[2], sorted(job[3])), selector(job[2], sorted(missing)))), missing) for job, missing in retry]
            wider = pool.map(lambda item: client.query_range(item[0][4], start, end, step), widened)
            for (job, missing), answer in zip(widened, wider):
                pairs.append((job, [series for series in answer if series.metric.get(job[2], "") in missing]))
    asked: list[AskedSeries] = []
    answered: set[tuple[str, str]] = set()
    for (kind, unit, label, names, promql), answer in pairs:
        for series in answer:
            service = names.get(series.metric.get(label, ""))
            if service is not None and (service, kind) not in answered:
                answered.add((service, kind))
                asked.append(AskedSeries(service=service, kind=kind, unit=unit, query=promql, points=_points(series)))
    for (service, kind, promql, unit), answer in zip(own, answers[len(jobs):]):
        if answer:  # the first series in label order when a query returns several: the same on every run
            first = sorted(answer, key=lambda s: sorted(s.metric.items()))[0]
            asked.append(AskedSeries(service=service, kind=kind, unit=unit, query=promql, points=_points(first)))
    return asked


def _overridden(overrides: dict[str, MetricOverrides], service: str, kind: str) -> bool:
    return service in overrides and kind in overrides[service].kinds()


def _points(series: RangeSeries) -> list[tuple[float, float]]:
    points = []
    for at, text in series.values:
        value = float(text)
        if math.isfinite(value):
            points.append((float(at), value))
    return points


