"""Hypothesis settings of the fuzz tests: bounded and repeatable in CI, deeper on request.

CI runs each property on a fixed set of examples (`derandomize`), so a run's time is bounded and a
failure reproduces. `WICKED_PLATFORM_FUZZ_SCALE=20 pytest tests -k fuzz` runs twenty times as many
random examples, for a search before a release.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = float(os.environ.get("WICKED_PLATFORM_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=max(1, round(examples * SCALE)), deadline=None, derandomize=SCALE == 1, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
