"""Scale guards for the logs: a directory of thousands of files is read in bounded work and answered
in bounded size. No timing assertions: the work is counted (queries run one file at a time) and the
sizes are measured.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import anyio
import pytest
from mcp import Client

from wicked_platform.agents.offline import InvestigationRequest, engine_report
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs import scan as scan_module
from wicked_platform.tools.logs.coverage import MAX_FILE_NOTES
from wicked_platform.tools.logs.discovery import expand_log_args
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.mcp.server import MAX_FILES, build_server

FILES = 3000


@pytest.fixture(scope="module")
def pod_logs(tmp_path_factory) -> Path:
    """`logs/<node>/<pod>.log`, as a cluster's log dump lays them out: 3000 files, some gzip, every
    tenth with a line no format reads; checkout-api starts failing at 14:30."""
    root = tmp_path_factory.mktemp("pods")
    for index in range(FILES):
        service = ("checkout-api", "payment-service", "user-service")[index % 3]
        lines = [f"2024-01-15T14:{minute:02d}:{index % 60:02d}Z INFO {service} request served" for minute in range(0, 40, 5)]
        if service == "checkout-api" and index % 2 == 0:
            lines += [f"2024-01-15T14:3{second % 10}:{second:02d}Z ERROR {service} Payment timeout for order ORD-{index}"
                      for second in range(0, 60, 20)]
        if index % 10 == 0:
            lines.append("-- journal rotated --")
        text = "\n".join(lines) + "\n"
        target = root / "logs" / f"node-{index % 25:02d}" / f"{service}-{index:04d}.log"
        target.parent.mkdir(parents=True, exist_ok=True)
        if index % 7 == 0:
            target.with_name(target.name + ".gz").write_bytes(gzip.compress(text.encode(), mtime=0))
        else:
            target.write_text(text)
    return root


def test_thousands_of_files_are_read_in_batches_not_one_query_each(pod_logs, monkeypatch):
    paths = expand_log_args([str(pod_logs / "logs")], pod_logs)
    assert len(paths) == FILES
    alone: list[Path] = []
    original = scan_module._read_file
    monkeypatch.setattr(scan_module, "_read_file", lambda con, workdir, file_id, path, *rest: (
        alone.append(path), original(con, workdir, file_id, path, *rest))[1])
    scan = scan_logs(paths)
    assert alone == []  # every file shared a query with others of its layout
    assert len(scan.files) == FILES and all(f.error is None for f in scan.files)
    assert sum(f.unparsed for f in scan.files) == FILES // 10
    timeouts = next(s for s in scan.signatures if s.signature == "Payment timeout for order <*>")
    assert timeouts.count == 3 * len([i for i in range(FILES) if i % 3 == 0 and i % 2 == 0])
    assert len(scan.signatures) < 10  # thousands of files, a handful of signatures


def test_the_report_on_thousands_of_files_keeps_its_notes_short(pod_logs):
    paths = expand_log_args([str(pod_logs / "logs")], pod_logs)
    report = engine_report(InvestigationRequest(description="checkout errors", repo=None, logs=paths, context=IncidentContext()))
    assert report.started_at is not None and "checkout-api" in report.blast_radius.direct
    file_notes = [n for n in report.notes if "lines not understood" in n or "lines not read" in n]
    assert len(file_notes) == MAX_FILE_NOTES + 1
    assert file_notes[-1].startswith(f"... and {FILES // 10 - MAX_FILE_NOTES} more files")
    assert len(report.timeline) < 50 and len(report.symptoms) < 20


def test_read_logs_over_thousands_of_files_answers_in_bounded_size(pod_logs):
    async def go():
        async with Client(build_server([pod_logs])) as client:
            return await client.call_tool("read_logs", {"logs": ["logs/"], "top": 200})

    result = anyio.run(go)
    assert not result.is_error
    summary = result.structured_content
    assert summary["files_total"] == FILES and len(summary["files"]) == MAX_FILES and summary["truncated"]
    assert len(json.dumps(summary)) < 64_000
