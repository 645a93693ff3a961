"""Helpers for writing throwaway scenario folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wicked_platform.scenarios.model import bundled_scenarios_dir


@pytest.fixture
def bundled() -> Path:
    return bundled_scenarios_dir()


@pytest.fixture
def write_scenario(tmp_path: Path):
    """write_scenario(mapping or YAML text, {asset name: text}) -> folder holding scenario.yaml and the assets."""

    def write(content: dict | str, assets: dict[str, str] | None = None, name: str = "broken") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        (folder / "scenario.yaml").write_text(text, encoding="utf-8")
        for filename, body in (assets or {}).items():
            (folder / filename).write_text(body, encoding="utf-8")
        return folder

    return write


@pytest.fixture
def minimal():
    """minimal(**overrides) -> the smallest valid scenario mapping, top-level fields replaced."""

    def make(**overrides) -> dict:
        scenario = {
            "title": "t",
            "description": "d",
            "repo": {"commits": [{"message": "Initial", "date": "2024-01-15T09:00:00Z", "files": {"a.txt": "a\n"}}]},
        }
        scenario.update(overrides)
        return scenario

    return make
