"""Which format a log file is written in, read from its first lines.

The first ~200 non-empty lines decide, per file: the format (the one most lines match), and what the
scan needs to read the rest fast — whether a plain line's third token is a service, whether every
stamp carries the same zone (then the lines sort by time as text), which JSON or logfmt keys hold
the time, level, service and message.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import duration_shapes, formats
from wicked_platform.tools.logs.header_shapes import sniff_header, sniff_header_of_lines
from wicked_platform.tools.logs.sniff_durations import (
    access_duration, in_catalogue_order, inline_durations, is_duration_value, opens_duration, record_durations,
)
from wicked_platform.tools.logs.levels import LEVEL_CLASSES, is_level_word
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.route_shapes import route_keys
from wicked_platform.tools.logs.sniff_multiplex import family_streams, spread_sample, stream_groups
from wicked_platform.tools.logs.sniff_stamped import LevelPlace, StampPlace, level_place, sniff_stamped
from wicked_platform.tools.logs.stamp_shapes import BY_NAME
from wicked_platform.tools.logs.streams import GZIP_MAGIC, byte_chunks  # noqa: F401 - GZIP_MAGIC: re-exported
from wicked_platform.tools.logs.wrappers import WrapperKind, detect, unwrap

SNIFF_LINES = 200
SNIFF_BYTES = 1 << 20  # a file of few, huge lines is decided on its first MiB
REQUEST_SHARE = 0.5
"""Of the sampled lines, those with an HTTP status: enough to read the file as request lines (the error rate
is then failed / all of them). A status on a few lines, an exit code or a health check, is not."""
SPECIFIC_SHARE = 0.9
"""A format with a reader of its own (which knows its services, fields and severities) keeps a file when it
reads at least this share of the lines a sniffed layout (sniff_stamped.py) would read."""

_PLAIN = formats.compile_shared(formats.PLAIN_SNIFF)
_SYSLOG_3164 = formats.compile_shared(formats.SYSLOG_3164)
_SYSLOG_5424 = formats.compile_shared(formats.SYSLOG_5424)
_ACCESS = formats.compile_shared(formats.ACCESS)
_LOGFMT_PAIR = formats.compile_shared(formats.LOGFMT_PAIR)
_ZONE = formats.compile_shared(r"(?:Z|[ ]?[+-]\d{2}(?::?\d{2})?)$")
_PLAIN_LEAD = formats.compile_shared(formats.plain_lead_sniff(list(LEVEL_CLASSES)))
_ZONE_WORD = formats.compile_shared(formats.ZONE_WORD + "$")
_CODE = formats.compile_shared(r"^\[?[A-Z]{2,}-[0-9]+\]?:?$")  # MySQL's [MY-010119]: an error code, not a name
_LOGGER = formats.compile_shared(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\.[A-Z][A-Za-z0-9_$]*:?$")  # com.shop.CartController
# Python's `%(name)s`: a module path (`search_indexer.bulk`, `sqlalchemy.engine.base`). Told from a service's name
# (`api.v2`) by an underscore, which Kubernetes names never hold, or by a path of three parts or more.
_MODULE_LOGGER = formats.compile_shared(r"^\[?[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\]?:?$")
_BRACKETED = formats.compile_shared(r"^\[[^\]]+\]$")
_DOTTED_NAME = formats.compile_shared(r"^[A-Za-z_$][\w$]*(?:\.[\w$]+)+:?$")  # a Java logger: a.b.C, org.apache.x.Y:
_COLON_NAME = formats.compile_shared(r"^[A-Za-z][\w.@/-]*:$")
_COMPOUND_NAME = formats.compile_shared(r"^[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+$")
_LOWER_WORD = formats.compile_shared(r"^[a-z][a-z0-9]*$")
_ANSI = formats.compile_shared(formats.ANSI_ESCAPE)
_CONTINUATION = formats.compile_shared(formats.CONTINUATION)

# The order formats are tried in, and win ties in: the most specific first.
_ORDER = (LogFormat.JSON, LogFormat.SYSLOG_5424, LogFormat.ACCESS, LogFormat.SYSLOG_3164, LogFormat.PLAIN,
          LogFormat.LOGFMT)


class LineKeys(BaseModel):
    """Where JSON lines (as JSON paths) or logfmt lines (as keys) keep their parts: every key the
    sampled lines used for each part, the most used first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ts: list[str] = []
    level: list[str] = []
    service: list[str] = []
    message: list[str] = []
    error: list[str] = []  # what went wrong, when the line says it beside the message
    status: list[str] = []  # the HTTP status of the request the line logs: it is a request line
    duration: list[str] = []  # how long the request took (duration_shapes.DURATION_KEYS), most specific first
    route: list[str] = []  # the request's path or route (route_shapes), read where lines have a status or a duration


class FileLayout(BaseModel):
    """What sniffing a file's first lines found: enough to read all of them in one pass."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    format: LogFormat
    service: str  # the service of lines that name none: the file's stem
    service_token: bool = False  # plain: the token after the level is the service
    stamp_zone: str | None = None  # plain: the zone every sampled stamp ends with ("" for none); None if they differ
    stamp_separator: str = "T"  # plain: between date and time
    interlude: bool = False  # plain: a zone word, a process id or a user@database stands before the level
    header: str | None = None  # plain, stamped: the header (header_shapes.py) between the level and the message, by name
    keys: LineKeys = LineKeys()  # json and logfmt
    strip_ansi: bool = False  # the lines carry ANSI colour codes (a terminal's log): read them without
    stamp: StampPlace | None = None  # stamped: where the stamp stands, in which shape of the catalogue
    wrapper: WrapperKind | None = None  # the lines wrap the application's own (wrappers.py): those are read
    first_unread: str | None = None  # the first sampled line in no known layout (a continuation is read)
    binary: bool = False  # the sample is not text (NUL bytes, or mostly bytes that are no UTF-8)
    level: LevelPlace | None = None  # stamped: where the level stands; None: the lines carry none
    durations: bool = False  # access, plain, stamped: sampled lines say how long they took (duration_shapes)
    streams: list[WrappedStream] = []  # wrapped: streams read in layouts of their own; the rest reads in this one
    record_time: bool = False  # stamped: a line without a stamp belongs to the record of the last stamped line
    # above it, and a duration on it is of that time (the slow query log: `# Time:`, then `# Query_time:`)

    @property
    def year_less(self) -> bool:
        """Its stamps (or a stream's) carry no year: it is read after the files its year may come from."""
        if self.format == LogFormat.SYSLOG_3164 or any(stream.layout.year_less for stream in self.streams):
            return True
        return self.stamp is not None and BY_NAME[self.stamp.shape].year_less

    @property
    def sorts_as_text(self) -> bool:
        """Plain lines whose stamps share one zone and shape sort by time as text, to the second."""
        return self.format == LogFormat.PLAIN and self.stamp_zone is not None and self.wrapper is None


class WrappedStream(BaseModel):
    """Streams of a wrapped file (sniff_multiplex.py) read in a layout of their own: their names as the
    wrapper's prefix gives them (`wrappers.stream_sql`), and the layout of their inner lines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    names: list[str]
    layout: FileLayout


FileLayout.model_rebuild()  # its `streams` hold layouts


def read_head(path: Path) -> list[str]:
    """The first non-empty lines of a file, gzip or not; CRLF, invalid UTF-8 and a cut gzip stream tolerated."""
    data = b""
    for chunk in byte_chunks(path, [], SNIFF_BYTES):
        data += chunk
        if len(data) >= SNIFF_BYTES:
            break
    data = data[:SNIFF_BYTES]
    lines = [line for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    if len(data) == SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # cut by the byte limit (a single line longer than the limit still tells its format)
    if lines:
        lines[0] = lines[0].removeprefix("\ufeff")  # a byte order mark is no part of the first line
    return lines[:SNIFF_LINES]


def sniff_file(path: Path) -> FileLayout:
    return sniff_lines(read_head(path), path)


def sniff_lines(lines: list[str], path: Path, *, wrapped: bool = False) -> FileLayout:
    """The layout most of the lines agree on, read without ANSI colour codes when the lines have them.
    `wrapped`: the lines are inner lines whose wrapper gives the time, so JSON and logfmt need none."""
    if _binary(lines):
        return FileLayout(path=str(path), format=LogFormat.UNKNOWN, service=formats.file_stem(path), binary=True)
    if not wrapped and (kind := detect(lines)) is not None:
        return _wrapped_layout(kind, lines, path)
    if not any("\x1b[" in line for line in lines):
        return _sniff_lines(lines, path, wrapped)
    layout = _sniff_lines([_ANSI.sub("", line) for line in lines], path, wrapped)
    return layout.model_copy(update={"strip_ansi": True})


def _wrapped_layout(kind: WrapperKind, lines: list[str], path: Path) -> FileLayout:
    """The inner lines' layout; inner lines with no time of their own take the wrapper's (a level, if any,
    searched for from the line's start). Streams the wrapper names that read in different layouts (a
    compose paste of redis, a JSON api and a Celery worker) are each read in their own (sniff_multiplex.py)."""
    sample = spread_sample(path, lines)
    families = family_streams(stream_groups(kind, sample), lambda inner: _inner_layout(inner, path))
    if len(families) < 2:
        layout = _inner_layout([found.line for line in lines if (found := unwrap(kind, line)) is not None], path)
        return layout.model_copy(update={"wrapper": kind, "first_unread": None})
    layouts = [(names, _inner_layout(inner, path)) for names, inner in families]
    # A stream in no layout of its own has a time only where the wrapper gives one: its first line without is unread.
    timeless = {name for names, layout in layouts if layout.format == LogFormat.STAMPED and layout.stamp is None
                for name in names}
    unread = next((line for line in sample if (found := unwrap(kind, line)) is not None and not found.timed
                   and found.stream in timeless), None)
    wrapped = {"wrapper": kind, "first_unread": None}
    (_, main), *others = layouts  # the most sampled lines' layout reads every stream the others do not name
    streams = [WrappedStream(names=names, layout=layout.model_copy(update=wrapped)) for names, layout in others]
    return main.model_copy(update={**wrapped, "streams": streams, "first_unread": unread})


def _inner_layout(inner: list[str], path: Path) -> FileLayout:
    layout = sniff_lines(inner, path, wrapped=True)
    if layout.format == LogFormat.UNKNOWN:
        level = level_place(inner)
        layout = FileLayout(path=str(path), format=LogFormat.STAMPED, service=formats.file_stem(path),
                            level=level, header=_stamped_header(level, inner))
    return layout


def _stamped_header(level: LevelPlace | None, lines: list[str]) -> str | None:
    """The header (header_shapes.py) after the level words of a sniffed layout's lines, if they share one."""
    return sniff_header_of_lines(lines) if level is not None and level.vocabulary == "words" and not level.before_stamp else None


def _binary(lines: list[str]) -> bool:
    """More than a twentieth of the characters NUL bytes or bytes that are no UTF-8: an image, an archive
    (a log line with a stray NUL or a mis-encoded name is still text)."""
    text = "".join(lines)
    return text.count("\x00") + text.count("\ufffd") > 0.05 * max(1, len(text))


def _sniff_lines(lines: list[str], path: Path, wrapped: bool = False) -> FileLayout:
    """The layout most of the lines agree on; lines in no format (stack frames, blanks) do not vote."""
    found = [_line_format(line, wrapped) for line in lines]
    votes = Counter(f for f in found if f is not None)
    best = max(votes.values(), default=0)
    stamped = sniff_stamped(lines) if best < SPECIFIC_SHARE * len(lines) else None  # else it cannot win
    if stamped is not None and stamped.lines * SPECIFIC_SHARE > best:
        return FileLayout(path=str(path), format=LogFormat.STAMPED, service=formats.file_stem(path),
                          stamp=stamped.stamp, level=stamped.level, durations=inline_durations(lines),
                          header=_stamped_header(stamped.level, lines),
                          record_time=not wrapped and record_durations(lines),
                          first_unread=_first_unread(lines, stamped.at_place))
    if not votes:
        return FileLayout(path=str(path), format=LogFormat.UNKNOWN, service=formats.file_stem(path),
                          first_unread=_first_unread(lines, [False] * len(lines)))
    fmt = next(f for f in _ORDER if votes[f] == best)
    layout = _specific_layout(fmt, lines, found, path)
    return layout.model_copy(update={"first_unread": _first_unread(lines, [f == fmt for f in found])})


def _first_unread(lines: list[str], read: list[bool]) -> str | None:
    """The first line neither read in the file's layout nor continuing the line above (a stack frame)."""
    return next((line for line, ok in zip(lines, read, strict=True) if not ok and not _CONTINUATION.match(line)), None)


def _specific_layout(fmt: LogFormat, lines: list[str], found: list[LogFormat | None], path: Path) -> FileLayout:
    matching = [line for line, line_format in zip(lines, found, strict=True) if line_format == fmt]
    if fmt == LogFormat.PLAIN:
        return _plain_layout(matching, path)
    if fmt == LogFormat.JSON:
        return FileLayout(path=str(path), format=fmt, service=formats.file_stem(path), keys=_json_keys(matching))
    if fmt == LogFormat.LOGFMT:
        return FileLayout(path=str(path), format=fmt, service=formats.file_stem(path), keys=_logfmt_keys(matching))
    if fmt == LogFormat.ACCESS:
        return FileLayout(path=str(path), format=fmt, service=formats.access_service(path),
                          durations=any(access_duration(line) for line in matching))
    return FileLayout(path=str(path), format=fmt, service=formats.file_stem(path))


def _line_format(line: str, wrapped: bool = False) -> LogFormat | None:
    if line.startswith("{"):
        record = _json_object(line)
        if record is not None and (wrapped or any(json_path(record, key) for key in formats.TIME_KEYS)):
            return LogFormat.JSON
        return None
    if _SYSLOG_5424.match(line):
        return LogFormat.SYSLOG_5424
    if _ACCESS.match(line):
        return LogFormat.ACCESS
    if _SYSLOG_3164.match(line):
        return LogFormat.SYSLOG_3164
    if _plain_match(line) is not None:
        return LogFormat.PLAIN
    pairs = dict(_logfmt_pairs(line))
    named = formats.TIME_KEYS + (formats.LEVEL_KEYS + formats.MESSAGE_KEYS if wrapped else ())
    if len(pairs) >= 2 and any(key in pairs for key in named):
        return LogFormat.LOGFMT
    return None


# Plain -------------------------------------------------------------------------------------------


def _plain_layout(lines: list[str], path: Path) -> FileLayout:
    matches = [m for m in map(_plain_match, lines) if m]
    stamps = [m["ts"] for m in matches]
    zones = {_zone(s) for s in stamps}
    separators = {s[10] for s in stamps}
    uniform = len(zones) == 1 and len(separators) == 1
    header = sniff_header([m.string[m.end("level"):].lstrip(" \t") for m in matches])
    return FileLayout(
        path=str(path), format=LogFormat.PLAIN, service=formats.file_stem(path),
        service_token=header is None and _third_token_is_service([None if opens_duration(m) else m["third"] for m in matches])
        and not _log4j_thread(matches), header=header,
        stamp_zone=zones.pop() if uniform else None,
        stamp_separator=separators.pop() if uniform else "T",
        interlude=any(m.re is _PLAIN_LEAD for m in matches),
        durations=inline_durations(lines),
    )


def _log4j_thread(matches: list[re.Match[str]]) -> bool:
    """The bracketed token after the level is log4j's thread (`%p [%t] %c - %m`): most lines follow it with a
    logger, a dotted class name (`com.shop.CartController`, `org.apache.hadoop.mapred.Task:`)."""
    bracketed = [m for m in matches if m["third"] and _BRACKETED.match(m["third"])]
    if len(bracketed) < 0.8 * max(1, len(matches)):
        return False
    loggers = sum(1 for m in bracketed if _DOTTED_NAME.match(m.string[m.end():].strip().split(" ", 1)[0]))
    return loggers >= 0.8 * len(bracketed)


def _plain_match(line: str) -> re.Match[str] | None:
    """The line's plain head: the stamp then the level; else the stamp, a zone word or an interlude, and
    a level word. A bracketed first token is a level when it is one (`[ERROR] [checkout-api]`)."""
    match = _PLAIN.match(line)
    if match and is_level_word(match["level"].strip("[]:")):
        return match
    return _PLAIN_LEAD.match(line)


def _zone(stamp: str) -> str:
    """The zone a stamp ends with as the text-sorted read uses it: `Z` or an offset (a zone word's offset:
    `Z` for UTC), "" for none or an ambiguous word (both read in --tz)."""
    if word := _ZONE_WORD.search(stamp):
        offset = formats.ZONE_OFFSETS.get(word.group(0).strip(), "")  # an ambiguous word: read in --tz
        return "Z" if offset == "+00:00" else offset
    return z.group(0) if (z := _ZONE.search(stamp)) else ""


def _module_logger(token: str) -> bool:
    return bool(_MODULE_LOGGER.match(token)) and ("_" in token or token.count(".") >= 2)


def _third_token_is_service(tokens: list[str | None]) -> bool:
    """A service is named the same way on (almost) every line, from a small set of names.

    Names look like names: bracketed (`[checkout-api]`), colon-ended (`checkout-api:`), or compound
    (`payment-service`, `user_svc`, `api.v2`); a plain lower-case word only when very few of them
    recur, since a message's first word varies.
    """
    present = [t for t in tokens if t and not _CODE.match(t) and not _LOGGER.match(t) and not _module_logger(t)]
    if not present or len(present) < 0.8 * len(tokens):
        return False
    names = {t.strip("[]:") for t in present}
    named = sum(1 for t in present if _BRACKETED.match(t) or _COLON_NAME.match(t) or _COMPOUND_NAME.match(t))
    if named >= 0.8 * len(present):
        # Names shaped like names are strong evidence on their own: a short file from a handful of
        # services (13 lines, 4 services) still has a service column.
        return len(names) <= max(6, len(present) // 3)
    lower = sum(1 for t in present if _LOWER_WORD.match(t))
    if named >= 0.5 * len(present) and named + lower == len(present):
        return len(names) <= max(6, len(present) // 3)  # `gateway` beside `cart-api`: a column of names
    return len(present) >= 10 and lower == len(present) and len(names) <= max(2, len(present) // 20)


# JSON --------------------------------------------------------------------------------------------


def _json_object(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def json_path(record: dict, key: str) -> str | None:
    """The JSON path of `key` in a record: a top-level key (dotted or not), or a nested one at any depth."""
    if key in record and record[key] not in (None, "") and not isinstance(record[key], dict | list):
        return "$" + _path_step(key)
    node: object = record
    parts = key.split(".")
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if len(parts) < 2 or node in (None, "") or isinstance(node, dict | list):
        return None
    return "$" + "".join(_path_step(part) for part in parts)


def _path_step(key: str) -> str:
    """`.name`, or `."@timestamp"` / `."$date"` for a key JSON paths must quote."""
    return f".{key}" if key.replace("_", "").isalnum() else '."' + key + '"'



def _json_keys(lines: list[str]) -> LineKeys:
    records = [r for r in (_json_object(line) for line in lines) if r is not None]

    def used(keys: tuple[str, ...]) -> list[str]:
        found = Counter(path for r in records if (path := next(filter(None, (json_path(r, k) for k in keys)), None)))
        return [path for path, _ in found.most_common()]

    def status(record: dict) -> str | None:
        return next((path for key in formats.STATUS_KEYS if (path := json_path(record, key))
                     and is_http_status(_json_value(record, key))), None)

    statuses = Counter(path for r in records if (path := status(r)))
    if sum(statuses.values()) < REQUEST_SHARE * len(records):
        statuses = Counter()  # a status on a few lines (an exit code, a health check) does not make a request log
    durations = in_catalogue_order({path for r in records for row in duration_shapes.DURATION_KEYS
                                     if (path := json_path(r, row.key)) and is_duration_value(_json_value(r, row.key))})
    return LineKeys(ts=used(formats.TIME_KEYS), level=used(formats.LEVEL_KEYS),
                    service=used(formats.SERVICE_KEYS), message=used(formats.MESSAGE_KEYS),
                    error=used(formats.ERROR_KEYS) or list(formats.UNSAMPLED_ERROR_PATHS),
                    status=[path for path, _ in statuses.most_common()],
                    duration=durations, route=used(route_keys()) if durations or statuses else [])


def is_http_status(value: object) -> bool:
    """A request's HTTP status: an integer 100-599, written as a number or as its digits."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return text.isdigit() and len(text) == 3 and 100 <= int(text) <= 599


def _json_value(record: dict, key: str) -> object:
    if key in record:
        return record[key]
    node: object = record
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


# logfmt ------------------------------------------------------------------------------------------


def _logfmt_pairs(line: str) -> list[tuple[str, str]]:
    return [(m["key"], m["value"]) for m in _LOGFMT_PAIR.finditer(line)]


def _logfmt_keys(lines: list[str]) -> LineKeys:
    seen = [dict(_logfmt_pairs(line)) for line in lines]

    def used(keys: tuple[str, ...]) -> list[str]:
        found = Counter(next((k for k in keys if k in pairs), None) for pairs in seen)
        found.pop(None, None)
        return [key for key, _ in found.most_common()]

    statuses = Counter(next((k for k in formats.STATUS_KEYS if is_http_status(pairs.get(k, "").strip('"'))), None)
                       for pairs in seen)
    statuses.pop(None, None)
    if sum(statuses.values()) < REQUEST_SHARE * len(seen):
        statuses = Counter()
    durations = in_catalogue_order({row.key for pairs in seen for row in duration_shapes.DURATION_KEYS
                                     if is_duration_value(pairs.get(row.key, "").strip('"')) and row.key in pairs})
    return LineKeys(ts=used(formats.TIME_KEYS), level=used(formats.LEVEL_KEYS),
                    service=used(formats.SERVICE_KEYS), message=used(formats.MESSAGE_KEYS),
                    error=used(formats.ERROR_KEYS), status=[key for key, _ in statuses.most_common()],
                    duration=durations, route=used(route_keys()) if durations or statuses else [])
