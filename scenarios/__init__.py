"""Scenarios are data: scenario.yaml folders that a builder turns into a git repo, logs and context."""

from wicked_platform.scenarios.build import BuiltScenario, build_scenario
from wicked_platform.scenarios.model import (
    Check, Scenario, ScenarioError, bundled_scenarios_dir, discover_scenarios, load_scenario,
)

__all__ = [
    "BuiltScenario", "Check", "Scenario", "ScenarioError", "build_scenario", "bundled_scenarios_dir",
    "discover_scenarios", "load_scenario",
]
