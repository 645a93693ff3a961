"""What a scan of log files knows: the vocabulary between the log readers and the analysis."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from wicked_platform.tools.timeutil import UtcDatetime, from_epoch_us


class LogFormat(StrEnum):
    PLAIN = "plain"  # 2024-01-15T14:23:15Z ERROR checkout-api message
    JSON = "json"  # one JSON object a line
    LOGFMT = "logfmt"  # ts=... level=... service=... msg="..."
    SYSLOG_3164 = "syslog-rfc3164"  # <34>Jan 15 14:23:15 host app[12]: message (no year)
    SYSLOG_5424 = "syslog-rfc5424"  # <34>1 2024-01-15T14:23:15Z host app 12 - - message
    ACCESS = "access"  # nginx/apache common or combined: every line is a request, 5xx an error
    STAMPED = "stamped"  # a stamp of the catalogue (stamp_shapes.py) at a sniffed place, a level where the file keeps it
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
    warning: str | None = Field(None, description="what was repaired to read it: a gzip stream cut short, over-long lines cut")
    first_unread: str | None = Field(None, description="the first line in no layout it knows, as written (of its first lines)")
    binary: bool = Field(False, description="the file is not text (an image, an archive)")
    services: list[str] = Field(default_factory=list, description=(
        "the services its lines in the window name (a line naming none is its file's): the time this file "
        "covers is time in which those services were observed"))

    @property
    def unread_share(self) -> float:
        """The share of its lines not understood: all of them for a file not read or not text."""
        return 1.0 if self.error is not None or self.binary else self.unparsed / self.lines if self.lines else 0.0


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
    stack: list[str] = Field(default_factory=list, description=(
        "the lines under the example that continue it (stack frames, `Caused by`, a traceback), as written; "
        "at most the first 12"))


class SignatureSeries(Frozen):
    """One series of per-second counts: a service's signature at one level class."""

    service: str
    signature: str
    level_class: LevelClass


class SignaturePoint(NamedTuple):
    """Count of one error/warning signature in one second: the raw series the rates are built from.

    A row of PointTable, not a model of its own: a busy log has hundreds of thousands of them, and
    validating each one would cost seconds that the table's columns do not.
    """

    at: datetime
    service: str
    signature: str
    level_class: LevelClass
    count: int


class PointTable(Frozen):
    """Per-second counts of error, alert and warning signatures, as columns keyed into `series`."""

    series: list[SignatureSeries] = []
    seconds: list[int] = Field([], description="epoch seconds (UTC), one per point, ascending")
    keys: list[int] = Field([], description="index into series, one per point")
    counts: list[int] = Field([], description="lines in that second, one per point")

    @model_validator(mode="after")
    def _aligned(self) -> PointTable:
        if not len(self.seconds) == len(self.keys) == len(self.counts):
            raise ValueError("seconds, keys and counts must have one entry per point")
        if self.keys and not 0 <= min(self.keys) <= max(self.keys) < len(self.series):
            raise ValueError("a key points past the series")
        return self

    @classmethod
    def from_points(cls, points: Iterable[SignaturePoint]) -> PointTable:
        """The table of some points, summed per second and series, in (second, series) order."""
        totals: dict[tuple[int, SignatureSeries], int] = {}
        for point in points:
            series = SignatureSeries(service=point.service, signature=point.signature, level_class=point.level_class)
            second = int(point.at.timestamp())
            totals[(second, series)] = totals.get((second, series), 0) + point.count
        series = sorted({s for _, s in totals}, key=lambda s: (s.service, s.signature, s.level_class.value))
        index = {s: i for i, s in enumerate(series)}
        rows = sorted((second, index[s], n) for (second, s), n in totals.items())
        return cls(series=series, seconds=[r[0] for r in rows], keys=[r[1] for r in rows], counts=[r[2] for r in rows])

    def rows(self) -> list[SignaturePoint]:
        moments = {sec: from_epoch_us(sec * 1_000_000) for sec in set(self.seconds)}
        series = [(s.service, s.signature, s.level_class) for s in self.series]
        return [SignaturePoint(moments[sec], *series[key], count)
                for sec, key, count in zip(self.seconds, self.keys, self.counts, strict=True)]


class PointColumns:
    """A point table's columns as numpy arrays, seconds ascending. Equal when their values are: a
    LogScan compares its cached columns with another's (a bare array would not say True or False)."""

    def __init__(self, seconds: np.ndarray, keys: np.ndarray, counts: np.ndarray) -> None:
        self.seconds, self.keys, self.counts = seconds, keys, counts  # epoch seconds, series keys, counts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PointColumns) and all(
            np.array_equal(mine, theirs) for mine, theirs in
            ((self.seconds, other.seconds), (self.keys, other.keys), (self.counts, other.counts)))

    __hash__ = None  # type: ignore[assignment]  # equal by value, and mutable arrays


class SeriesColumns(NamedTuple):
    """A point table's series as columns: the distinct services, each series' service (an index into them),
    whether it counts errors, and each series' service and signature by key. Equal when their values are,
    as PointColumns: a LogScan compares its cached columns with another's."""

    services: tuple[str, ...]
    position: dict[str, int]
    service_of: np.ndarray
    is_error: np.ndarray
    series_services: tuple[str, ...]
    series_signatures: tuple[str, ...]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, SeriesColumns) and self.services == other.services
                and self.series_services == other.series_services and self.series_signatures == other.series_signatures
                and np.array_equal(self.service_of, other.service_of) and np.array_equal(self.is_error, other.is_error))

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # equal by value, and mutable arrays


class RequestPoint(Frozen):
    """Requests and failed (5xx) requests of one service in one second, from access logs."""

    at: UtcDatetime
    service: str
    requests: int
    errors: int


class LatencySeries(Frozen):
    """Durations of one service's lines, or of one of its routes (`route` None: all of them)."""

    service: str
    route: str | None = None


class LatencyTable(Frozen):
    """Durations read from the lines (duration_shapes): quantiles per minute computed by DuckDB over every
    line, and a bounded sample of the durations themselves, for the rank test at a candidate onset."""

    series: list[LatencySeries] = []
    minutes: list[int] = Field([], description="epoch seconds of each point's minute")
    keys: list[int] = Field([], description="index into series, one per point")
    counts: list[int] = Field([], description="lines with a duration in that minute")
    p50: list[float] = Field([], description="milliseconds, one per point")
    p95: list[float] = []
    p99: list[float] = []
    sample_seconds: list[int] = Field([], description="epoch seconds of each sampled duration (all services' lines)")
    sample_services: list[str] = Field([], description="the service of each sampled duration")
    sample_routes: list[str | None] = Field([], description="the route of each sampled duration, where lines name one")
    sample_ms: list[float] = Field([], description="the sampled durations, milliseconds")
    sample_limit: int = Field(0, description="durations sampled per service at most; a service with more is sampled "
                                             "deterministically (by a hash of each line's second and value)")

    @model_validator(mode="after")
    def _aligned(self) -> LatencyTable:
        if not len(self.minutes) == len(self.keys) == len(self.counts) == len(self.p50) == len(self.p95) == len(self.p99):
            raise ValueError("minutes, keys, counts and quantiles must have one entry per point")
        if not len(self.sample_seconds) == len(self.sample_services) == len(self.sample_routes) == len(self.sample_ms):
            raise ValueError("the sample's columns must have one entry per duration")
        return self


class RouteSeries(Frozen):
    """One route of one service's request lines (route_shapes: ids masked)."""

    service: str
    route: str


class RouteTable(Frozen):
    """Requests and failed (5xx) requests of each service's routes, per bucket of time: counted by DuckDB over
    every request line (route_counts.py), kept for a bounded number of routes per service."""

    series: list[RouteSeries] = []
    bucket_seconds: int = Field(1, description="the width of a bucket: 1 unless the window and routes are too many")
    starts: list[int] = Field([], description="epoch seconds of each point's bucket")
    keys: list[int] = Field([], description="index into series, one per point")
    requests: list[int] = []
    errors: list[int] = []
    routes_seen: dict[str, int] = Field({}, description="per service, the distinct routes its request lines named")

    @model_validator(mode="after")
    def _aligned(self) -> RouteTable:
        if not len(self.starts) == len(self.keys) == len(self.requests) == len(self.errors):
            raise ValueError("starts, keys, requests and errors must have one entry per point")
        return self


class LogEvent(Frozen):
    """A line worth a timeline row on its own: deploys, alerts, circuit breakers, recoveries."""

    at: UtcDatetime
    service: str
    level: str
    message: str
    line: str | None = Field(None, description=(
        "the whole line, where it holds more than the message: a JSON or logfmt line's fields beside its `msg` "
        "(`event=deploy msg=\"deploy started\" version=v5.3.0`) say what the message alone does not"))


class WindowChoice(Frozen):
    """The period investigated when the log files lie far apart in time (see investigation_window.py)."""

    start: UtcDatetime
    end: UtcDatetime
    reason: str = Field(description="why this period: nearest --since/--until, around the deploys, the latest")
    left_out: list[str] = Field(description="the files of the other periods, as given, in input order")
    periods: int
    note: str = Field(description="the report's note: the period, why, and the files left out")


class LogScan(Frozen):
    """Everything the analysis needs from the logs, aggregated; the lines themselves stay on disk."""

    files: list[LogFileStats]
    level_counts: dict[str, int] = Field(description="lines by level class across all files")
    service_counts: dict[str, int] = Field(
        default_factory=dict, description="error, warning and alert lines by service"
    )
    signatures: list[SignatureStats] = Field(description="error, alert and warning signatures")
    point_table: PointTable = Field(default_factory=PointTable, description="per-second counts of those signatures")
    requests: list[RequestPoint] = Field(default_factory=list, description="per-second request counts, access logs only")
    latency: LatencyTable = Field(default_factory=LatencyTable, description="durations the lines say they took")
    routes: RouteTable = Field(default_factory=RouteTable, description="requests and failures per route, request lines only")
    events: list[LogEvent] = Field(description="deploy, alert, circuit-breaker and recovery lines, oldest first")
    events_truncated: bool = False
    start: UtcDatetime | None = Field(None, description="first parsed timestamp in the window")
    end: UtcDatetime | None = Field(None, description="last parsed timestamp in the window")
    since: UtcDatetime | None = Field(None, description="the window's lower bound (--since), when one was given")
    until: UtcDatetime | None = Field(None, description="the window's upper bound (--until), when one was given")
    window: WindowChoice | None = Field(None, description=(
        "the period investigated, when the files hold several far apart in time; None when they hold one"))

    @cached_property
    def points(self) -> list[SignaturePoint]:
        """The point table as rows, oldest first, made once per scan."""
        return self.point_table.rows()

    @cached_property
    def point_columns(self) -> PointColumns:
        """The point table as numpy columns, made once per scan."""
        table = self.point_table
        seconds = np.array(table.seconds, dtype=np.int64)
        order = np.argsort(seconds, kind="stable")  # the scan writes them in order; a table built by hand may not be
        return PointColumns(seconds[order], np.array(table.keys, dtype=np.int64)[order],
                            np.array(table.counts, dtype=np.int64)[order])

    @cached_property
    def files_by_service(self) -> dict[str, list[int]]:
        """Per service, the indexes of the files whose lines name it: asked once per service and test, made once."""
        index: dict[str, list[int]] = {}
        for position, file in enumerate(self.files):
            for service in file.services:
                index.setdefault(service, []).append(position)
        return index

    @cached_property
    def series_columns(self) -> SeriesColumns:
        """The point table's series as columns, made once: every service's rates ask for them."""
        series = self.point_table.series
        services = tuple(sorted({s.service for s in series}))
        position = {service: i for i, service in enumerate(services)}
        return SeriesColumns(
            services=services, position=position,
            service_of=np.array([position[s.service] for s in series], dtype=np.int64),
            # ERROR_CLASSES of analysis/error_points.py: the classes whose lines are errors.
            is_error=np.array([s.level_class in (LevelClass.ERROR, LevelClass.ALERT) for s in series], dtype=bool),
            series_services=tuple(s.service for s in series), series_signatures=tuple(s.signature for s in series))

    @property
    def empty(self) -> bool:
        return self.start is None
