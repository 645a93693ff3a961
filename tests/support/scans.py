"""Build LogScans, commits and histories from a few readable lines, so analysis tests do not depend on
the log readers or on git."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from wicked_platform.tools.changes.models import Commit, CommitDiff, ConfigValueChange, GitHistory
from wicked_platform.tools.logs.models import (
    LevelClass, LogEvent, LogFileStats, LogFormat, LogScan, PointTable, RequestPoint, SignaturePoint, SignatureStats,
)
from wicked_platform.tools.logs.signatures import signature

T0 = datetime(2024, 1, 15, 14, 0, 0, tzinfo=UTC)
CLASSES = {"ERROR": LevelClass.ERROR, "CRITICAL": LevelClass.ALERT, "WARN": LevelClass.WARNING, "INFO": LevelClass.OTHER,
           "5XX": LevelClass.ERROR}  # 5XX: a failed request, as access logs are read
EVENT_WORDS = ("deploy", "circuit", "recover", "alert", "threshold")


def at(minutes: float) -> datetime:
    return T0 + timedelta(seconds=round(minutes * 60))


def make_scan(lines: list[tuple[datetime, str, str, str]], requests: list[RequestPoint] | None = None) -> LogScan:
    """lines: (time, LEVEL, service, message). INFO lines only bound the window."""
    lines = sorted(lines)
    sigs: dict[tuple, list] = {}
    points: dict[tuple, int] = defaultdict(int)
    events = []
    for when, level, service, message in lines:
        cls = CLASSES[level]
        if cls != LevelClass.OTHER:
            key = (service, level, signature(message))
            if key not in sigs:
                sigs[key] = [cls, 0, when, when, message]
            sigs[key][1] += 1
            sigs[key][3] = when
            points[(when, service, signature(message), cls)] += 1
        if cls == LevelClass.ALERT or any(w in message.lower() for w in EVENT_WORDS):
            events.append(LogEvent(at=when, service=service, level=level, message=message))
    stamps = [line[0] for line in lines] + [r.at for r in requests or []]
    return LogScan(
        files=[LogFileStats(path="test.log", format=LogFormat.PLAIN, lines=len(lines), parsed=len(lines))],
        level_counts={},
        signatures=[
            SignatureStats(service=k[0], level=k[1], level_class=v[0], signature=k[2], count=v[1], first_seen=v[2],
                           last_seen=v[3], example=v[4])
            for k, v in sorted(sigs.items())
        ],
        point_table=PointTable.from_points(
            SignaturePoint(at=k[0], service=k[1], signature=k[2], level_class=k[3], count=n) for k, n in points.items()),
        requests=requests or [],
        events=events,
        start=min(stamps) if stamps else None,
        end=max(stamps) if stamps else None,
    )


def commit(sha_char: str, subject: str, when: datetime, services: list[str], files: list[str] | None = None,
           tags: list[str] | None = None) -> Commit:
    return Commit(sha=sha_char * 40, subject=subject, author="Dev", authored_at=when, committed_at=when,
                  files=files or [f"services/{s}/x.ts" for s in services], services=services, tags=tags or [])


def diff_with(c: Commit, *changes: ConfigValueChange) -> CommitDiff:
    return CommitDiff(commit=c, diff="", config_changes=list(changes))


def history(*commits: Commit) -> GitHistory:
    return GitHistory(repo="/repo", commits=sorted(commits, key=lambda c: c.committed_at, reverse=True))


def seed_scan_lines():
    """The seed's error.log as (time, level, service, message)."""
    def t(hms: str) -> datetime:
        return datetime.fromisoformat(f"2024-01-15T{hms}+00:00")

    return [
        (t("14:20:00"), "INFO", "checkout-api", "Deployment checkout-api-v2.4.1 started"),
        (t("14:20:30"), "INFO", "checkout-api", "Deployment checkout-api-v2.4.1 completed"),
        *[(t(f"14:23:{15 + i}"), "ERROR", "checkout-api", f"Payment timeout for order ORD-100{i + 1}") for i in range(6)],
        (t("14:24:00"), "WARN", "payment-service", "High timeout rate from checkout-api"),
        (t("14:24:30"), "ERROR", "checkout-api", "Circuit breaker OPEN for payment-service"),
        (t("14:25:00"), "CRITICAL", "checkout-api", "Checkout failures exceeding threshold"),
    ]
