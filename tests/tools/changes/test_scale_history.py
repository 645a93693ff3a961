"""Scale guards for git: a repository of thousands of commits is read within the --since/--until
window and the commit limit, and its diffs within their bound. The work is counted (commits parsed,
diffs read), never timed. The repository is written by `git fast-import` in well under a second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
from mcp import Client
from support.git_repos import GitRepo

from wicked_platform.agents.offline import InvestigationRequest, engine_report
from wicked_platform.tools import investigation
from wicked_platform.tools.changes import git_history
from wicked_platform.tools.changes.git_history import read_history
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.mcp.server import build_server

COMMITS = 6000
START = datetime(2023, 1, 1, tzinfo=UTC)
STEP = timedelta(hours=2)  # 6000 commits: 2023-01-01 to 2024-05-15
SINCE, UNTIL = datetime(2024, 1, 15, 14, tzinfo=UTC), datetime(2024, 1, 15, 15, tzinfo=UTC)


def committed_between(low: datetime, high: datetime) -> int:
    return sum(1 for i in range(COMMITS) if low <= START + i * STEP <= high)


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory) -> Path:
    repo = GitRepo(tmp_path_factory.mktemp("big") / "repo")
    repo.fast_import(COMMITS, start=START, step=STEP)
    (repo.path / "logs").mkdir()
    errors = "".join(f"2024-01-15T14:3{s // 10}:{s % 10}0Z ERROR api Retry budget exhausted for call {s}\n" for s in range(60))
    calm = "".join(f"2024-01-15T14:{m:02d}:00Z INFO api served\n" for m in range(0, 30))
    (repo.path / "logs" / "api.log").write_text(calm + errors)
    return repo.path


def test_the_whole_history_stops_at_the_commit_limit(big_repo):
    history = read_history(big_repo)
    assert len(history.commits) == 5000 and history.truncated
    assert history.commits[0].subject == f"chore(api): tune retryDelay to {COMMITS}"


def test_a_window_reads_only_its_commits(big_repo):
    history = read_history(big_repo, since=SINCE - timedelta(days=1), until=UNTIL)
    assert len(history.commits) == committed_between(SINCE - timedelta(days=1), UNTIL) == 13
    assert not history.truncated
    assert all(SINCE - timedelta(days=1) <= c.committed_at <= UNTIL for c in history.commits)


def test_an_investigation_bounded_by_since_and_until_reads_commits_and_diffs_within_bounds(big_repo, monkeypatch):
    parsed: list[int] = []
    diffs: list[str] = []
    original_parse, original_diff = git_history._parse_log, investigation.commit_diff
    monkeypatch.setattr(git_history, "_parse_log", lambda raw, *rest: parsed.append(raw.count(b"\x1e")) or original_parse(raw, *rest))
    monkeypatch.setattr(investigation, "commit_diff", lambda repo, sha, **kw: diffs.append(sha) or original_diff(repo, sha, **kw))
    report = engine_report(InvestigationRequest(description="api errors", repo=big_repo, logs=[big_repo / "logs" / "api.log"],
                                                context=IncidentContext(), since=SINCE, until=UNTIL))
    window = committed_between(SINCE - investigation.COMMIT_LOOKBACK, UNTIL + investigation.COMMIT_SLACK)
    assert report.inputs.commits_read == window < COMMITS / 10
    assert parsed[0] == window  # git itself left out the commits outside the window: they were never parsed
    assert len(diffs) <= investigation.MAX_DIFFS
    assert all(len(d.subject or "") < 200 for d in report.deploys)
    assert not any("only the newest" in n for n in report.notes)


def test_without_a_window_the_limit_holds_and_the_report_says_so(big_repo):
    report = engine_report(InvestigationRequest(description="api errors", repo=big_repo, logs=[big_repo / "logs" / "api.log"],
                                                context=IncidentContext()))
    assert report.inputs.commits_read == 5000
    assert any("only the newest 5000 commits were read" in n for n in report.notes)


def test_deploy_history_answers_a_bounded_list(big_repo):
    async def go():
        async with Client(build_server([big_repo])) as client:
            return await client.call_tool("deploy_history", {"logs": ["logs/"], "limit": 30,
                                                             "since": "2024-01-15T14:00:00Z", "until": "2024-01-15T15:00:00Z"})

    result = anyio.run(go)
    assert not result.is_error, result.content
    answer = result.structured_content
    assert len(answer["commits"]) == 30 and answer["truncated"]
    assert answer["commits_total"] == committed_between(SINCE - investigation.COMMIT_LOOKBACK, UNTIL + investigation.COMMIT_SLACK)


def test_one_huge_diff_is_read_no_further_than_its_bound(tmp_path):
    repo = GitRepo(tmp_path / "vendored")
    repo.commit("Initial", {"README.md": "x\n"})
    sha = repo.commit("vendor: everything", {f"vendor/lib{i}.js": f"export const v{i} = {i};\n" * 2000 for i in range(40)})
    diff = git_history.commit_diff(repo.path, sha, max_chars=5000)
    assert diff.truncated and len(diff.diff) < 5000 + 200
    assert len(diff.config_changes) == git_history.MAX_CONFIG_CHANGES
