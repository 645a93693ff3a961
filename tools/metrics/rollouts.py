"""Rollouts kube-state-metrics saw, as deploys (`source: prometheus`).

A new ReplicaSet owned by a Deployment is a rollout of a new pod template; `kube_replicaset_created` holds
its creation time to the second. Where those metrics are not scraped, a rise of
`kube_deployment_status_observed_generation` marks a change of the Deployment's spec, placed at the step
it was first seen (a scale also raises it, so it says "spec changed", not "new version").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wicked_platform.tools.report import Deploy

if TYPE_CHECKING:  # the investigation imports this module for unseen_rollouts alone: no HTTP client for that
    from wicked_platform.tools.metrics.catalogue import MetricRow
    from wicked_platform.tools.metrics.client import PrometheusClient
    from wicked_platform.tools.metrics.queries import AskedSeries


def replicaset_deploys(client: PrometheusClient, row: MetricRow, deployments: dict[str, str], start: datetime,
                       end: datetime) -> list[Deploy]:
    from wicked_platform.tools.metrics.queries import selector

    services_of = {deployment: service for service, deployment in deployments.items()}
    promql = row.render(selector("owner_name", sorted(services_of)), "owner_name", "1m")
    deploys = []
    for sample in client.query(promql, end):
        created = datetime.fromtimestamp(float(sample.value[1]), tz=UTC)
        service = services_of.get(sample.metric.get("owner_name", ""))
        if service is None or not start <= created <= end:
            continue
        replicaset = sample.metric.get("replicaset", "")
        deploys.append(Deploy(service=service, version=None, at=created, commit=None, source="prometheus",
                              subject=f"ReplicaSet {replicaset} created (kube-state-metrics)"))
    return sorted(deploys, key=lambda d: (d.at, d.service))


def generation_deploys(series: list[AskedSeries]) -> list[Deploy]:
    deploys = []
    for one in series:
        for (_, before), (at, after) in zip(one.points, one.points[1:]):
            if after > before:
                deploys.append(Deploy(
                    service=one.service, version=None, at=datetime.fromtimestamp(at, tz=UTC), commit=None,
                    source="prometheus",
                    subject=f"Deployment spec changed: observed generation {before:g} -> {after:g} (kube-state-metrics)"))
    return sorted(deploys, key=lambda d: (d.at, d.service))


SAME_ROLLOUT = timedelta(minutes=10)


def unseen_rollouts(rollouts: list[Deploy], known: list[Deploy]) -> list[Deploy]:
    """Rollouts no log line or deploy record already names: those name a version or commit, these only a time."""
    return [r for r in rollouts
            if not any(k.service == r.service and abs(k.at - r.at) <= SAME_ROLLOUT for k in known)]
