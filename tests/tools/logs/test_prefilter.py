"""The C prefilter: a scan that uses it finds exactly what the SQL alone finds.

The prefilter only decides lines it is sure of and leaves the rest to the file's query, so the
property is equality: for any plain file, window and split into byte ranges, `scan_logs` with the C
prefilter gives the same LogScan as without it. Files mix stamped lines, lines with a vocabulary word
in any case, continuation and blank lines, lines out of the stamp years, LF and CR LF mixed, byte
order marks, tabs, non-ASCII and invalid UTF-8; then the cases where DuckDB cuts lines its own way
(lone carriage returns, CR LF after a first line in LF, lines at its length limit, a byte order mark
opening a written file), which the C hands back to SQL.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.logs import prefilter, scan
from wicked_platform.tools.logs.formats import VOCABULARY_WORDS
from wicked_platform.tools.logs.scan import scan_logs

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the C prefilter was not built (no compiler at install)")

START = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
_WORDS = [*VOCABULARY_WORDS, "ERROR", "Warning", "DePloy", "Rolled Out", "ſevere", "ERR", "er", "se", "rol", "thresh"]
_TEXT = st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(["order 42", "user", "server", "é", "\t", "日本",
                                                                     "\x00", "\x7f", "id=0xdeadbeef", ""]),
                           st.text(st.characters(codec="ascii", blacklist_characters="\r\n"), max_size=10)),
                 max_size=6).map(" ".join)


@st.composite
def stamped(draw) -> str:
    second = draw(st.integers(0, 3 * 3600))
    stamp = f"2024-01-15T{14 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{draw(st.integers(0, 999)):03d}Z"
    level = draw(st.sampled_from(["INFO", "DEBUG", "ERROR", "WARN", "CRITICAL", "[INFO]", "info"]))
    service = draw(st.sampled_from(["checkout-api", "payment-service", "[cart]", "user-service"]))
    blank = draw(st.sampled_from([" ", "  ", "\t"]))
    return f"{stamp}{blank}{level} {service} {draw(_TEXT)}".rstrip(" ")


LINES = st.lists(st.one_of(
    stamped(), stamped(), stamped(),
    stamped().map(lambda line: "\ufeff" + line),  # a byte order mark: DuckDB drops it at a file's start only
    st.sampled_from(["", "    at com.shop.Cart.update(Cart.java:42)", "Caused by: java.io.IOException", "19", "1969-12-31T23:59:59Z INFO x",
                     "2200-01-01T00:00:00Z INFO x", "9999-01-01 boom", "no stamp at all"]),
    _TEXT,
), min_size=1, max_size=40)


def _bytes(lines: list[str], ends: list[str], final_newline: bool, invalid: bool) -> bytes:
    """The lines, each with its own line end (LF or CR LF: a file may mix them)."""
    text = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    if not final_newline:
        text = text.rstrip("\r\n")
    data = text.encode("utf-8")
    return data.replace(b"\xc3\xa9", b"\xe9") if invalid else data  # é as latin-1: invalid UTF-8


def _scan_both(path: Path, **window):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "_prefilter", None)
        plain = scan_logs([path], **window)
    with_c = scan_logs([path], **window)
    return with_c.model_dump(), plain.model_dump()


def _small_files(patch: pytest.MonkeyPatch, threads: int | None = None) -> None:
    """Every file takes the C path, in ranges of a few bytes, so lines cross range ends."""
    patch.setattr(prefilter, "MIN_BYTES", 0)
    patch.setattr(prefilter, "MIN_RANGE_BYTES", 1)
    if threads is not None:
        patch.setattr(prefilter.os, "cpu_count", lambda: threads)


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    _small_files(monkeypatch)


def _recorded(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[tuple]:
    """Calls of `module.name` from now on, as (args, result)."""
    calls, real = [], getattr(module, name)

    def record(*args, **kwargs):
        calls.append((args, result := real(*args, **kwargs)))
        return result

    monkeypatch.setattr(module, name, record)
    return calls


@fuzz(150)
@given(lines=LINES, ends=st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1, max_size=3), final_newline=st.booleans(),
       invalid=st.booleans(), threads=st.integers(1, 5),
       window=st.sampled_from([{}, {"since": datetime(2024, 1, 15, 15, tzinfo=UTC)},
                               {"since": datetime(2024, 1, 15, 14, 30, tzinfo=UTC), "until": datetime(2024, 1, 15, 15, 45, 10, tzinfo=UTC)}]))
def test_a_scan_with_the_c_prefilter_equals_one_without(lines, ends, final_newline, invalid, threads, window):
    with tempfile.TemporaryDirectory() as root, pytest.MonkeyPatch.context() as patch:
        _small_files(patch, threads)
        path = Path(root) / "app.log"
        path.write_bytes(_bytes(lines, ends, final_newline, invalid))
        with_c, plain = _scan_both(path, **window)
        assert with_c == plain


def test_the_c_path_is_taken_and_leaves_no_files_behind(small_files, monkeypatch, tmp_path):
    lines = [f"2024-01-15T14:{m:02d}:00Z INFO checkout-api request {m} ok" for m in range(60)]
    lines[30] = "2024-01-15T14:30:00Z ERROR checkout-api Payment timeout for order ORD-1"
    path = tmp_path / "app.log"
    path.write_text("\n".join(lines) + "\n")
    calls = _recorded(monkeypatch, prefilter, "split_file")
    result = scan_logs([path])
    splits = [split for _, split in calls]
    assert splits and splits[0] is not None and splits[0].inside.count == 59
    assert not any(p.exists() for p in splits[0].candidates)  # removed once read
    assert result.files[0].lines == 60 and result.level_counts["error"] == 1
    assert result.signatures[0].signature == "Payment timeout for order <*>"


def test_a_file_with_nothing_left_for_sql_is_counted_whole(small_files, monkeypatch, tmp_path):
    path = tmp_path / "app.log"
    path.write_text("".join(f"2024-01-15T14:00:{s:02d}Z INFO checkout-api fine {s}\n" for s in range(50)))
    reads = _recorded(monkeypatch, scan, "_read_prefiltered")
    result = scan_logs([path])
    assert len(reads) == 1 and reads[0][1] is not None  # read by the C path, not handed back to SQL
    assert (result.files[0].lines, result.files[0].parsed, result.files[0].error) == (50, 50, None)
    assert (result.start, result.end) == (START, START.replace(second=49))


@pytest.mark.parametrize(("data", "why"), [
    (b"2024-01-15T14:00:00Z INFO a\rb\n2024-01-15T14:00:01Z INFO c\n", "a carriage return inside a line"),
    (b"2024-01-15T14:00:00Z INFO " + b"x" * 200 + b"\n", "a line too long"),
    (b"2024-01-15T14:00:00Z INFO a\n2024-01-15T14:00:01Z INFO b\r\n", "CR LF line ends after a first line ending in LF"),
    (b"2024-01-15T14:00:00Z INFO a\n\xef\xbb\xbf2024-01-15T14:00:01Z ERROR b\n", "a byte order mark opening a line inside the file"),
    (b"2024-01-15T14:00:00Z INFO a\n2024-01-15T14:00:01Z INFO b\r", "a carriage return ending the file"),
])
def test_what_the_c_does_not_decide_goes_back_to_sql(tmp_path, data, why):
    path = tmp_path / "app.log"
    path.write_bytes(data)
    words = tuple(w.encode() for w in VOCABULARY_WORDS)
    refused, counts = prefilter._prefilter.split_range(
        str(path), str(tmp_path / "out.log"), 0, len(data), words, b"1970", b"2200", None, None, 64, 100, False)
    assert (refused, counts) == (why, None)


@pytest.mark.parametrize("data", [
    # DuckDB takes the first line's LF as the file's line end: each later CR LF adds an empty line
    b"2024-01-15T14:00:00Z INFO a ok\n2024-01-15T14:00:01Z ERROR a boom\r\n2024-01-15T14:00:02Z INFO a ok\r\n",
    # it drops a byte order mark opening a file, and keeps one inside it
    b"2024-01-15T14:00:00Z INFO a ok\n\xef\xbb\xbf2024-01-15T14:00:01Z ERROR a Payment timeout for order 7\n",
    b"\xef\xbb\xbf2024-01-15T14:00:01Z ERROR a Payment timeout for order 7\n2024-01-15T14:00:02Z INFO a ok\n",
])
def test_where_duckdb_cuts_lines_its_own_way_the_scan_is_the_same(small_files, tmp_path, data):
    path = tmp_path / "app.log"
    path.write_bytes(data)
    with_c, plain = _scan_both(path)
    assert with_c == plain


def test_a_last_line_of_duckdbs_limit_is_left_to_duckdb(small_files, tmp_path):
    """DuckDB refuses a last line of exactly its limit without a line end (the scan then cuts it, with a
    warning); the C must not count it."""
    head = b"2024-01-15T14:00:01Z INFO a "
    path = tmp_path / "app.log"
    path.write_bytes(b"2024-01-15T14:00:00Z INFO a ok\n" + head + b"x" * (scan.MAX_LINE_BYTES - len(head)))
    with_c, plain = _scan_both(path)
    assert with_c == plain and with_c["files"][0]["warning"]


def test_a_refused_file_leaves_no_copies_behind(small_files, tmp_path):
    path = tmp_path / "app.log"
    path.write_bytes("".join(f"2024-01-15T14:00:{s:02d}Z ERROR a é {s}\n" for s in range(50)).encode() + b"x\ry\n")
    work = tmp_path / "work"
    work.mkdir()
    split = prefilter.split_file(path, work, 0, years=(1970, 2200), window=(None, None), head_chars=64,
                                 max_line_bytes=1 << 20, threads=3)
    assert split is None and list(work.iterdir()) == []


def test_rotated_logs_of_one_layout_are_each_read_by_the_c(small_files, monkeypatch, tmp_path):
    """Files of one layout are read in one batched query, unless the C prefilter reads them."""
    calls = _recorded(monkeypatch, prefilter, "split_file")
    for name in ("app.log", "app.log.1"):
        (tmp_path / name).write_text("".join(f"2024-01-15T14:00:{s:02d}Z INFO api ok {s}\n" for s in range(30)))
    result = scan_logs([tmp_path / "app.log", tmp_path / "app.log.1"])
    assert sorted(args[0].name for args, _ in calls) == ["app.log", "app.log.1"] and [f.lines for f in result.files] == [30, 30]


def test_long_lines_and_lone_returns_read_the_same_as_without(small_files, monkeypatch, tmp_path):
    monkeypatch.setattr(scan, "MAX_LINE_BYTES", 100)  # the C refuses lines past this; DuckDB reads them
    path = tmp_path / "app.log"
    path.write_bytes(b"2024-01-15T14:00:00Z INFO a " + b"x" * 300 + b"\n2024-01-15T14:00:01Z ERROR a\rboom\n")
    with_c, plain = _scan_both(path)
    assert with_c == plain and with_c["files"][0]["lines"] >= 2


def test_ranges_split_lines_exactly_once(tmp_path):
    """However a file is cut into ranges, each line is decided by the range it starts in."""
    lines = [f"2024-01-15T14:00:{s:02d}Z INFO svc line {s}" + "." * (s * 7 % 23) for s in range(50)]
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "app.log"
    path.write_bytes(data)
    words = tuple(w.encode() for w in VOCABULARY_WORDS)
    for ranges in (1, 2, 3, 7, len(data)):
        cuts = [len(data) * i // ranges for i in range(ranges + 1)]
        total = 0
        for i in range(ranges):
            refused, (inside, outside, candidates, _, _) = prefilter._prefilter.split_range(
                str(path), str(tmp_path / f"out-{i}.log"), cuts[i], cuts[i + 1], words, b"1970", b"2200",
                b"2024-01-15T14:00:10", b"2024-01-15T14:00:40", 64, 1 << 20, False)
            assert refused is None and candidates == 0
            total += inside[0] + outside[0]
        assert total == 50, ranges


@fuzz(200)
@given(lines=st.lists(st.one_of(stamped(), _TEXT, st.sampled_from(_WORDS).map(lambda w: "2024-01-15T14:00:00Z INFO a " + "x" * 40 + w)),
                      min_size=1, max_size=30))
def test_the_vector_and_scalar_vocabulary_tests_agree(lines):
    """Where the CPU has AVX2, the vocabulary test runs 32 positions at a time; elsewhere eight. Both
    must leave exactly the same lines (words at every position of long and short lines, near their ends)."""
    data = "\n".join(lines).encode() + b"\n"
    words = tuple(w.encode() for w in VOCABULARY_WORDS)
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "app.log"
        path.write_bytes(data)
        results = []
        for vector in (True, False):
            out = Path(root) / f"out-{vector}.log"
            counts = prefilter._prefilter.split_range(str(path), str(out), 0, len(data), words, b"1970", b"2200", None,
                                                      None, 64, 1 << 20, False, vector=vector)
            results.append((counts, out.read_bytes()))
        assert results[0] == results[1]
