"""Whether two checkouts write the same reports: before and after a change that must not change them.

    python benchmarks/compare_reports.py --before OTHER/.venv/bin/python [--after .venv/bin/python]
                                         [--log FILE]... [--out DIR] [--no-scenarios]

Each interpreter (a checkout's own venv, its package installed from that checkout) writes, into a
directory of its own:
- `eval.json`: `wicked-platform eval --format json` on the bundled scenarios, without the seconds each
  took (the only field that is not the same on every run);
- for each bundled scenario, the report in JSON and in markdown, as `wicked-platform incident` prints
  it in the built scenario (the scenario built at the same path for both, so paths in a report agree);
- for each `--log FILE` (the bench files: `bench_logs.py --keep`), the report in JSON and in markdown,
  offline, with `--repo` an empty directory at the same path for both.
Then the files are compared byte for byte, and each difference is listed with its first differing
line. Exit 0 when every file is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FORMATS = ("json", "markdown")


def _without_seconds(document: object) -> object:
    """The eval scorecard without its timings."""
    if isinstance(document, dict):
        return {key: _without_seconds(value) for key, value in document.items() if key != "seconds"}
    if isinstance(document, list):
        return [_without_seconds(item) for item in document]
    return document


def _cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """The CLI in this process, as the evaluator runs it: (exit status, stdout, stderr)."""
    from wicked_platform.agents.cli import main as cli_main

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli_main(args)
    finally:
        os.chdir(previous)
    return status, out.getvalue(), err.getvalue()


def _write(target: Path, status: int, out: str, err: str) -> None:
    target.write_text(out if status == 0 else f"exit {status}\n{out}\n--- stderr\n{err}")


def _emit_scenarios(dest: Path, work: Path) -> None:
    from wicked_platform.agents.evaluation import evaluate
    from wicked_platform.scenarios.build import build_scenario
    from wicked_platform.scenarios.model import discover_scenarios, load_scenario
    from wicked_platform.scenarios.prometheus import local_prometheus, missing_binaries

    root = Path(__file__).resolve().parent.parent / "scenarios"
    with contextlib.redirect_stderr(io.StringIO()):
        card = evaluate(root, "offline")
    (dest / "eval.json").write_text(json.dumps(_without_seconds(card.model_dump(mode="json")), indent=2) + "\n")
    for folder in discover_scenarios(root):
        scenario = load_scenario(folder)
        if scenario.metrics and missing_binaries():
            continue
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        built = build_scenario(scenario, folder, work / folder.name)
        with contextlib.ExitStack() as stack:
            extra: list[str] = []
            if built.metrics is not None:
                extra = ["--prometheus", stack.enter_context(local_prometheus(work / "tsdb", [built.metrics]))]
            for fmt in FORMATS:
                state = work / f"state-{fmt}"
                status, out, err = _cli(["incident", built.description, *built.args, *extra, "--format", fmt,
                                         "--agent", "offline", "--state-dir", str(state)], built.repo)
                if extra:  # the server's port is chosen afresh each run
                    out = out.replace(extra[1], "http://prometheus")
                _write(dest / f"scenario-{folder.name}.{'json' if fmt == 'json' else 'md'}", status, out, err)


def _emit_logs(dest: Path, work: Path, logs: list[Path]) -> None:
    repo = work / "repo"
    for log in logs:
        shutil.rmtree(work, ignore_errors=True)
        repo.mkdir(parents=True)
        for fmt in FORMATS:
            status, out, err = _cli(["incident", "checkout is failing", "--repo", str(repo), "--log", str(log), "--format",
                                     fmt, "--agent", "offline", "--state-dir", str(work / f"state-{fmt}")], repo)
            _write(dest / f"log-{log.name}.{'json' if fmt == 'json' else 'md'}", status, out, err)


def _emit(dest: Path, work: Path, logs: list[Path], scenarios: bool) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if scenarios:
        _emit_scenarios(dest, work)
    _emit_logs(dest, work, logs)


def _first_difference(before: Path, after: Path) -> str:
    old, new = before.read_text().splitlines(), after.read_text().splitlines()
    diff = [line for line in difflib.unified_diff(old, new, lineterm="", n=0) if not line.startswith(("---", "+++", "@@"))]
    return "\n      ".join(line[:200] for line in diff[:4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="the Python of the checkout before the change (required)")
    parser.add_argument("--after", default=sys.executable, help="the Python of the checkout after it (default: this one)")
    parser.add_argument("--log", type=Path, action="append", default=[], help="a log file to compare reports on")
    parser.add_argument("--out", type=Path, help="keep the reports here (default: a temporary directory)")
    parser.add_argument("--no-scenarios", action="store_true", help="only the --log files")
    parser.add_argument("--emit", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.emit:
        _emit(args.emit, args.work, args.log, not args.no_scenarios)
        return
    if not args.before:
        parser.error("--before is required: the Python of the checkout before the change")
    with tempfile.TemporaryDirectory(prefix="compare-reports-") as tmp:
        out = args.out or Path(tmp)
        work = Path(tmp) / "work"  # the same path for both: reports name the files they read
        sides = {"before": args.before, "after": args.after}
        for side, python in sides.items():
            command = [python, __file__, "--emit", str(out / side), "--work", str(work),
                       *(["--no-scenarios"] if args.no_scenarios else []),
                       *[arg for log in args.log for arg in ("--log", str(log.resolve()))]]
            print(f"{side}: {python}", flush=True)
            subprocess.run(command, check=True)
        names = sorted({p.name for side in sides for p in (out / side).iterdir()})
        differing = []
        for name in names:
            before, after = out / "before" / name, out / "after" / name
            if not before.exists() or not after.exists():
                differing.append(f"{name}: only {'after' if after.exists() else 'before'}")
            elif before.read_bytes() != after.read_bytes():
                differing.append(f"{name}: differs\n      {_first_difference(before, after)}")
        print(f"{len(names) - len(differing)} of {len(names)} files identical")
        for line in differing:
            print(f"  {line}")
    raise SystemExit(1 if differing else 0)


if __name__ == "__main__":
    main()
