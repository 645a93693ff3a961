"""What each tool returns: small, self-explanatory models sized for a model's context."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.analysis.rates import Bucket
from wicked_platform.tools.changes.models import Commit, ConfigValueChange
from wicked_platform.tools.logs.models import LogFileStats, SignatureStats
from wicked_platform.tools.report import (
    BlastRadius, Confidence, Deploy, RollbackDecision, Severity, TimelineEvent,
)
from wicked_platform.tools.timeutil import UtcDatetime


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LogSummary(Result):
    """read_logs"""

    status: str = Field(description="found | no_errors | no_data: 'no errors' is never confused with 'unreadable'")
    files: list[LogFileStats] = Field(description="per-file stats, the first 50")
    files_total: int
    start: UtcDatetime | None
    end: UtcDatetime | None
    level_counts: dict[str, int]
    service_counts: dict[str, int]
    signatures: list[SignatureStats] = Field(description="error, alert and warning signatures, most frequent first")
    signatures_total: int
    truncated: bool = Field(description="more signatures or files exist than were returned")


class RateResult(Result):
    """error_rate_ratio"""

    status: str = Field(description="found | no_errors | no_data")
    services: list[str] | None = Field(description="services counted; null = all")
    onset: UtcDatetime | None = Field(description="the change point that makes the rise most significant")
    split: UtcDatetime | None = Field(description="where before/after are divided (the onset unless `at` was given)")
    before_errors: int | None = None
    after_errors: int | None = None
    before_seconds: float | None = None
    after_seconds: float | None = None
    before_requests: int | None = None
    after_requests: int | None = None
    rate_ratio: float | None = Field(None, description="after/before rate; null when there were no errors before")
    p_value: float | None = None
    significant: bool = False
    bucket_seconds: int | None = None
    series: list[Bucket] = Field(default_factory=list, description="errors (and requests) per bucket")


class DeployHistory(Result):
    """deploy_history"""

    deploys: list[Deploy]
    commits: list[Commit] = Field(description="recent commits, newest first")
    commits_total: int
    truncated: bool
    notes: list[str]


class DiffResult(Result):
    """git_diff"""

    commit: Commit
    config_changes: list[ConfigValueChange]
    diff: str
    truncated: bool


class CandidateChange(Result):
    service: str
    version: str | None
    deployed_at: UtcDatetime | None
    commit: str | None
    subject: str | None
    confidence: Confidence
    score: float
    lag_seconds: int | None
    change: ConfigValueChange | None
    feature_flag: bool
    evidence: list[str]


class Correlations(Result):
    """correlate_changes"""

    status: str = Field(description="found | no_errors | no_data")
    onset: UtcDatetime | None
    direct: list[str]
    related: list[str]
    candidates: list[CandidateChange]
    truncated: bool


class RollbackEvaluation(Result):
    """evaluate_rollback_criteria"""

    severity: Severity
    severity_reasons: list[str]
    rollback_decision: RollbackDecision
    note: str = "commands are printed for a human to run; this server runs nothing"


class Timeline(Result):
    """incident_timeline"""

    started_at: UtcDatetime | None
    detected_at: UtcDatetime | None
    timeline: list[TimelineEvent]


class BlastRadiusResult(BlastRadius):
    """blast_radius"""
