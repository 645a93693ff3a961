"""Directories of many small logs, as people point the tool at them: the kubelet's pod logs and Docker's
json-file logs. Written here in those layouts."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2024, 1, 15, 14, 0, 0, tzinfo=UTC)


def cri_pod_logs(root: Path, pods: int, services: tuple[str, ...] = ("checkout-api", "cart-api")) -> Path:
    """/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log in the CRI format around plain lines."""
    base = root / "var" / "log" / "pods"
    for i in range(pods):
        service = services[i % len(services)]
        folder = base / f"shop_{service}-7d9f8-{i:05d}_{i:08x}-uid" / service
        folder.mkdir(parents=True)
        lines = [f"{(T0 + timedelta(seconds=s)).strftime('%Y-%m-%dT%H:%M:%S')}.123456789Z stdout F "
                 f"{(T0 + timedelta(seconds=s)).strftime('%Y-%m-%dT%H:%M:%SZ')} INFO {service} served request {s}"
                 for s in range(i % 7, 600, 60)]
        (folder / "0.log").write_text("\n".join(lines) + "\n")
    return base


def docker_json_logs(root: Path, containers: int) -> Path:
    """/var/lib/docker/containers/<id>/<id>-json.log, Docker's json-file driver: one service per container id."""
    base = root / "var" / "lib" / "docker" / "containers"
    for i in range(containers):
        cid = f"{i:064x}"
        (base / cid).mkdir(parents=True)
        lines = [json.dumps({"log": f"GET /health {s} ok\n", "stream": "stdout",
                             "time": (T0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")})
                 for s in range(i % 5, 300, 30)]
        (base / cid / f"{cid}-json.log").write_text("\n".join(lines) + "\n")
    return base
