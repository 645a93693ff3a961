"""metrics.om of this scenario: checkout-api's histogram p95 ×16 from 14:20:40, 0.5% 5xx throughout, cart-api's counters flat,
the new ReplicaSet kube-state-metrics saw at 14:18:20. Run `python generate_metrics.py` here to write it again."""

from datetime import UTC, datetime
from pathlib import Path

from wicked_platform.scenarios.openmetrics import OpenMetrics

START, END = datetime(2024, 3, 12, 13, 0, tzinfo=UTC), datetime(2024, 3, 12, 15, 0, tzinfo=UTC)
SLOW, ROLLOUT = datetime(2024, 3, 12, 14, 20, 40, tzinfo=UTC).timestamp(), datetime(2024, 3, 12, 14, 18, 20, tzinfo=UTC)
BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


def series() -> str:
    om = OpenMetrics(START, END, step=60)
    om.histogram("http_request_duration_seconds", {"app": "checkout-api"}, lambda t: 0.67,
                 lambda t: 0.06 * (16.0 if t >= SLOW else 1.0), BUCKETS)
    for app in ("checkout-api", "cart-api"):
        om.counter("http_requests", {"app": app, "code": "200"}, lambda t: 0.6667 * 0.995)
        om.counter("http_requests", {"app": app, "code": "500"}, lambda t: 0.6667 * 0.005)
    for replicaset, created in (("checkout-api-6d8f7c9b5", START.timestamp() - 86400 * 6),
                                ("checkout-api-7b9c5d8f4", ROLLOUT.timestamp())):
        labels = {"namespace": "shop", "replicaset": replicaset}
        om.gauge("kube_replicaset_created", labels, lambda t, c=created: c)
        om.gauge("kube_replicaset_owner", {**labels, "owner_kind": "Deployment", "owner_name": "checkout-api"},
                 lambda t: 1)
    return om.text()


if __name__ == "__main__":
    (Path(__file__).parent / "metrics.om").write_text(series())
