"""Write a directory of Kubernetes pod logs, as the kubelet leaves them, for measuring a many-file investigation.

    .venv/bin/python benchmarks/pod_logs.py DIR [--files 5000] [--seed 1]
    .venv/bin/wicked-platform incident "checkout errors" --repo DIR --log DIR/var/log/pods --format json | wc -c

Layout: DIR/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log, in the CRI format
(`<RFC 3339 nano> stdout F <line>`), the container named after its service. Each pod of ten services
writes a few dozen JSON lines over an hour; checkout-api's pods fail from 14:40 on, so the report
has an incident to tell. Same arguments, same files.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SERVICES = ("checkout-api", "cart-api", "payment-service", "inventory-service", "user-service", "search-api",
            "recs-api", "gateway", "notification-service", "shipping-api")
NAMESPACES = ("shop", "platform")
START = datetime(2024, 1, 15, 14, 0, 0, tzinfo=UTC)
FAILING = "checkout-api"
FAILS_FROM = START + timedelta(minutes=40)
LINES_PER_FILE = 30
RESTARTS = 2  # 0.log and 1.log: the container restarted once


def pod_lines(service: str, pod: str, rng: random.Random) -> list[str]:
    lines = []
    for _ in range(LINES_PER_FILE):
        at = START + timedelta(seconds=rng.randrange(3600), microseconds=rng.randrange(10**6))
        failing = service == FAILING and at >= FAILS_FROM and rng.random() < 0.6
        record = {"time": at.isoformat().replace("+00:00", "Z"), "level": "error" if failing else "info",
                  "service": service, "pod": pod,
                  "msg": f"payment authorization failed for order {rng.randrange(10**6)}" if failing
                  else f"handled request {rng.randrange(10**6)} in {rng.randrange(5, 90)} ms"}
        stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond:06d}000Z"
        lines.append((at, f"{stamp} stdout F {json.dumps(record)}"))
    return [text for _, text in sorted(lines)]


def write_pods(root: Path, files: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    written = []
    pods = (files + RESTARTS - 1) // RESTARTS
    for index in range(pods):
        service = SERVICES[index % len(SERVICES)]
        namespace = NAMESPACES[index % len(NAMESPACES)]
        pod = f"{service}-{rng.getrandbits(32):08x}-{rng.getrandbits(20):05x}"
        uid = f"{rng.getrandbits(128):032x}"
        folder = root / "var" / "log" / "pods" / f"{namespace}_{pod}_{uid}" / service
        folder.mkdir(parents=True, exist_ok=True)
        for restart in range(RESTARTS):
            if len(written) == files:
                break
            path = folder / f"{restart}.log"
            path.write_text("\n".join(pod_lines(service, pod, rng)) + "\n")
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    written = write_pods(args.dir, args.files, args.seed)
    print(f"wrote {len(written)} pod logs under {args.dir / 'var' / 'log' / 'pods'}")


if __name__ == "__main__":
    main()
