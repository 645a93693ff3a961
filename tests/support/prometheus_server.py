"""A real Prometheus for the tests: in CI it must run (a missing package fails), locally a missing one skips."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from wicked_platform.scenarios.prometheus import PrometheusUnavailable, local_prometheus, missing_binaries


def require_prometheus() -> None:
    why = missing_binaries()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the Prometheus tests: {why}")
    pytest.skip(why)


@contextmanager
def serving(tmp: Path, text: str, name: str = "series.om"):
    """Backfill one OpenMetrics text into a fresh data dir under tmp and serve it; yields the URL."""
    require_prometheus()
    source = tmp / name
    source.write_text(text)
    try:
        with local_prometheus(tmp / f"{name}.data", [source]) as url:
            yield url
    except PrometheusUnavailable as exc:
        pytest.fail(str(exc))
