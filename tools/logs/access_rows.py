"""The rows the C prefilter counted access-log lines into (_prefilter_access.c), as the scan's SQL reads them.

The C reads a line's time, status and route, and counts it into the row `file_query` would have grouped it
in; what the row's level is, and its class, it leaves to the same SQL expressions that name a whole line's
(`line_sql._access`'s level over the status class, `levels`), so the two never need to agree on a table of
levels. `counted_classes` asks that SQL which status classes make lines the C may count: those whose level
no signature is made of. A line in the window of another class (5xx) keeps its message, whose shape and
DuckDB hash make its signature and pick the example: the C writes it as a row of its own, with the message,
and this SQL groups those rows with the very expressions `file_query` groups whole lines with.
"""

from __future__ import annotations

import duckdb

from wicked_platform.tools.logs.file_query import MAX_LINE_BYTES, OUTSIDE, PARSED, Window, flagged_sql
from wicked_platform.tools.logs.levels import level_class_sql, level_name_sql
from wicked_platform.tools.logs.line_sql import LineSql
from wicked_platform.tools.logs.models import LevelClass
from wicked_platform.tools.logs.signatures import digit_shape_sql
from wicked_platform.tools.logs.sql_text import quote

# A row: in the window (1) or not, the status's first digit, earliest and latest time, count, route, and the
# message of a line kept whole.
ROW_COLUMNS = {"inside": "INTEGER", "digit": "INTEGER", "first_us": "BIGINT", "last_us": "BIGINT", "n": "BIGINT",
               "route": "VARCHAR", "message": "VARCHAR"}
ROW_DELIMITER = "\x1f"


def _levels(sql: LineSql) -> str:
    """Each status class (`digit`, 0-9) with the level, its class and the status the access SQL reads of a
    status of that class (its expressions read `code`; a class's statuses share their level, and are all
    500 or more, or none)."""
    return (f"SELECT digit, level, {level_class_sql('level')} AS cls, status FROM (SELECT *, "
            f"{level_name_sql('level_text')} AS level FROM (SELECT *, {sql.level} AS level_text, {sql.status} AS status "
            "FROM (SELECT digit, digit * 100 AS code FROM (SELECT unnest(range(10)) AS digit))))")


def counted_classes(con: duckdb.DuckDBPyConnection, sql: LineSql) -> frozenset[int]:
    """The status classes (0-9, a status's first digit) whose lines read as a level of class `other`."""
    found = con.execute(f"SELECT digit, cls FROM ({_levels(sql)})").fetchall()
    return frozenset(int(digit) for digit, cls in found if cls == LevelClass.OTHER.value)


def access_rows_query(file_id: int, service: str, sql: LineSql, window: Window, paths_sql: str) -> str:
    """INSERT the rows the C wrote into scan_rows, grouped as `file_query` groups the lines they stand for:
    in the window, by second (`every_second`), route and, for a line kept whole, its message's shape; outside
    it, with none of them. A row whose earliest or latest time the window does not class as the C did gets
    kind NULL, and the scan reads the file without the C (it cannot happen: both read the window's bounds as
    inclusive epoch µs)."""
    columns = ", ".join(f"{quote(name)}: {quote(kind)}" for name, kind in ROW_COLUMNS.items())
    reader = (f"read_csv({paths_sql}, columns = {{{columns}}}, header = false, delim = {quote(ROW_DELIMITER)}, "
              f"quote = '', escape = '', auto_detect = false, encoding = 'utf-8', max_line_size = {MAX_LINE_BYTES}, "
              f"buffer_size = {2 * MAX_LINE_BYTES})")
    inside = f"({window.contains_sql('first_us')}) AND ({window.contains_sql('last_us')})"
    outside = f"NOT ({window.contains_sql('first_us')}) AND NOT ({window.contains_sql('last_us')})"
    kind = f"CASE WHEN inside = 1 AND {inside} THEN '{PARSED}' WHEN inside = 0 AND {outside} THEN '{OUTSIDE}' END"
    # The level of each status class is read once, not once a row.
    ctes = [f"classified AS (SELECT *, first_us AS ts, {kind} AS kind FROM {reader} JOIN ({_levels(sql)}) USING (digit))",
            flagged_sql(events=False)]
    # A counted row is a group already (rows of one group from two byte ranges add up downstream, as any
    # rows do): only the lines kept whole are grouped.
    return f"""
INSERT INTO scan_rows (file_id, kind, cls, level, service, shape, sec, n, failed, requests, first_us, last_us,
                       example_key, example, route)
WITH {', '.join(ctes)}
SELECT {file_id}, kind, cls, level, {quote(service)}, NULL, CASE WHEN kind = '{PARSED}' THEN ts // 1000000 END, n,
       CASE WHEN status >= 500 THEN n ELSE 0 END, CASE WHEN status IS NOT NULL THEN n ELSE 0 END, first_us, last_us,
       NULL, NULL, CASE WHEN kind = '{PARSED}' THEN route END
FROM classified WHERE message IS NULL
UNION ALL
SELECT {file_id}, kind, cls, level, {quote(service)}, CASE WHEN signed THEN {digit_shape_sql('message')} END AS shape,
       CASE WHEN kind = '{PARSED}' THEN ts // 1000000 END AS sec, sum(n) AS n,
       coalesce(sum(n) FILTER (WHERE status >= 500), 0) AS failed,
       coalesce(sum(n) FILTER (WHERE status IS NOT NULL), 0) AS requests, min(first_us) AS first_us,
       max(last_us) AS last_us, min(example_key) FILTER (WHERE signed) AS example_key,
       arg_min(message, example_key) FILTER (WHERE signed) AS example, CASE WHEN kind = '{PARSED}' THEN route END AS route
FROM flagged WHERE message IS NOT NULL
GROUP BY ALL
"""
