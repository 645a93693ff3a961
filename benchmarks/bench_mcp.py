"""MCP tool latency over real stdio on the checkout-timeout scenario: p50/p95 per tool.

    .venv/bin/python benchmarks/bench_mcp.py [--calls 20]

The first call of each input set pays for the scan and git reads; later calls hit the server's cache,
which is how an agent uses the tools during one investigation. Both are reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, load_scenario

LOGS = ["error.log", "logs/"]
CALLS = {
    "read_logs": {"logs": LOGS},
    "error_rate_ratio": {"logs": LOGS},
    "deploy_history": {"logs": LOGS},
    "git_diff": {"commit": "checkout-api-v2.4.1"},
    "correlate_changes": {"logs": LOGS},
    "blast_radius": {"logs": LOGS, "description": "checkout 500s"},
    "evaluate_rollback_criteria": {"logs": LOGS, "description": "checkout 500s"},
    "incident_timeline": {"logs": LOGS},
}


async def measure(repo: Path, calls: int) -> dict[str, list[float]]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "wicked_platform.tools.mcp"], cwd=str(repo))
    timings: dict[str, list[float]] = {name: [] for name in CALLS}
    async with Client(params) as client:
        for _ in range(calls):
            for name, arguments in CALLS.items():
                start = time.perf_counter()
                result = await client.call_tool(name, arguments)
                timings[name].append((time.perf_counter() - start) * 1000)
                if result.is_error:
                    raise SystemExit(f"{name} failed: {result.content[0].text}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20)
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = bundled_scenarios_dir() / "checkout-timeout"
        built = build_scenario(load_scenario(folder), folder, Path(tmp) / "s")
        timings = anyio.run(measure, built.repo, ns.calls)
    print(f"{'tool':28} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
    everything = []
    for name, values in timings.items():
        warm = sorted(values[1:]) or values
        everything += warm
        p95 = warm[min(len(warm) - 1, int(len(warm) * 0.95))]
        print(f"{name:28} {values[0]:9.1f} {statistics.median(warm):8.1f} {p95:8.1f}")
    print(f"{'all tools (warm)':28} {'':9} {statistics.median(everything):8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
