"""The C prefilter's groups of JSON and logfmt lines: the lines it keeps, read and grouped in C as the SQL would.

The rows the C writes are checked directly (what a group keeps, which lines it leaves to the SQL), then the
property that matters: a scan that groups in C gives the same LogScan as the SQL alone, over files of lines
the C reads and lines just off what it reads (a level as a number or with a blank, a service that is an object
or empty, a message nested, escaped, opening with a bracket or missing, an error key beside it, a key twice,
deploy lines and alerts that are timeline events, stack traces in a field), with window bounds inside a
second, in UTC and in a zone where stamps without one are local.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.logs import file_query, formats, prefilter
from wicked_platform.tools.logs.levels import LEVEL_ALIASES, level_name_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import FileLayout, LineKeys, sniff_file

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the C prefilter was not built (no compiler at install)")

_JSON_GROUPS = prefilter.FieldGroups(level=["level"], service=["service"], message=["msg"], error=["err", "error"],
                                     max_message=2000)
_LOGFMT_GROUPS = prefilter.FieldGroups(level=["level"], service=["service"], message=["msg"], error=["err"],
                                       max_message=2000)


def _split(tmp_path: Path, lines: list[str], *, kind: str = "json", since_us: int | None = None,
           groups: prefilter.FieldGroups | None = None):
    """split_range over the lines: (the lines left for the SQL, the rows written, split apart)."""
    text = "".join(line + "\n" for line in lines)
    path, out, rows = tmp_path / "app.log", tmp_path / "out.log", tmp_path / "out.rows"
    path.write_text(text)
    groups = groups or (_JSON_GROUPS if kind == "json" else _LOGFMT_GROUPS)
    refused, _ = prefilter._prefilter.split_range(
        str(path), str(out), 0, len(text), tuple(w.encode() for w in formats.VOCABULARY_WORDS), b"1970", b"2200",
        None, None, 64, 1 << 20, False, rows_path=str(rows), fields=1 if kind == "json" else 2, field_keys=(b"ts",),
        markers=tuple(k.encode() for k in formats.JSON_LEVEL_VALUE_KEYS), marked=formats.JSON_LEVEL_VALUE_STARTS.encode(),
        naive_utc=True, since_us=since_us, field_groups=prefilter._field_groups_spec(groups))
    assert refused is None
    return out.read_text().splitlines(), [row.split("\x1f") for row in rows.read_text().splitlines()]


def _json(**fields) -> str:
    return json.dumps({"ts": "2024-01-15T14:00:00.300Z", "level": "error", "service": "api", **fields},
                      separators=(",", ":"))


def test_errors_alike_but_for_digits_in_one_second_are_one_row_with_the_earliest_message(tmp_path):
    left, rows = _split(tmp_path, [
        _json(msg="Payment timeout for order 3"),
        _json(ts="2024-01-15T14:00:00.1Z", msg="Payment timeout for order 1", trace_id="ab12"),
        _json(ts="2024-01-15T14:00:00.200Z", msg="Payment timeout for order 2"),
        _json(ts="2024-01-15T14:00:01Z", msg="Payment timeout for order 4"),  # another second
        _json(level="ERROR", msg="Payment timeout for order 5"),  # the same level, named alike
    ])
    assert left == []
    second = "1705327200"
    assert sorted(rows) == [
        ["1", "ERROR", "api", "Payment timeout for order 0", second, "1705327200100000", "1705327200300000", "4",
         "Payment timeout for order 1", ""],
        ["1", "ERROR", "api", "Payment timeout for order 0", "1705327201", "1705327201000000", "1705327201000000", "1",
         "Payment timeout for order 4", ""]]


def test_a_tie_with_the_earliest_time_is_kept_as_a_row_of_count_zero(tmp_path):
    """The SQL picks the example among lines of one microsecond by the hash of their message."""
    _, rows = _split(tmp_path, [_json(level="warn", msg="Slow query took 901ms"), _json(level="warn", msg="Slow query took 902ms")],
                     kind="json")
    assert [(row[7], row[8]) for row in rows] == [("0", "Slow query took 902ms"), ("2", "Slow query took 901ms")]


def test_lines_that_are_no_error_or_lie_outside_the_window_are_counted_by_level_and_service(tmp_path):
    left, rows = _split(tmp_path, [
        "ts=2024-01-15T14:00:00Z level=info service=api msg=\"0 errors in batch 7\"",
        "ts=2024-01-15T14:00:09Z level=info msg=\"2 errors in batch 8\"",  # no service: the file's
        "ts=2024-01-15T14:00:05Z level=info service=api msg=\"1 errors in batch 9\"",
        "ts=2024-01-15T13:00:00Z level=error service=api msg=\"boom 1\"",  # before --since
        "ts=2024-01-15T13:00:01Z level=err service=\"\" msg=boom",
    ], kind="logfmt", since_us=1705327200_000000)
    assert left == []
    assert sorted(rows) == [
        ["0", "ERR", "", "", "", "1705323601000000", "1705323601000000", "1", "", ""],
        ["0", "ERROR", "api", "", "", "1705323600000000", "1705323600000000", "1", "", ""],
        ["1", "INFO", "", "", "", "1705327209000000", "1705327209000000", "1", "", ""],
        ["1", "INFO", "api", "", "", "1705327200000000", "1705327205000000", "2", "", ""]]


@pytest.mark.parametrize(("text", "name"), [("E", "ERROR"), ("e", "E"), ("50", "ERROR"), ("3", "ERR"), ("Warning", "WARNING"),
                                            ("notice", "NOTICE")])
def test_a_level_is_named_as_the_sql_names_it(tmp_path, text, name):
    import duckdb

    _, rows = _split(tmp_path, [_json(level=text, msg="an error")])
    assert rows[0][1] == name == duckdb.connect().execute(f"SELECT {level_name_sql(repr(text))}").fetchone()[0]


@pytest.mark.parametrize(("line", "kind", "signed"), [
    (_json(level="fatal", msg="Checkout failures exceeding threshold"), "json", True),  # an alert is an event
    (_json(level="2", msg="error 1"), "json", True),  # a syslog severity: 2 is CRIT, an alert
    (_json(level="info", msg="Deployment v2 rolled out with 0 errors"), "json", False),  # an event word
    ("ts=2024-01-15T14:00:00Z level=error service=api msg=\"circuit breaker open\" trace=ab", "logfmt", True),
])
def test_a_line_that_may_be_an_event_is_a_row_of_its_own_with_its_line(tmp_path, line, kind, signed):
    """An event keeps its line (a deploy's `version=` beside its message); the SQL decides whether it is one."""
    left, rows = _split(tmp_path, [line, line], kind=kind)
    assert left == [] and [(row[7], row[9]) for row in rows] == [("1", line), ("1", line)]
    assert rows[0][4] != "" and rows[0][8] != ""  # its second and message
    _, outside = _split(tmp_path, [line], kind=kind, since_us=1705327201_000000)  # outside the window: no event
    assert [(row[0], row[7], row[8], row[9]) for row in outside] == [("0", "1", "", "")]


@pytest.mark.parametrize("line", [
    _json(msg="boom", err={"message": "deadline exceeded"}),  # the error joins the message
    _json(msg="boom", error="timeout"),
    _json(msg={"text": "nested error"}),
    _json(msg='[{"a": 1}] error'),  # a text that opens like JSON
    _json(msg="quote \"x\" error"),  # an escape
    _json(msg="é error"),  # not ASCII
    _json(level=50, msg="boom error"),
    _json(level="error ", msg="boom"),
    _json(level=None, msg="boom error"),
    _json(service={"name": "api"}, msg="boom error"),
    _json(service="", msg="boom error"),
    _json(msg=None, error_text="boom error"),
    _json(ts="2024-01-15T14:00:00.1234567Z", msg="boom error"),
    _json(ts=1705327200, msg="boom error"),
    _json(msg="boom error")[:-1] + ',"msg":"twice"}',
    _json(msg="boom error")[:-1] + ',"ts":"2024-01-15T14:00:00Z"}',
    '{"ts":"2024-01-15T14:00:00Z","level":"error","service":"api"}',  # no message: the SQL's is the line
])
def test_json_lines_the_c_is_unsure_of_are_left_to_the_sql(tmp_path, line):
    assert _split(tmp_path, [line]) == ([line], [])


@pytest.mark.parametrize("line", [
    "ts=2024-01-15T14:00:00Z level=error service=api msg=\"quote \\\"x\\\"\"",
    "ts=2024-01-15T14:00:00Z level=error service=api msg=\"unclosed",
    "ts=2024-01-15T14:00:00Z level=error service=api msg=",
    "ts=2024-01-15T14:00:00Z level=error service=api",
    "ts=2024-01-15T14:00:00Z level=error service=api msg=boom err=timeout",
    "ts=2024-01-15T14:00:00Z level=\"error \" service=api msg=boom",
    "ts=2024-01-15 level=error service=api msg=boom",
])
def test_logfmt_lines_the_c_is_unsure_of_are_left_to_the_sql(tmp_path, line):
    assert _split(tmp_path, [line], kind="logfmt") == ([line], [])


def test_a_logfmt_value_is_the_leftmost_as_the_sqls_regex_finds_it(tmp_path):
    """`level=` inside the quoted message comes first: the SQL reads the level there, and so does the C."""
    _, rows = _split(tmp_path, ['ts=2024-01-15T14:00:00Z msg="x level=warn now" level=error service=api'], kind="logfmt")
    assert [rows[0][i] for i in (1, 2, 3)] == ["WARN", "api", "x level=warn now"]


def test_a_long_message_is_cut_before_its_shape_is_taken(tmp_path):
    groups = _JSON_GROUPS.model_copy(update={"max_message": 12})
    _, rows = _split(tmp_path, [_json(msg="error 123456789 and more")], groups=groups)
    assert rows[0][3] == "error 000000" and rows[0][8] == "error 123456"


def test_a_level_named_by_the_c_and_by_the_sql_come_from_one_table():
    spec = prefilter._field_groups_spec(_JSON_GROUPS)
    assert dict(zip(spec[4], spec[5], strict=True)) == {k.encode(): v.encode() for k, v in LEVEL_ALIASES.items()}


@pytest.mark.parametrize(("keys", "grouped"), [
    (LineKeys(ts=["$.ts"], level=["$.level"], service=["$.service"], message=["$.msg"],
              error=["$.err.message", "$.error.message"]), True),
    (LineKeys(ts=["$.ts"], level=["$.level", '$."log.level"'], message=["$.message"]), True),
    (LineKeys(ts=["$.ts"], level=["$.log.level"], message=["$.message"]), False),  # a nested level: the SQL reads it
    (LineKeys(ts=["$.ts"], message=["$.message"]), False),  # the level opens the message (CloudWatch): the SQL's
    (LineKeys(ts=["$.ts"], level=["$.level"]), False),  # no message: the SQL's is the whole line
])
def test_the_c_groups_lines_whose_parts_are_top_level_keys(keys, grouped):
    layout = FileLayout(path="app.log", format=LogFormat.JSON, service="app", keys=keys)
    assert (prefilter.field_groups(layout, 2000) is not None) is grouped


# The whole scan, with the C and without it.

# The common ones many times over, so lines share groups (and tie) as a busy log's do.
_MESSAGES = ["Payment timeout for order {n}"] * 8 + ["Slow query took {n}ms"] * 4 + [
             "Connection refused to 10.0.0.{n}:5432",
             "retry {n} of 3 failed", "errors={n} in batch", "Deployment v{n} rolled out", "released v1.{n}.0",
             "circuit breaker open for {n}s", "alert: disk {n}% full", "[ERROR] task {n} timed out",
             "quote \"{n}\" error", "é {n} error", "", "x" * 1990 + "error {n}{n}{n}"]
_LEVELS = ["error"] * 8 + ["warn"] * 4 + ["info", "fatal", "ERROR", "Warning", "err", "E", "e", "4", "50", 50,
           "critical", "debug", "error ", None]


def _stamp(draw, naive: bool) -> str:
    second, fraction = draw(st.integers(0, 3)), draw(st.sampled_from(["", ".1", ".100", ".25", ".250000", ".9"]))
    zone = draw(st.sampled_from(["Z"] * 6 + ["+01:00", ""] if naive else ["Z", "Z", "+01:00"]))
    off = draw(st.sampled_from([""] * 10 + [",5", "0"]))  # a comma, a seventh digit: left to the SQL
    return f"2024-01-15T14:00:0{second}{fraction}{off if fraction else ''}{zone}"


@st.composite
def _json_line(draw) -> str:
    record: dict = {"ts": _stamp(draw, naive=True)}
    level = draw(st.sampled_from(_LEVELS))
    if level is not None:
        record[draw(st.sampled_from(["level", "level", "level", "severity"]))] = level
    service = draw(st.sampled_from(["checkout-api"] * 6 + ["cart-api", "cart-api", None, "", {"id": 7}]))
    if service is not None:
        record["service"] = service
    message = draw(st.sampled_from(_MESSAGES)).format(n=draw(st.integers(0, 12)))
    shape = draw(st.sampled_from(["msg"] * 12 + ["nested", "none", "twice"]))
    if shape in ("msg", "twice"):
        record["msg"] = message
    elif shape == "nested":
        record["msg"] = {"text": message}
    extra = draw(st.sampled_from([""] * 8 + ["err", "error", "stack", "trace"]))
    if extra == "err":
        record["err"] = {"message": "context deadline exceeded", "stack": "Error: boom\n    at handler (app.js:10:5)"}
    elif extra == "error":
        record["error"] = draw(st.sampled_from(["timeout", "false"]))
    elif extra == "stack":
        record["stack"] = "    at com.shop.Cart.update(Cart.java:42)\n    at com.shop.Api.handle(Api.java:7)"
    elif extra == "trace":
        record["trace_id"] = "7263b0af6e69"
    line = json.dumps(record, separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])), ensure_ascii=False)
    if shape == "twice":
        line = line[:-1] + ', "msg": "again error"}'
    return line


@st.composite
def _logfmt_line(draw) -> str:
    parts = [f"ts={_stamp(draw, naive=True)}"]
    level = draw(st.sampled_from(_LEVELS))
    if level is not None:
        parts.append(draw(st.sampled_from(["level={}", "level={}", 'level="{}"'])).format(level))
    service = draw(st.sampled_from(["service=checkout-api"] * 6 + ["service=cart-api", 'service="cart api"', "service=", ""]))
    message = draw(st.sampled_from(_MESSAGES)).format(n=draw(st.integers(0, 12))).replace('"', '\\"')
    parts += [service, draw(st.sampled_from(['msg="{}"'] * 8 + ["msg={}", ""])).format(message)]
    parts.append(draw(st.sampled_from([""] * 8 + ["trace_id=ab12", "err=timeout", 'note="level=error here"'])))
    return draw(st.sampled_from([" ", " ", "\t"])).join(part for part in parts if part)


_HEADS = {  # lines the sniff reads the file's layout from
    "json": ['{"ts":"2024-01-15T14:00:00Z","level":"info","service":"api","msg":"start"}',
             '{"ts":"2024-01-15T14:00:00Z","level":"info","service":"api","msg":"ready"}'],
    "logfmt": ["ts=2024-01-15T14:00:00Z level=info service=api msg=start",
               "ts=2024-01-15T14:00:00Z level=info service=api msg=ready err=none"],
}
_WINDOWS = [{}, {"since": datetime(2024, 1, 15, 14, 0, 1, 250000, tzinfo=UTC)},
            {"since": datetime(2024, 1, 15, 14, 0, 0, 100000, tzinfo=UTC), "until": datetime(2024, 1, 15, 14, 0, 2, 100000, tzinfo=UTC)}]


def _scan_both(path: Path, **options) -> tuple[dict, dict]:
    with_c = scan_logs([path], **options).model_dump()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "_prefilter", None)
        return with_c, scan_logs([path], **options).model_dump()


@fuzz(150)
@given(kind=st.sampled_from(["json", "logfmt"]), data=st.data(), threads=st.integers(1, 3),
       window=st.sampled_from(_WINDOWS), tz=st.sampled_from(["UTC", "UTC", "Europe/Berlin"]))
def test_a_structured_scan_grouping_in_c_equals_one_without_the_c(kind, data, threads, window, tz):
    lines = data.draw(st.lists(_json_line() if kind == "json" else _logfmt_line(), min_size=20, max_size=80))
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "MIN_BYTES", 0)
        patch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
        patch.setattr(prefilter.os, "cpu_count", lambda: threads)
        path = Path(root) / "app.log"
        path.write_text("\n".join([*_HEADS[kind], *lines]) + "\n", encoding="utf-8")
        with_c, plain = _scan_both(path, tz=tz, **window)
        assert with_c == plain


@pytest.mark.parametrize("kind", ["json", "logfmt"])
def test_a_scan_reads_grouped_rows_and_the_lines_left_alike(tmp_path, monkeypatch, kind):
    """Most kept lines are grouped, events and lines off the shape are read by the SQL, and the scan is the SQL's."""
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    lines = []
    for i in range(300):
        stamp = f"2024-01-15T14:{i // 60:02d}:{i % 60:02d}.{i % 7}Z"
        level, message = ("error", f"Payment timeout for order {i}") if i % 3 else ("warn", f"Slow query took {i}ms")
        if i % 50 == 7:
            level, message = "info", f"Deployment v{i} rolled out"
        if kind == "json":
            record = {"ts": stamp, "level": level, "service": ["checkout-api", "cart-api"][i % 2], "msg": message}
            if i % 25 == 3:
                record["err"] = {"message": "deadline exceeded", "stack": "    at a.b(C.java:1)"}
            lines.append(json.dumps(record))
        else:
            quoted = message if i % 25 != 3 else message.replace("timeout", '\\"timeout\\"')  # an escape: the SQL's
            lines.append(f'ts={stamp} level={level} service={["checkout-api", "cart-api"][i % 2]} msg="{quoted}"')
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n")
    splits = []
    real_split = prefilter.split_file
    monkeypatch.setattr(prefilter, "split_file", lambda *a, **k: splits.append(real_split(*a, **k)) or splits[-1])
    since = datetime(2024, 1, 15, 14, 1, 30, 500000, tzinfo=UTC)
    result = scan_logs([path], since=since)
    assert splits[0].row_count > 0 and splits[0].candidates
    assert any(event.message.startswith("Deployment") for event in result.events)
    monkeypatch.setattr(prefilter, "_prefilter", None)
    assert result == scan_logs([path], since=since)

