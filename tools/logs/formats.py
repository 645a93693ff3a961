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
# A zone written as a word after the stamp: PostgreSQL's `%m` (`2024-01-15 14:23:15.123 UTC`). Named
# one by one: a bare [A-Z]{3,4} would take `WARN` for a zone.
ZONE_WORD = (
    r"[ ](?:UTC|GMT|CET|CEST|EET|EEST|WET|WEST|BST|IST|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|AKST|AKDT|HST"
    r"|JST|KST|HKT|SGT|AEST|AEDT|ACST|AWST|NZST|NZDT)"
)
# What some writers put between the stamp and the level: a process id (`[12345]`, `[12345]:`), a log line
# number (`[3-1]`), a thread id (`0`), `user@database`, `user=app,db=orders` (PostgreSQL, MySQL), a
# thread name (Java). None of them can be a level word, so the level after them is found without guessing.
INTERLUDE = (
    r"(?:[ \t]+(?:\[[0-9]+(?:-[0-9]+)?\]:?|[0-9]+|[A-Za-z0-9_.\[\]-]*@[A-Za-z0-9_.\[\]-]*|[a-z]+=[^ \t]*"
    # log4j's and logback's `[%thread]`: `[main]`, `[http-nio-8080-exec-1]` (a digit or a hyphen: no level word has one)
    r"|\[(?:main|[A-Za-z0-9_.$-]*[-0-9][A-Za-z0-9_.$-]*)\]))*"
)
LEVEL_TOKEN = r"\[?[A-Za-z]+\]?:?"  # ERROR, [ERROR], ERROR:
SERVICE_TOKEN = r"(?:\[[^\] \t]+\]|[^ \t\[]+)"  # checkout-api, [checkout-api], checkout-api:
_END_OF_TOKEN = r"(?:[ \t]+|$)"

# The head of a plain line: its stamp and level, and its service when the file writes one. The
# message is what follows; a head is found by RE2's fast path (no capture groups), then cut apart.
PLAIN_HEAD_WITH_SERVICE = rf"^{ISO_STAMP}[ \t]+{LEVEL_TOKEN}[ \t]+{SERVICE_TOKEN}{_END_OF_TOKEN}"
PLAIN_HEAD = rf"^{ISO_STAMP}[ \t]+{LEVEL_TOKEN}{_END_OF_TOKEN}"
# The same with a zone word and an interlude before the level, for files whose lines have them.
LEAD = rf"{ISO_STAMP}(?:{ZONE_WORD})?{INTERLUDE}"
PLAIN_HEAD_WITH_SERVICE_AFTER_LEAD = rf"^{LEAD}[ \t]+{LEVEL_TOKEN}[ \t]+{SERVICE_TOKEN}{_END_OF_TOKEN}"
PLAIN_HEAD_AFTER_LEAD = rf"^{LEAD}[ \t]+{LEVEL_TOKEN}{_END_OF_TOKEN}"
# For sniffing: the head with its parts named.
PLAIN_SNIFF = (
    rf"^(?P<ts>{ISO_STAMP}(?:{ZONE_WORD})?)(?P<interlude>{INTERLUDE})[ \t]+(?P<level>{LEVEL_TOKEN})(?:[ \t]+(?P<third>\S+))?"
)

# <34>Jan 15 14:23:15 host app[123]: message   (RFC 3164; PRI optional, no year, no zone)
SYSLOG_3164_STAMP = r"[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
SYSLOG_3164 = (
    rf"^(?:<(?P<pri>[0-9]{{1,3}})>)?(?P<ts>{SYSLOG_3164_STAMP}) (?P<host>[^ ]+) "
    r"(?P<app>[^:\[ \t]+)(?:\[(?P<pid>[^\]]*)\])?: ?(?P<msg>.*)$"
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
TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "datetime")
LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log.level")
SERVICE_KEYS = ("service", "service.name", "app", "application", "logger", "component")
MESSAGE_KEYS = ("msg", "message", "event")
# Where a structured line keeps what went wrong beside its message: zap's and go-kit's `error`/`err`,
# pino's `err.message`, an `exception`, an error code. `msg: "request failed"` alone would fold every
# failure into one signature.
ERROR_KEYS = ("error", "err", "error.message", "err.message", "exception", "exception.message", "error_message",
              "errorMessage", "error.code", "errorCode", "error_code")

# Lines with no stamp of their own that belong to the line above: stack frames and their headers,
# Python tracebacks, wrapped text. A blank line is one too: it carries nothing of its own.
CONTINUATION = (
    r"^(?:$|[ \t]|at |Caused by|Suppressed:|Traceback|\.\.\.|File \"|During handling|"
    r"[A-Za-z_$][A-Za-z0-9_$.]*(?:Error|Exception|Throwable|Warning)(?::|$)|[}\])])"
)

# Level words, and the wordings of deploys, alerts, circuit breakers and recoveries. LINE_VOCABULARY
# is the prefilter: a line that may matter contains one of its words somewhere (any case).
# EVENT is the exact test, run on the messages of lines that passed it.
LINE_VOCABULARY = (
    r"(?i)err|warn|crit|fatal|alert|emerg|panic|severe|deploy|rollout|rolled out|rolling out|release|"
    r"circuit|recover|resolved|back to normal|healthy again|paging|paged|threshold"
)
EVENT = (
    r"(?i)\bdeploy(?:ment|ed|ing|s)?\b|\broll(?:out|ed out|ing out)\b|\breleas(?:e|ed|ing)\s+v?[0-9]+(?:\.[0-9]+)+|"
    r"\bcircuit[ -]?breaker|\brecover(?:ed|y)\b|\bresolved\b|\bback to normal\b|\bhealthy again\b|"
    r"\balert|\bpag(?:ing|ed)\b|\bthreshold"
)

# An ANSI escape sequence (colours, bold: `\x1b[1;31m`), as a terminal's log is written with them.
ANSI_ESCAPE = r"\x1b\[[0-9;?]*[ -/]*[@-~]"

_ACCESS_SUFFIXES = ("-access", "_access", ".access")


def compile_shared(pattern: str) -> re.Pattern[str]:
    """Compile a pattern of this module as RE2 reads it."""
    return re.compile(pattern, re.ASCII)


def file_stem(path: Path) -> str:
    """`logs/payment-service.log.gz` -> `payment-service`: the service of lines that name none."""
    name = path.name
    for suffix in (".gz", ".log", ".txt", ".json", ".jsonl", ".ndjson"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def access_service(path: Path) -> str:
    """`gateway-access.log` -> `gateway`; `access.log` -> `access`."""
    stem = file_stem(path)
    for suffix in _ACCESS_SUFFIXES:
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem
