"""Lines that wrap another line: what container runtimes and terminals add around an application's own.

Docker's json-file driver (`{"log": "<line>\\n", "stream": "stderr", "time": "..."}`), the Kubernetes CRI
format (`<RFC 3339 time> stdout F <line>`), `docker compose logs` (`cart-1  | <line>`) and
`kubectl logs --prefix [--timestamps]` (`[pod/cart-7d9f8d6b5-x2x4k/app] <time> <line>`). The inner line
is read in its own layout (sniffed from the unwrapped sample); the wrapper's time stands in for an
inner line without one, and the wrapper's service (the compose service, the pod's workload) for an
inner line that names none.

Knowledge as data: each wrapper is a row with its Python unwrapping (for the sniff), its SQL (for
the scan) and a sample, tested on it.
"""

from __future__ import annotations

import json
import re
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.levels import is_level_word
from wicked_platform.tools.logs.sql_text import quote

WrapperKind = Literal["docker-json", "cri", "compose", "kubectl-prefix"]
WRAPPED_SHARE = 0.8  # of the sampled lines, those of one wrapper: the file is written by it

_ISO = formats.ISO_STAMP
_CRI = re.compile(rf"^({_ISO}) (?:stdout|stderr) [FP] ?(.*)$", re.ASCII)
_COMPOSE = re.compile(rf"^([A-Za-z0-9][A-Za-z0-9_.-]*?)[ \t]+\| ?(?:({_ISO}) )?(.*)$", re.ASCII)
_KUBECTL = re.compile(rf"^\[pod/([^/\] ]+)/([^\] ]+)\] (?:({_ISO}) )?(.*)$", re.ASCII)
_KUBECTL_PREFIX = r"^\[pod/([^/\] ]+)/([^\] ]+)\] "  # _KUBECTL's head alone: the stream filter reads no further
# A pod's workload: `checkout-api-7d9f8d6b5-x2x4k` (Deployment: replica set hash, pod suffix),
# `checkout-api-x2x4k` (DaemonSet), `checkout-api-0` (StatefulSet); a compose replica `cart-1`, `cart_1`.
POD_SUFFIX = r"(?:-[a-z0-9]{6,10})?-[a-z0-9]{5}$|-[0-9]+$"
REPLICA_SUFFIX = r"[-_][0-9]+$"


class Unwrapped(NamedTuple):
    line: str
    service: str | None
    stream: str | None = None  # whose output the line is, where the wrapper says: compose's service, a pod's workload/container
    timed: bool = False  # the wrapper gives the line a time (compose -t, kubectl --timestamps, CRI, json-file)


class Wrapper(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: WrapperKind
    sample: str
    inner: str  # the sample's inner line
    source: str


WRAPPERS: tuple[Wrapper, ...] = (
    Wrapper(kind="docker-json",
            sample='{"log":"2024-01-15 14:23:15,101 ERROR [http-nio-8080-exec-3] c.s.CartController - add failed\\n",'
                   '"stream":"stderr","time":"2024-01-15T14:23:15.101861235Z"}',
            inner="2024-01-15 14:23:15,101 ERROR [http-nio-8080-exec-3] c.s.CartController - add failed",
            source="Docker's json-file logging driver (/var/lib/docker/containers/<id>/<id>-json.log)"),
    Wrapper(kind="cri",
            sample='2024-01-15T14:23:15.123456789Z stderr F {"level":"error","ts":1705328595.12,"msg":"add failed"}',
            inner='{"level":"error","ts":1705328595.12,"msg":"add failed"}',
            source="the Kubernetes CRI log format (containerd, CRI-O: /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log)"),
    Wrapper(kind="compose",
            sample="cart-1  | 2024-01-15T14:23:15.123Z ERROR cart Payment timeout for order 1001",
            inner="ERROR cart Payment timeout for order 1001",  # the time is the wrapper's
            source="`docker compose logs` (service-replica, then `|`; `-t` adds a time)"),
    Wrapper(kind="kubectl-prefix",
            sample="[pod/checkout-api-7d9f8d6b5-x2x4k/app] 2024-01-15T14:23:15.123456789Z level=error msg=\"add failed\" "
                   "ts=2024-01-15T14:23:15Z",
            inner='level=error msg="add failed" ts=2024-01-15T14:23:15Z',
            source="`kubectl logs --prefix --timestamps` (`--prefix` alone has no time)"),
)


def unwrap(kind: WrapperKind, line: str) -> Unwrapped | None:
    """The inner line and the wrapper's service, as the sniff reads them; None when `line` is not of `kind`."""
    if kind == "docker-json":
        if not line.startswith("{") or '"log"' not in line:  # most JSON lines are an application's own: no parse
            return None
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not isinstance(record, dict) or not isinstance(record.get("log"), str) or "time" not in record:
            return None
        return Unwrapped(record["log"].rstrip("\r\n"), None, timed=True)
    if kind == "cri":
        if match := _CRI.match(line):
            return Unwrapped(match[2], None, timed=True)
        return None
    if kind == "compose":
        # `INFO   | jvm 1    | ...` is the Java Service Wrapper's level column, not a compose service.
        if (match := _COMPOSE.match(line)) and not is_level_word(match[1]):
            service = re.sub(REPLICA_SUFFIX, "", match[1])
            return Unwrapped(match[3], service, service, timed=match[2] is not None)
        return None
    if match := _KUBECTL.match(line):
        workload = re.sub(POD_SUFFIX, "", match[1])
        return Unwrapped(match[4], workload, f"{workload}/{match[2]}", timed=match[3] is not None)
    return None


def detect(lines: list[str]) -> WrapperKind | None:
    """The wrapper nearly every sampled line is written in, if any."""
    if not lines:
        return None
    allowed = len(lines) - WRAPPED_SHARE * len(lines)  # lines of another shape a wrapped file may hold
    for wrapper in WRAPPERS:
        # Every file is sniffed for every wrapper: stop at the first lines that rule one out.
        misses = 0
        for line in lines:
            misses += unwrap(wrapper.kind, line) is None
            if misses > allowed:
                break
        else:
            return wrapper.kind
    return None


class UnwrapSql(NamedTuple):
    line: str  # the inner line
    time_us: str  # epoch µs of the wrapper's time, NULL when it has none
    service: str  # the wrapper's service, NULL when it names none


def unwrap_sql(kind: WrapperKind, raw: str, to_us) -> UnwrapSql:
    """SQL over the column `raw` (the physical line). `to_us` turns an ISO text into epoch µs."""
    if kind == "docker-json":
        return UnwrapSql(f"rtrim(coalesce(json_extract_string({raw}, '$.log'), {raw}), chr(13) || chr(10))",
                         to_us(f"json_extract_string({raw}, '$.time')"), "NULL::VARCHAR")
    if kind == "cri":
        parts = f"regexp_extract({raw}, {quote(_CRI.pattern)}, ['time', 'inner'])"
        return UnwrapSql(f"coalesce(nullif({parts}.inner, ''), {raw})", to_us(f"nullif({parts}.time, '')"),
                         "NULL::VARCHAR")
    if kind == "compose":
        parts = f"regexp_extract({raw}, {quote(_COMPOSE.pattern)}, ['service', 'time', 'inner'])"
        service = f"nullif(regexp_replace({parts}.service, {quote(REPLICA_SUFFIX)}, ''), '')"
        return UnwrapSql(f"(CASE WHEN {parts}.service <> '' THEN {parts}.inner ELSE {raw} END)",
                         to_us(f"nullif({parts}.time, '')"), service)
    parts = f"regexp_extract({raw}, {quote(_KUBECTL.pattern)}, ['pod', 'container', 'time', 'inner'])"
    service = f"nullif(regexp_replace({parts}.pod, {quote(POD_SUFFIX)}, ''), '')"
    return UnwrapSql(f"(CASE WHEN {parts}.pod <> '' THEN {parts}.inner ELSE {raw} END)",
                     to_us(f"nullif({parts}.time, '')"), service)


def stream_sql(kind: WrapperKind, raw: str) -> str | None:
    """SQL over the column `raw`: the stream `unwrap` names for a line of `kind` (any text for a line of another
    shape), None for a wrapper that names none (one file is one container's). It is a filter run on every line, so
    it cuts the prefix with string functions where it can: compose's service is all before the first `|`."""
    if kind == "compose":
        return f"regexp_replace(rtrim(split_part({raw}, '|', 1), ' ' || chr(9)), {quote(REPLICA_SUFFIX)}, '')"
    if kind == "kubectl-prefix":
        parts = f"regexp_extract({raw}, {quote(_KUBECTL_PREFIX)}, ['pod', 'container'])"
        return f"(regexp_replace({parts}.pod, {quote(POD_SUFFIX)}, '') || '/' || {parts}.container)"
    return None
