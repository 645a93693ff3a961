"""How `scan_logs`, and a whole investigation, compare with the grep pipeline the seed scenario starts from.

    python benchmarks/bench_logs.py [--size-mb 1024] [--out bench-data/] [--keep] [--duckdb-only]

Generates a seeded, multi-service plain-format log of the given size (about 1% errors, then an
incident over the last tenth of the time span with a high error rate and stack traces), then times

  (a) grep -i "error\\|exception\\|failed" FILE | sort | uniq -c | sort -rn > /dev/null   (bash)
  (b) scan_logs([FILE])                                    (in a fresh Python, its own wall time)
  (c) engine_report(request for FILE, this checkout)      (in a fresh Python, once the engine's modules
      are imported, scipy.special excepted, which loads on a thread during the scan as in every run:
      the engine's whole investigation, from the log's bytes to the report: scan, analysis, git
      history and diffs, decision)
  (d) wicked-platform incident "..." --log FILE --repo <this checkout> --agent offline --format json
      (the whole process, as a user runs it: (c) plus Python's start, the imports and the phase machine)

and prints the times, their ratios to (a) and the peak RSS of (b), (c) and (d) (`--duckdb-only`:
without the C prefilter, as installed without a compiler; it skips (c) and (d)). Each runs in a child process, so its
peak RSS is its own (ru_maxrss of that process: Python, DuckDB and the models together).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 20240115
START = datetime(2024, 1, 15, 8, 0, 0, tzinfo=UTC)
SPAN_SECONDS = 6 * 3600
INCIDENT_FRACTION = 0.10  # the incident fills the last tenth of the time span
BASELINE_ERROR_RATE = 0.01
INCIDENT_ERROR_RATE = 0.45
WARNING_RATE = 0.03
POOL_SIZE = 4096  # variants of each line kind; lines pick from these, so generating is cheap
CHUNK_LINES = 250_000

SERVICES = ["checkout-api", "payment-service", "user-service", "cart-api", "inventory-service", "gateway",
            "search-api", "notification-service"]
PIPELINE = 'grep -i "error\\|exception\\|failed" "$1" | sort | uniq -c | sort -rn > /dev/null'


def _pools(rng: np.random.Generator) -> dict[str, list[str]]:
    """`LEVEL service message` tails, varied by ids, latencies and addresses."""

    def n(low: int, high: int) -> int:
        return int(rng.integers(low, high))

    def svc() -> str:
        return SERVICES[n(0, len(SERVICES))]

    info = [
        lambda: f"INFO {svc()} GET /api/orders/{n(1000, 99999)} 200 in {n(3, 300)}ms",
        lambda: f"INFO {svc()} User {n(1, 10**6)} logged in from 10.0.{n(0, 255)}.{n(1, 255)}",
        lambda: f"INFO {svc()} Cache hit ratio {rng.random():.3f} for region eu-west-{n(1, 4)}",
        lambda: f"DEBUG {svc()} Processed batch {n(1, 10**5)} with {n(1, 500)} items in {n(1, 900)}ms",
        lambda: f"INFO {svc()} Request {rng.bytes(8).hex()} completed for session {rng.bytes(4).hex()}",
    ]
    warn = [
        lambda: f"WARN {svc()} Slow query took {n(500, 5000)}ms on table orders",
        lambda: f"WARN {svc()} Retrying request to payment-service attempt {n(1, 4)}",
        lambda: f"WARNING {svc()} Connection pool at {n(80, 100)}% capacity",
    ]
    baseline_errors = [
        lambda: f"ERROR {svc()} Connection refused to 10.0.{n(0, 9)}.{n(1, 9)}:5432",
        lambda: f"ERROR {svc()} Failed to send email to user{n(1, 10**5)}@example.com",
        lambda: f"ERROR cart-api NullPointerException in CartController.update for cart {n(1, 10**6)}\n"
                f"    at com.shop.cart.CartController.update(CartController.java:{n(10, 99)})\n"
                f"    at com.shop.web.Dispatcher.handle(Dispatcher.java:120)",
    ]
    incident_errors = [
        lambda: f"ERROR checkout-api Payment timeout for order ORD-{n(1000, 99999)}",
        lambda: f"ERROR checkout-api Payment timeout for order ORD-{n(1000, 99999)}",
        lambda: f"ERROR payment-service Upstream checkout-api closed connection after {n(400, 600)}ms",
        lambda: f"CRITICAL checkout-api Checkout failures exceeding threshold ({n(50, 95)}%)",
    ]

    def pool(makers: list) -> list[str]:
        return [makers[i % len(makers)]() for i in range(POOL_SIZE)]

    return {"info": pool(info), "warn": pool(warn), "error": pool(baseline_errors), "incident": pool(incident_errors)}


LAYOUTS = ("plain", "log4j")
"""plain: `2024-01-15T08:00:00.123Z LEVEL service message`; log4j: the layout Java services write,
`%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%t] %c - %m%n` (`2024-01-15 08:00:00,123 ERROR [exec-3] com.shop.CheckoutApi - ...`)."""


def _as_log4j(tail: str, thread: int) -> str:
    """A `LEVEL service message` tail as log4j writes it: the service becomes the logger's class."""
    level, service, message = tail.split(" ", 2)
    logger = "com.shop." + "".join(part.capitalize() for part in service.split("-"))
    return f"{level:<5} [http-nio-8080-exec-{thread}] {logger} - {message}"


def generate_log(path: Path, size_mb: int, seed: int = SEED, layout: str = "plain") -> int:
    """Write about size_mb MiB of log lines to path; returns the number of lines written."""
    rng = np.random.default_rng(seed)
    pools = _pools(rng)
    if layout == "log4j":
        pools = {name: [_as_log4j(tail, i % 16) for i, tail in enumerate(pool)] for name, pool in pools.items()}
    tails = pools["info"] + pools["warn"] + pools["error"] + pools["incident"]
    base = {name: sum(len(pools[p]) for p in list(pools)[:i]) for i, name in enumerate(pools)}
    total_lines = int(size_mb * 1024 * 1024 / _average_line_length(pools))
    stamp_format, fraction = ("%Y-%m-%d %H:%M:%S", ",{:03d} ") if layout == "log4j" else ("%Y-%m-%dT%H:%M:%S", ".{:03d}Z ")
    seconds = [(START + timedelta(seconds=s)).strftime(stamp_format) for s in range(SPAN_SECONDS + 1)]
    millis = [fraction.format(m) for m in range(1000)]
    incident_start = int(SPAN_SECONDS * (1 - INCIDENT_FRACTION))
    deploy_at = incident_start - 165
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for first in range(0, total_lines, CHUNK_LINES):
            count = min(CHUNK_LINES, total_lines - first)
            second = (np.arange(first, first + count, dtype=np.int64) * SPAN_SECONDS) // total_lines
            incident = second >= incident_start
            draw = rng.random(count)
            error_rate = np.where(incident, INCIDENT_ERROR_RATE, BASELINE_ERROR_RATE)
            pick = rng.integers(0, POOL_SIZE, count)
            kind = np.where(draw < error_rate, np.where(incident, base["incident"], base["error"]),
                            np.where(draw < error_rate + WARNING_RATE, base["warn"], base["info"]))
            tail_index = (kind + pick).tolist()
            ms = rng.integers(0, 1000, count).tolist()
            stamp = second.tolist()
            lines = [seconds[s] + millis[m] + tails[t] for s, m, t in zip(stamp, ms, tail_index)]
            if first <= (deploy_at * total_lines) // SPAN_SECONDS < first + count:
                for at, what in ((deploy_at, "started"), (deploy_at + 30, "completed")):
                    tail = f"INFO checkout-api Deployment checkout-api-v2.4.1 {what}"
                    lines.append(seconds[at] + millis[0] + (_as_log4j(tail, 0) if layout == "log4j" else tail))
            out.write("\n".join(lines))
            out.write("\n")
            written += len(lines)
    return written


def _average_line_length(pools: dict[str, list[str]]) -> float:
    """Bytes per line for the mix generate_log draws: stamp, tail, newline."""
    mean = {name: sum(map(len, pool)) / len(pool) for name, pool in pools.items()}

    def mix(error_kind: str, error_rate: float) -> float:
        info = 1 - error_rate - WARNING_RATE
        return error_rate * mean[error_kind] + WARNING_RATE * mean["warn"] + info * mean["info"]

    tail = (1 - INCIDENT_FRACTION) * mix("error", BASELINE_ERROR_RATE) + INCIDENT_FRACTION * mix(
        "incident", INCIDENT_ERROR_RATE)
    return tail + len("2024-01-15T08:00:00.000Z ") + 1


def time_pipeline(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", "-c", PIPELINE, "bench", str(path)], check=True)
    return time.perf_counter() - started


ROOT = Path(__file__).resolve().parent.parent


def time_investigation(path: Path) -> tuple[float, float]:
    """(d): the CLI on the file, offline, against this checkout's repository; (seconds, peak RSS in MiB)."""
    with tempfile.TemporaryDirectory() as state, tempfile.TemporaryFile() as errors:
        command = [sys.executable, "-m", "wicked_platform.agents.cli", "incident", "checkout is failing", "--repo",
                   str(ROOT), "--log", str(path), "--agent", "offline", "--format", "json", "--state-dir", state]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage: its peak RSS, not the pipeline's
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"the investigation failed: {errors.read().decode(errors='replace').strip()}")
        return seconds, usage.ru_maxrss / 1024


def time_scan(path: Path, duckdb_only: bool = False) -> dict:
    """(b): the scan in a fresh interpreter; it reports its own wall time and peak RSS."""
    command = [sys.executable, __file__, "--scan-only", str(path), *(["--duckdb-only"] if duckdb_only else [])]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_engine(path: Path) -> dict:
    """(c): the engine's investigation in a fresh interpreter; it reports its own wall time and peak RSS."""
    done = subprocess.run([sys.executable, __file__, "--engine-only", str(path)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _engine_only(path: Path) -> None:
    from wicked_platform.agents.offline import engine_report
    from wicked_platform.agents.request import InvestigationRequest
    from wicked_platform.tools.context import IncidentContext

    request = InvestigationRequest(description="checkout is failing", repo=ROOT, logs=[path], context=IncidentContext())
    started = time.perf_counter()
    report = engine_report(request)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "severity": str(report.severity),
                      "recommendation": str(report.rollback_decision.recommendation)}))


def _scan_only(path: Path, duckdb_only: bool) -> None:
    from wicked_platform.tools.logs import prefilter
    from wicked_platform.tools.logs.scan import scan_logs

    if duckdb_only:  # as installed without a C compiler
        prefilter._prefilter = None

    started = time.perf_counter()
    scan = scan_logs([path])
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    summary = {
        "seconds": seconds, "peak_rss_mb": peak_kb / 1024, "lines": scan.files[0].lines,
        "signatures": len(scan.signatures), "points": len(scan.points), "events": len(scan.events),
        "level_counts": scan.level_counts,
    }
    print(json.dumps(summary))


def _prefilter_state(duckdb_only: bool) -> str:
    from wicked_platform.tools.logs import prefilter

    if duckdb_only:
        return "off (--duckdb-only)"
    return "on" if prefilter.available() else "not built (no C compiler at install): DuckDB alone"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--layout", choices=LAYOUTS, default="plain", help="the generated log's layout")
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    parser.add_argument("--duckdb-only", action="store_true", help="scan without the C prefilter, as without a compiler")
    parser.add_argument("--scan-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scan_only:
        _scan_only(args.scan_only, args.duckdb_only)
        return
    if args.engine_only:
        _engine_only(args.engine_only)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"bench-{args.size_mb}mb{'' if args.layout == 'plain' else '-' + args.layout}.log"
    try:
        started = time.perf_counter()
        lines = generate_log(path, args.size_mb, layout=args.layout)
        print(f"generated {path}: {lines:,} lines, {path.stat().st_size / 2**20:,.0f} MiB "
              f"in {time.perf_counter() - started:.1f}s", flush=True)
        pipeline = time_pipeline(path)
        print(f"pipeline  grep | sort | uniq -c | sort -rn : {pipeline:6.2f}s", flush=True)
        scan = time_scan(path, args.duckdb_only)
        print(f"scan_logs                                  : {scan['seconds']:6.2f}s  "
              f"peak RSS {scan['peak_rss_mb']:.0f} MiB")
        print(f"scan / pipeline                            : {scan['seconds'] / pipeline:6.2f}")
        if not args.duckdb_only:
            engine = time_engine(path)
            print(f"engine_report (the engine's investigation) : {engine['seconds']:6.2f}s  "
                  f"peak RSS {engine['peak_rss_mb']:.0f} MiB  ({engine['severity']}, {engine['recommendation']})")
            print(f"engine investigation / pipeline            : {engine['seconds'] / pipeline:6.2f}")
            investigation, investigation_rss = time_investigation(path)
            print(f"wicked-platform incident (whole process)   : {investigation:6.2f}s  peak RSS {investigation_rss:.0f} MiB")
            print(f"whole process / pipeline                   : {investigation / pipeline:6.2f}")
        print(f"scan found {scan['signatures']} signatures, {scan['points']} points, {scan['events']} events; "
              f"levels {scan['level_counts']}")
        print(f"cpus {os.cpu_count()}, locale {os.environ.get('LC_ALL') or os.environ.get('LANG') or 'C'}, "
              f"C prefilter {_prefilter_state(args.duckdb_only)}")
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
            if args.out.exists() and not any(args.out.iterdir()):
                shutil.rmtree(args.out)


if __name__ == "__main__":
    main()
