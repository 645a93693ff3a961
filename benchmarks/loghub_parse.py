"""How much of the public loghub collection's 2k samples the scan reads, checked against loghub's own
structured CSVs (the same lines taken apart by hand: date, time, level per line).

    python benchmarks/loghub_parse.py LOGHUB_DIR [--format markdown|json]

LOGHUB_DIR holds `<System>/<System>_2k.log` and `<System>/<System>_2k.log_structured.csv` (a checkout of
github.com/logpai/loghub) or the same files flat in one directory. Loghub's licence is for research
use with attribution: its files are read where they lie, never copied into this repository.

For every file, one `scan_logs` of it alone, and:
- parsed: the share of its lines the scan read a timestamp from (every loghub line carries one);
- first/last: whether the scan's first and last timestamps equal the CSV's (to the second; year-less
  layouts are compared without the year, since the file has none);
- errors: error-level lines (ERROR, FATAL, SEVERE, E, crit, ... in the CSV's Level column) against the
  scan's error and alert lines: equal means INFO lines that merely contain the word "error" were not
  counted, and no error line was missed. Systems whose lines carry no level show "-".
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from wicked_platform.tools.logs.levels import is_level_word, level_class
from wicked_platform.tools.logs.models import LevelClass
from wicked_platform.tools.logs.scan import scan_logs

csv.field_size_limit(1 << 24)

# How each system's CSV writes a line's time: the columns, and their strptime format (None: epoch seconds).
TRUTH_TIME: dict[str, tuple[tuple[str, ...], str | None]] = {
    "Android": (("Date", "Time"), "%m-%d %H:%M:%S.%f"),
    "Apache": (("Time",), "%a %b %d %H:%M:%S %Y"),
    "BGL": (("Timestamp",), None),
    "HDFS": (("Date", "Time"), "%y%m%d %H%M%S"),
    "HPC": (("Time",), None),
    "Hadoop": (("Date", "Time"), "%Y-%m-%d %H:%M:%S,%f"),
    "HealthApp": (("Time",), "%Y%m%d-%H:%M:%S:%f"),
    "Linux": (("Month", "Date", "Time"), "%b %d %H:%M:%S"),
    "Mac": (("Month", "Date", "Time"), "%b %d %H:%M:%S"),
    "OpenSSH": (("Date", "Day", "Time"), "%b %d %H:%M:%S"),
    "OpenStack": (("Date", "Time"), "%Y-%m-%d %H:%M:%S.%f"),
    "Proxifier": (("Time",), "%m.%d %H:%M:%S"),
    "Spark": (("Date", "Time"), "%y/%m/%d %H:%M:%S"),
    "Thunderbird": (("Timestamp",), None),
    "Windows": (("Date", "Time"), "%Y-%m-%d %H:%M:%S"),
    "Zookeeper": (("Date", "Time"), "%Y-%m-%d %H:%M:%S,%f"),
}
LETTER_LEVELS = {"V": "TRACE", "D": "DEBUG", "I": "INFO", "W": "WARN", "E": "ERROR", "F": "FATAL", "A": "FATAL"}


def _files(root: Path) -> list[tuple[str, Path, Path | None]]:
    found = []
    for log in sorted(root.rglob("*_2k.log")):
        system = log.name.removesuffix("_2k.log")
        structured = log.with_name(log.name + "_structured.csv")
        found.append((system, log, structured if structured.is_file() else None))
    return found


def _truth(system: str, structured: Path) -> tuple[list[datetime], list[str]]:
    columns, fmt = TRUTH_TIME[system]
    times, levels = [], []
    with structured.open(newline="", encoding="utf-8", errors="replace") as handle:
        for row in csv.DictReader(handle):
            text = " ".join(row[c].strip() for c in columns)
            if fmt is None:
                times.append(datetime.fromtimestamp(int(text), UTC))
            else:
                parsed = datetime.strptime(text, fmt)
                times.append(parsed.replace(year=parsed.year if "%Y" in fmt or "%y" in fmt else 1900, tzinfo=UTC))
            levels.append(row.get("Level", ""))
    return times, levels


def _is_error(level: str) -> bool:
    word = LETTER_LEVELS.get(level, level)
    return level_class(word) in (LevelClass.ERROR, LevelClass.ALERT)


def _same_second(found: datetime | None, expected: datetime, year_less: bool) -> bool:
    if found is None:
        return False
    found = found.replace(microsecond=0)
    expected = expected.replace(microsecond=0)
    if year_less:
        found = found.replace(year=expected.year)
    return found == expected


def measure(root: Path) -> list[dict]:
    rows = []
    for system, log, structured in _files(root):
        scan = scan_logs([log])
        stats = scan.files[0]
        row: dict = {"system": system, "format": stats.format.value, "lines": stats.lines,
                     "parsed": round(stats.parsed / stats.lines, 4) if stats.lines else None}
        if structured is not None and system in TRUTH_TIME:
            times, levels = _truth(system, structured)
            year_less = TRUTH_TIME[system][1] is not None and not any(y in TRUTH_TIME[system][1] for y in ("%Y", "%y"))
            row["first_right"] = _same_second(stats.first_at, min(times), year_less)
            row["last_right"] = _same_second(stats.last_at, max(times), year_less)
            row["first_at"] = stats.first_at.isoformat() if stats.first_at else None
            row["truth_first"] = min(times).isoformat()
            if sum(1 for level in levels if level in LETTER_LEVELS or is_level_word(level)) > len(levels) / 2:
                row["error_lines"] = sum(map(_is_error, levels))
                row["error_lines_read"] = scan.level_counts.get("error", 0) + scan.level_counts.get("alert", 0)
        rows.append(row)
    return rows


def _markdown(rows: list[dict]) -> str:
    out = ["| file | format read | lines | parsed | first/last stamp right | error lines (CSV / read) |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        stamps = "-" if "first_right" not in r else ("yes" if r["first_right"] and r["last_right"] else
                                                       f"no (first {r['first_at']}, CSV {r['truth_first']})")
        errors = f"{r['error_lines']} / {r['error_lines_read']}" if "error_lines" in r else "-"
        parsed = f"{100 * r['parsed']:.1f}%" if r["parsed"] is not None else "-"
        out.append(f"| {r['system']}_2k.log | {r['format']} | {r['lines']} | {parsed} | {stamps} | {errors} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("loghub", type=Path)
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    args = parser.parse_args(argv)
    if not args.loghub.is_dir():
        print(f"{args.loghub}: not a directory (a checkout of github.com/logpai/loghub)", file=sys.stderr)
        return 2
    rows = measure(args.loghub)
    render: Callable[[list[dict]], str] = (lambda r: json.dumps(r, indent=2)) if args.format == "json" else _markdown
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
