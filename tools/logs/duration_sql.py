"""The SQL that reads a line's duration (milliseconds, DOUBLE), per format, from duration_shapes.

Each reader returns steps (SqlColumn, computed from the candidate line in order) and the final
expression; the scan's file query names it `duration_ms` (the route is line_sql's, route_shapes.route_sql). A value that is no duration
(`-`, text, a negative number) gives NULL, never 0.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.duration_shapes import INLINE_SHAPES, MS_PER_UNIT, TAIL_KEYS, Unit, key_units
from wicked_platform.tools.logs.sql_text import quote

_CLINE = "cline"  # line_sql.CANDIDATE_LINE (not imported: line_sql imports this module)
# A number, then maybe a unit: `0.060`, `123`, `1.2s`, `850µs`, `1e-3`.
VALUE_PATTERN = r"^[ \t]*([0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)[ \t]*(ns|us|µs|ms|s|m)?[ \t]*$"
_TAIL_KEYED = r'[ \t](' + "|".join(sorted(TAIL_KEYS, key=len, reverse=True)) + r')="?([0-9]+(?:\.[0-9]+)?)'
# The first number after an access line's last quoted field, past its status and size when they are there.
TAIL_BARE = r"^[ \t]*(?:[0-9]{3}[ \t]+(?:[0-9]+|-)[ \t]+)?([0-9]+(?:\.[0-9]+)?)(?:[ \t]|$)"


class DurationSql(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: list[tuple[str, str]]  # (name, sql), in order
    duration: str  # milliseconds, or NULL


def _unit_factor(unit_sql: str) -> str:
    cases = " ".join(f"WHEN {quote(u)} THEN {factor!r}" for u, factor in MS_PER_UNIT.items())
    return f"(CASE {unit_sql} {cases} END)"


def value_ms(prefix: str, text_sql: str, default_unit_sql: str) -> tuple[list[tuple[str, str]], str]:
    """Steps and the expression of a duration value's milliseconds; its unit from the value, else the default
    (a unit name, `s_if_fraction`, or `value`: the value must say)."""
    parts = f"{prefix}_parts"
    steps = [(parts, f"regexp_extract(CAST({text_sql} AS VARCHAR), {quote(VALUE_PATTERN)}, ['num', 'unit'])")]
    number = f"try_cast(nullif({parts}.num, '') AS DOUBLE)"
    default = (f"(CASE {default_unit_sql} WHEN 's_if_fraction' THEN (CASE WHEN contains({parts}.num, '.') "
               f"OR contains(lower({parts}.num), 'e') THEN 's' ELSE 'ms' END) WHEN 'value' THEN NULL "
               f"ELSE {default_unit_sql} END)")
    unit = f"coalesce(nullif({parts}.unit, ''), {default})"
    return steps, f"({number} * {_unit_factor(unit)})"


def structured(duration_values: list[tuple[str, str]]) -> DurationSql:
    """JSON or logfmt: `duration_values` are (value SQL, key) of the keys the sniff found, most specific first."""
    units = key_units()
    text = f"coalesce({', '.join(v for v, _ in duration_values)})"
    default = "(CASE " + " ".join(f"WHEN {v} IS NOT NULL THEN {quote(units[key])}" for v, key in duration_values) + " END)"
    steps, ms = value_ms("dur", text, default)
    return DurationSql(steps=steps, duration=f"(CASE WHEN {ms} >= 0 THEN {ms} END)")


def access() -> DurationSql:
    """An access line: a keyed field (`rt=0.060`) anywhere after the request, else the first number after its
    last quoted field (combined) or after its status and size (common); a fraction is seconds, a whole number µs."""
    keyed = f"regexp_extract({_CLINE}, {quote(_TAIL_KEYED)}, ['key', 'num'])"
    tail = f"string_split({_CLINE}, '\"')[-1]"
    bare = f"regexp_extract({tail}, {quote(TAIL_BARE)}, 1)"
    key_unit = "(CASE tail_keyed.key " + " ".join(f"WHEN {quote(k)} THEN {quote(u)}" for k, u in TAIL_KEYS.items()) + " END)"
    steps = [("tail_keyed", keyed), ("tail_bare", bare),
             ("tail_text", "(CASE WHEN tail_keyed.num <> '' THEN tail_keyed.num ELSE nullif(tail_bare, '') END)"),
             ("tail_unit", f"(CASE WHEN tail_keyed.num <> '' THEN {key_unit} "
                           "WHEN contains(tail_bare, '.') THEN 's' ELSE 'us' END)")]
    value_steps, ms = value_ms("dur", "tail_text", "tail_unit")
    return DurationSql(steps=steps + value_steps, duration=ms)


def inline(message_sql: str) -> DurationSql:
    """A plain line: the first phrase of INLINE_SHAPES its message holds."""
    values = [(f"nullif(regexp_extract({message_sql}, {quote(shape.pattern)}, 1), '')", shape.unit) for shape in INLINE_SHAPES]
    text = f"coalesce({', '.join(v for v, _ in values)})"
    default = "(CASE " + " ".join(f"WHEN {v} IS NOT NULL THEN {quote(u)}" for v, u in values) + " END)"
    steps, ms = value_ms("dur", text, default)
    return DurationSql(steps=steps, duration=ms)


def record_test(line_sql: str) -> str:
    """Whether a line holds a phrase of INLINE_SHAPES that takes its time from its record (`# Query_time:`)."""
    tests = [f"regexp_matches({line_sql}, {quote(s.pattern)})" for s in INLINE_SHAPES if s.record]
    return "(" + " OR ".join(tests) + ")" if tests else "false"


def carried_stamp_sql(stamp_sql: str, order_sql: str, partition_sql: str | None = None) -> str:
    """The last stamp at or above each line, in the file's order: the time of the record a line belongs to
    (the slow query log's `# Time:` above its `# Query_time:`), carried forward by a window, not a loop."""
    partition = f"PARTITION BY {partition_sql} " if partition_sql else ""
    return (f"last_value({stamp_sql} IGNORE NULLS) OVER ({partition}ORDER BY {order_sql} "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")


def inline_test(line_sql: str) -> str:
    """Whether a line holds a phrase of INLINE_SHAPES: such a line is read in full, whatever its level."""
    return "(" + " OR ".join(f"regexp_matches({line_sql}, {quote(s.pattern)})" for s in INLINE_SHAPES) + ")"


def unit_of(key: str) -> Unit:
    return key_units()[key]
