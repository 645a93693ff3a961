"""How DuckDB reads one file's lines: SQL over a column `line`, per format.

The scan splits a file's lines in two. Most lines only need counting and a time: the prefilter
(`candidate`) passes over them after one cheap test. The few that may be errors, warnings, alerts or
events are taken apart in full (`steps`, then `ts`, `level`, `service`, `message`), and only they pay
for it. Timestamps come out as epoch microseconds in UTC; a stamp without a zone is read in the
session's TimeZone, which the scan sets to the `tz` it was given.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import duration_sql, formats
from wicked_platform.tools.logs.header_sql import header_sql
from wicked_platform.tools.logs.levels import LEVEL_CLASSES, letter_level_sql, severity_name_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.route_shapes import route_sql
from wicked_platform.tools.logs.sniff import FileLayout
from wicked_platform.tools.logs.sniff_durations import duration_key_of
from wicked_platform.tools.logs.sql_text import quote, trimmed
from wicked_platform.tools.logs.stamp_shapes import BY_NAME
from wicked_platform.tools.logs.sniff_stamped import AFTER_STAMP
from wicked_platform.tools.logs.stamped_sql import (
    YearRule, after_stamp_sql, level_pattern, stamp_text_sql, strptime_us_sql, worse_than_info_sql,
)
from wicked_platform.tools.timeutil import END_YEAR, FIRST_YEAR

CANDIDATE_LINE = "cline"  # the line, for candidate lines only (NULL otherwise): what `steps` start from
# Stamps outside these years are no time a log line was written at: a garbled year (9999), a date
# before any clock could log it. Such a line is read as having no stamp, so it is counted unparsed,
# and one stray year cannot stretch the scan's window to centuries.
FIRST_STAMP_YEAR, END_STAMP_YEAR = FIRST_YEAR, END_YEAR
MIN_STAMP_US = 0  # 1970-01-01T00:00:00Z
MAX_STAMP_US = 7_258_118_400 * 1_000_000 - 1  # the last microsecond before 2200-01-01T00:00:00Z
_MISSING_PATH = "$.__wicked_platform_none__"  # json_extract_string needs one path


class SqlColumn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    sql: str


class LineSql(BaseModel):
    """The SQL that reads the lines of one file (see the module docstring for the two kinds of line)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stamp_steps: list[SqlColumn] = []  # computed from `line` for every line, in order, before `stamp`
    stamp: str | None = None  # epoch µs of any line, for the lines the prefilter passes over; None: the text sorts
    candidate: str | None  # may this line matter? Over `line`, and `stamp` when there is one; None: every line
    steps: list[SqlColumn] = []  # computed from `cline`, in order; each may use the ones before
    ts: str
    level: str  # as written; NULL when the line has none
    service: str  # NULL: the file's service
    message: str
    status: str = "NULL::INTEGER"  # access logs: the HTTP status
    events: bool = True  # False: no line of this format is a timeline event (access logs)
    every_second: bool = False  # True: count every parsed line per second (access logs: the request rate)
    requests: bool = False  # True: a parsed line with a status is a request, counted per second (JSON, logfmt)
    duration: str | None = None  # milliseconds the line's request or query took (duration_sql); None: never any
    route: str = "NULL::VARCHAR"  # the request's route (route_shapes), where lines have a status or a duration


def bounded_us(us_sql: str) -> str:
    """The stamp when it lies in the stamp years, else NULL: over a column, so nothing is computed twice."""
    return f"(CASE WHEN {us_sql} BETWEEN {MIN_STAMP_US} AND {MAX_STAMP_US} THEN {us_sql} END)"


def iso_to_us(text_sql: str) -> str:
    """Epoch µs of an ISO 8601 stamp: `,` fractions and a blank before the offset tolerated.

    Of a column, only the stamps that have them are rewritten: three replaces on every stamp cost as
    much as the cast. An expression is not named four times, so it is always rewritten.
    """
    normal = f"replace(replace(replace({text_sql}, ',', '.'), ' +', '+'), ' -', '-')"
    if text_sql.isidentifier():
        odd = f"(contains({text_sql}, ',') OR contains({text_sql}, ' +') OR contains({text_sql}, ' -'))"
        normal = f"(CASE WHEN {odd} THEN {normal} ELSE {text_sql} END)"
    return f"epoch_us(try_cast({normal} AS TIMESTAMPTZ))"


def value_to_us(text_sql: str) -> str:
    """Epoch µs of a JSON or logfmt time value: ISO 8601, or seconds / milli- / micro- / nanoseconds since
    the epoch, told apart by their digits (11-13 are milliseconds: as seconds they would be past 5000 AD)."""
    return (
        f"(CASE WHEN regexp_full_match({text_sql}, '[0-9]{{11,13}}') THEN CAST({text_sql} AS BIGINT) * 1000 "
        f"WHEN regexp_full_match({text_sql}, '[0-9]{{16}}') THEN CAST({text_sql} AS BIGINT) "
        f"WHEN regexp_full_match({text_sql}, '[0-9]{{19}}') THEN CAST(CAST({text_sql} AS HUGEINT) // 1000 AS BIGINT) "
        f"WHEN regexp_full_match({text_sql}, '[0-9]{{9,10}}(\\.[0-9]+)?') THEN CAST(CAST({text_sql} AS DOUBLE) * 1e6 AS BIGINT) "
        f"ELSE {iso_to_us(text_sql)} END)"
    )


def _vocabulary(extra: str = "") -> str:
    return f"regexp_matches(line, {quote(formats.LINE_VOCABULARY + extra)})"


def _pri_severity(line_sql: str) -> str:
    """The severity of a leading `<PRI>`, without a regex: this runs on every line."""
    return (f"(CASE WHEN starts_with({line_sql}, '<') "
            f"THEN try_cast(substr({line_sql}, 2, strpos({line_sql}, '>') - 2) AS INTEGER) % 8 END)")


def _leading_level_word(text_sql: str) -> tuple[str, str]:
    """(level, rest) when a syslog message starts with a level word (`ERROR: ...`), else (NULL, text)."""
    prefix = f"regexp_extract({text_sql}, '^\\[?[A-Za-z]+\\]?:?[ \\t]+')"
    word = f"upper(regexp_extract({prefix}, '[A-Za-z]+'))"
    known = ", ".join(quote(w) for w in LEVEL_CLASSES)
    is_level = f"({word} IN ({known}))"
    return (f"(CASE WHEN {is_level} THEN {word} END)",
            f"(CASE WHEN {is_level} THEN substr({text_sql}, length({prefix}) + 1) ELSE {text_sql} END)")


def line_sql(layout: FileLayout, *, year: int | YearRule) -> LineSql:
    """The SQL for a file of this layout; `year` dates stamps that carry none (RFC 3164, logcat)."""
    years = year if isinstance(year, YearRule) else YearRule(year=year)
    builders = {
        LogFormat.PLAIN: _plain, LogFormat.JSON: _json, LogFormat.LOGFMT: _logfmt,
        LogFormat.SYSLOG_3164: lambda lay: _syslog_3164(lay, years), LogFormat.SYSLOG_5424: _syslog_5424,
        LogFormat.ACCESS: _access, LogFormat.STAMPED: lambda lay: _stamped(lay, years),
    }
    if layout.format not in builders:
        raise ValueError(f"{layout.path}: no reader for format {layout.format.value}")
    return _with_durations(builders[layout.format](layout), layout)


def _with_durations(sql: LineSql, layout: FileLayout) -> LineSql:
    """The file's SQL, reading each line's duration where the sniff found lines that have them.

    Access lines are all candidates already. A structured file with duration keys, and a plain or stamped
    file with duration phrases, has those lines read in full whatever their level: an INFO line's duration
    counts (the C prefilter leaves such files to the SQL, see prefilter.applies).
    """
    keys = layout.keys
    if layout.format == LogFormat.ACCESS and layout.durations:
        found = duration_sql.access()
    elif layout.format in (LogFormat.JSON, LogFormat.LOGFMT) and keys.duration:
        if layout.format == LogFormat.JSON:  # read by the line's one JSON parse (see _json_paths)
            index = {path: i + 1 for i, path in enumerate(_json_paths(keys))}
            parts = [f"parts[{index[path]}]" for path in keys.duration]
        else:
            parts = [_unquoted(_logfmt_value(CANDIDATE_LINE, [key])) for key in keys.duration]
        values = [(value, duration_key_of(path)) for value, path in zip(parts, keys.duration, strict=True)]
        found = duration_sql.structured(values)
        sql = sql.model_copy(update={"candidate": None})  # every line with a duration is read
    elif layout.format in (LogFormat.PLAIN, LogFormat.STAMPED) and layout.durations:
        found = duration_sql.inline(CANDIDATE_LINE)
        if sql.candidate is not None:
            sql = sql.model_copy(update={"candidate": f"({sql.candidate}) OR {duration_sql.inline_test('line')}"})
    else:
        return sql
    steps = [*sql.steps, *(SqlColumn(name=name, sql=text) for name, text in found.steps)]
    return sql.model_copy(update={"steps": steps, "duration": found.duration})


def _plain(layout: FileLayout) -> LineSql:
    if layout.interlude:  # a zone word, a process id, a thread before the level: PostgreSQL, MySQL, log4j
        words = list(LEVEL_CLASSES)
        head = formats.plain_head_after_lead(words, service=layout.service_token)
        stamp_pattern = formats.ISO_STAMP + f"(?:{formats.ZONE_WORD})?"
        lead_pattern = "^(" + formats.LEAD + r")[ \t]+" + formats.level_word(words)  # the stamp and the interlude
        lead = [SqlColumn(name="head_lead", sql=f"regexp_extract(head, {quote(lead_pattern)}, 1)")]
        stamp_of = _zone_word_as_offset
    else:
        head = formats.PLAIN_HEAD_WITH_SERVICE if layout.service_token else formats.PLAIN_HEAD
        stamp_pattern, lead = formats.ISO_STAMP, []
        stamp_of = str
    if layout.sorts_as_text:
        # The text is the time: a line starting with a digit is taken as stamped without parsing it.
        # A line opening with a year outside the stamp years is a candidate, so it is parsed and counted unparsed.
        stamp, candidate = None, f"NOT (line >= '{FIRST_STAMP_YEAR}' AND line < '{END_STAMP_YEAR}') OR {_vocabulary()}"
    else:
        stamp = iso_to_us(stamp_of("stamp_text"))
        candidate = f"stamp IS NULL OR {_vocabulary()}"
    stamp_steps = [] if stamp is None else [
        SqlColumn(name="stamp_text", sql=f"regexp_extract(line, {quote('^' + stamp_pattern)})")]
    header = header_sql(layout.header, "rest")
    return LineSql(
        stamp_steps=stamp_steps, stamp=stamp, candidate=candidate,
        steps=[
            SqlColumn(name="head", sql=f"regexp_extract({CANDIDATE_LINE}, {quote(head)})"),
            SqlColumn(name="head_stamp", sql=f"regexp_extract(head, {quote('^' + stamp_pattern)})"),
            *lead,
            # "ERROR checkout-api" or "[ERROR]   [payments]": the level and service tokens, however many
            # blanks the writer aligned them with. String cuts, each past the one blank the head pattern
            # puts after a part; a trim only for the extra blanks of aligned columns: far cheaper than a
            # split, a regex or a trim of every head.
            SqlColumn(name="after_stamp", sql=f"replace(substr(head, length({'head_lead' if lead else 'head_stamp'}) + 2), chr(9), ' ')"),
            SqlColumn(name="level_on", sql=trimmed("after_stamp", side="left")),
            SqlColumn(name="level_token", sql="split_part(level_on, ' ', 1)"),
            SqlColumn(name="after_level", sql="substr(level_on, length(level_token) + 2)"),
            SqlColumn(name="service_word", sql=f"split_part({trimmed('after_level', side='left')}, ' ', 1)"),
            SqlColumn(name="service_token", sql=trimmed("service_word")),  # `checkout-api` + U+00A0: the name
            SqlColumn(name="rest", sql=f"substr({CANDIDATE_LINE}, length(head) + 1)"),
            *(SqlColumn(name=name, sql=text) for name, text in header.steps),
        ],
        ts=iso_to_us(stamp_of("head_stamp")),
        level=f"nullif({trimmed('level_token', '[]:')}, '')",
        service=header.service or (f"nullif({trimmed('service_token', '[]:')}, '')" if layout.service_token else "NULL"),
        message=trimmed(header.message, " \t", side="right"),
    )


def _zone_word_as_offset(text_sql: str) -> str:
    """A stamp ending in a zone word with its offset instead (`... 14:23:15 CEST` -> `... 14:23:15+02:00`):
    ICU reads few zone words and some of them wrongly. An ambiguous word is dropped: --tz decides."""
    word = f"regexp_extract({text_sql}, ' ([A-Z]{{3,4}})$', 1)"
    offsets = " ".join(f"WHEN {quote(w)} THEN {quote(o)}" for w, o in formats.ZONE_OFFSETS.items())
    return (f"(CASE WHEN {word} = '' THEN {text_sql} "
            f"ELSE rtrim(left({text_sql}, length({text_sql}) - length({word}))) || (CASE {word} {offsets} ELSE '' END) END)")


def _first_of(values: list[str]) -> str:
    """The first non-NULL of several SQL values (NULL when there are none)."""
    return f"coalesce({', '.join(values)})" if values else "NULL"


def _json_paths(keys) -> list[str]:
    """The JSON paths a line's one parse extracts, in the order `parts[i]` names them."""
    parts = [keys.ts, keys.level, keys.service, keys.message, keys.error, keys.status, keys.duration, keys.route]
    return [path for part in parts for path in part] or [_MISSING_PATH]


def _json(layout: FileLayout) -> LineSql:
    keys = layout.keys
    paths = _json_paths(keys)
    index = {path: i + 1 for i, path in enumerate(paths)}  # one JSON parse per line: every path at once

    def value(part: list[str]) -> str:
        # A key holding an object on some lines (`"service": {"name": ...}`) is not the value there; a text
        # that opens with a bracket (`[ERROR] Task timed out`) is.
        return _first_of([f"(CASE WHEN left(parts[{index[path]}], 1) NOT IN ('{{', '[') "
                          f"OR NOT json_valid(parts[{index[path]}]) THEN parts[{index[path]}] END)" for path in part])

    level, message, steps = value(keys.level), value(keys.message), []
    if not keys.level and keys.message:  # CloudWatch's `@message`, a Lambda's `[ERROR] ...`: the level opens the text
        steps = [SqlColumn(name="json_message", sql=message)]
        level, message = _leading_level_word("json_message")
    return LineSql(
        stamp_steps=[SqlColumn(name="time_value", sql=_first_of(
            [f"try(json_extract_string(line, {quote(path)}))" for path in keys.ts]))],
        stamp=value_to_us("time_value"),
        # A file of request lines is read whole: each line's status counts toward the request rate.
        candidate=None if keys.status else f"stamp IS NULL OR {_vocabulary(formats.JSON_LEVEL_VALUES)}",
        steps=[SqlColumn(name="parts", sql=f"try(json_extract_string({CANDIDATE_LINE}, "
                                           f"[{', '.join(quote(p) for p in paths)}]))"), *steps],
        ts=value_to_us(value(keys.ts)), level=level, service=value(keys.service),
        message=_with_error(message, value(keys.error)),
        **({"status": _http_status(value(keys.status)), "requests": True} if keys.status else {}),
        **({"route": route_sql(value(keys.route))} if keys.route else {}),
    )


def _http_status(text_sql: str) -> str:
    """The HTTP status a value holds (100-599), else NULL."""
    code = f"try_cast({text_sql} AS INTEGER)"
    return f"(CASE WHEN {code} BETWEEN 100 AND 599 THEN {code} END)"


def _with_error(message: str, error: str) -> str:
    """The message, and what went wrong when the line says it in a field of its own (`request failed:
    context deadline exceeded`); without either, the whole line."""
    message = f"CAST({message} AS VARCHAR)"  # either may be a bare NULL
    # `"error": false` says nothing went wrong; of a multi-line error, the first line says what.
    error = f"nullif(nullif(split_part(CAST({error} AS VARCHAR), chr(10), 1), 'true'), 'false')"
    return (f"(CASE WHEN {message} IS NULL THEN coalesce({error}, {CANDIDATE_LINE}) "
            f"WHEN {error} IS NULL OR contains({message}, {error}) THEN {message} "
            f"ELSE {message} || ': ' || {error} END)")


_LOGFMT_KEY_START = r"(?:^|[ \t])"
_LOGFMT_VALUE = r'=("(?:[^"\\]|\\.)*"|[^ \t]*)'  # a bare value, or a quoted one with \" escapes
_UNESCAPE = "replace(replace({0}, '\\\"', '\"'), '\\\\', '\\')"  # \" -> " and \\ -> \


def _logfmt_value(line_sql: str, keys: list[str]) -> str:
    """The value of the first of `keys` a logfmt line has, as written (quoted or not); '' when none."""
    if not keys:
        return "''"
    alternatives = "|".join(re.escape(key) for key in keys)
    return f"regexp_extract({line_sql}, {quote(_LOGFMT_KEY_START + '(?:' + alternatives + ')' + _LOGFMT_VALUE)}, 1)"


def _unquoted(raw: str) -> str:
    """A logfmt value without its quotes and escapes; NULL when empty."""
    unquoted = _UNESCAPE.format(f"substr({raw}, 2, length({raw}) - 2)")
    return f"nullif(CASE WHEN starts_with({raw}, '\"') THEN {unquoted} ELSE {raw} END, '')"


def _logfmt(layout: FileLayout) -> LineSql:
    keys = layout.keys
    return LineSql(
        stamp_steps=[SqlColumn(name="time_raw", sql=_logfmt_value("line", keys.ts)),
                     SqlColumn(name="time_value", sql=_unquoted("time_raw"))],
        stamp=value_to_us("time_value"),
        candidate=None if keys.status else f"stamp IS NULL OR {_vocabulary()}",
        steps=[*(SqlColumn(name=f"{part}_raw", sql=_logfmt_value(CANDIDATE_LINE, part_keys))
                 for part, part_keys in (("ts", keys.ts), ("level", keys.level), ("service", keys.service),
                                         ("msg", keys.message), ("error", keys.error), ("status", keys.status),
                                         ("route", keys.route))),
               SqlColumn(name="ts_value", sql=_unquoted("ts_raw"))],
        ts=value_to_us("ts_value"),
        level=_unquoted("level_raw"),
        service=_unquoted("service_raw"),
        message=_with_error(_unquoted("msg_raw"), _unquoted("error_raw")),
        **({"status": _http_status(_unquoted("status_raw")), "requests": True} if keys.status else {}),
        **({"route": route_sql(_unquoted("route_raw"))} if keys.route else {}),
    )


_LEADING_3164_STAMP = "^(?:<[0-9]{1,3}>)?" + formats.SYSLOG_3164_STAMP


def _syslog_3164(layout: FileLayout, years: YearRule) -> LineSql:
    def stamp_of(text_sql: str) -> str:
        return strptime_us_sql(f"replace({text_sql}, '  ', ' ')", BY_NAME["month-day"], years)  # `Jan  5`

    level_word, rest = _leading_level_word("parts.msg")
    return LineSql(
        stamp_steps=[SqlColumn(name="lead", sql=f"regexp_extract(line, {quote(_LEADING_3164_STAMP)})")],
        stamp=stamp_of("nullif(right(lead, 15), '')"),
        candidate=f"stamp IS NULL OR {_pri_severity('line')} <= 4 OR {_vocabulary()}",
        steps=[SqlColumn(name="parts", sql=_extract_groups(formats.SYSLOG_3164, ["pri", "ts", "app", "msg"]))],
        ts=stamp_of("nullif(parts.ts, '')"),
        level=f"(CASE WHEN parts.pri <> '' THEN {severity_name_sql('parts.pri')} ELSE {level_word} END)",
        service="nullif(parts.app, '')",
        message=f"(CASE WHEN parts.pri <> '' THEN parts.msg ELSE {rest} END)",
    )


def _syslog_5424(layout: FileLayout) -> LineSql:
    return LineSql(
        stamp=iso_to_us("split_part(line, ' ', 2)"),
        candidate=f"stamp IS NULL OR {_pri_severity('line')} <= 4 OR {_vocabulary()}",
        steps=[SqlColumn(name="parts", sql=_extract_groups(formats.SYSLOG_5424, ["pri", "ts", "app", "msg"]))],
        ts=iso_to_us("nullif(parts.ts, '')"),
        level=f"(CASE WHEN parts.pri <> '' THEN {severity_name_sql('parts.pri')} END)",
        service="nullif(nullif(parts.app, ''), '-')",
        message="ltrim(parts.msg, chr(65279))",  # a UTF-8 BOM may open the message
    )


def _access(layout: FileLayout) -> LineSql:
    # Every line is a request, so every line is taken apart — with string cuts, not a regex.
    return LineSql(
        candidate=None,
        steps=[
            SqlColumn(name="stamp_text", sql=f"substr({CANDIDATE_LINE}, strpos({CANDIDATE_LINE}, ' [') + 2, 26)"),
            SqlColumn(name="request", sql=f"split_part({CANDIDATE_LINE}, '\"', 2)"),
            SqlColumn(name="code", sql=f"try_cast(left(ltrim(split_part({CANDIDATE_LINE}, '\"', 3)), 3) AS INTEGER)"),
        ],
        ts=f"epoch_us(try_strptime(stamp_text, {quote(formats.ACCESS_STAMP_FORMAT)}))",
        level="CAST(code // 100 AS VARCHAR) || 'XX'",
        service="NULL",
        message="split_part(request, ' ', 1) || ' ' || split_part(request, ' ', 2) || ' ' || CAST(code AS VARCHAR)",
        status="code", events=False, every_second=True, route=route_sql("split_part(request, ' ', 2)"),
    )


def _stamped(layout: FileLayout, years: YearRule) -> LineSql:
    """A sniffed layout (sniff_stamped.py): the stamp at its place, the level where the file keeps it."""
    if layout.stamp is None:  # a wrapped line with no time of its own: the wrapper's stands in (file_query)
        return _unstamped(layout)
    shape = BY_NAME[layout.stamp.shape]

    def to_us(text_sql: str) -> str:
        if shape.conversion == "iso":
            return iso_to_us(text_sql)
        if shape.conversion == "epoch":
            return value_to_us(text_sql)
        return strptime_us_sql(text_sql, shape, years)

    steps = [SqlColumn(name="ts_text", sql=stamp_text_sql(CANDIDATE_LINE, layout.stamp)),
             SqlColumn(name="after", sql=after_stamp_sql(CANDIDATE_LINE, layout.stamp))]
    candidate = f"stamp IS NULL OR {_vocabulary()}"
    if layout.level is not None and layout.level.vocabulary != "words":  # E, F, W, #: no word of the vocabulary says so
        candidate += f" OR {worse_than_info_sql('line', layout.stamp, layout.level)}"
    level, level_steps, message, service = _level_and_message(layout)
    return LineSql(
        stamp_steps=[SqlColumn(name="stamp_text", sql=stamp_text_sql("line", layout.stamp, seldom=layout.record_time))],
        stamp=to_us("stamp_text"), candidate=candidate, steps=[*steps, *level_steps],
        ts=to_us("ts_text"), level=level, service=service, message=message,
    )


def _unstamped(layout: FileLayout) -> LineSql:
    """Inner lines without a time (the wrapper gives it): the level from the line's start, the rest the message."""
    steps = [SqlColumn(name="after", sql=f"ltrim({CANDIDATE_LINE}, {quote(AFTER_STAMP)})")]
    level, level_steps, message, service = _level_and_message(layout)
    return LineSql(stamp="NULL::BIGINT", candidate=f"stamp IS NULL OR {_vocabulary()}", steps=[*steps, *level_steps], ts="NULL::BIGINT",
                   level=level, service=service, message=message)


def _level_and_message(layout: FileLayout) -> tuple[str, list[SqlColumn], str, str]:
    """From `after` (what follows the stamp): the level where the file keeps it, the message after it (and after
    the header the file writes there), and the service that header names ("NULL": the file's)."""
    if layout.level is None:
        steps, level, message = [], "NULL", "after"
    elif layout.level.before_stamp:  # the level opens the line; the message is all after the stamp
        pattern = level_pattern(layout.level)
        steps = [SqlColumn(name="found", sql=f"regexp_extract({CANDIDATE_LINE}, {quote(pattern)}, ['lead', 'word'])")]
        level, message = "nullif(found.word, '')", "after"
    else:
        pattern = level_pattern(layout.level)
        steps = [SqlColumn(name="found", sql=f"regexp_extract(after, {quote(pattern)}, ['lead', 'word'])"),
                 SqlColumn(name="level_end", sql=f"length(regexp_extract(after, {quote(pattern)}, 0))")]
        word = "nullif(found.word, '')"
        level = letter_level_sql(word) if layout.level.vocabulary != "words" else word
        message = "(CASE WHEN level_end > 0 THEN ltrim(substr(after, level_end + 1)) ELSE after END)"
    if layout.stamp is not None and (header := BY_NAME[layout.stamp.shape].header):  # glog's `threadid file:line] `
        message = f"regexp_replace({message}, {quote('^' + header)}, '')"
    steps.append(SqlColumn(name="message_text", sql=message))
    header = header_sql(layout.header, "message_text")
    steps.extend(SqlColumn(name=name, sql=text) for name, text in header.steps)
    return level, steps, trimmed(header.message, " \t", side="right"), header.service or "NULL"


def _extract_groups(pattern: str, names: list[str]) -> str:
    """regexp_extract of named groups as a struct of strings ('' for a group that did not take part)."""
    order = list(re.compile(pattern).groupindex)
    wanted = "[" + ", ".join(quote(n if n in names else f"_{n}") for n in order) + "]"
    return f"regexp_extract({CANDIDATE_LINE}, {quote(pattern)}, {wanted})"
