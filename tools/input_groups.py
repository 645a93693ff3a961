"""The report's account of the log files read, bounded: thousands of pod logs are counted in groups.

A directory of 5,000 pod logs (one per pod and restart, as the kubelet leaves them under
/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log) listed file by file made a report of a megabyte, of
which the responder reads none. Past GROUP_PAST files, the files are grouped by service and the directory
that holds them, with counts; the files not fully understood are still named one by one (bounded too).

The saved investigation keeps every file: `--rollback-decision` reads the same files again from it.
Only the printed report is bounded (`for_output`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from wicked_platform.tools.logs.coverage import MOSTLY_UNREAD, mostly_unread
from wicked_platform.tools.logs.models import LogFileStats
from wicked_platform.tools.report import IncidentReport, InputSummary, LogGroup

GROUP_PAST = 50  # more log files than this are grouped
MAX_GROUPS = 50  # groups listed; the smallest beyond are counted in one
MAX_LISTED = 50  # entries each list of the printed summary keeps (files not understood, files left out)
OTHER_SERVICES = "(other services)"


def _service(file: LogFileStats) -> str:
    return ", ".join(file.services)


def _directory(paths: Sequence[str]) -> str:
    parents = [os.path.dirname(path) or "." for path in paths]
    try:
        return os.path.commonpath(parents) or "."
    except ValueError:  # absolute beside relative paths: no common directory
        return ""


def _group(directory: str, service: str, files: Sequence[LogFileStats]) -> LogGroup:
    unread = mostly_unread(files)
    return LogGroup(directory=directory, service=service, formats=sorted({f.format.value for f in files}),
                    files=len(files), lines=sum(f.lines for f in files), unparsed=sum(f.unparsed for f in files),
                    unread_files=len(unread))


def log_groups(files: Sequence[LogFileStats]) -> list[LogGroup]:
    """The files by service, each group under the deepest directory holding them all, largest first; none
    for GROUP_PAST files or fewer (they are listed one by one)."""
    if len(files) <= GROUP_PAST:
        return []
    by_service: dict[str, list[LogFileStats]] = {}
    for file in files:
        by_service.setdefault(_service(file), []).append(file)
    groups = sorted(((service, members) for service, members in by_service.items()),
                    key=lambda item: (-len(item[1]), item[0]))
    if len(groups) > MAX_GROUPS:
        rest = [file for _, members in groups[MAX_GROUPS - 1 :] for file in members]
        groups = [*groups[: MAX_GROUPS - 1], (OTHER_SERVICES, rest)]
    return [_group(_directory([f.path for f in members]), service, members) for service, members in groups]


def for_output(report: IncidentReport) -> IncidentReport:
    """The report as printed: its inputs bounded (see `bounded_inputs`)."""
    if report.inputs is None:
        return report
    inputs = bounded_inputs(report.inputs)
    return report if inputs is report.inputs else report.model_copy(update={"inputs": inputs})


def bounded_inputs(inputs: InputSummary) -> InputSummary:
    """Where the files were grouped, `logs` names only the files not fully understood, and every list keeps
    at most MAX_LISTED entries; `omitted` counts what was left out. The same summary when nothing is."""
    logs = inputs.logs
    if inputs.log_groups:
        logs = [log for log in logs if log.lines and log.unparsed / log.lines > MOSTLY_UNREAD or log.format == "unknown"]
    lists = {"logs": logs, "left_out": inputs.left_out, "unread": inputs.unread}
    omitted = {name: len(getattr(inputs, name)) - len(kept[:MAX_LISTED]) for name, kept in lists.items()}
    omitted = {name: n for name, n in omitted.items() if n}
    if not omitted:
        return inputs
    return inputs.model_copy(update={**{name: kept[:MAX_LISTED] for name, kept in lists.items()}, "omitted": omitted})
