"""Seeded log generator: realistic volume for scenarios without checking megabytes of logs into git.

A spec describes steady traffic (requests per minute per service, a small error baseline) and,
optionally, an incident window in which one service's error rate jumps. Every request is one
line: an INFO line or a 2xx when it succeeds, an ERROR line or a 5xx when it fails. The same
spec always yields the same bytes: each service draws from its own `random.Random` seeded with
`"<seed>:<service>"` (string seeds are hashed with SHA-512, so PYTHONHASHSEED does not matter),
and the per-service streams are merged by time.
"""

from __future__ import annotations

import heapq
import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

# Month names spelled out rather than strftime("%b"), which follows the process locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "shop-mobile/5.12.0 (Android 14)",
)


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentSpec(Spec):
    at: AwareDatetime = Field(description="first failing request; the onset the log shows")
    until: AwareDatetime | None = Field(None, description="recovery: back to the baseline from here (default: never)")
    service: str | None = Field(None, description="the service whose errors rise (default: every service)")
    error_rate: float = Field(ge=0, le=1)
    messages: list[str] = Field(default_factory=list, description="ERROR messages during the incident (plain/json)")
    statuses: list[int] = Field(default_factory=list, description="5xx statuses during the incident (access)")
    stack: list[str] = Field(default_factory=list, description="lines under each incident error: its stack trace (plain, log4j)")
    slowdown: float = Field(1.0, gt=0, description="access with `request_time_ms`: requests take this many times longer")


class LogGeneratorSpec(Spec):
    format: Literal["plain", "access", "json", "logfmt", "syslog", "log4j"]
    seed: int
    start: AwareDatetime
    end: AwareDatetime
    services: list[str] = Field(min_length=1)
    lines_per_minute: float = Field(gt=0, description="requests per minute, per service")
    baseline_error_rate: float = Field(0.0, ge=0, le=1)
    messages: list[str] = Field(["Request completed"], min_length=1, description="INFO lines; `{n}` becomes a number")
    error_messages: list[str] = Field(["Request failed"], min_length=1, description="ERROR lines outside the incident")
    paths: list[str] = Field(["GET /"], min_length=1, description="access: `METHOD /path` requests; `{n}` allowed")
    error_statuses: list[int] = Field([500, 502, 503], min_length=1, description="access: 5xx outside the incident")
    incident: IncidentSpec | None = None
    utc_offset: str | None = Field(
        None, pattern=r"^[+-](?:[01]\d|2[0-3]):[0-5]\d$",
        description="write local time at this offset (`+02:00`) instead of UTC; syslog stamps carry no offset",
    )
    host: str = Field("app-01", pattern=r"^\S+$", description="syslog: the HOSTNAME field")
    logger: str = Field("com.shop.Application", pattern=r"^\S+$", description="log4j: the logger after the level")
    request_time_ms: float | None = Field(
        None, gt=0, description="access: the median request time; each line then ends in nginx's `$request_time "
                                "$upstream_response_time` (seconds), log-normal around it",
    )

    @model_validator(mode="after")
    def _consistent(self) -> LogGeneratorSpec:
        if self.end <= self.start:
            raise ValueError("`end` must be after `start`")
        if self.format == "access" and len(self.services) != 1:
            # An access line has no service field: the file name says whose it is.
            raise ValueError("an access log belongs to one service; list exactly one in `services`")
        for status in self.error_statuses + (self.incident.statuses if self.incident else []):
            if not 500 <= status <= 599:
                raise ValueError(f"error status {status} is not a 5xx")
        incident = self.incident
        if incident is not None:
            if not self.start <= incident.at < self.end:
                raise ValueError("`incident.at` must fall between `start` and `end`")
            if incident.until is not None and incident.until <= incident.at:
                raise ValueError("`incident.until` must be after `incident.at`")
            if incident.service is not None and incident.service not in self.services:
                raise ValueError(f"`incident.service` {incident.service!r} is not one of `services`")
        return self


class Request(NamedTuple):
    """One generated request, before it is written in the spec's format (a tuple: there are millions)."""

    at: float  # Unix seconds: float arithmetic and cached per-second stamps keep volume generation fast
    service: str
    failed: bool
    in_incident: bool


def _incident_window(spec: LogGeneratorSpec, service: str) -> tuple[float, float] | None:
    """[at, until) in Unix seconds when the incident touches `service`, else None."""
    incident = spec.incident
    if incident is None or (incident.service is not None and incident.service != service):
        return None
    until = incident.until.timestamp() if incident.until is not None else float("inf")
    return incident.at.timestamp(), until


def _requests(spec: LogGeneratorSpec, service: str, rng: random.Random) -> Iterator[Request]:
    """A Poisson stream of requests for one service, each failing at the rate in force at its time."""
    per_second = spec.lines_per_minute / 60.0
    window = _incident_window(spec, service)
    incident_rate = spec.incident.error_rate if spec.incident is not None else 0.0
    # The incident opens with a failing request at exactly `incident.at`, so the onset a reader
    # finds is the one the scenario states rather than wherever the next random arrival fell. A slowdown
    # with no errors opens with no failure.
    forced = window[0] if window is not None and incident_rate > 0 else None
    at, end = spec.start.timestamp(), spec.end.timestamp()
    while True:
        at += rng.expovariate(per_second)
        if forced is not None and at >= forced:
            yield Request(forced, service, True, True)
            forced = None
        if at >= end:
            return
        in_incident = window is not None and window[0] <= at < window[1]
        rate = incident_rate if in_incident else spec.baseline_error_rate
        yield Request(at, service, rng.random() < rate, in_incident)


def _fill(template: str, rng: random.Random) -> str:
    return template.replace("{n}", str(rng.randint(1000, 99999))) if "{n}" in template else template


@lru_cache(maxsize=4096)
def _iso_z(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def _nginx_time(second: int) -> str:
    at = datetime.fromtimestamp(second, UTC)
    return f"{at.day:02d}/{MONTHS[at.month - 1]}/{at.year}:{at:%H:%M:%S} +0000"


@lru_cache(maxsize=16)
def _zone(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))


@lru_cache(maxsize=4096)
def _stamp(second: int, offset: str | None, style: str) -> str:
    """One second as `style` writes it: `iso` (Z, or the offset), `nginx`, or `syslog` (RFC 3164)."""
    if offset is None and style == "iso":
        return _iso_z(second)
    if offset is None and style == "nginx":
        return _nginx_time(second)
    at = datetime.fromtimestamp(second, _zone(offset) if offset else UTC)
    if style == "iso":
        return at.isoformat()
    if style == "nginx":
        return f"{at.day:02d}/{MONTHS[at.month - 1]}/{at.year}:{at:%H:%M:%S} {at:%z}"
    return f"{MONTHS[at.month - 1]} {at.day:2d} {at:%H:%M:%S}"  # `Jun  2 14:05:09`: no year, no zone


def _message(spec: LogGeneratorSpec, request: Request, rng: random.Random) -> tuple[str, str]:
    """(level, message) of a plain or JSON line."""
    if not request.failed:
        return "INFO", _fill(rng.choice(spec.messages), rng)
    incident_messages = spec.incident.messages if spec.incident and request.in_incident else []
    return "ERROR", _fill(rng.choice(incident_messages or spec.error_messages), rng)


def _access_line(spec: LogGeneratorSpec, request: Request, rng: random.Random) -> str:
    """nginx `combined`: addr - user [time] "request" status bytes "referer" "agent"."""
    if request.failed:
        incident_statuses = spec.incident.statuses if spec.incident and request.in_incident else []
        status, size = rng.choice(incident_statuses or spec.error_statuses), rng.randint(150, 320)
    else:
        status, size = 200, rng.randint(400, 4800)
    client = f"203.0.113.{rng.randint(1, 254)}"  # TEST-NET-3: documentation addresses, never real clients
    request_line = f"{_fill(rng.choice(spec.paths), rng)} HTTP/1.1"
    line = (
        f'{client} - - [{_stamp(math.floor(request.at), spec.utc_offset, "nginx")}] "{request_line}" {status} {size} "-" '
        f'"{rng.choice(USER_AGENTS)}"'
    )
    if spec.request_time_ms is None:
        return line
    slowdown = spec.incident.slowdown if spec.incident is not None and request.in_incident else 1.0
    seconds = spec.request_time_ms * slowdown * math.exp(rng.gauss(0.0, 0.35)) / 1000
    return f"{line} {seconds:.3f} {max(0.0, seconds - 0.002):.3f}"  # the upstream answered just before nginx did


def _render(spec: LogGeneratorSpec, request: Request, rng: random.Random) -> str:
    if spec.format == "access":
        return _access_line(spec, request, rng)
    level, message = _message(spec, request, rng)
    second = math.floor(request.at)
    if spec.format == "syslog":
        # Facility local0 (16): PRI 134 is informational, 131 an error. One pid per service.
        pri = 16 * 8 + (3 if level == "ERROR" else 6)
        pid = 1000 + int.from_bytes(request.service.encode(), "big") % 30000
        return f"<{pri}>{_stamp(second, spec.utc_offset, 'syslog')} {spec.host} {request.service}[{pid}]: {message}"
    if spec.format == "log4j":
        # `%d{yyyy-MM-dd HH:mm:ss,SSS} [%t] %-5p %c - %m`: local wall time with milliseconds, no zone.
        at = datetime.fromtimestamp(request.at, _zone(spec.utc_offset) if spec.utc_offset else UTC)
        thread = f"http-nio-8080-exec-{rng.randint(1, 20)}"
        line = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} [{thread}] {level:<5} {spec.logger} - {message}"
        return _with_stack(spec, request, line)
    stamp = _stamp(second, spec.utc_offset, "iso")
    if spec.format == "logfmt":
        return f"ts={stamp} level={level.lower()} service={request.service} msg={json.dumps(message)}"
    if spec.format == "json":
        return json.dumps({"timestamp": stamp, "level": level, "service": request.service, "message": message})
    return _with_stack(spec, request, f"{stamp} {level} {request.service} {message}")


def _with_stack(spec: LogGeneratorSpec, request: Request, line: str) -> str:
    """An incident error with its stack trace under it, as the logging library writes one."""
    if request.failed and request.in_incident and spec.incident is not None and spec.incident.stack:
        return "\n".join([line, *spec.incident.stack])
    return line


def _service_lines(spec: LogGeneratorSpec, index: int) -> Iterator[tuple[float, int, str]]:
    service = spec.services[index]
    rng = random.Random(f"{spec.seed}:{service}")
    for request in _requests(spec, service, rng):
        yield request.at, index, _render(spec, request, rng)


def generate_lines(spec: LogGeneratorSpec) -> Iterator[str]:
    """The log's lines in time order (ties broken by the order of `services`), each without its final
    newline; an incident error with a stack trace comes as one string, the trace's lines under it."""
    streams = [_service_lines(spec, i) for i in range(len(spec.services))]
    for _at, _index, line in heapq.merge(*streams):
        yield line


def write_log(spec: LogGeneratorSpec, path: Path) -> None:
    """Stream the log to `path`, so large volumes never sit in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in generate_lines(spec):
            out.write(line + "\n")
