"""How long `scan_logs` takes on a `docker compose logs` paste of a whole stack, each service in its own layout.

    python benchmarks/bench_compose.py [--size-mb 200] [--out bench-data/] [--keep]

Generates a seeded paste of three services behind compose's prefix (`api-1     | `, `redis-1   | `,
`worker-1  | `): the api's pino JSON (epoch-ms `time`, numeric `level`), redis' own layout
(`1:M 11 Jun 2024 10:15:02.123 * ...`) and a Celery worker's (`[2024-06-11 10:15:02,123: INFO/MainProcess] ...`),
about 1% errors, then an incident over the last tenth of the time span in which the api's and the worker's
writes fail. Then times scan_logs on it in a fresh interpreter (its own wall time and peak RSS) and prints
how many of its lines were read, per layout (tools/logs/multiplex.py reads each stream in its own).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 20240611
START = datetime(2024, 6, 11, 4, 0, 0, tzinfo=UTC)
SPAN_SECONDS = 6 * 3600
INCIDENT_FRACTION = 0.10
CHUNK_LINES = 200_000
POOL_SIZE = 2048
SHARES = {"api": 0.6, "redis": 0.1, "worker": 0.3}  # of the lines
OOM = "OOM command not allowed when used memory > 'maxmemory'."


def _pools(rng: np.random.Generator) -> dict[str, list[str]]:
    """Each service's line bodies after its stamp, with `{T}` where the stamp goes; ok and failing."""

    def n(low: int, high: int) -> int:
        return int(rng.integers(low, high))

    api_ok = ['{"level":30,"time":{T},"pid":1,"hostname":"4f2a9c1b7e3d","req":{"id":' + str(n(1, 10**6))
              + ',"method":"GET","url":"/api/products/' + str(n(1000, 9999)) + '"},"res":{"statusCode":200},'
              '"responseTime":' + str(n(3, 90)) + ',"msg":"request completed"}' for _ in range(POOL_SIZE)]
    api_fail = ['{"level":50,"time":{T},"pid":1,"hostname":"4f2a9c1b7e3d","req":{"id":' + str(n(1, 10**6))
                + ',"method":"POST","url":"/api/cart/items"},"res":{"statusCode":500},"responseTime":' + str(n(3, 90))
                + ',"err":{"type":"ReplyError","message":"' + OOM.replace("'", "'") + '"},"msg":"request errored"}'
                for _ in range(POOL_SIZE)]
    redis_ok = [f"1:M {{T}} * {what}" for what in
                [f"{n(1, 10**4)} changes in 300 seconds. Saving...", f"Background saving started by pid {n(20, 9000)}",
                 "Background saving terminated with success", f"DB saved on disk in {n(1, 3000)} ms"] * (POOL_SIZE // 4)]
    redis_fail = [f"1:M {{T}} # WARNING: used memory {n(256, 300)}mb is over maxmemory, writes refused"
                  for _ in range(POOL_SIZE)]
    worker_ok = [f"[{{T}}: INFO/ForkPoolWorker-{n(1, 5)}] Task shop.tasks.record_cart_event[{n(10**8, 10**9):x}] "
                 f"succeeded in {n(1, 900) / 1000:.3f}s: None" for _ in range(POOL_SIZE)]
    worker_fail = [f"[{{T}}: ERROR/ForkPoolWorker-{n(1, 5)}] Task shop.tasks.record_cart_event[{n(10**8, 10**9):x}] "
                   "raised unexpected: OutOfMemoryError(\"command not allowed when used memory > 'maxmemory'.\")"
                   for _ in range(POOL_SIZE)]
    return {"api": api_ok, "api-fail": api_fail, "redis": redis_ok, "redis-fail": redis_fail,
            "worker": worker_ok, "worker-fail": worker_fail}


def _stamp(service: str, at: datetime) -> str:
    if service == "api":
        return str(int(at.timestamp() * 1000))
    if service == "redis":
        return f"{at.day:02d} {at:%b %Y %H:%M:%S}.{at.microsecond // 1000:03d}"
    return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}"


def generate_paste(path: Path, size_mb: int, seed: int = SEED) -> int:
    """Write about size_mb MiB of compose lines to path; returns the number of lines written."""
    rng = np.random.default_rng(seed)
    pools = _pools(rng)
    services = list(SHARES)
    prefixes = {service: f"{service + '-1':<10}| " for service in services}
    average = sum(SHARES[s] * (len(prefixes[s]) + 24 + np.mean([len(x) for x in pools[s]])) for s in services)
    total_lines = int(size_mb * 1024 * 1024 / average)
    incident_start = int(SPAN_SECONDS * (1 - INCIDENT_FRACTION))
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for first in range(0, total_lines, CHUNK_LINES):
            count = min(CHUNK_LINES, total_lines - first)
            micros = (np.arange(first, first + count, dtype=np.int64) * SPAN_SECONDS * 1_000_000) // total_lines
            who = rng.choice(len(services), size=count, p=[SHARES[s] for s in services]).tolist()
            failing = ((micros >= incident_start * 1_000_000) & (rng.random(count) < 0.3)) | (rng.random(count) < 0.01)
            pick = rng.integers(0, POOL_SIZE, count).tolist()
            lines = []
            for at_us, index, fails, p in zip(micros.tolist(), who, failing.tolist(), pick, strict=True):
                service = services[index]
                at = START + timedelta(microseconds=at_us)
                body = pools[service + "-fail" if fails else service][p]
                lines.append(prefixes[service] + body.replace("{T}", _stamp(service, at)))
            out.write("\n".join(lines))
            out.write("\n")
            written += len(lines)
    return written


def _scan_only(path: Path) -> None:
    from wicked_platform.tools.logs.scan import scan_logs

    started = time.perf_counter()
    scan = scan_logs([path])
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    stats = scan.files[0]
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024), "lines": stats.lines,
                      "parsed": stats.parsed, "unparsed": stats.unparsed, "level_counts": scan.level_counts,
                      "services": dict(sorted(scan.service_counts.items()))}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    parser.add_argument("--keep", action="store_true", help="keep the generated paste")
    parser.add_argument("--scan-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_only:
        _scan_only(args.scan_only)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"compose-{args.size_mb}mb.log"
    try:
        if not path.exists():
            started = time.perf_counter()
            lines = generate_paste(path, args.size_mb)
            print(f"generated {path}: {lines:,} lines, {path.stat().st_size / 2**20:,.0f} MiB "
                  f"in {time.perf_counter() - started:.1f}s", flush=True)
        done = subprocess.run([sys.executable, __file__, "--scan-only", str(path)], check=True, capture_output=True,
                              text=True)
        print(done.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
