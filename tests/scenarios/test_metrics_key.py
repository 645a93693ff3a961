"""`metrics:` in scenario.yaml: backfilled into a real Prometheus and given to the incident as --prometheus;
skipped, naming the package, where prometheus and promtool are not installed."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import yaml
from support.metric_incidents import series, write_logs
from support.prometheus_server import require_prometheus

from wicked_platform.agents import cli
from wicked_platform.agents.evaluation import evaluate
from wicked_platform.scenarios.model import ScenarioError, load_scenario


def scenario_folder(tmp_path, **overrides):
    folder = tmp_path / "scenarios" / "slow-checkout"
    folder.mkdir(parents=True)
    write_logs(folder, ("checkout-api", "cart"))
    (folder / "series.om").write_text(series())
    spec = {
        "title": "checkout slow after a rollout only Prometheus saw",
        "description": "checkout is slow",
        "repo": {"commits": [{"message": "Initial", "date": "2024-01-14T09:00:00Z", "files": {"README.md": "shop\n"}}]},
        "logs": [{"path": "app.log", "file": "app.log"}],
        "context": {"services": {"checkout-api": {"namespace": "shop"}}},
        "args": ["--log", "app.log"],
        "metrics": "series.om",
        "expect": {"rollback_decision.recommendation": {"equals": "ROLLBACK"},
                   "deploys.0.source": {"equals": "prometheus"},
                   "signals": {"min_length": 4}},
        **overrides,
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def test_eval_backfills_the_metrics_and_passes_prometheus(tmp_path):
    require_prometheus()
    folder = scenario_folder(tmp_path)
    card = evaluate(folder.parent)
    (result,) = card.scenarios
    assert result.error is None and result.skipped is None
    assert result.passed, [c for c in result.checks if not c.passed]


def test_eval_without_prometheus_skips_naming_the_package(tmp_path, monkeypatch, capsys):
    folder = scenario_folder(tmp_path)
    only_git = tmp_path / "bin"
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(only_git))
    code = cli.main(["eval", str(folder.parent), "--format", "json"])
    out, err = capsys.readouterr()
    card = json.loads(out)
    assert code == 0 and card["scenarios_skipped"] == 1 and card["scenarios"][0]["passed"] is False
    assert "the Debian package `prometheus`" in card["scenarios"][0]["skipped"]
    assert "slow-checkout skipped" in err and os.environ["PATH"] == str(only_git)


def test_scenario_rejects_metrics_without_eof(tmp_path):
    folder = scenario_folder(tmp_path)
    (folder / "series.om").write_text(series().replace("# EOF\n", ""))
    with pytest.raises(ScenarioError, match=r"metrics: series.om does not end with `# EOF`"):
        load_scenario(folder)


def test_scenario_rejects_metrics_outside_its_folder(tmp_path):
    folder = scenario_folder(tmp_path, metrics="../series.om")
    with pytest.raises(ScenarioError, match="must be a relative path inside the folder"):
        load_scenario(folder)
