"""What a scan of log files knows: the vocabulary between the log readers and the analysis."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.timeutil import UtcDatetime


class LogFormat(StrEnum):
    PLAIN = "plain"  # 2024-01-15T14:23:15Z ERROR checkout-api message
    JSON = "json"  # one JSON object a line
    LOGFMT = "logfmt"  # ts=... level=... service=... msg="..."
    SYSLOG_3164 = "syslog-rfc3164"  # <34>Jan 15 14:23:15 host app[12]: message (no year)
    SYSLOG_5424 = "syslog-rfc5424"  # <34>1 2024-01-15T14:23:15Z host app 12 - - message
    ACCESS = "access"  # nginx/apache common or combined: every line is a request, 5xx an error
    UNKNOWN = "unknown"


class LevelClass(StrEnum):
    """Levels folded into the classes the analysis reasons about."""

    ALERT = "alert"  # CRITICAL, FATAL, ALERT, EMERG, PANIC: an error that also pages someone
    ERROR = "error"  # ERROR, ERR, SEVERE; an access-log 5xx
    WARNING = "warning"  # WARN, WARNING
    OTHER = "other"  # INFO, DEBUG, NOTICE, TRACE, or no level at all


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LogFileStats(Frozen):
    """One file read: how much of it was understood. Never silently dropped data."""

    path: str
    format: LogFormat
    lines: int = Field(description="physical lines read")
    parsed: int = Field(description="lines with a timestamp in the file's format")
    continuation: int = Field(0, description="stack-trace and other continuation lines joined to the line above")
    unparsed: int = Field(0, description="lines neither parsed nor continuation")
    outside_window: int = Field(0, description="parsed lines outside --since/--until")
    first_at: UtcDatetime | None = None
    last_at: UtcDatetime | None = None
    error: str | None = Field(None, description="why the file could not be read, when it could not")


class SignatureStats(Frozen):
    """Messages of one service and level grouped by their masked text."""

    service: str
    level: str = Field(description="the level as written, upper-cased (ERROR, WARN, CRITICAL, 5XX for access logs)")
    level_class: LevelClass
    signature: str = Field(description="the message with ids, numbers, UUIDs, hex and IPs masked as <*>")
    count: int
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    example: str = Field(description="the first message with this signature, as written")


class SignaturePoint(Frozen):
    """Count of one error/warning signature in one second: the raw series the rates are built from."""

    at: UtcDatetime
    service: str
    signature: str
    level_class: LevelClass
    count: int


class RequestPoint(Frozen):
    """Requests and failed (5xx) requests of one service in one second, from access logs."""

    at: UtcDatetime
    service: str
    requests: int
    errors: int


class LogEvent(Frozen):
    """A line worth a timeline row on its own: deploys, alerts, circuit breakers, recoveries."""

    at: UtcDatetime
    service: str
    level: str
    message: str


class LogScan(Frozen):
    """Everything the analysis needs from the logs, aggregated; the lines themselves stay on disk."""

    files: list[LogFileStats]
    level_counts: dict[str, int] = Field(description="lines by level class across all files")
    service_counts: dict[str, int] = Field(
        default_factory=dict, description="error, warning and alert lines by service"
    )
    signatures: list[SignatureStats] = Field(description="error, alert and warning signatures")
    points: list[SignaturePoint] = Field(description="per-second counts of those signatures")
    requests: list[RequestPoint] = Field(default_factory=list, description="per-second request counts, access logs only")
    events: list[LogEvent] = Field(description="deploy, alert, circuit-breaker and recovery lines, oldest first")
    events_truncated: bool = False
    start: UtcDatetime | None = Field(None, description="first parsed timestamp in the window")
    end: UtcDatetime | None = Field(None, description="last parsed timestamp in the window")

    @property
    def empty(self) -> bool:
        return self.start is None
