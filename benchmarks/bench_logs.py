"""How `scan_logs`, and the whole CLI, compare with the grep pipeline the seed scenario starts from.

    python benchmarks/bench_logs.py [--size-mb 1024] [--layout all|plain|log4j|json|logfmt|access] [--rounds 3]
                                    [--out bench-data/] [--keep] [--duckdb-only]

Generates a seeded, multi-service log of the given size in each layout asked for (the same incident:
about 1% errors, then over the last tenth of the time span a high error rate and stack traces; see
LAYOUTS), then, for each file, `--rounds` times in turn:

  (a) grep -i "error\\|exception\\|failed" FILE | sort | uniq -c | sort -rn > /dev/null   (bash)
  (b) scan_logs([FILE])                                    (in a fresh Python, its own wall time)
  (c) wicked-platform incident "..." --log FILE --repo <this checkout> --agent offline --format json
      (the whole process, as a user runs it: Python's start, the imports, the scan, the engine's
      investigation with git history and diffs, the report)

An access log also gets, each round, the pipeline an SRE runs over one (the seed's grep finds nothing in an
access log, its lines hold no error word, so it only times reading the file):

  (a') awk '$9 ~ /^5/ {print $7}' FILE | sort | uniq -c | sort -rn > /dev/null   (the paths of the 5xx requests)

and the table a second row for it, the ratios then to (a').

It prints each round (wall time, and the CPU time, user and system, of each child), then a table of the
ranges over the rounds with the ratios to (a) of the same round and the peak RSS of (b) and (c). The pipeline and the CLI run interleaved because the machine may be shared:
a ratio within one round is fair where times across rounds are not; the load averages before and after
are printed. `--keep` keeps the files in `--out` and reuses them on the next run. `--duckdb-only`: the scan
without the C prefilter, as installed without a compiler. Each runs in a child process, so its peak RSS is
its own (ru_maxrss of that process: Python, DuckDB and the models together). `--engine-only FILE` times the
engine's investigation in process, without Python's start and the imports.
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
ACCESS_PIPELINE = """awk '$9 ~ /^5/ {print $7}' "$1" | sort | uniq -c | sort -rn > /dev/null"""  # (a'): see the docstring


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


LAYOUTS = ("plain", "log4j", "json", "logfmt", "access")
"""The same incident in the layouts people have. plain: `2024-01-15T08:00:00.123Z LEVEL service message`;
log4j: the layout Java services write, `%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%t] %c - %m%n`
(`2024-01-15 08:00:00,123 ERROR [exec-3] com.shop.CheckoutApi - ...`); json: one object a line as zap, pino or
structlog write it (`{"ts":"...","level":"error","service":"checkout-api","msg":"...","trace_id":"..."}`, a
stack trace in `stack`); logfmt: the same keys as `key=value` pairs (Go's slog, logrus); access: the
gateway's combined access log, each line a request whose status says how it ended (5xx for an error line)."""
SHORT_LEVELS = {"WARNING": "warn", "CRITICAL": "fatal"}  # what JSON and logfmt writers call them


def _as_log4j(tail: str, thread: int) -> str:
    """A `LEVEL service message` tail as log4j writes it: the service becomes the logger's class."""
    level, service, message = tail.split(" ", 2)
    logger = "com.shop." + "".join(part.capitalize() for part in service.split("-"))
    return f"{level:<5} [http-nio-8080-exec-{thread}] {logger} - {message}"


def _fields(tail: str, index: int) -> tuple[str, str, str, str, str]:
    """A tail's level (as JSON writers spell it), service, message, stack trace and a trace id."""
    level, service, message = tail.split(" ", 2)
    message, _, stack = message.partition("\n")
    trace = f"{(index * 2654435761) % 2**32:08x}{(index * 40503) % 2**16:04x}"
    return SHORT_LEVELS.get(level, level.lower()), service, message, stack, trace


def _as_json(tail: str, index: int) -> str:
    """The part of a JSON line after its time: `,"level":...}` (the line opens with `{"ts":"` and the time)."""
    level, service, message, stack, trace = _fields(tail, index)
    rest = {"level": level, "service": service, "msg": message, "trace_id": trace, **({"stack": stack} if stack else {})}
    return "," + json.dumps(rest, separators=(",", ":"))[1:]


def _as_logfmt(tail: str, index: int) -> str:
    """The part of a logfmt line after its time: ` level=... service=... msg="..."`."""
    level, service, message, _, trace = _fields(tail, index)
    return f' level={level} service={service} msg={json.dumps(message)} trace_id={trace}'


ACCESS_STATUS = {"DEBUG": 200, "INFO": 200, "WARN": 429, "WARNING": 429, "ERROR": 500, "CRITICAL": 503}


def _as_access(tail: str, index: int) -> tuple[str, str]:
    """A tail as the gateway's access log line of the request it ended: (before the time, after it)."""
    level, service, message = tail.split(" ", 2)
    message = message.split("\n", 1)[0]
    status = 504 if "timeout" in message.lower() and level == "ERROR" else ACCESS_STATUS[level]
    method = "POST" if service in ("checkout-api", "payment-service", "cart-api") else "GET"
    before = f"10.{index % 7}.{index % 251}.{(index * 7) % 253 + 1} - - ["
    after = (f'] "{method} /api/{service}/{index % 997} HTTP/1.1" {status} {200 + (index * 37) % 9000} "-" '
             f'"Mozilla/5.0 (X11; Linux x86_64) shop-web/{index % 5}.{index % 11}"')
    return before, after


def _layout_pools(pools: dict[str, list[str]], layout: str) -> dict[str, list[tuple[str, str]]]:
    """Each pool's lines as (before the time, after it) in the layout."""
    def pick(tail: str, i: int) -> tuple[str, str]:
        if layout == "log4j":
            return "", " " + _as_log4j(tail, i % 16)
        if layout == "json":
            return '{"ts":"', _as_json(tail, i)
        if layout == "logfmt":
            return "ts=", _as_logfmt(tail, i)
        if layout == "access":
            return _as_access(tail, i)
        return "", " " + tail
    return {name: [pick(tail, i) for i, tail in enumerate(pool)] for name, pool in pools.items()}


STAMPS = {  # layout: (the second as strftime writes it, the millisecond's text after it)
    "plain": ("%Y-%m-%dT%H:%M:%S", ".{:03d}Z"), "log4j": ("%Y-%m-%d %H:%M:%S", ",{:03d}"),
    "json": ("%Y-%m-%dT%H:%M:%S", '.{:03d}Z"'), "logfmt": ("%Y-%m-%dT%H:%M:%S", ".{:03d}Z"),
    "access": ("%d/%b/%Y:%H:%M:%S", " +0000"),
}


def generate_log(path: Path, size_mb: int, seed: int = SEED, layout: str = "plain") -> int:
    """Write about size_mb MiB of log lines to path; returns the number of lines written."""
    rng = np.random.default_rng(seed)
    pools = _layout_pools(_pools(rng), layout)
    parts = [part for name in pools for part in pools[name]]
    base = {name: sum(len(pools[p]) for p in list(pools)[:i]) for i, name in enumerate(pools)}
    total_lines = int(size_mb * 1024 * 1024 / _average_line_length(pools, layout))
    stamp_format, fraction = STAMPS[layout]
    seconds = [(START + timedelta(seconds=s)).strftime(stamp_format) for s in range(SPAN_SECONDS + 1)]
    millis = [fraction.format(m) for m in range(1000)]
    incident_start = int(SPAN_SECONDS * (1 - INCIDENT_FRACTION))
    deploy_at = incident_start - 165
    deploys = [] if layout == "access" else [  # a gateway's access log does not see the rollout
        (at, _layout_pools({"deploy": [f"INFO checkout-api Deployment checkout-api-v2.4.1 {what}"]}, layout)["deploy"][0])
        for at, what in ((deploy_at, "started"), (deploy_at + 30, "completed"))]
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
            lines = [parts[t][0] + seconds[s] + millis[m] + parts[t][1] for s, m, t in zip(stamp, ms, tail_index)]
            if first <= (deploy_at * total_lines) // SPAN_SECONDS < first + count:
                lines += [before + seconds[at] + millis[0] + after for at, (before, after) in deploys]
            out.write("\n".join(lines))
            out.write("\n")
            written += len(lines)
    return written


def _average_line_length(pools: dict[str, list[tuple[str, str]]], layout: str) -> float:
    """Bytes per line for the mix generate_log draws: stamp, the rest, newline."""
    mean = {name: sum(len(before) + len(after) for before, after in pool) / len(pool) for name, pool in pools.items()}

    def mix(error_kind: str, error_rate: float) -> float:
        info = 1 - error_rate - WARNING_RATE
        return error_rate * mean[error_kind] + WARNING_RATE * mean["warn"] + info * mean["info"]

    tail = (1 - INCIDENT_FRACTION) * mix("error", BASELINE_ERROR_RATE) + INCIDENT_FRACTION * mix(
        "incident", INCIDENT_ERROR_RATE)
    stamp_format, fraction = STAMPS[layout]
    return tail + len(START.strftime(stamp_format)) + len(fraction.format(0)) + 1


def time_pipeline(path: Path, pipeline: str = PIPELINE) -> tuple[float, float]:
    """(seconds, CPU seconds: user and system of the pipeline's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(["bash", "-c", pipeline, "bench", str(path)], check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


ROOT = Path(__file__).resolve().parent.parent


def time_investigation(path: Path) -> tuple[float, float, float]:
    """(d): the CLI on the file, offline, against this checkout's repository; (seconds, peak RSS in MiB, CPU seconds)."""
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
        return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def time_scan(path: Path, duckdb_only: bool = False) -> dict:
    """(b): the scan in a fresh interpreter; it reports its own wall time and peak RSS."""
    command = [sys.executable, __file__, "--scan-only", str(path), *(["--duckdb-only"] if duckdb_only else [])]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
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

    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    scan = scan_logs([path])
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = usage.ru_maxrss  # KiB on Linux
    summary = {
        "seconds": seconds, "peak_rss_mb": peak_kb / 1024,
        "cpu_seconds": usage.ru_utime - cpu.ru_utime + usage.ru_stime - cpu.ru_stime, "lines": scan.files[0].lines,
        "signatures": len(scan.signatures), "points": len(scan.points), "events": len(scan.events),
        "level_counts": scan.level_counts,
    }
    print(json.dumps(summary))


def _prefilter_state(duckdb_only: bool) -> str:
    from wicked_platform.tools.logs import prefilter

    if duckdb_only:
        return "off (--duckdb-only)"
    return "on" if prefilter.available() else "not built (no C compiler at install): DuckDB alone"


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes): other work on it slows every figure alike."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _rounds(path: Path, rounds: int, access: bool = False) -> list[dict]:
    """The pipeline, the scan and the whole CLI on one file, interleaved, `rounds` times: a ratio is of one round.
    `access`: the access log's own pipeline (a') too."""
    measured = []
    for _ in range(rounds):
        pipeline, pipeline_cpu = time_pipeline(path)
        awk, awk_cpu = time_pipeline(path, ACCESS_PIPELINE) if access else (None, None)
        scan = time_scan(path)
        cli, cli_rss, cli_cpu = time_investigation(path)
        measured.append({"pipeline": pipeline, "pipeline_cpu": pipeline_cpu, "awk": awk, "awk_cpu": awk_cpu,
                         "scan": scan["seconds"], "scan_cpu": scan["cpu_seconds"], "scan_rss": scan["peak_rss_mb"],
                         "cli": cli, "cli_cpu": cli_cpu, "cli_rss": cli_rss, "summary": scan})
    return measured


def _span(values: list[float], unit: str = "") -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}{unit}" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}–{high:.2f}{unit}"


def _table(results: dict[str, tuple[float, list[dict]]]) -> str:
    """The README's table: ranges over the rounds; a ratio is the CLI's (or the scan's) over the pipeline of its round."""
    lines = ["| file | pipeline | scan | whole CLI | CLI / pipeline (best) | scan / pipeline | peak RSS scan / CLI |",
             "|---|---|---|---|---|---|---|"]
    for layout, (mib, rounds) in results.items():
        for name, key in (("", "pipeline"), (" (awk 5xx paths)", "awk")):
            if rounds[0][key] is None:
                continue
            ratios = [r["cli"] / r[key] for r in rounds]
            lines.append(
                f"| {mib:,.0f} MiB {layout}{name} | {_span([r[key] for r in rounds], ' s')} "
                f"| {_span([r['scan'] for r in rounds], ' s')} "
                f"| {_span([r['cli'] for r in rounds], ' s')} | {_span(ratios, '×')} (**{min(ratios):.2f}×**) "
                f"| {_span([r['scan'] / r[key] for r in rounds], '×')} "
                f"| {max(r['scan_rss'] for r in rounds):.0f} / {max(r['cli_rss'] for r in rounds):.0f} MiB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--layout", choices=[*LAYOUTS, "all"], default="plain", help="the generated log's layout, or all of them")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of pipeline, scan and CLI per file")
    parser.add_argument("--out", type=Path, default=Path("bench-data"))
    parser.add_argument("--keep", action="store_true", help="keep the generated logs (and reuse them when kept before)")
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
    layouts = LAYOUTS if args.layout == "all" else (args.layout,)
    print(f"cpus {os.cpu_count()}, load {_load()}, locale {os.environ.get('LC_ALL') or os.environ.get('LANG') or 'C'}, "
          f"C prefilter {_prefilter_state(args.duckdb_only)}", flush=True)
    results: dict[str, tuple[float, list[dict]]] = {}
    try:
        for layout in layouts:
            path = args.out / f"bench-{args.size_mb}mb{'' if layout == 'plain' else '-' + layout}.log"
            if not (args.keep and path.exists()):
                started = time.perf_counter()
                lines = generate_log(path, args.size_mb, layout=layout)
                print(f"generated {path}: {lines:,} lines, {path.stat().st_size / 2**20:,.0f} MiB "
                      f"in {time.perf_counter() - started:.1f}s", flush=True)
            if args.duckdb_only:
                (pipeline, _), scan = time_pipeline(path), time_scan(path, duckdb_only=True)
                print(f"{layout}: pipeline {pipeline:.2f}s, scan (DuckDB alone) {scan['seconds']:.2f}s "
                      f"({scan['seconds'] / pipeline:.2f}×), peak RSS {scan['peak_rss_mb']:.0f} MiB", flush=True)
                continue
            rounds = _rounds(path, args.rounds, access=layout == "access")
            results[layout] = (path.stat().st_size / 2**20, rounds)
            for r in rounds:
                awk = (f"  awk {r['awk']:6.2f}s (cpu {r['awk_cpu']:.2f}s) CLI/awk {r['cli'] / r['awk']:5.2f}"
                       if r["awk"] is not None else "")
                print(f"{layout:7s} pipeline {r['pipeline']:6.2f}s (cpu {r['pipeline_cpu']:.2f}s)  "
                      f"scan {r['scan']:6.2f}s (cpu {r['scan_cpu']:.2f}s)  CLI {r['cli']:6.2f}s (cpu {r['cli_cpu']:.2f}s)  "
                      f"CLI/pipeline {r['cli'] / r['pipeline']:5.2f}{awk}  peak RSS {r['scan_rss']:.0f} / {r['cli_rss']:.0f} MiB  "
                      f"load {_load()}", flush=True)
            summary = rounds[0]["summary"]
            print(f"  scan found {summary['lines']:,} lines, {summary['signatures']} signatures, {summary['points']} points, "
                  f"{summary['events']} events; levels {summary['level_counts']}", flush=True)
            if not args.keep:
                path.unlink(missing_ok=True)
    finally:
        if not args.keep and args.out.exists() and not any(args.out.iterdir()):
            shutil.rmtree(args.out)
    if results:
        print(f"\nload after: {_load()}\n")
        print(_table(results))
        if any(max(r["scan_rss"], r["cli_rss"]) > 512 for _, rounds in results.values() for r in rounds):
            print("\npeak RSS past 512 MiB")


if __name__ == "__main__":
    main()
