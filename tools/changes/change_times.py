"""When changes were made: the deploy records' times and the commits'. Of log files far apart in time, the
period these fall in is the one investigated (tools/logs/investigation_window.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.changes.git_history import commit_times


def window_anchors(repo: Path | None, deploy_records: list[DeployRecord] | None) -> list[datetime]:
    """The start and end of every recorded deploy, and the commit time of HEAD's newest commits, in order."""
    times = [moment for record in deploy_records or [] for moment in (record.at, record.completed_at) if moment]
    if repo is not None:
        times += commit_times(repo)
    return sorted(times)
