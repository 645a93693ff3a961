"""A latency regression with no error rise is an incident of its own, on shapes other than the bundled
scenario's nginx log: JSON lines with `duration_ms` (no HTTP status, INFO lines only) after a pool change, and
a PostgreSQL log with `log_min_duration_statement` read without any history; and steady latency is none."""

from __future__ import annotations

import json
import random
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wicked_platform.agents.offline import InvestigationRequest, investigate
from wicked_platform.tools.context import IncidentContext

START = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}


def _git(repo: Path, *args: str, date: datetime | None = None) -> None:
    env = dict(GIT_ENV)
    if date is not None:
        env |= {"GIT_AUTHOR_DATE": date.isoformat(), "GIT_COMMITTER_DATE": date.isoformat()}
    subprocess.run(["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-C", str(repo), *args],
                   check=True, env=env, capture_output=True)


def _orders_repo(repo: Path) -> None:
    """orders-api: its DB pool cut from 20 to 2 in v1.8.0, committed and tagged at 09:40."""
    (repo / "services/orders-api").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    config = repo / "services/orders-api/config.yaml"
    config.write_text("database:\n  pool_size: 20\n  statement_timeout_ms: 3000\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "Initial orders-api", date=START - timedelta(days=2))
    config.write_text("database:\n  pool_size: 2\n  statement_timeout_ms: 3000\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "chore(orders-api): Trim idle database connections", date=START + timedelta(minutes=40))
    _git(repo, "tag", "orders-api-v1.8.0")


def _json_lines(path: Path, slow_from: timedelta | None, factor: float = 10.0) -> None:
    rng = random.Random(11)
    lines = []
    for second in range(0, 5400, 3):
        at = START + timedelta(seconds=second)
        slow = slow_from is not None and at >= START + slow_from
        took = round(rng.lognormvariate(3.7, 0.25) * (factor if slow else 1), 1)
        lines.append(json.dumps({"time": at.isoformat().replace("+00:00", "Z"), "level": "info", "service": "orders-api",
                                 "msg": "order placed", "route": f"/orders/{rng.randint(10000, 99999)}",
                                 "duration_ms": took}))
    path.write_text("\n".join(lines) + "\n")


def _investigate(repo: Path | None, logs: list[Path], description: str):
    return investigate(InvestigationRequest(description=description, repo=repo, repo_dir=repo, logs=logs,
                                            context=IncidentContext()))


def test_json_durations_after_a_pool_cut_give_the_cause_and_a_rollback(tmp_path):
    repo = tmp_path / "repo"
    _orders_repo(repo)
    log = tmp_path / "orders-api.log"
    _json_lines(log, slow_from=timedelta(minutes=41, seconds=30))
    report = _investigate(repo, [log], "orders are slow to place")
    assert report.started_at is not None and abs(report.started_at - (START + timedelta(minutes=41, seconds=30))) <= timedelta(seconds=10)
    assert report.root_cause is not None and report.root_cause.change is not None
    assert (report.root_cause.change.key, report.root_cause.change.after) == ("database.pool_size", "2")
    assert report.correlation.confidence in ("HIGH", "MEDIUM")
    assert report.rollback_decision.recommendation == "ROLLBACK"
    assert any(step.startswith("Verify p95 latency of orders-api is back under") for step in report.rollback_decision.verification)
    assert report.severity in ("SEV2", "SEV3")
    p95 = next(s for s in report.signals if s.kind == "latency_p95" and s.route is None)
    assert 7 < p95.ratio < 14 and p95.source == "logs"
    assert "p95 latency of orders-api rose" in report.summary.lower()
    # Users and revenue count failures; a slowdown leaves them unknown, with no failure estimate left beside it.
    assert report.blast_radius.affected_users is None
    assert not any(n.startswith("affected_users estimated") for n in report.blast_radius.notes)


def test_steady_durations_are_no_incident(tmp_path):
    repo = tmp_path / "repo"
    _orders_repo(repo)
    log = tmp_path / "orders-api.log"
    _json_lines(log, slow_from=None)
    report = _investigate(repo, [log], "orders are slow to place")
    assert report.started_at is None and report.root_cause is None
    assert report.rollback_decision.recommendation == "MONITOR"
    assert all(s.onset is None for s in report.signals)


def test_a_postgres_duration_log_without_history_names_the_slowdown(tmp_path):
    rng = random.Random(5)
    lines = []
    for second in range(0, 3600, 4):
        at = START + timedelta(seconds=second)
        took = rng.lognormvariate(2.5, 0.3) * (30 if second >= 1800 else 1)
        lines.append(f"{at:%Y-%m-%d %H:%M:%S}.{second % 1000:03d} UTC [{4000 + second % 7}] LOG:  duration: "
                     f"{took:.3f} ms  statement: SELECT * FROM orders WHERE customer_id = {rng.randint(1, 999)}")
    log = tmp_path / "postgresql.log"
    log.write_text("\n".join(lines) + "\n")
    report = _investigate(None, [log], "database queries are slow")
    assert report.started_at is not None and abs(report.started_at - (START + timedelta(seconds=1800))) <= timedelta(seconds=30)
    assert report.blast_radius.direct == ["postgresql"]
    assert report.root_cause is None
    assert report.rollback_decision.recommendation == "HOTFIX"  # nothing to undo: fix forward
    assert "p95 latency of postgresql rose" in report.rollback_decision.reason
