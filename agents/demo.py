"""`make demo`: build a bundled scenario into a temp dir and investigate it as a user would."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from wicked_platform.agents.cli import main as cli_main
from wicked_platform.scenarios.build import build_scenario
from wicked_platform.scenarios.model import bundled_scenarios_dir, load_scenario


def run(name: str, dest: Path) -> int:
    folder = bundled_scenarios_dir() / name
    built = build_scenario(load_scenario(folder), folder, dest / name)
    print(f"$ cd {built.repo}", file=sys.stderr)
    os.chdir(built.repo)
    args = ["incident", built.description, *built.args, "--agent", "offline"]
    print("$ wicked-platform " + " ".join(repr(a) if " " in a else a for a in args), file=sys.stderr)
    status = cli_main(args)
    if status:
        return status
    print("\n$ wicked-platform incident --rollback-decision", file=sys.stderr)
    return cli_main(["incident", "--rollback-decision"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default="checkout-timeout")
    parser.add_argument("--dest", type=Path, default=None, help="where to build (default: a new temp dir)")
    ns = parser.parse_args()
    dest = ns.dest or Path(tempfile.mkdtemp(prefix="wicked-platform-demo-"))
    return run(ns.scenario, dest)


if __name__ == "__main__":
    sys.exit(main())
