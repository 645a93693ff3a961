"""`wicked-platform eval`: build each scenario, investigate it, and grade the report field by field."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.scenarios.build import BuiltScenario, build_scenario
from wicked_platform.scenarios.model import Check, discover_scenarios, load_scenario
from wicked_platform.scenarios.prometheus import (
    PrometheusUnavailable, last_sample_at, local_prometheus, missing_binaries,
)
from wicked_platform.tools.report import IncidentReport
from wicked_platform.tools.timeutil import iso_z

_MISSING = object()


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    check: str
    expected: Any
    actual: Any
    passed: bool


class ScenarioResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    passed: bool
    checks: list[CheckResult]
    recommendation: str | None
    false_rollback: bool
    seconds: float
    error: str | None = None
    skipped: str | None = Field(None, description="why the scenario could not run here (not a failure)")
    input_tokens: int | None = Field(None, description="fresh input tokens (uncached and cache writes); model agents only")
    output_tokens: int | None = None
    cost_usd: float | None = None


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: str
    scenarios: list[ScenarioResult]
    scenarios_passed: int
    scenarios_skipped: int = 0
    checks_passed: int
    checks_total: int
    false_rollbacks: int
    seconds: float
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = Field(None, description="estimated, at list prices; null when any scenario's is unknown")


def field_value(document: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(document, list) and part.isdigit():
            document = document[int(part)] if int(part) < len(document) else _MISSING
        elif isinstance(document, dict):
            document = document.get(part, _MISSING)
        else:
            return _MISSING
        if document is _MISSING:
            return _MISSING
    return document


def grade(check: Check, actual: Any, built: BuiltScenario) -> bool:
    kind, expected = check.kind, check.value
    if kind == "absent":
        return actual is None or actual is _MISSING
    if actual is _MISSING:
        return False
    if kind == "equals":
        return actual == expected
    if kind == "one_of":
        return actual in expected
    if kind == "contains":
        return (isinstance(actual, str) and str(expected) in actual) or (isinstance(actual, list) and expected in actual)
    if kind == "superset":
        return isinstance(actual, list) and all(item in actual for item in expected)
    if kind == "range":
        return isinstance(actual, int | float) and expected[0] <= actual <= expected[1]
    if kind == "not_commit_subject":
        return actual != built.sha_by_subject.get(expected)
    if kind == "length":
        return hasattr(actual, "__len__") and len(actual) == expected
    if kind == "min_length":
        return hasattr(actual, "__len__") and len(actual) >= expected
    raise ValueError(f"unknown check {kind!r}")


def investigate(built: BuiltScenario, state_dir: Path, agent: str,
                extra: list[str] = ()) -> tuple[int, io.StringIO, io.StringIO]:
    """Run `wicked-platform incident` on a built scenario, as a user would: (exit status, stdout, stderr)."""
    from wicked_platform.agents.cli import main as cli_main  # the CLI is what users run; grade that

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        os.chdir(built.repo)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli_main(["incident", built.description, *built.args, *extra, "--format", "json", "--agent", agent,
                               "--state-dir", str(state_dir)])
    finally:
        os.chdir(previous)
    return status, out, err


def run_scenario(folder: Path, workdir: Path, agent: str = "offline") -> ScenarioResult:
    started = time.perf_counter()
    scenario = load_scenario(folder)
    if scenario.metrics and (why := missing_binaries()):
        return ScenarioResult(name=folder.name, title=scenario.title, passed=False, checks=[], recommendation=None,
                              false_rollback=False, seconds=0.0, skipped=f"its metrics need a local Prometheus: {why}")
    built = build_scenario(scenario, folder, workdir / folder.name)
    with contextlib.ExitStack() as stack:
        extra: list[str] = []
        if built.metrics is not None:
            try:
                url = stack.enter_context(local_prometheus(workdir / f"{folder.name}.tsdb", [built.metrics]))
            except PrometheusUnavailable as exc:
                return ScenarioResult(name=folder.name, title=scenario.title, passed=False, checks=[],
                                      recommendation=None, false_rollback=False, error=str(exc),
                                      seconds=round(time.perf_counter() - started, 3))
            extra = ["--prometheus", url]
            # A replay runs as of its story: with no logs to set the window, it ends where the metrics do, as
            # an investigation during the incident would end at its now.
            if not built.logs and not {"--since", "--until"} & set(built.args):
                if (until := last_sample_at(built.metrics)) is not None:
                    extra += ["--until", iso_z(until)]
        status, out, err = investigate(built, workdir / f"{folder.name}.state", agent, extra)
    seconds = round(time.perf_counter() - started, 3)
    if status != 0:
        return ScenarioResult(name=folder.name, title=scenario.title, passed=False, checks=[], recommendation=None,
                              false_rollback=False, seconds=seconds, error=err.getvalue().strip() or f"exit {status}")
    report = IncidentReport.model_validate_json(out.getvalue())
    document = json.loads(out.getvalue())
    checks = []
    for path, check in scenario.expect.items():
        actual = field_value(document, path)
        checks.append(CheckResult(field=path, check=check.kind, expected=check.value,
                                  actual=None if actual is _MISSING else actual, passed=grade(check, actual, built)))
    expected_rec = scenario.expect.get("rollback_decision.recommendation")
    recommendation = report.rollback_decision.recommendation
    false_rollback = recommendation == "ROLLBACK" and expected_rec is not None and not grade(expected_rec, recommendation, built)
    usage = report.usage
    return ScenarioResult(
        name=folder.name, title=scenario.title, passed=all(c.passed for c in checks), checks=checks,
        recommendation=recommendation, false_rollback=false_rollback, seconds=seconds,
        input_tokens=usage.input_tokens + usage.cache_creation_input_tokens if usage else None,
        output_tokens=usage.output_tokens if usage else None, cost_usd=usage.estimated_cost_usd if usage else None,
    )


def evaluate(root: Path, agent: str = "offline", only: str | None = None, progress=lambda _: None) -> Scorecard:
    started = time.perf_counter()
    folders = [f for f in discover_scenarios(root) if only is None or f.name == only]
    results = []
    with tempfile.TemporaryDirectory(prefix="wicked-platform-eval-") as tmp:
        for folder in folders:
            progress(f"{folder.name}…")
            results.append(run_scenario(folder, Path(tmp), agent))
    checks = [c for r in results for c in r.checks]
    modelled = [r for r in results if r.input_tokens is not None]
    costs = [r.cost_usd for r in modelled]
    return Scorecard(
        agent=agent, scenarios=results, scenarios_passed=sum(r.passed for r in results),
        scenarios_skipped=sum(r.skipped is not None for r in results),
        checks_passed=sum(c.passed for c in checks), checks_total=len(checks),
        false_rollbacks=sum(r.false_rollback for r in results), seconds=round(time.perf_counter() - started, 3),
        input_tokens=sum(r.input_tokens or 0 for r in modelled) if modelled else None,
        output_tokens=sum(r.output_tokens or 0 for r in modelled) if modelled else None,
        cost_usd=round(sum(costs), 6) if costs and None not in costs else None,
    )


def scorecard_markdown(card: Scorecard) -> str:
    lines = ["## Scenario scorecard", "", "| Scenario | Result | Checks | Recommendation | Time |",
             "|----------|--------|--------|----------------|------|"]
    for r in card.scenarios:
        ok = sum(c.passed for c in r.checks)
        result = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
        lines.append(f"| {r.name} | {result} | {ok}/{len(r.checks)} | "
                     f"{r.recommendation or '—'} | {r.seconds:.2f} s |")
    lines += ["", f"**{card.scenarios_passed}/{len(card.scenarios)} scenarios passed**, "
              f"{card.checks_passed}/{card.checks_total} checks, {card.false_rollbacks} false ROLLBACKs, "
              f"{card.seconds:.1f} s ({card.agent} agent)"]
    if card.scenarios_skipped:
        lines[-1] += f"; {card.scenarios_skipped} skipped"
    if card.input_tokens is not None:
        cost = "cost unknown" if card.cost_usd is None else f"est. ${card.cost_usd:.4f}"
        lines[-1] += f"; {card.input_tokens:,} input tokens, {card.output_tokens:,} output, {cost}"
    for r in card.scenarios:
        failed = [c for c in r.checks if not c.passed]
        if r.skipped:
            lines += ["", f"### {r.name}", f"- skipped: {r.skipped}"]
        if r.error or failed:
            lines += ["", f"### {r.name}"]
            if r.error:
                lines.append(f"- error: {r.error}")
            for c in failed:
                lines.append(f"- `{c.field}` {c.check} {json.dumps(c.expected)}: got {json.dumps(c.actual)}")
    return "\n".join(lines) + "\n"
