"""Every bundled scenario replays through the CLI and meets each of its expectations."""

import pytest
from support.prometheus_server import require_prometheus

from wicked_platform.agents.evaluation import run_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, discover_scenarios

SCENARIOS = discover_scenarios(bundled_scenarios_dir())


@pytest.mark.parametrize("folder", SCENARIOS, ids=[f.name for f in SCENARIOS])
def test_scenario_replays(folder, tmp_path):
    result = run_scenario(folder, tmp_path)
    if result.skipped:  # a scenario with metrics where Prometheus is not installed: never in CI
        require_prometheus()
    assert result.error is None
    failed = [f"{c.field} {c.check} {c.expected!r}: got {c.actual!r}" for c in result.checks if not c.passed]
    assert not failed, "\n".join(failed)
    assert result.checks, "a scenario without expectations proves nothing"
