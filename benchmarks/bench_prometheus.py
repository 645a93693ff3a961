"""What --prometheus adds to an investigation, against a real Prometheus holding a week of a large fleet.

    .venv/bin/python benchmarks/bench_prometheus.py [--services 200] [--days 7] [--out bench-data/] [--runs 3]

The server holds `--days` of 1-minute samples for `--services` services × 6 signals (requests and errors,
a latency histogram, CPU, memory with its limit, restarts), written as OpenMetrics and backfilled with
`promtool tsdb create-blocks-from openmetrics` once: the blocks are cached under --out and reused while the
generator's parameters stay the same. The incident: checkout-api's p95 rises ×12 after a rollout (seen by
kube-state-metrics) in the last hour; the log names five services. The CLI runs with and without
--prometheus (offline agent, fresh processes, alternating); the report gives the added wall time and what
the server sent (the client's byte count, from the -v progress line).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wicked_platform.scenarios.prometheus import local_prometheus, missing_binaries

END = datetime(2024, 3, 8, 12, 0, tzinfo=UTC)
INCIDENT = END - timedelta(minutes=50)
BUCKETS = ("0.05", "0.1", "0.25", "0.5", "1", "2.5")
LOGGED = ("checkout-api", "cart-api", "orders-api", "search-api", "users-api")
VERSION = 1  # of the generator: a change here rebuilds the cached blocks


def service_names(count: int) -> list[str]:
    return [*LOGGED, *(f"svc-{i:03d}" for i in range(count - len(LOGGED)))][:count]


def write_openmetrics(path: Path, services: int, days: int) -> None:
    """Every family's series together, oldest sample first, as promtool wants them."""
    start = END - timedelta(days=days)
    times = [int(start.timestamp()) + 60 * i for i in range(days * 1440 + 1)]
    incident = INCIDENT.timestamp()
    names = service_names(services)
    with path.open("w") as out:
        out.write("# TYPE http_requests counter\n")
        for name in names:
            for code, share in (("200", 0.999), ("500", 0.001)):
                head = f'http_requests_total{{app="{name}",code="{code}"}}'
                out.write("".join(f"{head} {20 * share * 60 * i:.6f} {t}\n" for i, t in enumerate(times)))
        out.write("# TYPE http_request_duration_seconds histogram\n")
        for name in names:
            slow = name == "checkout-api"
            cumulative = {le: 0.0 for le in (*BUCKETS, "+Inf")}
            lines: dict[str, list[str]] = {le: [] for le in cumulative}
            for t in times:
                typical = 0.9 if slow and t >= incident else 0.06
                for le in BUCKETS:
                    share = 0.5 * (1 + math.erf((math.log(float(le)) - math.log(typical)) / (0.3 * math.sqrt(2))))
                    cumulative[le] += 1200 * share
                    lines[le].append(f'http_request_duration_seconds_bucket{{app="{name}",le="{le}"}} '
                                     f'{cumulative[le]:.3f} {t}\n')
                cumulative["+Inf"] += 1200
                lines["+Inf"].append(f'http_request_duration_seconds_bucket{{app="{name}",le="+Inf"}} '
                                     f'{cumulative["+Inf"]:.3f} {t}\n')
            for le in cumulative:
                out.write("".join(lines[le]))
            out.write("".join(f'http_request_duration_seconds_count{{app="{name}"}} {1200 * i}.000 {t}\n'
                              for i, t in enumerate(times)))
        for family, kind, value in (
            ("container_cpu_usage_seconds", "counter", lambda i: f"{0.2 * 60 * i:.3f}"),
            ("container_memory_working_set_bytes", "gauge", lambda i: f"{4.0e8 + (i % 1440) * 1e4:.6g}"),
            ("kube_pod_container_status_restarts", "counter", lambda i: "0"),
        ):
            out.write(f"# TYPE {family} {kind}\n")
            sample = f"{family}_total" if kind == "counter" else family
            for name in names:
                head = f'{sample}{{container="{name}",namespace="shop",pod="{name}-5c7d9-abcde"}}'
                out.write("".join(f"{head} {value(i)} {t}\n" for i, t in enumerate(times)))
        out.write("# TYPE kube_pod_container_resource_limits gauge\n")
        for name in names:
            head = (f'kube_pod_container_resource_limits{{container="{name}",namespace="shop",'
                    f'pod="{name}-5c7d9-abcde",resource="memory",unit="byte"}}')
            out.write("".join(f"{head} 1073741824 {t}\n" for t in times))
        rollout = int((INCIDENT - timedelta(minutes=2)).timestamp())
        for family, labels, value in (
            ("kube_replicaset_created", 'namespace="shop",replicaset="checkout-api-7f8e1"', str(rollout)),
            ("kube_replicaset_owner", 'namespace="shop",owner_kind="Deployment",owner_name="checkout-api",'
                                      'replicaset="checkout-api-7f8e1"', "1"),
        ):
            out.write(f"# TYPE {family} gauge\n")
            out.write("".join(f"{family}{{{labels}}} {value} {t}\n" for t in times if t >= rollout))
        out.write("# EOF\n")


def write_log(path: Path) -> None:
    """Six hours of the five logged services, no errors: the latency is in Prometheus alone."""
    lines, at = [], END - timedelta(hours=6)
    while at <= END:
        lines += [f"{at:%Y-%m-%dT%H:%M:%SZ} INFO {name} handled 1200 requests" for name in LOGGED]
        at += timedelta(minutes=1)
    path.write_text("\n".join(lines) + "\n")


def cached_tsdb(out: Path, services: int, days: int) -> Path:
    """The backfilled blocks for these parameters, built once."""
    key = f"prometheus-v{VERSION}-{services}svc-{days}d"
    data = out / key
    if (data / "done").exists():
        print(f"using cached TSDB {data}", file=sys.stderr)
        return data
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    source = out / f"{key}.om"
    started = time.perf_counter()
    write_openmetrics(source, services, days)
    print(f"wrote {source.stat().st_size / 2**20:,.0f} MiB of OpenMetrics in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    started = time.perf_counter()
    done = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(source), str(data)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"promtool failed: {done.stderr.strip()[-500:]}")
    print(f"backfilled in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    source.unlink()
    (data / "done").write_text("")
    return data


def investigate(log: Path, workdir: Path, prometheus: str | None) -> tuple[float, dict, str]:
    args = [sys.executable, "-m", "wicked_platform.agents.cli", "incident", "checkout is slow", "--repo", str(workdir),
            "--log", str(log), "--agent", "offline", "--format", "json", "-v", "--state-dir", str(workdir / "state")]
    if prometheus:
        args += ["--prometheus", prometheus]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=workdir)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"incident failed: {done.stderr.strip()[-500:]}")
    return seconds, json.loads(done.stdout), done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    ns = parser.parse_args()
    if why := missing_binaries():
        print(f"Prometheus bench skipped: {why}", file=sys.stderr)
        return 0
    ns.out.mkdir(parents=True, exist_ok=True)
    data = cached_tsdb(ns.out.resolve(), ns.services, ns.days)
    work = ns.out.resolve() / "prometheus-incident"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    log = work / "app.log"
    write_log(log)
    # The server's own copy: a run writes its WAL and head into the data dir; the cached blocks stay as built.
    served = ns.out.resolve() / "prometheus-served"
    shutil.rmtree(served, ignore_errors=True)
    shutil.copytree(data, served)
    without, with_, received, requests, asked_ms = [], [], [], [], []
    with local_prometheus(served) as url:
        investigate(log, work, url)  # warm the server's caches and the OS's, as a second question would find them
        for _ in range(ns.runs):
            without.append(investigate(log, work, None)[0])
            seconds, report, err = investigate(log, work, url)
            with_.append(seconds)
            line = re.search(r"Prometheus: (\d+) requests, ([\d,]+) bytes in (\d+) ms", err)
            requests.append(int(line[1]))
            received.append(int(line[2].replace(",", "")))
            asked_ms.append(int(line[3]))
    decision = report["rollback_decision"]
    added = [w - o for w, o in zip(with_, without)]
    print(f"Prometheus: {ns.services} services × 6 signals, {ns.days} days of 1-minute samples, backfilled "
          f"({sum(f.stat().st_size for f in data.rglob('*') if f.is_file()) / 2**20:,.0f} MiB of blocks)")
    print(f"{'':34} {'min':>8} {'median':>8} {'max':>8}")
    for label, values, unit in (("CLI without --prometheus", without, "s"), ("CLI with --prometheus", with_, "s"),
                                ("added by --prometheus", added, "s"), ("asking Prometheus (client)", [v / 1000 for v in asked_ms], "s")):
        print(f"{label:34} {min(values):>7.2f}{unit} {statistics.median(values):>7.2f}{unit} {max(values):>7.2f}{unit}")
    print(f"{'received from the server':34} {max(received) / 2**20:>7.2f} MiB in {max(requests)} requests")
    print(f"decision: {decision['recommendation']} ({decision['reason']}); {len(report['signals'])} signals")
    return 0 if max(added) <= 2.0 and max(received) <= 5 * 2**20 else 1


if __name__ == "__main__":
    sys.exit(main())
