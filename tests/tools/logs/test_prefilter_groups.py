"""The C prefilter's line groups: lines of the common plain shape grouped in C, exactly as the SQL groups them.

The rows the C writes are checked directly (what a group keeps, which lines stay rows of their own),
then the property that matters: a scan that groups in C gives the same LogScan as the SQL alone, over
files made of lines close to the strict shape and just off it (a seventh fraction digit, 24:00:00,
brackets, a tab), in several zones, with window bounds that fall inside a second.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.logs import file_query, formats, prefilter, scan, sniff
from wicked_platform.tools.logs.levels import LEVEL_CLASSES
from wicked_platform.tools.logs.scan import scan_logs

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the C prefilter was not built (no compiler at install)")


def _split(tmp_path: Path, text: str, *, service: bool = True, edges: tuple[str, ...] = (), max_message: int = 2000):
    """split_range over the whole text: (counts, the lines left for SQL, the rows written)."""
    path, out, rows = tmp_path / "app.log", tmp_path / "out.log", tmp_path / "out.rows"
    path.write_text(text)
    words = tuple(w.encode() for w in formats.VOCABULARY_WORDS)
    refused, counts = prefilter._prefilter.split_range(
        str(path), str(out), 0, len(text), words, b"1970", b"2200", None, None, 64, 1 << 20, False,
        rows_path=str(rows), service=service, max_message=max_message,
        events=tuple(w.encode() for w in formats.EVENT_WORDS),
        alerts=tuple(w.encode() for w, c in LEVEL_CLASSES.items() if c.value == "alert"),
        edges=tuple(e.encode() for e in edges))
    assert refused is None
    rows_written = [line.split("\x1f") for line in rows.read_text().splitlines()]
    return counts, out.read_text().splitlines(), rows_written


def test_lines_alike_but_for_digits_are_one_row_with_the_earliest_message(tmp_path):
    text = ("2024-01-15T14:00:00.300Z ERROR checkout-api Payment timeout for order ORD-3\n"
            "2024-01-15T14:00:00.1Z ERROR checkout-api Payment timeout for order ORD-1\n"
            "2024-01-15T14:00:00.200Z ERROR checkout-api Payment timeout for order ORD-2   \n")
    counts, left, rows = _split(tmp_path, text)
    assert left == [] and counts[4] == 1
    assert rows == [["2024-01-15T14:00:00Z", "ERROR", "checkout-api", "Payment timeout for order ORD-0",
                     "100000", "300000", "3", "Payment timeout for order ORD-1"]]


def test_a_group_is_one_second_one_level_one_service_one_shape(tmp_path):
    text = ("2024-01-15T14:00:00Z ERROR api Payment timeout for order 7\n"
            "2024-01-15T14:00:01Z ERROR api Payment timeout for order 7\n"  # another second
            "2024-01-15T14:00:00Z Error api Payment timeout for order 7\n"  # the level as written
            "2024-01-15T14:00:00Z ERROR api2 Payment timeout for order 7\n"  # a service's digits are kept
            "2024-01-15T14:00:00Z ERROR api Payment timeout for order 77\n"  # another shape
            "2024-01-15T14:00:00+02:00 ERROR api Payment timeout for order 7\n")  # another zone
    _, _, rows = _split(tmp_path, text)
    assert len(rows) == 6 and all(row[6] == "1" for row in rows)


def test_a_tie_with_the_earliest_stamp_is_kept_as_a_row_of_count_zero(tmp_path):
    """The SQL picks the example among lines of one microsecond by the hash of their message."""
    text = ("2024-01-15T14:00:00.5Z WARN api Slow query took 901ms\n"
            "2024-01-15T14:00:00.5Z WARN api Slow query took 902ms\n"
            "2024-01-15T14:00:00.5Z WARN api Slow query took 901ms\n")
    _, _, rows = _split(tmp_path, text)
    assert [(row[6], row[7]) for row in rows] == [("0", "Slow query took 902ms"), ("3", "Slow query took 901ms")]


@pytest.mark.parametrize("line", [
    "2024-01-15T14:00:00Z CRITICAL api Checkout failures high",  # an alert level is an event
    "2024-01-15T14:00:00Z fatal api out of memory 1",
    "2024-01-15T14:00:00Z ERROR api Deployment 4 done",  # an event word, any case
    "2024-01-15T14:00:00Z ERROR api circuit breaker open 3",
    "2024-01-15T14:00:10.5Z ERROR api boom 1",  # in a second a window bound cuts
])
def test_what_may_be_an_event_or_is_cut_by_the_window_is_a_row_per_line(tmp_path, line):
    _, left, rows = _split(tmp_path, f"{line}\n{line}\n", edges=("2024-01-15T14:00:10",))
    assert left == [] and [row[6] for row in rows] == ["1", "1"]


@pytest.mark.parametrize("line", [
    "2024-01-15T14:00:00.1234567Z ERROR api boom",  # DuckDB rounds a seventh digit
    "2024-01-15T24:00:00Z ERROR api boom",
    "2024-02-30T14:00:00Z ERROR api boom",
    "1969-12-31T23:59:59Z ERROR api boom",
    "2024-01-15T14:00:00 +02:00 ERROR api boom",
    "2024-01-15T14:00:00Z [ERROR] api boom",
    "2024-01-15T14:00:00Z ERROR [api] boom",
    "2024-01-15T14:00:00Z ERROR api: boom",
    "2024-01-15T14:00:00Z ERROR\tapi boom",
    "2024-01-15T14:00:00Z  ERROR api boom",
    "2024-01-15T14:00:00Z ERROR",  # no service where the file writes one
    "Traceback (most recent call last): error",
    "",
])
def test_lines_off_the_strict_shape_are_left_for_sql(tmp_path, line):
    _, left, rows = _split(tmp_path, f"{line}\n")
    assert (left, rows) == ([line], [])


def test_a_comma_before_the_fraction_is_read_as_the_point(tmp_path):
    """log4j's `%d` writes `14:00:00,123`, and its level padded to five (`INFO  [main]`): grouped like `.123`."""
    text = ("2024-01-15 14:00:00,125 ERROR [main] com.shop.Api - boom 1\n"
            "2024-01-15 14:00:00.5 ERROR [main] com.shop.Api - boom 2\n"
            "2024-01-15 14:00:01,000 WARN  [exec-2] com.shop.Api - slow 7\n")
    _, left, rows = _split(tmp_path, text, service=False)
    assert left == []
    assert [row[:7] for row in rows] == [
        ["2024-01-15 14:00:00", "ERROR", "", "[main] com.shop.Api - boom 0", "125000", "500000", "2"],
        ["2024-01-15 14:00:01", "WARN", "", "[exec-0] com.shop.Api - slow 0", "0", "0", "1"]]


def test_a_range_whose_kept_lines_were_all_grouped_leaves_no_file_for_sql(tmp_path, monkeypatch):
    monkeypatch.setattr(prefilter, "MIN_RANGE_BYTES", 64)  # two ranges of a small file
    path, work = tmp_path / "app.log", tmp_path / "work"
    work.mkdir()
    grouped = "2024-01-15T14:00:00Z ERROR api Payment timeout for order {}\n"
    path.write_text("".join(grouped.format(i) for i in range(50)) + "2024-01-15T14:00:01Z ERROR [api] boom\n")
    split = prefilter.split_file(path, work, 0, years=(1970, 2200), window=(None, None), head_chars=64,
                                 max_line_bytes=1 << 20, groups=prefilter.LineGroups(service=True, max_message=2000),
                                 threads=2)
    assert [p.read_text() for p in split.candidates] == ["2024-01-15T14:00:01Z ERROR [api] boom\n"]
    assert sorted(p.name for p in work.iterdir()) == sorted(p.name for p in split.files)  # the empty one is gone
    prefilter.remove(split.files)


def test_lines_opening_with_a_blank_are_counted_as_continuations(tmp_path):
    counts, left, rows = _split(tmp_path, "    at com.shop.Cart.update(Cart.java:42)\n\tat x\n")
    assert (counts[3], left, rows) == (2, [], [])


def test_without_a_service_the_message_follows_the_level_and_is_cut(tmp_path):
    _, _, rows = _split(tmp_path, "2024-01-15 14:00:00 ERROR worker 12 failed badly\n", service=False, max_message=10)
    assert rows == [["2024-01-15 14:00:00", "ERROR", "", "worker 00 ", "0", "0", "1", "worker 12 "]]


@given(st.from_regex(formats.EVENT, fullmatch=False).filter(str.isascii))
def test_every_event_holds_one_of_the_event_words(message):
    """Lines without one are grouped, so an event among them would be lost."""
    assert re.search(formats.EVENT, message)
    assert any(word in message.lower() for word in formats.EVENT_WORDS)


def _write_and_scan(tmp_path: Path, lines: list[str], monkeypatch, **options):
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n")
    reads = []
    real = scan._read_prefiltered
    monkeypatch.setattr(scan, "_read_prefiltered", lambda *a, **k: reads.append(real(*a, **k)) or reads[-1])
    with_c = scan_logs([path], **options)
    monkeypatch.setattr(prefilter, "_prefilter", None)
    return with_c, scan_logs([path], **options), reads


def test_a_bound_inside_a_second_keeps_the_c_path(tmp_path, monkeypatch):
    lines = [f"2024-01-15T14:00:{s:02d}.{ms:03d}Z ERROR api Payment timeout for order {s * 1000 + ms}"
             for s in range(3) for ms in (0, 250, 500, 750)]
    window = {"since": datetime(2024, 1, 15, 14, 0, 0, 400000, tzinfo=UTC), "until": datetime(2024, 1, 15, 14, 0, 2, tzinfo=UTC)}
    with_c, plain, reads = _write_and_scan(tmp_path, lines, monkeypatch, **window)
    assert with_c == plain and reads and reads[0] is not None
    assert with_c.level_counts["error"] == 7 and with_c.files[0].outside_window == 5


def test_a_group_a_bound_cuts_after_all_sends_the_file_back_to_sql(tmp_path, monkeypatch):
    """Lines in another zone than the file's first ones (those sniffed) escape the cut second the C was given."""
    lines = [f"2024-01-15T13:{s // 60:02d}:{s % 60:02d}Z INFO api ok" for s in range(sniff.SNIFF_LINES + 1)]
    lines += ["2024-01-15T15:00:00.000+01:00 ERROR api boom 1", "2024-01-15T15:00:00.500+01:00 ERROR api boom 2"]
    with_c, plain, reads = _write_and_scan(tmp_path, lines, monkeypatch, until=datetime(2024, 1, 15, 14, tzinfo=UTC))
    assert with_c == plain and reads == [None]
    assert with_c.files[0].outside_window == 1 and with_c.level_counts["error"] == 1


@pytest.mark.parametrize(("head", "body", "tz", "window"), [
    # both bounds inside the second of lines in another zone than the sniffed ones
    ([f"2024-01-15T13:{s // 60:02d}:{s % 60:02d}Z INFO api ok" for s in range(sniff.SNIFF_LINES + 1)],
     [f"2024-01-15T15:00:00.{f}00+01:00 ERROR api boom {f}" for f in (1, 5, 9)], "UTC",
     (datetime(2024, 1, 15, 14, 0, 0, 300000, tzinfo=UTC), datetime(2024, 1, 15, 14, 0, 0, 600000, tzinfo=UTC))),
    # ... and of zone-less stamps in a DST gap, which DuckDB reads as an hour earlier than their text
    ([], [f"2024-03-31 02:30:00.{f} ERROR boom {f}" for f in (1, 5, 9)], "Europe/Berlin",
     (datetime(2024, 3, 31, 1, 30, 0, 300000, tzinfo=UTC), datetime(2024, 3, 31, 1, 30, 0, 600000, tzinfo=UTC))),
])
def test_a_group_both_bounds_cut_is_never_taken_for_outside(tmp_path, monkeypatch, head, body, tz, window):
    """Its first and last lines are outside the window, and the one between them is in it."""
    with_c, plain, reads = _write_and_scan(tmp_path, head + body, monkeypatch, since=window[0], until=window[1], tz=tz)
    assert with_c == plain and with_c.level_counts["error"] == 1 and reads == [None]


def test_a_log_of_alerts_is_refused_rather_than_copied_into_rows(tmp_path):
    """Each alert is a row of its own, longer than its line: past 16 MB read, when rows outweigh half of
    it, the file goes back to SQL, as one mostly left for SQL does, so temporary space stays bounded."""
    line = b"2024-01-15T14:00:00.123Z CRITICAL checkout-api Checkout failures exceeding threshold (91%)\n"
    path = tmp_path / "alerts.log"
    path.write_bytes(line * ((17 << 20) // len(line)))
    refused, counts = prefilter._prefilter.split_range(
        str(path), str(tmp_path / "out.log"), 0, path.stat().st_size, tuple(w.encode() for w in formats.VOCABULARY_WORDS),
        b"1970", b"2200", None, None, 64, 1 << 20, False, rows_path=str(tmp_path / "out.rows"), service=True,
        events=tuple(w.encode() for w in formats.EVENT_WORDS), alerts=(b"CRITICAL",), edges=())
    assert (refused, counts) == ("most lines left for SQL", None)


@pytest.mark.parametrize("arguments", [{"rows_path": "x.rows"}, {"rows_path": 123, "events": (), "alerts": (), "edges": ()}])
def test_rows_without_what_groups_need_is_a_type_error(tmp_path, arguments):
    path = tmp_path / "app.log"
    path.write_text("2024-01-15T14:00:00Z ERROR api boom\n")
    with pytest.raises(TypeError):
        prefilter._prefilter.split_range(str(path), str(tmp_path / "out.log"), 0, 36, (b"err",), b"1970", b"2200", None,
                                         None, 64, 1 << 20, False, **arguments)


# Lines at and just off the strict shape: the property below is over files made of them. Most draws
# are strict; each part is sometimes just off it.
_FRACTIONS = ["", ".1", ".25", ".500", ".123456"] * 3 + [".1234567", ",5"]
_LEVELS = [*LEVEL_CLASSES] + ["ERROR", "WARN", "INFO"] * 5 + ["Error", "warn", "crit", "Whatever", "[ERROR]", "ERROR:"]
_SERVICES = ["checkout-api", "api2", "payments.v1"] * 5 + ["[cart]", "svc:", "a]b"]
_MESSAGE_WORDS = ["Payment", "timeout", "order", "ORD-1234", "42", "7", "0.5", "ms", "deployed", "Deployment",
                  "rolled out", "releasing v1.2.3", "release", "circuit breaker", "Recovered", "resolved", "ALERT",
                  "paged", "threshold", "error", "warning", "\t", "  ", "ok", "x" * 30]


@st.composite
def _strict_ish(draw, zone: str, separator: str, log4j: bool = False) -> str:
    """A line of the strict plain shape, or near it; `log4j`: as log4j's `%d %-5p [%t] %c - %m` writes it."""
    second = draw(st.integers(0, 90))
    day, hour = draw(st.sampled_from([(15, 14)] * 8 + [(15, 24), (30, 14)]))
    month = 2 if day == 30 else 1
    fractions = [",125", ",5", ",000"] * 5 + _FRACTIONS if log4j else _FRACTIONS
    stamp = f"2024-{month:02d}-{day:02d}{separator}{hour:02d}:{second // 60:02d}:{second % 60:02d}{draw(st.sampled_from(fractions))}"
    blank = draw(st.sampled_from([" "] * 8 + ["  ", "\t"]))
    message = " ".join(draw(st.lists(st.sampled_from(_MESSAGE_WORDS), max_size=5)))
    trail = draw(st.sampled_from(["", "", "", " ", "\t "]))
    if log4j:
        thread = draw(st.sampled_from(["[main]", "[http-nio-8080-exec-12]", "[pool-1-thread-3]"]))
        return f"{stamp}{zone}{blank}{draw(st.sampled_from(_LEVELS)):<5} {thread} com.shop.CartApi - {message}".rstrip() + trail
    return f"{stamp}{zone}{blank}{draw(st.sampled_from(_LEVELS))} {draw(st.sampled_from(_SERVICES))} {message}".rstrip() + trail


def _other_digits(line: str, digits: str) -> str:
    """The line with the digits of its message changed: another line of the same group (or a tie)."""
    parts, cut = line.split(" ", 3), iter(digits * 10)
    if len(parts) < 4:
        return line
    return " ".join([*parts[:3], re.sub(r"[0-9]", lambda _: next(cut), parts[3])])


@st.composite
def _files(draw) -> list[str]:
    zone = draw(st.sampled_from(["Z", "+02:00", "", "-05:30"]))
    separator = draw(st.sampled_from(["T", " "]))
    line = _strict_ish(zone, separator, log4j=draw(st.booleans()))
    others = st.sampled_from(["    at com.shop.Cart.update(Cart.java:42)", "\tat x", "", "no stamp error",
                              f"1969-12-31{separator}23:59:59{zone} ERROR api old"])
    lines = draw(st.lists(st.one_of(line, line, line, line, others), min_size=1, max_size=40))
    variants = st.tuples(st.sampled_from(lines), st.text("0123456789", min_size=1, max_size=3))
    return lines + [_other_digits(line, digits) for line, digits in draw(st.lists(variants, max_size=15))]


@fuzz(120)
@given(lines=_files(), tz=st.sampled_from(["UTC", "Europe/Berlin"]), short_messages=st.booleans(), threads=st.integers(1, 3),
       window=st.sampled_from([{}, {"since": datetime(2024, 1, 15, 14, 0, 30, 500000, tzinfo=UTC)},
                               {"until": datetime(2024, 1, 15, 14, 1, 0, tzinfo=UTC)},
                               {"until": datetime(2024, 1, 15, 14, 0, 0, tzinfo=UTC)},
                               {"since": datetime(2024, 1, 15, 14, 0, 5, 300000, tzinfo=UTC),
                                "until": datetime(2024, 1, 15, 14, 0, 5, 600000, tzinfo=UTC)},
                               {"since": datetime(2024, 1, 15, 13, 0, 45, tzinfo=UTC), "until": datetime(2024, 1, 15, 13, 1, 10, 250000, tzinfo=UTC)}]))
def test_a_scan_that_groups_in_c_equals_one_without(lines, tz, short_messages, threads, window):
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "MIN_BYTES", 0)
        patch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
        patch.setattr(prefilter.os, "cpu_count", lambda: threads)
        if short_messages:  # messages longer than the SQL keeps, cut alike on both sides
            patch.setattr(scan, "MAX_MESSAGE_CHARS", 12)
            patch.setattr(file_query, "MAX_MESSAGE_CHARS", 12)
        path = Path(root) / "app.log"
        path.write_text("\n".join(lines) + "\n")
        with_c = scan_logs([path], tz=tz, **window).model_dump()
        patch.setattr(prefilter, "_prefilter", None)
        assert with_c == scan_logs([path], tz=tz, **window).model_dump()
