"""Rollouts kube-state-metrics saw, as deploys (`source: prometheus`).

A new ReplicaSet owned by a Deployment is a rollout of a new pod template; `kube_replicaset_created` holds
its creation time to the second, and `kube_pod_container_info` the image its pods ran (`<replicaset>-<suffix>`
pods), whose tag is the version shipped. Where those metrics are not scraped, a rise of
`kube_deployment_status_observed_generation` marks a change of the Deployment's spec, placed at the step
it was first seen (a scale also raises it, so it says "spec changed", not "new version").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wicked_platform.tools.changes.image_refs import image_reference
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
    created_in_window = []
    for sample in client.query(promql, end):
        created = datetime.fromtimestamp(float(sample.value[1]), tz=UTC)
        service = services_of.get(sample.metric.get("owner_name", ""))
        if service is not None and start <= created <= end:
            created_in_window.append((service, sample.metric.get("replicaset", ""), created))
    images = _pod_images(client, [(rs, service) for service, rs, _ in created_in_window if rs], start, end)
    deploys = []
    for service, replicaset, created in created_in_window:
        image = images.get(replicaset)
        reference = image_reference(image) if image else None
        version = reference[1] if reference and not reference[1].startswith("sha256:") else None
        ran = f", its pods ran {image}" if image else ""
        deploys.append(Deploy(service=service, version=version, at=created, commit=None, source="prometheus",
                              subject=f"ReplicaSet {replicaset} created (kube-state-metrics){ran}"))
    return sorted(deploys, key=lambda d: (d.at, d.service))


MAX_IMAGE_SERIES = 500  # pod containers asked about at most: a rollout's pods, not the cluster's
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")  # a ReplicaSet name as written into a PromQL regex, unescaped


def _pod_images(client: PrometheusClient, replicasets: list[tuple[str, str]], start: datetime,
                end: datetime) -> dict[str, str]:
    """The image each ReplicaSet's pods ran, by kube_pod_container_info over the window (pods a later rollout
    replaced included): its service's container where the pod has several, else the one container. One query."""
    from wicked_platform.tools.metrics.client import PrometheusError

    replicasets = [(rs, service) for rs, service in replicasets if _NAME.fullmatch(rs)]
    if not replicasets:
        return {}
    pattern = "|".join(f"{rs}-[a-z0-9]{{5}}" for rs, _ in replicasets)
    window = max(60, int((end - start).total_seconds()))
    promql = f'last_over_time(kube_pod_container_info{{pod=~"{pattern}"}}[{window}s])'
    service_of = dict(replicasets)
    seen: dict[str, dict[str, str]] = {}
    try:
        answer = client.query(promql, end)[:MAX_IMAGE_SERIES]
    except PrometheusError:
        return {}  # the rollouts stand without their versions: kube_pod_container_info is a detail of them
    for sample in answer:
        pod, image = sample.metric.get("pod", ""), sample.metric.get("image", "")
        replicaset = pod.rsplit("-", 1)[0]
        if replicaset in service_of and image:
            seen.setdefault(replicaset, {})[sample.metric.get("container", "")] = image
    images = {}
    for replicaset, by_container in seen.items():
        own = by_container.get(service_of[replicaset])
        if own is None and len(set(by_container.values())) == 1:
            own = next(iter(by_container.values()))
        if own is not None:
            images[replicaset] = own
    return images


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
