"""Small incidents in Prometheus series and logs, for the metrics tests: each a shape the judgment must read.

- checkout-api: Prometheus client names (`app` label), p95 ×15 from 14:20, a ReplicaSet created at 14:18, no errors.
- orders: OpenTelemetry names (`service_name` label), errors 0.1% -> 6% from 14:30; its logs carry a sample.
- search: cAdvisor memory climbing to 96% of its kube-state-metrics limit from 14:10, restarts, no deploy.
- cart: everything flat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.openmetrics import OpenMetrics

START = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
END = datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
LOG_START = datetime(2024, 1, 15, 13, 30, tzinfo=UTC)
CHECKOUT_SLOW = datetime(2024, 1, 15, 14, 20, tzinfo=UTC)
CHECKOUT_ROLLOUT = datetime(2024, 1, 15, 14, 18, tzinfo=UTC)
ORDERS_FAILING = datetime(2024, 1, 15, 14, 30, tzinfo=UTC)
SEARCH_FILLING = datetime(2024, 1, 15, 14, 10, tzinfo=UTC)
LIMIT = 1024 * 2**20


def _after(at: datetime, before: float, after: float):
    return lambda t: after if t >= at.timestamp() else before


def series() -> str:
    om = OpenMetrics(START, END, step=30)
    for app, slow in (("checkout-api", True), ("cart", False)):
        typical = _after(CHECKOUT_SLOW, 0.06, 0.9) if slow else (lambda t: 0.05)
        om.histogram("http_request_duration_seconds", {"app": app, "method": "post"}, lambda t: 20, typical)
        om.counter("http_requests", {"app": app, "code": "200", "method": "post"}, lambda t: 20)
        om.counter("http_requests", {"app": app, "code": "500", "method": "post"}, lambda t: 0.01)
    om.histogram("http_server_request_duration_seconds", {"service_name": "orders", "http_response_status_code": "200"},
                 lambda t: 50, lambda t: 0.03)
    om.histogram("http_server_request_duration_seconds", {"service_name": "orders", "http_response_status_code": "503"},
                 _after(ORDERS_FAILING, 0.05, 3.2), lambda t: 0.01)
    filling = SEARCH_FILLING.timestamp()
    for app in ("checkout-api", "cart", "search", "orders"):
        pod = {"container": app, "namespace": "shop", "pod": f"{app}-5c7d9-abcde"}
        if app == "search":
            memory = lambda t: 0.55 * LIMIT if t < filling else min(0.96, 0.55 + (t - filling) / 1200 * 0.41) * LIMIT
        else:
            memory = lambda t: 0.4 * LIMIT
        om.gauge("container_memory_working_set_bytes", pod, memory)
        om.gauge("kube_pod_container_resource_limits", {**pod, "resource": "memory", "unit": "byte"}, lambda t: LIMIT)
        restarts = (lambda t: max(0, (t - filling) // 600)) if app == "search" else (lambda t: 0)
        om.gauge("kube_pod_container_status_restarts_total", {**pod, "uid": "0b1c"}, restarts)
    rollout = CHECKOUT_ROLLOUT.timestamp()
    for replicaset, created in (("checkout-api-5c7d9", START.timestamp() - 86400), ("checkout-api-7f8e1", rollout)):
        labels = {"namespace": "shop", "replicaset": replicaset}
        om.gauge("kube_replicaset_created", labels,
                 lambda t, c=created: c)
        om.gauge("kube_replicaset_owner", {**labels, "owner_kind": "Deployment", "owner_name": "checkout-api"},
                 lambda t: 1)
    # The image each ReplicaSet's pod ran, beside a sidecar's: its tag is the version the rollout shipped.
    for pod, image in (("checkout-api-5c7d9-abcde", "registry.example.com/shop/checkout-api:v2.4.9"),
                       ("checkout-api-7f8e1-q2w8z", "registry.example.com/shop/checkout-api:v2.5.0")):
        for container, ran in (("istio-proxy", "docker.io/istio/proxyv2:1.20.0"), ("checkout-api", image)):
            om.gauge("kube_pod_container_info", {"namespace": "shop", "pod": pod, "container": container, "image": ran},
                     lambda t: 1)
    return om.text()


def write_logs(folder: Path, services: tuple[str, ...] = ("checkout-api", "cart", "search", "orders")) -> Path:
    """A plain log of the services: INFO lines every minute, and a sample of orders' 503s after 14:30 when orders
    is among them."""
    lines = []
    at = LOG_START
    orders_errors = "orders" in services
    while at <= END:
        for app in services:
            lines.append(f"{at:%Y-%m-%dT%H:%M:%SZ} INFO {app} handled 1200 requests")
        if orders_errors and at >= ORDERS_FAILING:
            lines.append(f"{at + timedelta(seconds=7):%Y-%m-%dT%H:%M:%SZ} ERROR orders upstream returned 503 for "
                         f"order ORD-{at:%H%M}")
        at += timedelta(minutes=1)
    path = folder / "app.log"
    path.write_text("\n".join(lines) + "\n")
    return path
