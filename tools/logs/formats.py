"""What a line of each log format looks like: the patterns sniffing and scanning share.

Every pattern here is read by Python's `re` (when sniffing a file's first lines) and by DuckDB's RE2
(when scanning all of them), so they keep to the syntax both accept: ASCII classes, no look-around,
no back-references. Compile them with `compile_shared`, which sets re.ASCII so `\\d`, `\\w`, `\\s`
and `\\b` mean what they mean in RE2.
"""

from __future__ import annotations

import re
from pathlib import Path

# 2024-01-15T14:23:15Z, 2024-01-15 14:23:15,123, 2024-01-15T14:23:15.123456+02:00, ... -0500, no zone.
ISO_STAMP = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[ ]?[+-]\d{2}(?::?\d{2})?)?"
LEVEL_TOKEN = r"\[?[A-Za-z]+\]?:?"  # ERROR, [ERROR], ERROR:
SERVICE_TOKEN = r"(?:\[[^\] \t]+\]|[^ \t\[]+)"  # checkout-api, [checkout-api], checkout-api:
_END_OF_TOKEN = r"(?:[ \t]+|$)"

# The head of a plain line: its stamp and level, and its service when the file writes one. The
# message is what follows; a head is found by RE2's fast path (no capture groups), then cut apart.
PLAIN_HEAD_WITH_SERVICE = rf"^{ISO_STAMP}[ \t]+{LEVEL_TOKEN}[ \t]+{SERVICE_TOKEN}{_END_OF_TOKEN}"
PLAIN_HEAD = rf"^{ISO_STAMP}[ \t]+{LEVEL_TOKEN}{_END_OF_TOKEN}"
# For sniffing: the same head with its parts named.
PLAIN_SNIFF = rf"^(?P<ts>{ISO_STAMP})[ \t]+(?P<level>{LEVEL_TOKEN})(?:[ \t]+(?P<third>\S+))?"

# A zone written as a word after the stamp: PostgreSQL's `%m` (`2024-01-15 14:23:15.123 UTC`), with the
# offset it stands for. CST, IST and BST each name zones hours apart (US Central or China; India, Israel
# or Ireland; British Summer or Bangladesh): a stamp with one of them is read in --tz, like one with none.
ZONE_OFFSETS = {
    "UTC": "+00:00", "GMT": "+00:00", "WET": "+00:00", "WEST": "+01:00", "CET": "+01:00", "CEST": "+02:00",
    "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00", "EST": "-05:00", "EDT": "-04:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00",
    "HST": "-10:00", "JST": "+09:00", "KST": "+09:00", "HKT": "+08:00", "SGT": "+08:00", "AWST": "+08:00",
    "ACST": "+09:30", "AEST": "+10:00", "AEDT": "+11:00", "NZST": "+12:00", "NZDT": "+13:00",
}
AMBIGUOUS_ZONE_WORDS = ("BST", "CST", "IST")
ZONE_WORD = r"[ ](?:" + "|".join(sorted([*ZONE_OFFSETS, *AMBIGUOUS_ZONE_WORDS], key=lambda w: (-len(w), w))) + ")"
# What some writers put between the stamp and the level: a process id (`[12345]`, `[12345]:`), a log line
# number (`[3-1]`), a thread id (`0`), `user@database`, `user=app,db=orders` (PostgreSQL, MySQL), a
# thread name (`[main]`, `[http-nio-8080-exec-1]`: log4j, logback). A bracket may hold anything, so a
# head with an interlude names its level from the known level words: that is where the interlude ends.
INTERLUDE = r"(?:[ \t]+(?:\[[^\]\n]*\]:?|[0-9]+|[A-Za-z0-9_.\[\]-]*@[A-Za-z0-9_.\[\]-]*|[a-z]+=[^ \t]*))*"
LEAD = rf"{ISO_STAMP}(?:{ZONE_WORD})?{INTERLUDE}"


def level_word(words: list[str]) -> str:
    """A level token that is one of `words` (upper-case), in any case, bracketed or colon-ended."""
    return r"\[?(?i:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + r")\]?:?"


def plain_head_after_lead(words: list[str], *, service: bool) -> str:
    """PLAIN_HEAD(_WITH_SERVICE) for lines with a zone word or an interlude before the level."""
    after = rf"[ \t]+{SERVICE_TOKEN}" if service else ""
    return rf"^{LEAD}[ \t]+{level_word(words)}{after}{_END_OF_TOKEN}"


def plain_lead_sniff(words: list[str]) -> str:
    """PLAIN_SNIFF for lines with a zone word or an interlude before the level."""
    return (rf"^(?P<ts>{ISO_STAMP}(?:{ZONE_WORD})?)(?P<interlude>{INTERLUDE})[ \t]+(?P<level>{level_word(words)})"
            rf"(?:[ \t]+(?P<third>\S+)|[ \t]*$)")


# <34>Jan 15 14:23:15 host app[123]: message   (RFC 3164; PRI optional, no year, no zone)
SYSLOG_3164_STAMP = r"[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
# The tag may carry words before its colon (`syslogd 1.4.1: restart.`, macOS' `sandboxd[129] ([31211]):`),
# or be missing (`host  -- root[2421]: ...`): then the message is all that follows the host.
SYSLOG_3164 = (
    rf"^(?:<(?P<pri>[0-9]{{1,3}})>)?(?P<ts>{SYSLOG_3164_STAMP}) (?P<host>[^ ]+) +"
    r"(?:(?P<app>[^:\[ \t]+)(?:\[(?P<pid>[^\]]*)\])?(?: [^:]{0,40})?: ?)?(?P<msg>.*)$"
)
# <34>1 2024-01-15T14:23:15Z host app 12 ID47 [sd] message   (RFC 5424)
SYSLOG_5424 = (
    r"^<(?P<pri>[0-9]{1,3})>1 (?P<ts>[^ ]+) (?P<host>[^ ]+) (?P<app>[^ ]+) (?P<procid>[^ ]+) (?P<msgid>[^ ]+) "
    r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?$"
)
# 10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET /path HTTP/1.1" 502 123 "referer" "agent"
ACCESS_STAMP_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
ACCESS = (
    r'^(?P<client>[^ ]+) [^ ]+ [^ ]+ \[(?P<ts>[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4})\] '
    r'"(?P<request>[^"]*)" (?P<status>[0-9]{3}) '
)
# ts=2024-01-15T14:23:15Z level=error service=checkout-api msg="Payment timeout"
LOGFMT_PAIR = r'(?:^|[ \t])(?P<key>[A-Za-z_@][A-Za-z0-9_.@-]*)=(?P<value>"(?:[^"\\]|\\.)*"|[^ \t]*)'

# Keys that name a line's parts, most usual first.
# Beyond the usual: journald's `journalctl -o json` (__REALTIME_TIMESTAMP in µs, PRIORITY 0-7,
# SYSLOG_IDENTIFIER, MESSAGE), MongoDB's log (`t.$date`, `s`: F/E/W/I/D1-5), Google Cloud Logging exports
# (`severity`, `timestamp`, `jsonPayload.message`, `textPayload`, `resource.labels.container_name`),
# CloudWatch Logs Insights exports (`@timestamp`, `@message`), Fluentd's Kubernetes metadata.
TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "datetime", "__REALTIME_TIMESTAMP", "t.$date")
LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log.level", "PRIORITY", "s")
SERVICE_KEYS = ("service", "service.name", "app", "application", "component", "SYSLOG_IDENTIFIER",
                "resource.labels.container_name", "resource.labels.service_name", "kubernetes.container_name")
MESSAGE_KEYS = ("msg", "message", "event", "MESSAGE", "@message", "jsonPayload.message", "textPayload")
# Where a structured line keeps the outcome of the request it logs (an HTTP status, 100-599): such a
# line is a request, and the error rate is failed / all of them (ECS, OpenTelemetry, pino-http, GCP).
STATUS_KEYS = ("status", "status_code", "statusCode", "http_status", "http.status_code", "http.response.status_code",
               "response.status", "res.statusCode", "httpRequest.status")
# Where a structured line keeps what went wrong beside its message: zap's and go-kit's `error`/`err`,
# pino's `err.message`, an `exception`, an error code. `msg: "request failed"` alone would fold every
# failure into one signature.
ERROR_KEYS = ("error", "err", "error.message", "err.message", "exception.message", "error_message", "errorMessage",
              "error.code", "errorCode", "error_code")
# Where no sampled line said what went wrong (a service that erred only after the lines sampled), the nested
# error messages of the common JSON loggers are looked for anyway: pino's and bunyan's `err`, ECS's `error`.
UNSAMPLED_ERROR_PATHS = ("$.err.message", "$.error.message")
# Where a structured line keeps its stack trace: pino's `err.stack`, zap's `stacktrace`, structlog's
# `exception` (the formatted traceback), Logstash's `stack_trace`.
STACK_KEYS = ("stack", "stacktrace", "stack_trace", "err.stack", "error.stack", "exception", "exception.stacktrace",
              "exception.stack_trace", "exc_info")

# Lines with no stamp of their own that belong to the line above: stack frames and their headers,
# Python tracebacks, wrapped text. A blank line is one too: it carries nothing of its own.
CONTINUATION = (
    r"^(?:$|[ \t]|at |Caused by|Suppressed:|Traceback|\.\.\.|File \"|During handling|"
    r"[A-Za-z_$][A-Za-z0-9_$.]*(?:Error|Exception|Throwable|Warning)(?::|$)|[}\])])"
)

# Level words, and the wordings of deploys, alerts, circuit breakers and recoveries. LINE_VOCABULARY
# is the prefilter: a line that may matter contains one of its words somewhere (any case).
# EVENT is the exact test, run on the messages of lines that passed it.
VOCABULARY_WORDS = (
    "err", "warn", "crit", "fatal", "alert", "emerg", "panic", "severe", "deploy", "rollout", "rolled out",
    "rolling out", "release", "circuit", "recover", "resolved", "back to normal", "healthy again", "paging", "paged",
    "threshold", "replica set", "sync operation", "automated sync", "upgrade", "helm", "oomkill",
    "out of memory",
)  # letters and blanks only: the C prefilter compares them byte for byte, ASCII case folded
LINE_VOCABULARY = "(?i)" + "|".join(VOCABULARY_WORDS)
EVENT = (
    r"(?i)\bdeploy(?:ment|ed|ing|s)?\b|\broll(?:out|ed out|ing out)\b|\breleas(?:e|ed|ing)\s+v?[0-9]+(?:\.[0-9]+)+|"
    r"\bcircuit[ -]?breaker|\brecover(?:ed|y)\b|\bresolved\b|\bback to normal\b|\bhealthy again\b|"
    r"\balert|\bpag(?:ing|ed)\b|\bthreshold|"
    # The kernel or the kubelet killing a container at its memory limit: logged at INFO by the kubelet
    # (`Container ... was OOMKilled`, `reason="OOMKilled"`), as a Warning event (`OOMKilling`), and by the
    # kernel's OOM killer (`Memory cgroup out of memory: Killed process 4242 (java)`).
    r"\boomkill(?:ed|ing)?\b|\bout of memory: kill(?:ed|ing)? process\b|"
    # What deploy systems print (tools/analysis/deploy_shapes.py reads them): Kubernetes, Argo CD, Helm, Flux,
    # and structured events whose kind is a deploy.
    r"\bscaled (?:up|down) replica set\b|\bsync operation to\b|\binitiated automated sync\b|\bhas been upgraded\b|"
    r"\bhelm (?:install|upgrade|rollback) (?:succeeded|failed)\b|"
    r"\b(?:event|type|kind|action|task|operation)\"?\s*[:=]\s*\"?[a-z0-9_.:-]*(?:deploy|rollout|release|upgrade)|"
    r"^[a-z0-9_.:-]*(?:deploy|rollout)[a-z0-9_.:-]*$"
)
# JSON lines may state their level as a number or a letter where no word of the vocabulary does: pino and
# bunyan write 40 and up for warnings and worse; journald's PRIORITY and GELF's level are syslog severities
# (0-4: emerg to warning); MongoDB's `s` is a letter. The scan's SQL adds this to the vocabulary of a JSON
# file (under its (?i)). The C prefilter leaves to the SQL every line where one of JSON_LEVEL_VALUE_KEYS (in
# quotes, any case) is followed by a colon and a value opening with one of JSON_LEVEL_VALUE_STARTS: more lines
# than the pattern matches, never fewer.
JSON_LEVEL_VALUES = ('|"(?:level|severity|lvl)"\\s*:\\s*[4-6][0-9]\\b'
                     '|"(?:PRIORITY|level|severity)"\\s*:\\s*"?[0-4]"?\\s*[,}]|"s"\\s*:\\s*"[EFWA]"')
JSON_LEVEL_VALUE_KEYS = ("level", "severity", "lvl", "priority", "s")
JSON_LEVEL_VALUE_STARTS = "0123456789EFWAefwa"
# Every message EVENT matches holds one of these (any case): the C prefilter, which groups lines that are
# no event, keeps each line holding one as a row of its own, and the SQL decides.
EVENT_WORDS = ("deploy", "roll", "releas", "circuit", "recover", "resolved", "back to normal", "healthy again", "alert",
               "paging", "paged", "threshold", "replica set", "sync operation", "automated sync", "upgrade", "helm",
               "oomkill", "out of memory")

# An ANSI escape sequence (colours, bold: `\x1b[1;31m`), as a terminal's log is written with them.
ANSI_ESCAPE = r"\x1b\[[0-9;?]*[ -/]*[@-~]"

_ACCESS_SUFFIXES = ("-access", "_access", ".access")


def compile_shared(pattern: str) -> re.Pattern[str]:
    """Compile a pattern of this module as RE2 reads it."""
    return re.compile(pattern, re.ASCII)


# What rotation appends to a log's name: logrotate's `.1` and `-20240611`, the kubelet's `.20240611-101500`,
# with or without a compression suffix after it. A number after a name ending in a digit (`python3.11`) is
# part of the name.
_DATED_ROTATION = re.compile(r"[.-]\d{8}(?:-\d{6})?$")
_NUMBERED_ROTATION = re.compile(r"(?<=[^\d.])\.\d{1,3}$")
# Kubernetes names a Deployment's pods `<deployment>-<pod-template-hash>-<suffix>` and a DaemonSet's
# `<daemonset>-<suffix>`, both hashes drawn from its vowel-free alphabet (k8s.io/apimachinery rand.SafeEncodeString),
# so `checkout-api-7d9f8b6c5-x2k4q` names checkout-api, and `payment-service` names itself. A lone suffix must
# hold a digit to be taken for one (`fluentd-x7k2p`), so a name ending in a short word without vowels stays whole.
_POD_HASH = "[bcdfghjklmnpqrstvwxz2456789]"
_POD_NAMES = (
    re.compile(rf"^(?P<owner>[a-z0-9][a-z0-9-]*?)-(?=[a-z-]*\d){_POD_HASH}{{6,10}}-{_POD_HASH}{{5}}$"),
    re.compile(rf"^(?P<owner>[a-z0-9][a-z0-9-]*?)-(?=[a-z]*\d){_POD_HASH}{{5}}$"),
)
# Names that say what kind of log a file is, not whose: where a directory that keeps logs holds a directory per
# service (`logs/api-gateway/access.log`, `/var/log/nginx/error.log`), that directory says whose. Elsewhere
# (`~/Downloads/access.log`) the directory says nothing of the service and the name stands.
_KIND_NAMES = frozenset({"access", "error", "errors", "app", "application", "server", "service", "main", "stdout",
                         "stderr", "out", "output", "combined", "current", "debug", "info", "warn", "log", "slow",
                         "slow-query", "slowquery", "mysql-slow", "query"})
_KEEPING_DIRS = frozenset({"log", "logs", "var", "tmp", "data", "output", "out", "export", "exports", "incident",
                           "archive", "containers", "pods"})
# The kubelet's /var/log/containers/<pod>_<namespace>_<container>-<container id>.log
_CONTAINER_LINK = re.compile(r"^[a-z0-9.-]+_[a-z0-9-]+_(?P<container>[a-z0-9-]+)-[0-9a-f]{64}$")


def file_stem(path: Path) -> str:
    """`logs/payment-service.log.gz` -> `payment-service`: the service of lines that name none.
    Rotated copies name the service of their file (`api.log.1.gz`, `0.log.20240611-101500`), a pod's
    file its workload, the kubelet's files their container, and a file named for its kind of log
    (`api-gateway/access.log`) its directory."""
    name = path.name
    for _ in range(3):  # `.log.1.gz`: a compression suffix, a rotation number, then the log's own suffix
        for suffix in (".gz", ".log", ".txt", ".json", ".jsonl", ".ndjson"):
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
        rotated = _NUMBERED_ROTATION.sub("", _DATED_ROTATION.sub("", name))
        if rotated == name or not rotated:
            break
        name = rotated
    if name.isdigit() and path.parent.name:  # Kubernetes' /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log
        return path.parent.name
    if (name.lower() in _KIND_NAMES and path.parent.name and path.parent.name.lower() not in _KEEPING_DIRS
            and path.parent.parent.name.lower() in _KEEPING_DIRS):
        return path.parent.name
    if container := _CONTAINER_LINK.match(name):
        return container["container"]
    for pod_name in _POD_NAMES:
        if pod := pod_name.match(name):
            return pod["owner"]
    return name


def access_service(path: Path) -> str:
    """`gateway-access.log` -> `gateway`; `access.log` -> `access`."""
    stem = file_stem(path)
    for suffix in _ACCESS_SUFFIXES:
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem
