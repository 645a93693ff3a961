"""The one pass over one file: DuckDB reads its lines and leaves them aggregated in `scan_rows`.

Each line gets a kind — parsed (in the window), outside (the window), continuation, unparsed — and
lines are grouped by what the results need: per second, service and message shape for error,
warning and alert lines; one row per event line; a handful of rows for everything else. What lands
in `scan_rows` is small however big the file was; `scan_results` turns it into the LogScan.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import duration_sql, formats
from wicked_platform.tools.logs.levels import level_class_sql, level_name_sql
from wicked_platform.tools.logs.line_sql import CANDIDATE_LINE, LineSql, SqlColumn, bounded_us, iso_to_us
from wicked_platform.tools.logs.models import LevelClass, LogFormat
from wicked_platform.tools.logs.signatures import digit_shape_sql
from wicked_platform.tools.logs.sniff import FileLayout
from wicked_platform.tools.logs.sql_text import quote
from wicked_platform.tools.logs.wrappers import unwrap_sql

MAX_MESSAGE_CHARS = 2000  # a longer message is cut: signatures and examples stay readable
# Comparing whole lines to find a file's first and last is slow on gigabytes; the stamp heads them,
# and no stamp is longer than this (`2024-01-15T14:23:15.123456789+05:30` is 35).
STAMP_HEAD_CHARS = 64
MAX_LINE_BYTES = 8 << 20  # DuckDB's reader refuses longer lines; the file is then reported unreadable
# A delimiter no log line contains, so each line arrives whole as one column. One byte would cut lines
# that hold it (\x01 does occur); four control bytes in this order do not.
LINE_DELIMITER = "\x1f\x1e\x1d\x1c"

SCAN_ROWS_TABLE = """
CREATE TEMP TABLE scan_rows (
    file_id INTEGER, kind VARCHAR, cls VARCHAR, level VARCHAR, service VARCHAR, shape VARCHAR, sec BIGINT,
    event_at BIGINT, event_message VARCHAR, n BIGINT, failed BIGINT, requests BIGINT, first_us BIGINT, last_us BIGINT,
    first_line VARCHAR, last_line VARCHAR, example_key HUGEINT, example VARCHAR, event_line VARCHAR,
    durations STRUCT(route VARCHAR, ms DOUBLE, n BIGINT)[], route VARCHAR
)"""

PARSED, OUTSIDE, CONTINUATION, UNPARSED = "parsed", "outside", "continuation", "unparsed"
STRUCTURED_FORMATS = frozenset({LogFormat.JSON, LogFormat.LOGFMT})
# Which message is a signature's example: the first by time; among lines of one microsecond, the one
# with the lowest hash — arbitrary, but the same on every run, which a tie on time alone is not.
EXAMPLE_KEY = "(ts::HUGEINT * 18446744073709551616 + hash(message))"
SIGNED_ROW = f"kind = '{PARSED}' AND cls <> '{LevelClass.OTHER.value}'"  # counts toward a signature
TIMED_ROW = f"kind = '{PARSED}' AND duration_ms IS NOT NULL"  # a line in the window that says how long it took
EVENT_ROW = f"kind = '{PARSED}' AND (cls = '{LevelClass.ALERT.value}' OR regexp_matches(message, {quote(formats.EVENT)}))"


def flagged_sql(events: bool) -> str:
    """The CTE that marks each classified row: signed, an event (never, for a format without events),
    and its example key."""
    return (f"flagged AS (SELECT *, {SIGNED_ROW} AS signed, {EVENT_ROW if events else 'false'} AS event, "
            f"{EXAMPLE_KEY} AS example_key FROM classified)")


class Window(BaseModel):
    """--since/--until as epoch microseconds (inclusive); None: unbounded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    since_us: int | None = None
    until_us: int | None = None

    def contains_sql(self, column: str) -> str:
        bounds = []
        if self.since_us is not None:
            bounds.append(f"{column} >= {self.since_us}")
        if self.until_us is not None:
            bounds.append(f"{column} <= {self.until_us}")
        return " AND ".join(bounds) or "true"

    def text_bounds(self, layout: FileLayout, tz: str) -> tuple[str | None, str | None]:
        """The window for lines whose text sorts by time: a line is in it when `low <= line < high`
        as text (None: unbounded), to the second."""
        low = local_stamp_text(self.since_us, layout, tz) if self.since_us is not None else None
        high = local_stamp_text(self.until_us + 1_000_000, layout, tz) if self.until_us is not None else None
        return low, high

    def cut_seconds(self, layout: FileLayout, tz: str) -> tuple[str, ...]:
        """The seconds a bound falls inside, as a plain file whose text sorts by time writes them: lines of
        such a second may lie on both sides of it."""
        cut = []
        if self.since_us is not None and self.since_us % 1_000_000:
            cut.append(local_stamp_text(self.since_us, layout, tz))
        if self.until_us is not None and (self.until_us + 1) % 1_000_000:
            cut.append(local_stamp_text(self.until_us, layout, tz))
        return tuple(cut)

    def text_contains_sql(self, layout: FileLayout, tz: str) -> str:
        low, high = self.text_bounds(layout, tz)
        bounds = [*([f"line >= {quote(low)}"] if low is not None else []), *([f"line < {quote(high)}"] if high is not None else [])]
        return " AND ".join(bounds) or "true"


def local_stamp_text(epoch_us: int, layout: FileLayout, tz: str) -> str:
    """The instant as a plain file whose text sorts by time writes it, to the second: its zone's wall
    time, its separator (`2024-01-15T14:23:15`)."""
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=epoch_us - epoch_us % 1_000_000)
    zone = layout.stamp_zone or ""
    if zone.strip() in ("", "Z"):
        local = instant.astimezone(ZoneInfo(tz)) if zone == "" else instant
    else:
        sign = -1 if zone.strip().startswith("-") else 1
        digits = zone.strip()[1:].replace(":", "")
        local = instant + sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    # The year as four digits: strftime writes year 999 as `999`, which sorts after every stamp.
    return f"{local.year:04d}-{local:%m-%d}{layout.stamp_separator}{local:%H:%M:%S}"


def read_lines_sql(path_sql: str, *, gzip: bool, strip_ansi: bool = False, batch: bool = False) -> str:
    """Every physical line of a file as one VARCHAR `line` ('' for a blank one); gzip read natively.
    `strip_ansi`: without ANSI colour codes (only files whose sniffed lines had them pay for it).

    `batch`: `path_sql` is a list of files read in one query (planning the query costs more than reading
    a small file), and each line also carries its `file_id` and `default_service`, from the list
    parameters $file_ids and $services that run alongside the paths.
    """
    # DuckDB ends a line at a bare CR, so `\r\r\n` hands the next line a leading LF: it is no part of it.
    whole = "(CASE WHEN starts_with(line, chr(10)) THEN substr(line, 2) ELSE coalesce(line, '') END)"
    line = f"regexp_replace({whole}, {quote(formats.ANSI_ESCAPE)}, '', 'g')" if strip_ansi else whole
    reader = (
        f"read_csv({path_sql}, columns = {{'line': 'VARCHAR'}}, "
        f"header = false, delim = {quote(LINE_DELIMITER)}, quote = '', escape = '', auto_detect = false, "
        "strict_mode = false, null_padding = true, encoding = 'utf-8', "
        f"compression = {quote('gzip' if gzip else 'none')}, max_line_size = {MAX_LINE_BYTES}, "
        f"buffer_size = {2 * MAX_LINE_BYTES}{', filename = true' if batch else ''})"
    )
    if not batch:
        return f"SELECT {line} AS line FROM {reader}"
    files = f"(SELECT unnest({path_sql}) AS filename, unnest($file_ids) AS file_id, unnest($services) AS default_service)"
    return f"SELECT {line} AS line, files.file_id, files.default_service FROM {reader} JOIN {files} AS files USING (filename)"


def _chain(source: str, steps: list[SqlColumn], prefix: str) -> tuple[list[str], str]:
    """One CTE per step, each adding its column to everything before it; returns (ctes, last name)."""
    ctes, previous = [], source
    for index, step in enumerate(steps):
        name = f"{prefix}{index}"
        ctes.append(f"{name} AS (SELECT *, {step.sql} AS {step.name} FROM {previous})")
        previous = name
    return ctes, previous


def file_query(
    file_id: int | None, layout: FileLayout, sql: LineSql, window: Window, tz: str, lines_sql: str, *,
    prefiltered: bool = False,
) -> str:
    """INSERT the aggregated rows of one file into scan_rows; `file_id` None: of a batch of files of
    one layout, read by `read_lines_sql(..., batch=True)`, each line carrying its file. `prefiltered`:
    the lines are those a prefilter left (nearly all candidates, seldom two alike): not deduplicated.

    Two aggregations. The first runs over every line and keeps it cheap: a line the prefilter passes
    over is only counted (with its earliest and latest stamp); a candidate line is kept whole, once
    per distinct text. The second takes the candidates apart, so only they pay for parsing.
    """
    stamp_ctes, stamped = _chain("lines", sql.stamp_steps, "stamp_step")
    step_ctes, parsed = _chain("kept", sql.steps, "step")
    boring_window = window.text_contains_sql(layout, tz) if sql.stamp is None else window.contains_sql("stamp")
    per_second = (f"kind = '{PARSED}'" if sql.every_second
                  else f"({SIGNED_ROW}) OR (kind = '{PARSED}' AND status IS NOT NULL)" if sql.requests else SIGNED_ROW)
    if sql.duration is not None:  # a line's duration is kept with its second (the latency series are per minute)
        per_second = f"({per_second}) OR ({TIMED_ROW})"
    file_sql = "file_id" if file_id is None else str(file_id)
    # A JSON or logfmt line is fields: those beside its message (a deploy's `version=`) travel with an event line.
    event_line = (f"CASE WHEN event THEN replace(left({CANDIDATE_LINE}, {MAX_MESSAGE_CHARS}), chr(0), '') END"
                  if layout.format in STRUCTURED_FORMATS else "NULL::VARCHAR")
    default_service = "default_service" if file_id is None else quote(layout.service)
    carried = "file_id, default_service, " if file_id is None else ""
    stamp, ts, service = sql.stamp or "NULL::BIGINT", sql.ts, sql.service
    record = layout.record_time and sql.duration is not None
    if record:  # numbered in the file's order (scan.py reads these files keeping it), for each line to find its record
        lines_sql = f"SELECT *, row_number() OVER () AS line_no FROM ({lines_sql})"
    lines = [f"lines AS ({lines_sql})"]
    if layout.wrapper is not None:  # the inner line is read; the wrapper's time and service stand in for its own
        unwrapped = unwrap_sql(layout.wrapper, "line", lambda text: bounded_us(iso_to_us(text)))
        lines = [f"wrapped AS ({lines_sql})",
                 f"lines AS (SELECT * REPLACE ({unwrapped.line} AS line), {unwrapped.time_us} AS wrapper_us, "
                 f"{unwrapped.service} AS wrapper_service FROM wrapped)"]
        stamp, ts, service = f"coalesce({stamp}, wrapper_us)", f"coalesce({ts}, wrapper_us)", f"coalesce({service}, wrapper_service)"
        if layout.year_less:  # the wrapper's time has a year, the inner stamp none (klog in a CRI file): the wrapper's first
            stamp, ts = f"coalesce(wrapper_us, {sql.stamp or 'NULL::BIGINT'})", f"coalesce(wrapper_us, {sql.ts})"
        carried += "CASE WHEN candidate THEN wrapper_us END AS wrapper_us, CASE WHEN candidate THEN wrapper_service END AS wrapper_service, "
    candidate = f"coalesce({sql.candidate or 'true'}, true)"
    stamped_lines = f"(SELECT *, {bounded_us('raw_stamp')} AS stamp FROM (SELECT *, {stamp} AS raw_stamp FROM {stamped}))"
    if record:
        # A record's lines below its stamp continue it, counted without being read (its SQL may say anything);
        # the one with its duration is read, at the record's time: the last stamp above it.
        ts = f"coalesce({ts}, CASE WHEN {duration_sql.record_test(CANDIDATE_LINE)} THEN record_us END)"
        carried += "CASE WHEN candidate AND stamp IS NULL THEN record_us END AS record_us, "
        record_us = duration_sql.carried_stamp_sql("stamp", "line_no", "file_id" if file_id is None else None)
        stamped_lines = f"(SELECT *, {record_us} AS record_us FROM {stamped_lines})"
        candidate = (f"(CASE WHEN stamp IS NULL AND record_us IS NOT NULL THEN {duration_sql.record_test('line')} "
                     f"ELSE {candidate} END)")
    ctes = [
        *lines,
        *stamp_ctes,
        f"marked AS (SELECT *, {candidate} AS candidate FROM {stamped_lines})",
        _kept(sql, boring_window, carried=carried, dedupe=not prefiltered, continued=record),
        *step_ctes,
        f"fields AS (SELECT *, {bounded_us('raw_ts')} AS ts FROM (SELECT *, {ts} AS raw_ts, {sql.level} AS level_text, "
        f"coalesce({service}, {default_service}) AS service, "
        f"replace(left({sql.message}, {MAX_MESSAGE_CHARS}), chr(0), '') AS message, "  # a stray NUL reaches no output
        f"{sql.status} AS status, {sql.duration or 'NULL::DOUBLE'} AS duration_ms, "
        f"{sql.route} AS route FROM {parsed}))",
        f"""classified AS (
            SELECT *, {level_class_sql('level')} AS cls,
                   CASE WHEN boring_kind IS NOT NULL THEN boring_kind
                        WHEN ts IS NOT NULL THEN (CASE WHEN {window.contains_sql('ts')} THEN '{PARSED}' ELSE '{OUTSIDE}' END)
                        WHEN regexp_matches({CANDIDATE_LINE}, {quote(formats.CONTINUATION)}) THEN '{CONTINUATION}'
                        ELSE '{UNPARSED}' END AS kind
            FROM (SELECT *, {level_name_sql('level_text')} AS level FROM fields))""",
        flagged_sql(sql.events),
    ]
    return f"""
INSERT INTO scan_rows
WITH {', '.join(ctes)}
SELECT {file_sql} AS file_id, kind, cls, level, service,
       CASE WHEN signed THEN {digit_shape_sql('message')} END AS shape,
       CASE WHEN {per_second} THEN ts // 1000000 END AS sec,
       CASE WHEN event THEN ts END AS event_at,
       CASE WHEN event THEN message END AS event_message,
       sum(n) AS n,
       coalesce(sum(n) FILTER (WHERE status >= 500), 0) AS failed,
       coalesce(sum(n) FILTER (WHERE status IS NOT NULL), 0) AS requests,
       least(min(ts), min(first_stamp)) AS first_us, greatest(max(ts), max(last_stamp)) AS last_us,
       min(first_line) AS first_line, max(last_line) AS last_line,
       min(example_key) FILTER (WHERE signed) AS example_key,
       arg_min(message, example_key) FILTER (WHERE signed) AS example,
       {event_line} AS event_line,
       {_durations_sql(sql)},
       {_request_route(sql)} AS route
FROM flagged
GROUP BY ALL
"""


def _request_route(sql: LineSql) -> str:
    """A request line's route, which its row is grouped by: the requests and failures of each route per second."""
    if sql.route == "NULL::VARCHAR" or not (sql.every_second or sql.requests):
        return "NULL::VARCHAR"
    return f"CASE WHEN kind = '{PARSED}' AND status IS NOT NULL THEN route END"


def _durations_sql(sql: LineSql) -> str:
    """The durations of a group's lines, each with its route and the lines it stands for (a candidate line
    read once per distinct text): a list per row, so the rows stay as few as without durations."""
    if sql.duration is None:
        return "NULL AS durations"
    return ("list({'route': route, 'ms': duration_ms, 'n': n}) FILTER (WHERE " + TIMED_ROW + ") AS durations")


def _kept(sql: LineSql, boring_window: str, carried: str = "", dedupe: bool = True, continued: bool = False) -> str:
    """Candidate lines, once per distinct text with their number; the rest reduced to a row or two.
    `carried`: columns kept as they are (a batch's file of each line). Without `dedupe`, every line is
    a row of its own: grouping costs more than it saves when few lines repeat and few are passed over.
    `continued`: a line passed over without a stamp continues a record (the slow query log's)."""
    record_line = f"WHEN stamp IS NULL THEN '{CONTINUATION}' " if continued else ""
    boring_kind = (f"CASE WHEN candidate THEN NULL {record_line}WHEN {boring_window} THEN '{PARSED}' ELSE '{OUTSIDE}' END "
                   "AS boring_kind")
    if not dedupe:
        head = f"left(line, {STAMP_HEAD_CHARS})" if sql.stamp is None else "NULL::VARCHAR"
        return f"""kept AS (
            SELECT {carried}CASE WHEN candidate THEN line END AS {CANDIDATE_LINE},
                   {boring_kind},
                   1::BIGINT AS n, stamp AS first_stamp, stamp AS last_stamp,
                   CASE WHEN NOT candidate THEN {head} END AS first_line, CASE WHEN NOT candidate THEN {head} END AS last_line
            FROM marked)"""
    if sql.candidate is None:  # every line is taken apart: nothing to set aside, no point deduplicating
        return (f"kept AS (SELECT {carried}line AS {CANDIDATE_LINE}, NULL::VARCHAR AS boring_kind, 1 AS n, "
                "NULL::BIGINT AS first_stamp, NULL::BIGINT AS last_stamp, NULL::VARCHAR AS first_line, "
                "NULL::VARCHAR AS last_line FROM marked)")
    if sql.stamp is None:  # the text sorts by time: the earliest and latest stamps are its least and greatest heads
        head = f"left(line, {STAMP_HEAD_CHARS})"
        text_bounds = f"min({head}) FILTER (WHERE NOT candidate) AS first_line, max({head}) FILTER (WHERE NOT candidate) AS last_line"
    else:  # every line's stamp was parsed: no text to keep
        text_bounds = "NULL::VARCHAR AS first_line, NULL::VARCHAR AS last_line"
    return f"""kept AS (
            SELECT {carried}CASE WHEN candidate THEN line END AS {CANDIDATE_LINE},
                   {boring_kind},
                   count(*) AS n, min(stamp) AS first_stamp, max(stamp) AS last_stamp, {text_bounds}
            FROM marked GROUP BY ALL)"""


def passed_over_query(*, timed: bool = False) -> str:
    """INSERT the lines a prefilter outside DuckDB passed over, of one kind, as `_kept` would have left
    them: counted, with their least and greatest heads (parameters $file_id, $kind, $service, $n,
    $least, $greatest). Also the lines it counted as continuations (kind CONTINUATION, no heads): a
    plain line's head opens with its stamp, so the SQL reads a line opening with a blank as one,
    without a level. `timed`: JSON or logfmt lines, whose least and greatest are their times (epoch µs),
    as the SQL keeps them of lines whose stamps it parsed."""
    bounds = "first_us, last_us" if timed else "first_line, last_line"
    return f"""
INSERT INTO scan_rows (file_id, kind, cls, service, n, failed, {bounds})
VALUES ($file_id, $kind, '{LevelClass.OTHER.value}', $service, $n, 0, $least, $greatest)
"""


# The rows of lines the C prefilter grouped (_prefilter_groups.c): named as the plain SQL names the parts
# of a line, so its own expressions read them.
ROW_COLUMNS = {"stamp": "VARCHAR", "level_token": "VARCHAR", "service_token": "VARCHAR", "shape": "VARCHAR",
               "least": "BIGINT", "greatest": "BIGINT", "n": "BIGINT", "rest": "VARCHAR"}
ROW_DELIMITER = "\x1f"


def rows_query(file_id: int, layout: FileLayout, sql: LineSql, window: Window, paths_sql: str) -> str:
    """INSERT the rows of grouped lines into scan_rows, each as its group of lines would have been.

    A row holds lines that differ only in digits: of their message, which the shape already masks, and
    of their fraction of a second, which gives the group's first and last stamp. Its message is as the
    SQL reads one: trimmed, then cut (so it may end in a blank, which a second trim would drop).

    Its kind is NULL when its lines may lie on both sides of a window bound. The C keeps apart the lines
    of a second a bound falls in, by the text of that second, but a stamp in another zone than the
    sniffed lines', or in a DST gap, may still fall there; the scan then reads the file without the C.
    """
    columns = ", ".join(f"{quote(name)}: {quote(kind)}" for name, kind in ROW_COLUMNS.items())
    reader = (f"read_csv({paths_sql}, columns = {{{columns}}}, header = false, delim = {quote(ROW_DELIMITER)}, "
              f"quote = '', escape = '', auto_detect = false, encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES}, "
              f"buffer_size = {2 * MAX_LINE_BYTES})")
    first_in, last_in = window.contains_sql("ts"), window.contains_sql("last_ts")
    # Outside only when all of the group is: before since, or after until. Both ends outside may
    # still hold lines inside, when since and until fall in the group's second.
    outside = " OR ".join([*([f"last_ts < {window.since_us}"] if window.since_us is not None else []),
                           *([f"ts > {window.until_us}"] if window.until_us is not None else [])]) or "false"
    ctes = [
        f"grouped AS (SELECT * REPLACE (coalesce(shape, '') AS shape, coalesce(rest, '') AS rest) FROM {reader})",
        f"timed AS (SELECT *, {bounded_us('second_us + least')} AS ts, {bounded_us('second_us + greatest')} AS last_ts "
        f"FROM (SELECT *, {iso_to_us('stamp')} AS second_us FROM grouped))",
        f"fields AS (SELECT *, {level_name_sql('level_text')} AS level FROM (SELECT *, {sql.level} AS level_text, "
        f"coalesce({sql.service}, {quote(layout.service)}) AS service, rest AS message "
        "FROM timed))",
        f"""classified AS (
            SELECT *, {level_class_sql('level')} AS cls,
                   CASE WHEN ts IS NULL THEN '{UNPARSED}' WHEN ({first_in}) AND ({last_in}) THEN '{PARSED}'
                        WHEN {outside} THEN '{OUTSIDE}' END AS kind
            FROM fields)""",
        flagged_sql(sql.events),
    ]
    return f"""
INSERT INTO scan_rows (file_id, kind, cls, level, service, shape, sec, event_at, event_message, n, failed, first_us, last_us,
                       example_key, example)
WITH {', '.join(ctes)}
SELECT {file_id}, kind, cls, level, service, CASE WHEN signed THEN shape END, CASE WHEN signed THEN ts // 1000000 END,
       CASE WHEN event THEN ts END, CASE WHEN event THEN message END, n, 0, ts, last_ts,
       CASE WHEN signed THEN example_key END, CASE WHEN signed THEN message END
FROM flagged
"""


# The rows of JSON or logfmt lines the C prefilter grouped (_prefilter_fieldgroups.c): the level already named.
FIELD_ROW_COLUMNS = {"inside": "INTEGER", "level": "VARCHAR", "service": "VARCHAR", "shape": "VARCHAR", "second": "BIGINT",
                     "least": "BIGINT", "greatest": "BIGINT", "n": "BIGINT", "message": "VARCHAR", "line": "VARCHAR"}


def field_rows_query(file_id: int, layout: FileLayout, sql: LineSql, paths_sql: str) -> str:
    """INSERT the rows of grouped JSON or logfmt lines into scan_rows, each as its group of lines would have been.

    The C read each line's time, level (named as `level_name_sql` names it), service (empty: the file's) and
    message (cut as the SQL cuts it), and whether the window holds it. A row of errors or warnings in the window
    holds lines of one second and one message shape, with the message of the earliest; a line in the window that
    may be an event is a row of its own, with its line (cut); any other row holds lines of one level and service,
    counted with their earliest and latest time.
    """
    columns = ", ".join(f"{quote(name)}: {quote(kind)}" for name, kind in FIELD_ROW_COLUMNS.items())
    reader = (f"read_csv({paths_sql}, columns = {{{columns}}}, header = false, delim = {quote(ROW_DELIMITER)}, "
              f"quote = '', escape = '', auto_detect = false, encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES}, "
              f"buffer_size = {2 * MAX_LINE_BYTES})")
    ctes = [
        f"grouped AS (SELECT * REPLACE (coalesce(shape, '') AS shape, coalesce(message, '') AS message, "
        f"coalesce(service, {quote(layout.service)}) AS service) FROM {reader})",
        f"""classified AS (
            SELECT *, least AS ts, greatest AS last_ts, {level_class_sql('level')} AS cls,
                   CASE WHEN inside = 1 THEN '{PARSED}' ELSE '{OUTSIDE}' END AS kind
            FROM grouped)""",
        flagged_sql(sql.events),
    ]
    return f"""
INSERT INTO scan_rows (file_id, kind, cls, level, service, shape, sec, event_at, event_message, n, failed, requests,
                       first_us, last_us, example_key, example, event_line)
WITH {', '.join(ctes)}
SELECT {file_id}, kind, cls, level, service, CASE WHEN signed THEN shape END, CASE WHEN signed THEN ts // 1000000 END,
       CASE WHEN event THEN ts END, CASE WHEN event THEN message END, n, 0, 0, ts, last_ts,
       CASE WHEN signed THEN example_key END, CASE WHEN signed THEN message END, CASE WHEN event THEN line END
FROM flagged
"""


def count_query(file_id: int | None, layout: FileLayout, lines_sql: str) -> str:
    """A file in no format we know: its lines are counted, all of them unparsed (`file_id` None: a batch)."""
    if file_id is None:
        return f"""
INSERT INTO scan_rows (file_id, kind, cls, service, n)
SELECT file_id, '{UNPARSED}', '{LevelClass.OTHER.value}', default_service, count(*) FROM ({lines_sql})
GROUP BY file_id, default_service
"""
    return f"""
INSERT INTO scan_rows (file_id, kind, cls, service, n)
SELECT {file_id}, '{UNPARSED}', '{LevelClass.OTHER.value}', {quote(layout.service)}, count(*) FROM ({lines_sql})
HAVING count(*) > 0
"""


def stamps_query(sql: LineSql) -> str:
    """epoch µs of each of the lines in the list parameter $lines, read the way candidates are."""
    step_ctes, parsed = _chain("picked", sql.steps, "step")
    ctes = [f"picked AS (SELECT line, line AS {CANDIDATE_LINE} FROM (SELECT unnest($lines) AS line))", *step_ctes]
    return f"WITH {', '.join(ctes)} SELECT line, {bounded_us('raw_ts')} AS ts FROM (SELECT *, {sql.ts} AS raw_ts FROM {parsed})"
