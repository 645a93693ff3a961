"""Risen signals as pictures in the markdown report: a sparkline across the window, the deploy and onset marked."""

from __future__ import annotations

from support.built import build

from wicked_platform.agents.cli import main
from wicked_platform.agents.sparklines import BARS, GAP, sparkline


def test_sparkline_scales_from_least_to_greatest_and_shows_gaps():
    assert sparkline([0.06, None, 0.06, 1.0]) == BARS[0] + GAP + BARS[0] + BARS[-1]
    assert sparkline([0.5, 0.5]) == BARS[0] * 2
    assert sparkline([None, None]) == GAP * 2


def test_the_latency_scenario_draws_its_signals_with_the_deploy_before_the_onset(tmp_path, monkeypatch, capsys):
    built = build("latency-after-deploy", tmp_path / "built")
    monkeypatch.chdir(built.repo)
    assert main(["incident", built.description, *built.args, "--state-dir", str(tmp_path / "state")]) == 0
    text = capsys.readouterr().out
    block = text.split("### Signals\n```text\n", 1)[1].split("```", 1)[0].splitlines()
    spark, marks = block[0], block[1]
    assert spark.startswith("checkout-api p95 latency ") and "→" in spark and "×" in spark
    # 90 minutes in 2-minute bars from 13:30: the rollout (done 14:20:05) and the onset (14:20:40) share bar 25.
    start = next(i for i, c in enumerate(spark) if c in BARS + GAP)
    assert marks.strip() == "*" and marks.index("*") - start == 25
    assert spark[start + 24] == BARS[0] and spark[start + 26] in BARS[4:]  # flat before it, high after
    assert "D deploy of checkout-api v2.5.0 (14:18:20–14:20:05)" in text


def test_a_report_without_risen_signals_has_no_pictures(tmp_path, monkeypatch, capsys):
    built = build("noise-only", tmp_path / "built")
    monkeypatch.chdir(built.repo)
    assert main(["incident", built.description, *built.args, "--state-dir", str(tmp_path / "state")]) == 0
    assert "### Signals" not in capsys.readouterr().out
