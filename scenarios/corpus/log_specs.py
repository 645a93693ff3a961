"""Request logs for each service: format, volume (full or sampled), baseline noise, incident window.

The lines themselves come from the scenario log generator (`scenarios/generate.py`), whose writers
cover plain, access, JSON, logfmt, syslog and log4j; this module only decides what each service's
log looks like.
"""

from __future__ import annotations

import random
from datetime import datetime

from wicked_platform.scenarios.generate import IncidentSpec, LogGeneratorSpec
from wicked_platform.scenarios.model import LogSpec

LOG_FORMATS = ("plain", "access", "json", "logfmt", "syslog", "log4j")
# Formats whose lines carry the application's message. Saturation is only visible in what the service
# says (queue full, pool exhausted): an access log alone shows 5xx and nothing a person could tell
# saturation by, so a saturated service always has one of these.
MESSAGE_FORMATS = tuple(f for f in LOG_FORMATS if f != "access")
SAMPLE_SHARE = 0.1  # a sampled log keeps one request in ten, as request-log sampling commonly does
OK_MESSAGES = ["Handled request REQ-{n} in {n}us", "GET /v1/items/{n} 200", "Served request REQ-{n} from cache"]
NOISE_MESSAGES = ["Client closed connection before response for REQ-{n}", "Validation failed for request REQ-{n}"]
PATHS = ["GET /v1/items/{n}", "POST /v1/orders", "GET /v1/health", "GET /v1/items?page={n}"]


def request_log(rng: random.Random, service: str, start: datetime, end: datetime, requests_per_minute: float,
                sampled: bool, baseline_error_rate: float, incident: IncidentSpec | None,
                formats: tuple[str, ...] = LOG_FORMATS) -> tuple[LogSpec, str]:
    """One service's log (and the format drawn for it, one of `formats`)."""
    fmt = rng.choice(formats)
    spec = LogGeneratorSpec(
        format=fmt, seed=rng.randint(1, 10**9), start=start, end=end, services=[service],
        lines_per_minute=requests_per_minute * (SAMPLE_SHARE if sampled else 1.0),
        baseline_error_rate=baseline_error_rate, messages=OK_MESSAGES, error_messages=NOISE_MESSAGES, paths=PATHS,
        incident=incident, logger=f"com.example.{service.replace('-', '')}.Api",
    )
    suffix = "access.log" if fmt == "access" else "log"
    return LogSpec(path=f"logs/{service}.{suffix}", generate=spec), fmt


def incident_window(at: datetime, service: str, error_rate: float, messages: list[str]) -> IncidentSpec:
    return IncidentSpec(at=at, service=service, error_rate=error_rate, messages=messages,
                        statuses=[500, 503] if "503" not in " ".join(messages) else [503])
