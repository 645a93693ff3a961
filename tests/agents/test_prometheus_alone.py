"""`incident --prometheus` with no logs: the investigation runs from the metrics, git, the deploys file and the
context, and the latency-only incident gets the same root cause and decision as from its logs alone (issue 19's
acceptance), on a real Prometheus holding the bundled scenario's series."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from support.prometheus_server import require_prometheus

from wicked_platform.agents import cli
from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, load_scenario
from wicked_platform.scenarios.prometheus import local_prometheus

FOLDER = bundled_scenarios_dir() / "latency-after-deploy-prometheus"
WINDOW = ["--since", "2024-03-12T13:30:00Z", "--until", "2024-03-12T15:00:00Z"]


def investigate(repo, capsys, *args):
    previous = os.getcwd()
    try:
        os.chdir(repo)
        code = cli.main(["incident", "Checkout is really slow since this afternoon", "--deploys", "ops/deploys.yaml",
                         "--format", "json", "--agent", "offline", "--state-dir", str(repo.parent / "state"), *args])
    finally:
        os.chdir(previous)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out), err


@pytest.fixture
def built(tmp_path):
    return build_scenario(load_scenario(FOLDER), FOLDER, tmp_path / "built")


def test_the_latency_incident_from_prometheus_alone_gets_the_decision_its_logs_get(built, tmp_path, capsys):
    require_prometheus()
    from_logs, _ = investigate(built.repo, capsys, "--log", "logs/")
    shutil.rmtree(built.repo / "logs")  # nothing under the repo is a log now
    with local_prometheus(tmp_path / "tsdb", [built.metrics]) as url:
        alone, err = investigate(built.repo, capsys, "--prometheus", url, *WINDOW)
    for report in (from_logs, alone):
        assert report["rollback_decision"]["recommendation"] == "ROLLBACK"
        assert report["root_cause"]["change"]["key"] == "CACHE_TTL"
    assert alone["root_cause"]["commit"] == from_logs["root_cause"]["commit"]
    assert alone["rollback_decision"]["command"] == from_logs["rollback_decision"]["command"]
    assert alone["correlation"]["deploy"] == from_logs["correlation"]["deploy"]
    assert {s["source"] for s in alone["signals"]} == {"prometheus"} and alone["signals"][0]["kind"] == "latency_p95"
    assert alone["inputs"]["logs"] == [] and alone["inputs"]["prometheus"] == url
    assert f"No logs were read; Prometheus at {url} answered" in alone["summary"]
    assert "from 2024-03-12 12:30 to 15:00 UTC" in alone["summary"]  # the window with its hour of baseline
    assert any(n.startswith("no logs were read") for n in alone["notes"])
    assert "Read 0 lines" not in alone["summary"] and "warning" not in err


def test_without_logs_or_prometheus_the_command_asks_for_one_of_them(built, capsys):
    shutil.rmtree(built.repo / "logs")
    previous = os.getcwd()
    try:
        os.chdir(built.repo)
        code = cli.main(["incident", "checkout is slow", "--format", "json"])
    finally:
        os.chdir(previous)
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1
    assert "no logs found: pass --log FILE" in err and "or --prometheus URL" in err
