"""Every bundled scenario replays through the CLI and meets each of its expectations."""

import pytest
from support.replays import assert_replayed

from wicked_platform.agents.evaluation import run_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, discover_scenarios

SCENARIOS = discover_scenarios(bundled_scenarios_dir())


@pytest.mark.parametrize("folder", SCENARIOS, ids=[f.name for f in SCENARIOS])
def test_scenario_replays(folder, tmp_path):
    assert_replayed(run_scenario(folder, tmp_path))
