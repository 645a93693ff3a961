"""The C prefilter on JSON and logfmt lines: it reads the time of the lines it passes over exactly as the SQL does.

The property is the one of the plain prefilter: for any file, window and zone, `scan_logs` with the C gives
the same LogScan as the SQL alone. Files mix lines of the strict shape the C reads with lines just off it:
other stamp shapes (a comma, a seventh digit, `+0200`, no zone, epoch numbers, 24:00:00, Feb 30), a time
key missing, twice, nested, null or escaped, invalid JSON, levels stated as numbers or letters (`"level":
50`, `"s":"E"`), vocabulary words, escapes, tabs and non-ASCII in messages, logfmt time values quoted,
unterminated or hidden inside another value.
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

from wicked_platform.tools.logs import formats, prefilter, scan
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import FileLayout, LineKeys, sniff_file

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the C prefilter was not built (no compiler at install)")

_STAMPS = ["2024-01-15T14:{m:02d}:{s:02d}Z", "2024-01-15T14:{m:02d}:{s:02d}.123Z", "2024-01-15 14:{m:02d}:{s:02d}.5+02:00",
           "2024-01-15T14:{m:02d}:{s:02d}.123456-05:30", "2024-01-15T14:{m:02d}:{s:02d}"] * 4 + [
    "2024-01-15T14:{m:02d}:{s:02d},5Z", "2024-01-15T14:{m:02d}:{s:02d}.1234567Z", "2024-01-15T14:{m:02d}:{s:02d}+0200",
    "2024-01-15T14:{m:02d}:{s:02d} +02:00", "2024-01-15T24:{m:02d}:{s:02d}Z", "2024-02-30T14:{m:02d}:{s:02d}Z",
    "1969-12-31T23:{m:02d}:{s:02d}Z", "2024-01-15T14:{m:02d}:{s:02d}+16:00", "17053{m:02d}4{s:02d}", "bogus"]
_MESSAGES = ["request ok", "Payment timeout for order 42", "cache hit", "an error", "Deployment v2 rolled out",
             "tab\there", "quote \"x\" and \\ slash", "line\nbreak", "é日本", "level 50", "", "\u2028"]
_LEVELS = ["info", "debug", "error", "warn", 30, 50, "50", "4", "I", "E", None]


@st.composite
def _json_line(draw) -> str:
    stamp = draw(st.sampled_from(_STAMPS)).format(m=draw(st.integers(0, 59)), s=draw(st.integers(0, 59)))
    record: dict = {}
    shape = draw(st.sampled_from(["ts"] * 6 + ["time", "none", "null", "number", "object", "twice", "escaped"]))
    if shape == "ts":
        record["ts"] = stamp
    elif shape == "time":
        record["time"] = stamp
    elif shape == "null":
        record["ts"] = None
    elif shape == "number":
        record["ts"] = 1705327200
    elif shape == "object":
        record["ts"] = {"at": stamp}
    level_key = draw(st.sampled_from(["level", "level", "severity", "LEVEL", "s", "lvl", "PRIORITY"]))
    level = draw(st.sampled_from(_LEVELS))
    if level is not None:
        record[level_key] = level
    record["msg"] = draw(st.sampled_from(_MESSAGES))
    if draw(st.booleans()):
        record["nested"] = {"level": draw(st.sampled_from([40, "x", [1, 2.5e3, True, None]]))}
    line = json.dumps(record, ensure_ascii=draw(st.booleans()), separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])))
    if shape == "twice":
        line = line[:-1] + f', "ts": "{stamp}"}}'
    elif shape == "escaped":
        line = line[:-1] + f', "t\\u0073": "{stamp}"}}'
    broken = draw(st.sampled_from(["", "", "", "", "trailing", "cut", "lead", "bad escape", "big number"]))
    if broken == "trailing":
        line += " x"
    elif broken == "cut":
        line = line[: len(line) // 2]
    elif broken == "lead":
        line = " " + line
    elif broken == "bad escape":
        line = line[:-1] + ', "e": "\\x"}'
    elif broken == "big number":
        line = line[:-1] + ', "n": 1e999}'
    return line


@st.composite
def _logfmt_line(draw) -> str:
    stamp = draw(st.sampled_from(_STAMPS)).format(m=draw(st.integers(0, 59)), s=draw(st.integers(0, 59)))
    time = draw(st.sampled_from([f"ts={stamp}"] * 4 + [f'ts="{stamp}"', f'time="{stamp}', f'ts="{stamp}\\"', "ts=",
                                                        f"xts={stamp}", f"time={stamp}", ""]))
    level = draw(st.sampled_from(["level=info", "level=error", "level=debug", "level=50", "", "lvl=warn"]))
    message = draw(st.sampled_from(_MESSAGES)).replace("\n", " ")
    parts = [time, level, f"msg={json.dumps(message, ensure_ascii=False)}"]
    if draw(st.booleans()):
        parts.insert(0, draw(st.sampled_from([f'msg="hidden ts={stamp}"', "user=ts", f"a=b\tts={stamp}"])))
    return " ".join(part for part in parts if part)


_HEADS = {  # lines the sniff reads the file's layout from
    "json": ['{"ts":"2024-01-15T14:00:00Z","level":"info","msg":"start"}',
             '{"ts":"2024-01-15T14:00:01Z","level":"info","msg":"ready"}'],
    "logfmt": ["ts=2024-01-15T14:00:00Z level=info msg=start", "ts=2024-01-15T14:00:01Z level=info msg=ready"],
}
_WINDOWS = [{}, {"since": datetime(2024, 1, 15, 14, 20, tzinfo=UTC)},
            {"since": datetime(2024, 1, 15, 14, 10, 0, 500000, tzinfo=UTC), "until": datetime(2024, 1, 15, 14, 40, 59, tzinfo=UTC)}]


def _scan_both(path: Path, **options) -> tuple[dict, dict]:
    with_c = scan_logs([path], **options).model_dump()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "_prefilter", None)
        return with_c, scan_logs([path], **options).model_dump()


@fuzz(150)
@given(kind=st.sampled_from(["json", "logfmt"]), data=st.data(), threads=st.integers(1, 4),
       window=st.sampled_from(_WINDOWS), tz=st.sampled_from(["UTC", "UTC", "Europe/Berlin"]))
def test_a_structured_scan_with_the_c_prefilter_equals_one_without(kind, data, threads, window, tz):
    lines = data.draw(st.lists(_json_line() if kind == "json" else _logfmt_line(), min_size=1, max_size=40))
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "MIN_BYTES", 0)
        patch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
        patch.setattr(prefilter.os, "cpu_count", lambda: threads)
        path = Path(root) / "app.log"
        path.write_text("\n".join([*_HEADS[kind], *lines]) + "\n", encoding="utf-8")
        with_c, plain = _scan_both(path, tz=tz, **window)
        assert with_c == plain


@pytest.mark.parametrize(("kind", "lines", "inside", "outside"), [
    # 14:mm+01:00 is 13:mm UTC: minutes 0-4 fall before --since
    ("json", [json.dumps({"time": f"2024-01-15T14:{m:02d}:00.250+01:00", "severity": "info", "service": "api",
                          "message": f"GET /orders/{m} done", "http": {"path": "/x"}}) for m in range(40)], 34, 5),
    ("logfmt", [f'time="2024-01-15 14:{m:02d}:00" level=info app=api msg="GET /orders/{m} done"' for m in range(40)], 39, 0),
])
def test_lines_without_the_vocabulary_are_counted_by_their_time_in_c(tmp_path, monkeypatch, kind, lines, inside, outside):
    """Two layouts the C reads apart from the bench's: the time key, quoting and zone differ."""
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    lines[20] = lines[20].replace("info", "error").replace("done", "failed: Payment timeout")
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n")
    layout = sniff_file(path)
    assert layout.format == (LogFormat.JSON if kind == "json" else LogFormat.LOGFMT)
    assert prefilter.applies(layout, path.stat().st_size, False)
    reads, splits = [], []
    real_read, real_split = scan._read_prefiltered, prefilter.split_file
    monkeypatch.setattr(scan, "_read_prefiltered", lambda *a, **k: reads.append(real_read(*a, **k)) or reads[-1])
    monkeypatch.setattr(prefilter, "split_file", lambda *a, **k: splits.append(real_split(*a, **k)) or splits[-1])
    result = scan_logs([path], since=datetime(2024, 1, 15, 13, 5, tzinfo=UTC))
    assert reads[0] is not None and (splits[0].inside.count, splits[0].outside.count) == (inside, outside)
    assert result.level_counts["error"] == 1 and result.files[0].lines == 40
    monkeypatch.setattr(prefilter, "_prefilter", None)
    assert result == scan_logs([path], since=datetime(2024, 1, 15, 13, 5, tzinfo=UTC))


def test_a_file_of_request_lines_is_left_to_the_sql(tmp_path):
    """Each request line's status counts toward the request rate: every line is read by the SQL."""
    path = tmp_path / "app.log"
    path.write_text("".join(json.dumps({"ts": f"2024-01-15T14:00:{s:02d}Z", "level": "info", "status": 200}) + "\n"
                            for s in range(30)))
    assert not prefilter.applies(sniff_file(path), 1 << 30, False)


@pytest.mark.parametrize(("line", "marked"), [
    ('{"ts":"2024-01-15T14:00:00Z","level":50,"msg":"x"}', True),
    ('{"ts":"2024-01-15T14:00:00Z","LEVEL" : "4","msg":"x"}', True),
    ('{"ts":"2024-01-15T14:00:00Z","s":"E","msg":"x"}', True),
    ('{"ts":"2024-01-15T14:00:00Z","nested":{"severity":3},"msg":"x"}', True),
    ('{"ts":"2024-01-15T14:00:00Z","s":"I","msg":"x"}', False),
    ('{"ts":"2024-01-15T14:00:00Z","level":"info","msg":"level 50"}', False),
])
def test_a_level_stated_by_a_number_or_letter_is_left_to_the_sql(tmp_path, line, marked):
    path = tmp_path / "app.log"
    path.write_text(line + "\n")
    words = tuple(w.encode() for w in formats.VOCABULARY_WORDS)
    _, counts = prefilter._prefilter.split_range(
        str(path), str(tmp_path / "out.log"), 0, len(line) + 1, words, b"1970", b"2200", None, None, 64, 1 << 20, False,
        fields=1, field_keys=(b"ts",), markers=tuple(k.encode() for k in formats.JSON_LEVEL_VALUE_KEYS),
        marked=formats.JSON_LEVEL_VALUE_STARTS.encode(), naive_utc=True)
    assert counts[2] == int(marked)  # lines left for the SQL


@pytest.mark.parametrize(("paths", "keys"), [
    (["$.ts", "$.time"], ["ts", "time"]),
    (['$."@timestamp"'], ["@timestamp"]),
    (['$.t."$date"'], None),  # MongoDB's nested time: the SQL reads it
    (["$.timestamp.seconds"], None),
])
def test_the_c_reads_top_level_time_keys_only(paths, keys):
    layout = FileLayout(path="app.log", format=LogFormat.JSON, service="app", keys=LineKeys(ts=paths))
    assert prefilter.time_keys(layout) == keys
    assert prefilter.applies(layout, 1 << 30, False) is (keys is not None)
