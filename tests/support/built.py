"""Bundled scenarios built into temp dirs, for tests that need a real repo and real logs."""

from __future__ import annotations

from pathlib import Path

from wicked_platform.scenarios.build import BuiltScenario, build_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, load_scenario


def build(name: str, dest: Path) -> BuiltScenario:
    folder = bundled_scenarios_dir() / name
    return build_scenario(load_scenario(folder), folder, dest / name)
