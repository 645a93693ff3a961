"""The incident report: the contract's JSON, field for field. `wicked-platform schema` publishes it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wicked_platform.tools.changes.models import ConfigValueChange
from wicked_platform.tools.timeutil import UtcDatetime

SCHEMA_VERSION = 1

Severity = Literal["SEV1", "SEV2", "SEV3", "SEV4"]
Status = Literal["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"]
Confidence = Literal["HIGH", "MEDIUM", "LOW", "NONE"]
Likelihood = Literal["HIGH", "MEDIUM", "LOW"]
TimelineKind = Literal["deploy", "change", "error_onset", "error", "warning", "alert", "recovery", "note"]
DeploySource = Literal["log", "git", "deploys-file", "kubernetes", "argocd", "helm", "github", "prometheus"]
# Where a --deploys record came from: the project's own records, or what a deploy system printed.
RecordSource = Literal["deploys-file", "kubernetes", "argocd", "helm", "github"]
Recommendation = Literal["ROLLBACK", "HOTFIX", "DISABLE_FEATURE", "SCALE", "MONITOR"]
CriterionId = Literal[
    "error_rate_10x_baseline", "critical_user_path", "deploy_correlation", "no_quick_mitigation", "revenue_threshold"
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Symptom(Model):
    signature: str = Field(description="message with ids and numbers masked as <*>")
    service: str
    level: str
    count: int
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    example: str
    stack: list[str] = Field(default_factory=list, description=(
        "the lines under the example that continue it in the log (stack frames, `Caused by`), at most 12"))


class TimelineEvent(Model):
    at: UtcDatetime
    service: str | None
    kind: TimelineKind
    event: str
    count: int = Field(1, description="lines this row stands for (a burst compressed into one row)")


class Deploy(Model):
    service: str
    version: str | None
    at: UtcDatetime = Field(description="when the deploy started, where a start event exists")
    completed_at: UtcDatetime | None = None
    commit: str | None = Field(description="40-hex sha, or null when no commit could be matched")
    subject: str | None = None
    source: DeploySource


class DeployRef(Model):
    service: str
    version: str | None
    at: UtcDatetime
    commit: str | None


class RootCause(Model):
    summary: str
    service: str
    commit: str | None
    subject: str | None
    file: str | None
    change: ConfigValueChange | None
    evidence: list[str]


class Correlation(Model):
    confidence: Confidence
    deploy: DeployRef | None
    lag_seconds: int | None = Field(description="seconds from the deploy (its completion when known) to the onset")
    rate_ratio: float | None = Field(description="after/before error rate; null when not computable")
    p_value: float | None = Field(description="one-sided exact test of the rise; null when not computable")
    evidence: list[str]


class Hypothesis(Model):
    rank: int
    title: str
    likelihood: Likelihood
    evidence: list[str]
    next_check: str


class RouteErrorRate(Model):
    """One route's requests before and since the onset, counted in the request lines of one service."""

    service: str
    route: str = Field(description="the request's path with its values masked (`/cart/:id/items`), no query string")
    requests_before: int
    failed_before: int = Field(description="5xx answers before the onset")
    requests_after: int
    failed_after: int = Field(description="5xx answers since the onset")
    error_rate: float | None = Field(description="failed_after / requests_after; null without requests since the onset")
    baseline_error_rate: float | None = Field(description="failed_before / requests_before; null without requests before")
    p_value: float | None = Field(description=(
        "one-sided Fisher exact test that the route fails more since the onset than before (its own requests before, "
        "else all of the service's), Bonferroni-adjusted for the routes compared; null when nothing was before"))


class BlastRadius(Model):
    services: list[str] = Field(description="direct + cascade")
    direct: list[str]
    cascade: list[str]
    critical_path: bool
    error_rate: float | None
    baseline_error_rate: float | None
    affected_users: int | None
    revenue_per_hour: float | None = Field(description="revenue at risk per hour")
    notes: list[str]
    routes: list[RouteErrorRate] = Field(default_factory=list, description=(
        "the routes of the service whose error rate is given, most failed requests since the onset first, at most five "
        "(the worst route always among them); empty when its request lines name no route"))
    worst_route: RouteErrorRate | None = Field(None, description=(
        "the route failing worst since the onset: its rise is significant (p_value < 0.01) and the 95% lower "
        "confidence bound of its error rate is the highest, so a route failing on a handful of requests does not "
        "outrank one failing on hundreds; null when no route's rise is significant"))


class RollbackCriterion(Model):
    id: CriterionId
    met: bool | None = Field(description="null when the evidence to decide is missing")
    evidence: str


CommandRole = Literal["workload", "namespace", "container", "variable", "value", "resource", "commit", "configmap"]


class CommandPart(Model):
    """One name in a command and the evidence that it exists."""

    role: CommandRole
    name: str = Field(description="as it appears in the command: `deployment/checkout-api`, `PAYMENT_TIMEOUT`, `5000`")
    source: str = Field(description="where it comes from: the context file's field, a manifest's line, code that "
                                    "reads it, the logs")


class RollbackDecision(Model):
    recommendation: Recommendation
    reason: str = ""
    criteria: list[RollbackCriterion]
    command: str | None
    alternative: str | None
    verification: list[str]
    command_parts: list[CommandPart] = Field(default_factory=list, description="where each name in `command` comes from")
    alternative_parts: list[CommandPart] = Field(default_factory=list,
                                                 description="where each name in `alternative` comes from")
    notes: list[str] = Field(default_factory=list, description="why a command or alternative is null, or was not the "
                                                               "obvious one (a name without evidence makes no command)")


SignalKind = Literal[
    "error_rate", "latency_p50", "latency_p95", "latency_p99", "cpu", "memory", "restarts", "saturation"
]
SignalSource = Literal["prometheus", "logs"]


class Signal(Model):
    """One per-service series the investigation measured (contract "Metrics"): before and after its onset, or
    across the window's halves when it has none. Log-derived and Prometheus-derived signals share this shape, so
    the judgment reads them alike."""

    service: str
    route: str | None = Field(None, description="the request route the series is of (ids masked); null: all of "
                                                "the service's requests")
    kind: SignalKind
    source: SignalSource
    unit: str = Field(description="what before/after are in: `ratio`, `seconds`, `bytes`, `cores`, `count`")
    before: float | None = Field(description="the baseline before the onset; null when not measurable")
    after: float | None = Field(description="the level after the onset; null when not measurable")
    ratio: float | None = Field(description="after/before; null when before is 0 or unknown")
    onset: UtcDatetime | None = Field(description="where the series rose; null when it did not")
    p_value: float | None = Field(description="the exact test of the rise (a rank test for durations); null when "
                                              "none applies")
    query: str | None = Field(description="the PromQL asked, for a Prometheus signal; null for logs")
    series: list[float | None] = Field(default_factory=list, description=(
        "the series across the window in at most 60 equal steps (null where no data), for the sparkline"))
    series_start: UtcDatetime | None = None
    series_step_seconds: int | None = None


class LogInput(Model):
    path: str
    format: str
    lines: int
    unparsed: int


class LogGroup(Model):
    """Log files of one service under one directory, counted together (a directory of thousands of pod logs)."""

    directory: str = Field(description="the deepest directory that holds all of the group's files")
    service: str = Field(description="the service their lines name (several joined by `, `; empty: none read)")
    formats: list[str]
    files: int
    lines: int
    unparsed: int
    unread_files: int = Field(description="files of the group mostly not understood or not read (named in `logs`)")


class InputSummary(Model):
    """What was read, so a reader can judge what the report could and could not see."""

    repo: str | None
    context: str | None
    deploys: list[str] = Field(default_factory=list, description="the deploys files read, in the order given")
    logs: list[LogInput] = Field(default_factory=list)

    @field_validator("deploys", mode="before")
    @classmethod
    def _one_file_or_none(cls, value: object) -> object:
        """An investigation saved before --deploys repeated names one file, or none."""
        return [] if value is None else [value] if isinstance(value, str) else value
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    tz: str = "UTC"
    log_start: UtcDatetime | None = None
    log_end: UtcDatetime | None = None
    commits_read: int = 0
    prometheus: str | None = Field(None, description="the Prometheus-compatible API asked for metrics, if any")
    prometheus_error: str | None = Field(None, description="why Prometheus could not be read, when it could not")
    unread: list[str] = Field(default_factory=list, description=(
        "log files mostly not understood (more than half their lines), each with its count and first unread line"))
    left_out: list[str] = Field(default_factory=list, description=(
        "log files of another period, far apart in time from the one investigated (see the notes): read, "
        "but none of their lines is in the investigation"))
    log_files: int | None = Field(None, description="how many log files were read (`logs` may list fewer)")
    log_groups: list[LogGroup] = Field(default_factory=list, description=(
        "past a bound of files, the files grouped by directory and service; the printed report's `logs` then "
        "lists only the files not fully understood, and the saved investigation keeps every file"))
    omitted: dict[str, int] = Field(default_factory=dict, description=(
        "entries left out of a list of this summary to bound the printed report, by list (`logs`, `left_out`, "
        "`unread`); the saved investigation holds them all"))


class PhaseAnalysis(Model):
    """What one phase established, in words: the model's when it ran and its words held up, else the engine's."""

    phase: Literal["symptoms", "timeline", "correlation", "blast_radius", "mitigation"]
    summary: str
    by: Literal["model", "engine"]


class ModelUsage(Model):
    """What the model cost this investigation. Input tokens are those processed fresh (uncached input and
    cache writes); cache reads are counted apart, as they are billed at a tenth."""

    model: str
    requests: int = 0
    input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    estimated_cost_usd: float | None = Field(None, description="at list prices; null for a model without a known price")


class IncidentReport(Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    incident_id: str
    title: str
    description: str
    summary: str = Field("", description="two sentences a responder reads first")
    severity: Severity
    severity_reasons: list[str]
    status: Status
    started_at: UtcDatetime | None
    detected_at: UtcDatetime | None
    duration_seconds: int | None = Field(None, description="onset to the last log line read")
    symptoms: list[Symptom]
    timeline: list[TimelineEvent]
    deploys: list[Deploy]
    root_cause: RootCause | None
    correlation: Correlation
    hypotheses: list[Hypothesis]
    signals: list[Signal] = Field(default_factory=list, description=(
        "per-service error rate, latency, resource and restart signals, from the logs and Prometheus"))
    blast_radius: BlastRadius
    rollback_decision: RollbackDecision
    follow_up: list[str]
    lessons: list[str]
    notes: list[str] = Field(default_factory=list, description="what could not be determined, and why")
    inputs: InputSummary | None = None
    agent: str = Field("offline", description="which agent produced the report")
    analysis: list[PhaseAnalysis] = Field(default_factory=list, description="what each phase established, in words")
    usage: ModelUsage | None = Field(None, description="model tokens and cost; null for the offline agent")


class RollbackAnswer(Model):
    """`incident --rollback-decision --format json`."""

    incident_id: str
    rollback_decision: RollbackDecision
    reevaluated: bool = Field(False, description="the criteria were evaluated again on the saved inputs as they are now")
    note: str | None = Field(None, description="how this answer relates to the saved one, when it differs or could not be checked")
    explanation: str | None = Field(None, description="the model's words on the engine's decision, when a model was asked")
    explained_by: str | None = None
