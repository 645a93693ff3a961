"""Which way a setting moved, read against the symptom: what raising it eases.

A memory limit raised from 256Mi to 512Mi is no cause of an OutOfMemoryError, and reverting it would
bring the errors back harder; a pool raised from 10 to 50 does not exhaust the pool. Each row names a
kind of setting (by the words of its key), the symptoms raising it eases (each with a real line and its
source), and how its values are measured, so `256Mi` and `1Gi`, `30s` and `2m` compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from wicked_platform.tools.changes.models import ConfigValueChange

Unit = Literal["bytes", "duration", "count", "cpu"]


@dataclass(frozen=True)
class Sample:
    """A key of the setting and a real line of the symptom, with where the line comes from."""

    key: str
    symptom: str
    source: str


@dataclass(frozen=True)
class Relief:
    """Raising a `setting` eases `symptom`."""

    name: str
    setting: re.Pattern[str]
    symptom: re.Pattern[str]
    unit: Unit
    samples: tuple[Sample, ...]


RELIEFS: tuple[Relief, ...] = (
    Relief(
        "memory", re.compile(r"\b(?:memory|mem|heap|xmx|mem limit|maxram|max old space size|maxmemory)\b"),
        re.compile(r"OutOfMemory|OOM ?Kill|out of memory|heap space|heap limit|Cannot allocate memory|MemoryError"
                   r"|memory limit (?:exceeded|reached)|OOM command not allowed", re.I),
        "bytes",
        (Sample("spec.template.spec.containers.server.resources.limits.memory",
                "java.lang.OutOfMemoryError: Java heap space",
                "the JVM on a full heap (docs.oracle.com, Troubleshooting Guide: Understand the OutOfMemoryError Exception)"),
         Sample("services.prometheus.deploy.resources.limits.memory",
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
                "Node.js (V8) on a full heap (nodejs.org, Diagnostics: Memory)"),
         Sample("services.redis.command.maxmemory",
                "OOM command not allowed when used memory > 'maxmemory'.",
                "Redis refusing writes at maxmemory under noeviction (redis.io, Key eviction)")),
    ),
    Relief(
        "timeout", re.compile(r"\b(?:timeout|timeouts|deadline)\b"),
        re.compile(r"timed? ?out|timeout|deadline exceeded|ETIMEDOUT", re.I),
        "duration",
        (Sample("readTimeoutMs", "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
                "grpc-go's status for an expired context (pkg.go.dev/google.golang.org/grpc/codes: DeadlineExceeded)"),
         Sample("paymentTimeout", "java.net.SocketTimeoutException: Read timed out",
                "the JDK's socket read timeout (docs.oracle.com, java.net.SocketTimeoutException)")),
    ),
    Relief(
        # The client's own pool: acquiring from it times out. A server refusing connections (`too many
        # connections`, `max_client_conn`) is the opposite story: raising pools is what fills it.
        "pool", re.compile(r"\b(?:pool|pool size|max open conns|max conns|max connections|maximum pool size|max pool size"
                           r"|connection limit)\b"),
        re.compile(r"pool (?:is )?(?:exhausted|full)|pool is probably full|timeout acquiring|acquire (?:a )?connection"
                   r"|Connection is not available, request timed out|QueuePool limit|waiting for (?:a|an available) connection"
                   r"|could not obtain (?:a )?connection|unable to acquire", re.I),
        "count",
        (Sample("spring.datasource.hikari.maximum-pool-size",
                "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                "HikariCP's pool timeout (github.com/brettwooldridge/HikariCP, HikariPool.createTimeoutException)"),
         Sample("pool.max", "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. "
                            "Are you missing a .transacting(trx) call?",
                "knex's pool timeout (github.com/knex/knex, lib/client.js)")),
    ),
    Relief(
        "cpu", re.compile(r"\b(?:cpu|cpus)\b"), re.compile(r"throttl", re.I), "cpu",
        (Sample("resources.limits.cpu", "52% throttling of CPU in namespace shop for container server in pod adservice-7d9",
                "kube-prometheus alert CPUThrottlingHigh (runbooks.prometheus-operator.dev/runbooks/kubernetes/cputhrottlinghigh)"),),
    ),
)


def setting_words(key: str) -> str:
    """`maxOpenConns` -> `max open conns`, `limits.memory` -> `limits memory`: a key as words, for the rows' patterns."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return " ".join(re.findall(r"[a-z0-9]+", spaced.lower()))


def _setting(change: ConfigValueChange) -> str:
    """The words of what the change set: a manifest's resource (`limits.memory`) or the key's last parts."""
    if change.place is not None and change.place.resource:
        return setting_words(change.place.resource)
    return setting_words(".".join(change.key.split(".")[-2:]))


def eased_by(change: ConfigValueChange, symptom: str) -> Relief | None:
    """The row by which `change` eases `symptom`: it raised a setting whose raising relieves it."""
    return _moved(change, symptom, raised=True)


def worsened_by(change: ConfigValueChange, symptom: str) -> Relief | None:
    """The row by which `change` explains `symptom`: it lowered a setting whose lowering brings it on."""
    return _moved(change, symptom, raised=False)


def _moved(change: ConfigValueChange, symptom: str, *, raised: bool) -> Relief | None:
    words = _setting(change)
    for relief in RELIEFS:
        if relief.setting.search(words) and relief.symptom.search(symptom):
            before, after = magnitude(change.before, relief.unit), magnitude(change.after, relief.unit)
            if before is not None and after is not None and before != after and (after > before) == raised:
                return relief
    return None


# Magnitudes --------------------------------------------------------------------------------------

_QUANTITY = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[A-Za-z]*)")
_BYTES = {"": 1, "b": 1, "k": 1024, "kb": 1024, "ki": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2, "mi": 1024**2,
          "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gi": 1024**3, "gib": 1024**3, "t": 1024**4, "tb": 1024**4,
          "ti": 1024**4, "tib": 1024**4}
_SECONDS = {"": 1, "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60,
            "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
            "d": 86400}
_CPU = {"": 1, "m": 1e-3}


def magnitude(value: str | None, unit: Unit) -> float | None:
    """The first quantity in `value` in the row's unit (`-Xmx512m` -> 536870912 bytes, `2m` -> 120 s);
    None when there is none or its unit is not one of the row's. Memory's decimal suffixes (`512M`) are
    read as binary: the direction of a change is all that is compared."""
    match = _QUANTITY.search(value or "")
    if match is None:
        return None
    number, suffix = float(match.group("number")), match.group("unit")
    table = {"bytes": _BYTES, "duration": _SECONDS, "cpu": _CPU, "count": {"": 1}}[unit]
    scale = table.get(suffix if unit == "cpu" else suffix.lower())
    return None if scale is None else number * scale
