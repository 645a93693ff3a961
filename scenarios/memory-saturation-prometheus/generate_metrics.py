"""metrics.om of this scenario: report-worker's containers (2 pods, 1 GiB limit each) climb from 55% to the limit
from 10:05 and are OOM-killed from 11:10 (restarts), render-api flat beside it; no new ReplicaSet in the window.
Run `python generate_metrics.py` here to write it again."""

from datetime import UTC, datetime
from pathlib import Path

from wicked_platform.scenarios.openmetrics import OpenMetrics

START, END = datetime(2024, 5, 21, 9, 0, tzinfo=UTC), datetime(2024, 5, 21, 12, 0, tzinfo=UTC)
FILLING, KILLED = datetime(2024, 5, 21, 10, 5, tzinfo=UTC).timestamp(), datetime(2024, 5, 21, 11, 10, tzinfo=UTC).timestamp()
LIMIT = 1024 * 2**20


def memory(t: float, pod: int) -> float:
    if t < FILLING:
        return (0.55 + 0.01 * pod) * LIMIT
    if t < KILLED:
        return min(0.98, 0.55 + (t - FILLING) / (KILLED - FILLING) * 0.43) * LIMIT
    return (0.80 + ((t - KILLED) % 900) / 900 * 0.18) * LIMIT  # restarted, replays its backlog, hits the limit again


def series() -> str:
    om = OpenMetrics(START, END, step=60)
    for app, pods in (("report-worker", 2), ("render-api", 1)):
        for pod in range(pods):
            labels = {"container": app, "namespace": "reports", "pod": f"{app}-5f7d8c9b6-{'abcd'[pod]}x9k2"}
            use = (lambda t, p=pod: memory(t, p)) if app == "report-worker" else (lambda t: 0.4 * LIMIT)
            om.gauge("container_memory_working_set_bytes", labels, use)
            om.gauge("kube_pod_container_resource_limits", {**labels, "resource": "memory", "unit": "byte"},
                     lambda t: LIMIT)
            restarts = (lambda t: max(0, (t - KILLED) // 900 + 1) if t >= KILLED else 0) if app == "report-worker" else (
                lambda t: 0)
            om.gauge("kube_pod_container_status_restarts_total", {**labels, "uid": f"u{pod}"}, restarts)
    return om.text()


if __name__ == "__main__":
    (Path(__file__).parent / "metrics.om").write_text(series())
