"""A real Prometheus on 127.0.0.1 holding backfilled series: for scenarios with `metrics:`, the tests and the bench.

OpenMetrics text (ending `# EOF`) is written into TSDB blocks by `promtool tsdb create-blocks-from
openmetrics`, then `prometheus` serves them from a temporary data directory on a free port, with a
retention long enough for series stamped years ago. Both binaries ship in Debian's `prometheus` package.
The process is ours alone: started here, stopped here by its own handle.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from contextlib import contextmanager
from pathlib import Path

PACKAGE_HINT = "the Debian package `prometheus` (apt-get install prometheus) provides prometheus and promtool"
READY_TIMEOUT_SECONDS = 60.0
CONFIG = "global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\nscrape_configs: []\n"


class PrometheusUnavailable(RuntimeError):
    """prometheus or promtool is not installed, or the server would not start; the message says which."""


def missing_binaries() -> str | None:
    """Why a local Prometheus cannot run here, or None when it can."""
    missing = [name for name in ("prometheus", "promtool") if shutil.which(name) is None]
    return f"{' and '.join(missing)} not on PATH: {PACKAGE_HINT}" if missing else None


def last_sample_at(openmetrics: Path) -> datetime | None:
    """When the newest sample of an OpenMetrics file was taken (each sample line ends `value timestamp`); None
    when no line carries a timestamp."""
    newest = None
    with openmetrics.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            try:
                stamp = float(line.rsplit(None, 1)[-1])
            except ValueError:
                continue
            newest = stamp if newest is None else max(newest, stamp)
    return datetime.fromtimestamp(newest, UTC) if newest is not None else None


def backfill(openmetrics: Path, data_dir: Path) -> None:
    """Write the series of one OpenMetrics file into TSDB blocks under data_dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(data_dir)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise PrometheusUnavailable(f"promtool could not backfill {openmetrics.name}: {last[:300]}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_prometheus(data_dir: Path, openmetrics: list[Path] = ()) -> Iterator[str]:
    """Backfill `openmetrics` into data_dir (already backfilled blocks are kept), serve it, yield the base URL."""
    if why := missing_binaries():
        raise PrometheusUnavailable(why)
    for path in openmetrics:
        backfill(path, data_dir)
    config = data_dir.parent / f"{data_dir.name}.prometheus.yml"
    config.write_text(CONFIG)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (data_dir.parent / f"{data_dir.name}.prometheus.log").open("w")
    server = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
         f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y",
         "--query.lookback-delta=5m"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url, server, data_dir)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_ready(url: str, server: subprocess.Popen, data_dir: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PrometheusUnavailable(f"prometheus exited with status {server.returncode} before it was ready "
                                        f"(see {data_dir.name}.prometheus.log beside {data_dir})")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise PrometheusUnavailable(f"prometheus at {url} was not ready in {READY_TIMEOUT_SECONDS:g} s")
