"""The C prefilter on access logs: it counts the lines it is sure of into the rows the SQL would have made.

Held equal to the SQL three ways: the route the C writes for a path is route_shapes.route_sql's, on generated
paths (value segments of every kind, runs of them, empty segments, query strings, a scheme and host); the
time it reads of a stamp is try_strptime's, or it leaves the line (generated stamps at and past the calendar's
edges, months in any case, odd zones); and over generated access files (IPv6 clients, query strings, 5xx and
odd statuses, a ` [` before the stamp, lines without a stamp, request or status, tabs, non-ASCII, blank
lines, with and without a window) `scan_logs` with the C gives the same LogScan as the SQL alone.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.logs import access_rows, formats, prefilter, scan
from wicked_platform.tools.logs.file_query import stamps_query
from wicked_platform.tools.logs.line_sql import line_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.route_shapes import route_sql
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import FileLayout, sniff_file

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the C prefilter was not built (no compiler at install)")

_ACCESS_SQL = line_sql(FileLayout(path="access.log", format=LogFormat.ACCESS, service="access"), year=2024)
_ALL_BUT_5XX = frozenset({0, 1, 2, 3, 4, 6, 7, 8, 9})


def _line(stamp: str = "15/Jan/2024:08:00:00 +0000", target: str = "/api/cart/1", status: str = "200",
          client: str = "10.0.0.1") -> str:
    return f'{client} - - [{stamp}] "GET {target} HTTP/1.1" {status} 512 "-" "curl/8.0"'


def _split(tmp_path: Path, lines: list[str], counted: frozenset[int] = _ALL_BUT_5XX, since_us: int | None = None,
           until_us: int | None = None) -> tuple[list[list[str]], list[str]]:
    """split_range with access over the whole text: (the rows written, the lines left for SQL)."""
    path, out, rows = tmp_path / "access.log", tmp_path / "out.log", tmp_path / "out.rows"
    text = "".join(line + "\n" for line in lines)
    path.write_text(text)
    refused, _ = prefilter._prefilter.split_range(
        str(path), str(out), 0, len(text.encode()), tuple(w.encode() for w in formats.VOCABULARY_WORDS), b"1970", b"2200",
        None, None, 64, 1 << 20, False, rows_path=str(rows), access=sum(1 << d for d in counted),
        since_us=since_us, until_us=until_us)
    assert refused is None
    return [row.split("\x1f") for row in rows.read_text().splitlines()], out.read_text().splitlines()


def test_lines_are_counted_by_second_level_and_route(tmp_path):
    rows, left = _split(tmp_path, [
        _line(target="/api/cart/1"), _line(target="/api/cart/2?x=1"), _line(target="/api/cart/3", status="404"),
        _line(stamp="15/Jan/2024:08:00:01 +0000", target="/api/cart/4"), _line(target="/health"),
        _line(status="503"), _line(status="503"),  # 5xx: kept whole, its signature's example is DuckDB's to choose
    ])
    second = 1705305600000000
    assert sorted(rows) == sorted([
        ["1", "2", str(second), str(second), "2", "/api/cart/:id/", ""],
        ["1", "4", str(second), str(second), "1", "/api/cart/:id/", ""],
        ["1", "2", str(second + 1_000_000), str(second + 1_000_000), "1", "/api/cart/:id/", ""],
        ["1", "2", str(second), str(second), "1", "/health/", ""],
        *[["1", "5", str(second), str(second), "1", "/api/cart/:id/", "GET /api/cart/1 503"]] * 2])
    assert left == []


def test_lines_outside_the_window_are_counted_by_level_alone(tmp_path):
    rows, left = _split(tmp_path, [_line(stamp=f"15/Jan/2024:08:00:0{s} +0000", target=f"/r{s}") for s in range(4)],
                        since_us=1705305601000000, until_us=1705305602000000)
    assert left == []
    assert sorted(rows) == [["0", "2", "1705305600000000", "1705305603000000", "2", "", ""],
                            ["1", "2", "1705305601000000", "1705305601000000", "1", "/r1/", ""],
                            ["1", "2", "1705305602000000", "1705305602000000", "1", "/r2/", ""]]


def test_a_5xx_line_outside_the_window_is_counted_like_any_other(tmp_path):
    """Outside the window no line makes a signature."""
    rows, left = _split(tmp_path, [_line(status="503"), _line(status="502", target="/x")], since_us=1705305601000000)
    assert (rows, left) == ([["0", "5", "1705305600000000", "1705305600000000", "2", "", ""]], [])


@pytest.mark.parametrize("line", [
    "",
    "no stamp at all",
    _line(stamp="15/Jan/2024:08:00:00 +00"),  # shorter than the 26 characters the SQL reads
    _line(stamp="15/Foo/2024:08:00:00 +0000"),
    _line(stamp="30/Feb/2024:08:00:00 +0000"),
    _line(stamp="15/Jan/2024:24:00:00 +0000"),
    _line(stamp="01/Jan/1970:00:00:00 +0100"),  # before 1970 in UTC: the SQL reads no time
    _line(status="20"),
    _line(status="abc"),
    _line(status="-"),
    _line(status="\t600"),  # the SQL trims spaces only, and casts `\t60` to 60
    '10.0.0.1 - - [15/Jan/2024:08:00:00 +0000] "GET / HTTP/1.1',  # no closing quote, no status
    '10.0.0.1 - - [15/Jan/2024:08:00:00 +0000] GET / 200',  # no request
    _line(target="/" + "a" * 5000),  # a path past MAX_PATH
    _line(target="/?" + "q" * 2000, status="503"),  # a message the SQL would cut
])
def test_lines_the_c_is_not_sure_of_are_left_for_sql(tmp_path, line):
    assert _split(tmp_path, [line]) == ([], [line] if line else [""])


def test_the_status_classes_counted_are_those_whose_level_makes_no_signature():
    con = duckdb.connect()
    assert access_rows.counted_classes(con, _ACCESS_SQL) == _ALL_BUT_5XX


def test_a_line_of_a_status_class_not_counted_is_a_row_of_its_own(tmp_path):
    rows, left = _split(tmp_path, [_line(status="404"), _line(status="200"), _line(status="099", target="/a?b c")],
                        counted=frozenset({2}))
    assert left == [] and sorted(row[4:] for row in rows) == [
        ["1", "/a/", "GET /a?b 99"], ["1", "/api/cart/:id/", ""], ["1", "/api/cart/:id/", "GET /api/cart/1 404"]]


# Path segments of each kind route_shapes masks, and of names it keeps, with the characters that sit at
# the edges of its rules (a UUID's dashes, hex, `@%=;`, braces, colons, angle brackets).
_SEGMENTS = ["api", "v1", "oauth2", "cart", "items", "", "123", "0", "ORD-1001", "a1b2c3", "2024-01-15", "ab12",
             "deadbeef", "deadbee", "DEADBEEF01", "550e8400-e29b-41d4-a716-446655440000", "abcdef0123456789",
             "abcdef-abcdef-ab", "x" * 31, "y" * 32, "me@example.com", "%7B", "k=v", "p;jsessionid=1", "{id}", "{}",
             "{", ":id", ":", "<int:id>", "<>", "<a", "a.b", "~user", "-", "a-b-c", "\t", "Ärger"]


@st.composite
def _paths(draw) -> str:
    segments = draw(st.lists(st.sampled_from(_SEGMENTS) | st.text("0123456789abcdefXYZ-@:{}<>%.", max_size=20), max_size=7))
    path = draw(st.sampled_from(["/", "", "http://shop.example.com/", "*", "//"])) + "/".join(segments)
    if draw(st.booleans()):
        path += draw(st.sampled_from(["/", "?q=1", "?a=1/2/3", "?", "/?x"]))
    return path


@fuzz(200)
@given(paths=st.lists(_paths(), min_size=1, max_size=20))
def test_the_route_the_c_writes_is_route_sql_s(paths):
    lines = [_line(stamp=f"15/Jan/2024:08:{i // 60:02d}:{i % 60:02d} +0000", target=path) for i, path in enumerate(paths)]
    with tempfile.TemporaryDirectory() as root:
        rows, left = _split(Path(root), lines)
    by_second = {(int(row[2]) - 1705305600000000) // 1_000_000: row[5] for row in rows}
    assert len(by_second) == len(rows)
    expected = duckdb.connect().execute(
        f"SELECT {route_sql('p')} FROM (SELECT unnest($paths) AS p, generate_subscripts($paths, 1) AS i) ORDER BY i",
        {"paths": paths}).fetchall()
    for i, (path, (route,)) in enumerate(zip(paths, expected, strict=True)):
        if i in by_second:
            assert by_second[i] == route, path
        else:  # left for the SQL: only a line of other bytes than printable ASCII
            assert not (path.isascii() and path.isprintable()), path
    assert len(by_second) + len(left) == len(paths)


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@st.composite
def _stamps(draw) -> str:
    month = draw(st.sampled_from(_MONTHS * 3 + [m.lower() for m in _MONTHS] + [m.upper() for m in _MONTHS]
                                 + ["jAn", "Foo", "Sept"[:3], "J4n"]))
    day = draw(st.sampled_from(["15", "01", "28", "29", "30", "31", "00", "32", "1 ", " 1"]))
    year = draw(st.sampled_from(["2024", "2024", "2023", "2000", "2100", "1970", "1969", "2199", "2200", "0024"]))
    clock = draw(st.sampled_from(["08:00:00", "23:59:59", "00:00:00", "24:00:00", "12:60:00", "12:00:60", "1:00:000"]))
    zone = draw(st.sampled_from(["+0000", "-0000", "+0100", "-0530", "+1400", "-1600", "+2359", "+2400", "+1560",
                                 "+9999", "00000", "+00:0"]))
    return f"{day}/{month}/{year}:{clock} {zone}"


@fuzz(200)
@given(stamps=st.lists(_stamps(), min_size=1, max_size=20))
def test_the_time_the_c_reads_is_try_strptime_s(stamps):
    """Each line its own route, so its row says which line it is."""
    lines = [_line(stamp=stamp, target=f"/line{'x' * i}") for i, stamp in enumerate(stamps)]
    with tempfile.TemporaryDirectory() as root:
        rows, left = _split(Path(root), lines)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    read = dict(con.execute(stamps_query(_ACCESS_SQL), {"lines": lines}).fetchall())
    for row in rows:
        i = len(row[5]) - len("/line/")
        assert row[2] == row[3] == str(read[lines[i]]), lines[i]
    assert len(rows) + len(left) == len(lines)


# Lines at and just off the combined/common shape: the property below is over files made of them.
_CLIENTS = ["10.0.0.1", "2001:db8::1", "::1", "fe80::1%eth0", "-", "host.example.com"]
_TARGETS = ["/api/cart/123", "/api/cart/123?coupon=SPRING", "/checkout", "/users/me@example.com/orders", "/",
            "/static/app.3f9a2b1c.js", "http://shop.example.com/api/items/98765", "*", "", "/a b", "/files/2024/01/15",
            "/a\tb/12\t"]
_STATUSES = ["200"] * 6 + ["502", "503"] * 3 + ["201", "204", "301", "404", "429", "500", "099", "999", "600", "20", "2001",
                           "abc", "-", " 200", "\t200", "\t600"]
_SECONDS = ["08:00:00", "08:00:01", "08:00:59", "08:01:00", "08:30:00", "09:00:00"]


@st.composite
def _access_line(draw) -> str:
    stamp = f"15/Jan/2024:{draw(st.sampled_from(_SECONDS))} {draw(st.sampled_from(['+0000'] * 4 + ['+0100', '-0500']))}"
    method = draw(st.sampled_from(["GET", "POST", "DELETE", "", "G\u00c9T"]))
    target, status = draw(st.sampled_from(_TARGETS)), draw(st.sampled_from(_STATUSES))
    request = draw(st.sampled_from([f"{method} {target} HTTP/1.1"] * 6 + [f"{method} {target}", method, "",
                                                                          f"{method}  {target} HTTP/1.1"]))
    client = draw(st.sampled_from(_CLIENTS))
    user = draw(st.sampled_from(["- -"] * 6 + ["- frank", "- [x", "-\t-"]))
    tail = draw(st.sampled_from([' 512 "-" "curl/8.0"', " 0", ' - "https://ref.example.com/" "Mozilla/5.0 (X11)"',
                                 ' 512 "-" "Mozilla/5.0 \u00e9"', ""]))
    return f'{client} {user} [{stamp}] "{request}" {status}{tail}'


_ODD = ["", "no stamp error here", "    at com.shop.Cart(Cart.java:1)", "[15/Jan/2024:08:00:00 +0000]",
        '10.0.0.1 - - [15/Jan/2024:08:00:00 +0000] "GET /x HTTP/1.1" 200 "unclosed']
_STRICT = _line()


@fuzz(80)
@given(lines=st.lists(st.one_of(_access_line(), _access_line(), _access_line(), st.sampled_from(_ODD)), max_size=40),
       threads=st.integers(1, 3),
       window=st.sampled_from([{}, {"since": datetime(2024, 1, 15, 8, 0, 1, tzinfo=UTC)},
                               {"until": datetime(2024, 1, 15, 8, 0, 59, 500000, tzinfo=UTC)},
                               {"since": datetime(2024, 1, 15, 7, 30, tzinfo=UTC), "until": datetime(2024, 1, 15, 8, 1, tzinfo=UTC)},
                               {"since": datetime(2024, 1, 15, 8, 0, 0, 500000, tzinfo=UTC),
                                "until": datetime(2024, 1, 15, 8, 0, 0, 700000, tzinfo=UTC)}]))
def test_an_access_scan_with_the_c_equals_one_without(lines, threads, window):
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "MIN_BYTES", 0)
        patch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
        patch.setattr(prefilter.os, "cpu_count", lambda: threads)
        reads = []
        real = scan._read_prefiltered
        patch.setattr(scan, "_read_prefiltered", lambda *a, **k: reads.append(real(*a, **k)) or reads[-1])
        path = Path(root) / "access.log"
        path.write_text("\n".join([_STRICT] * 10 + lines) + "\n")  # sniffed as an access log
        assert sniff_file(path).format == LogFormat.ACCESS
        with_c = scan_logs([path], **window).model_dump()
        assert reads and reads[0] is not None  # the C read it
        patch.setattr(prefilter, "_prefilter", None)
        assert with_c == scan_logs([path], **window).model_dump()


def _scans(tmp_path: Path, lines: list[str], monkeypatch, **window) -> tuple:
    """The scan of the lines with the C and without it."""
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    path = tmp_path / "access.log"
    path.write_text("".join(line + "\n" for line in lines))
    with_c = scan_logs([path], **window)
    monkeypatch.setattr(prefilter, "_prefilter", None)
    return with_c, scan_logs([path], **window)


def test_5xx_lines_in_the_window_make_the_signatures_the_sql_makes(tmp_path, monkeypatch):
    """Their shape, count, first and last time, and the example DuckDB's hash picks among lines of one second."""
    lines = [_line(stamp=f"15/Jan/2024:08:00:{i % 3:02d} +0000", target=f"/api/{route}/{i}", status=status)
             for i in range(60) for route, status in (("cart", "503"), ("pay", "502"), ("cart", "200"))]
    with_c, plain = _scans(tmp_path, lines, monkeypatch, since=datetime(2024, 1, 15, 8, 0, 1, tzinfo=UTC))
    assert with_c == plain
    assert sorted((s.signature, s.count, s.example[-3:]) for s in with_c.signatures) == [
        ("GET /api/cart/<*>", 40, "503"), ("GET /api/pay/<*>", 40, "502")]


def test_an_access_log_with_durations_is_left_to_the_sql(tmp_path):
    """The C reads no durations: a file whose lines end in their request time is read by the SQL alone."""
    timed, plain = tmp_path / "timed-access.log", tmp_path / "plain-access.log"
    timed.write_text("".join(_line() + " 0.125\n" for _ in range(20)))
    plain.write_text("".join(_line() + "\n" for _ in range(20)))
    size = prefilter.MIN_BYTES
    assert not prefilter.applies(sniff_file(timed), size, False)
    assert prefilter.applies(sniff_file(plain), size, False)


def test_the_scan_reads_the_rows_of_both_byte_ranges(tmp_path, monkeypatch):
    monkeypatch.setattr(prefilter, "MIN_BYTES", 0)
    monkeypatch.setattr(prefilter, "MIN_RANGE_BYTES", 64)
    path = tmp_path / "access.log"
    path.write_text("".join(_line(target=f"/api/cart/{i}", status="503" if i % 10 == 0 else "200") + "\n" for i in range(200)))
    scanned = scan_logs([path])
    assert scanned.files[0].lines == 200 and scanned.level_counts["error"] == 20
    assert [(r.requests, r.errors) for r in scanned.requests] == [(200, 20)]
