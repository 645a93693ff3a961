"""Property-based: whatever a log file holds, every line is parsed or counted, and nothing raises.

Files are made of well-formed lines of each format (stamps from year 1 to 9999, any text in the
message, NUL and ANSI colour codes included), arbitrary bytes, lines in other encodings, duplicates
and lines out of time order, plain or gzip, whole or cut short. The properties:

- `scan_logs` returns, and reads every file (no file ends up "could not be read");
- each file's lines are parsed, continuation or unparsed, and the counts add up;
- a file of well-formed lines (stamps in 1970-2199) is parsed whole; a stamp outside those years is
  counted unparsed and never stretches the scan's window;
- the offline engine runs on whatever the scan found, and the report's notes say per file how many
  lines were not understood.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.agents.offline import InvestigationRequest, engine_report
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.coverage import nothing_readable
from wicked_platform.tools.logs.discovery import LogInputError
from wicked_platform.tools.logs.line_sql import line_sql
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_lines

LOW = datetime(1970, 1, 1, tzinfo=UTC)
HIGH = datetime(2200, 1, 1, tzinfo=UTC)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Message text: any character but a line break, with the ones that break readers made likely.
_ODD = st.sampled_from(["\x00", "\x1b[31m", "\x1b[0m", "\x1f\x1e\x1d\x1c", "\t", '"', "\\", "'", "{", "}", "=",
                        "é", "€", "日本", "🔥", "\ufeff", "\u2028", "<*>", "ERROR", "deploy", "password=hunter2"])
_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
MESSAGES = st.lists(st.one_of(st.text(_CHAR, min_size=1, max_size=12), _ODD), max_size=6).map(" ".join)
LEVELS = st.sampled_from(["ERROR", "WARN", "INFO", "DEBUG", "CRITICAL", "FATAL", "error", "[ERROR]", "ERR", "NOTICE"])
SERVICES = st.sampled_from(["checkout-api", "payment-service", "[auth-api]", "db_proxy", "gateway"])
IN_RANGE = st.datetimes(min_value=datetime(2024, 1, 15, 14), max_value=datetime(2024, 1, 15, 15),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]))
ANY_TIME = st.one_of(IN_RANGE, st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                                            timezones=st.just(UTC)))


def _in_range(at: datetime) -> bool:
    return LOW <= at.astimezone(UTC) < HIGH


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@st.composite
def plain_line(draw, times=ANY_TIME):
    at = draw(times)
    return _iso(at), f"{_iso(at)} {draw(LEVELS)} {draw(SERVICES)} {draw(MESSAGES)}".rstrip(), at


@st.composite
def json_line(draw, times=ANY_TIME):
    at = draw(times)
    stamp = draw(st.sampled_from(["iso", "seconds", "millis"]))
    value = _iso(at) if stamp == "iso" or not _in_range(at) else (
        int(at.timestamp()) if stamp == "seconds" else int(at.timestamp() * 1000))
    record = {"ts": value, "level": draw(LEVELS), "service": draw(SERVICES), "msg": draw(MESSAGES)}
    return value, json.dumps(record, ensure_ascii=draw(st.booleans())), at


@st.composite
def logfmt_line(draw, times=ANY_TIME):
    at = draw(times)
    message = draw(MESSAGES).replace("\\", "\\\\").replace('"', '\\"')
    return _iso(at), f'ts={_iso(at)} level={draw(LEVELS).strip("[]")} service={draw(SERVICES).strip("[]")} msg="{message}"', at


@st.composite
def syslog_3164_line(draw, times=IN_RANGE):
    at = draw(times).astimezone(UTC)
    stamp = f"{MONTHS[at.month - 1]} {at.day:2d} {at:%H:%M:%S}"
    return stamp, f"<{draw(st.integers(0, 191))}>{stamp} web01 {draw(SERVICES).strip('[]')}[42]: {draw(MESSAGES)}", at


@st.composite
def syslog_5424_line(draw, times=ANY_TIME):
    at = draw(times)
    return _iso(at), f"<{draw(st.integers(0, 191))}>1 {_iso(at)} web01 {draw(SERVICES).strip('[]')} 42 - - {draw(MESSAGES)}", at


@st.composite
def access_line(draw, times=ANY_TIME):
    at = draw(times)
    stamp = f"{at:%d}/{MONTHS[at.month - 1]}/{at.year:04d}:{at:%H:%M:%S} +0000" if at.utcoffset() == timedelta(0) else (
        at.strftime("%d/") + MONTHS[at.month - 1] + at.strftime("/%Y:%H:%M:%S %z"))
    path = draw(st.text(st.characters(whitelist_categories=("Ll", "Nd"), whitelist_characters="/?=&"), max_size=20))
    status = draw(st.sampled_from([200, 201, 302, 404, 500, 502, 503]))
    return stamp, f'10.0.0.{draw(st.integers(1, 254))} - - [{stamp}] "GET /{path} HTTP/1.1" {status} {draw(st.integers(0, 9999))}', at


FORMATS = {LogFormat.PLAIN: plain_line, LogFormat.JSON: json_line, LogFormat.LOGFMT: logfmt_line,
           LogFormat.SYSLOG_3164: syslog_3164_line, LogFormat.SYSLOG_5424: syslog_5424_line,
           LogFormat.ACCESS: access_line}

ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16", "cp1252"])


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def log_file(draw):
    """(bytes, description) of a file mixing every kind of trouble."""
    fmt = draw(st.sampled_from(list(FORMATS)))
    good = draw(st.lists(FORMATS[fmt](), min_size=0, max_size=25))
    lines = [_encode(text, draw(ENCODINGS)) for _, text, _ in good]
    lines += draw(st.lists(st.binary(max_size=120), max_size=6))  # arbitrary bytes, line breaks included
    if lines and draw(st.booleans()):
        lines += draw(st.lists(st.sampled_from(lines), max_size=10))  # duplicates
    lines = draw(st.permutations(lines))  # time goes backwards, forwards, sideways
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), b"x" * draw(st.integers(100_000, 300_000)))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = newline.join(lines) + (newline if draw(st.booleans()) else b"")
    if draw(st.integers(0, 3)) == 0:
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]  # a rotated file copied mid-write
    return data


def _check_counts(scan) -> None:
    for stats in scan.files:
        assert stats.error is None, stats
        assert stats.lines == stats.parsed + stats.continuation + stats.unparsed, stats
        assert 0 <= stats.outside_window <= stats.parsed
        for at in (stats.first_at, stats.last_at):
            assert at is None or LOW <= at < HIGH
    assert sum(scan.level_counts.values()) == sum(f.parsed - f.outside_window for f in scan.files)
    if scan.start is not None:
        assert LOW <= scan.start <= scan.end < HIGH
    for signature in scan.signatures:
        assert LOW <= signature.first_seen <= signature.last_seen < HIGH
        assert signature.count > 0
    for event in scan.events:
        assert LOW <= event.at < HIGH


def _written(folder: str, files: list[bytes], stem: str) -> list[Path]:
    """The files written into `folder` as `<stem>-<n>.log`."""
    paths = [Path(folder) / f"{stem}-{index}.log" for index in range(len(files))]
    for path, data in zip(paths, files, strict=True):
        path.write_bytes(data)
    return paths


@fuzz(25)
@given(st.lists(log_file(), min_size=1, max_size=3))
def test_any_bytes_are_parsed_or_counted_never_raised(files):
    with tempfile.TemporaryDirectory() as tmp:
        scan = scan_logs(_written(tmp, files, "file"))
        _check_counts(scan)


@fuzz(25)
@given(st.sampled_from(list(FORMATS)).flatmap(lambda fmt: st.tuples(st.just(fmt), st.lists(FORMATS[fmt](), min_size=1, max_size=30))),
       st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_well_formed_lines_are_all_parsed_and_stray_years_counted_unparsed(fmt_lines, newline, compress):
    fmt, lines = fmt_lines
    # The format is told by its lines: enough of them in range that the sniff sees it.
    assume(sum(_in_range(at) for _, _, at in lines) > len(lines) / 2)
    data = (newline.join(text for _, text, _ in lines) + newline).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("app.log.gz" if compress else "app.log")
        path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
        scan = scan_logs([path])
    _check_counts(scan)
    (stats,) = scan.files
    good = sum(_in_range(at) for _, _, at in lines)
    assert stats.format == fmt
    assert stats.lines == len(lines)
    assert stats.parsed == good
    assert stats.continuation + stats.unparsed == len(lines) - good
    if fmt != LogFormat.SYSLOG_3164:  # its stamps have no year: it is the current one
        in_range = [at.astimezone(UTC) for _, _, at in lines if _in_range(at)]
        second = timedelta(seconds=1)  # epoch seconds and access-log stamps drop the fraction
        assert min(in_range) - second <= scan.start <= min(in_range)
        assert max(in_range) - second <= scan.end <= max(in_range)


@fuzz(150)
@given(st.lists(st.one_of(st.text(_CHAR, max_size=80), plain_line().map(lambda t: t[1]), json_line().map(lambda t: t[1]),
                          access_line().map(lambda t: t[1]), syslog_3164_line().map(lambda t: t[1])), max_size=12))
def test_sniffing_any_lines_gives_a_layout_duckdb_can_read(lines):
    layout = sniff_lines(lines, Path("x.log"))
    if layout.format != LogFormat.UNKNOWN:
        line_sql(layout, year=2024)  # the SQL for the layout builds


@fuzz(8)
@given(st.lists(log_file(), min_size=1, max_size=3))
def test_the_engine_runs_on_any_logs_and_notes_every_unparsed_line(files):
    with tempfile.TemporaryDirectory() as tmp:
        paths = _written(tmp, files, "service")
        request = InvestigationRequest(description="checkout errors", repo=None, logs=paths, context=IncidentContext())
        files_read = scan_logs(paths).files
        if nothing_readable(files_read):  # lines, none readable: bad input, one line naming them (the contract)
            with pytest.raises(LogInputError, match="no line could be read"):
                engine_report(request)
            return
        report = engine_report(request)
    assert report.severity in ("SEV1", "SEV2", "SEV3", "SEV4")
    for log in report.inputs.logs:
        if log.unparsed:
            assert any(note.startswith(f"{log.path}: {log.unparsed} of {log.lines} lines not understood")
                       for note in report.notes), (log, report.notes)


# The repaired copy, chunk by chunk ---------------------------------------------------------------


@fuzz(200)
@given(st.lists(st.sampled_from([b"a", b"\xe2\x82\xac", b"\xe2\x82", b"\xff", b"\r", b"\n", b"\r\n", b"\x00", b" "]),
                max_size=60).map(b"".join), st.integers(1, 9))
def test_a_repaired_copy_is_the_same_whatever_the_chunks(data, chunk):
    from wicked_platform.tools.logs import repair as repair_module

    expected = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.log", Path(tmp) / "out.log"
        source.write_bytes(data)
        saved = repair_module.COPY_CHUNK_BYTES
        repair_module.COPY_CHUNK_BYTES = chunk
        try:
            problems: list[str] = []
            repair_module.repaired_copy(source, target, problems)
        finally:
            repair_module.COPY_CHUNK_BYTES = saved
        assert target.read_bytes().decode("utf-8") == expected and problems == []


# Files no generator makes often: one of each, read whole or counted --------------------------


STAMPED = b"2024-01-15T14:23:15Z ERROR checkout-api Payment timeout for order ORD-1\n"
_full_gzip = gzip.compress(STAMPED * 2000, mtime=0)
HOSTILE = {
    "ten-mb-line-no-newline.log": (b"2024-01-15T14:23:14Z ERROR checkout-api dump " + b"x" * (10 << 20), 1, "was cut"),
    "ten-mb-line-in-the-middle.log": (STAMPED + b"y" * (10 << 20) + b"\n" + STAMPED, 3, "was cut"),
    "nul-bytes.log": (b"\x00" * 5000 + b"\n" + STAMPED + b"\x00\x00\n", 3, None),
    "truncated.log.gz": (_full_gzip[: len(_full_gzip) // 2], None, "ends early"),
    "gzip-then-garbage.log.gz": (_full_gzip + b"not gzip at all", 2000, "ignored"),
    "empty.log.gz": (gzip.compress(b"", mtime=0), 0, None),
    "empty.log": (b"", 0, None),
    "bom.log": (b"\xef\xbb\xbf" + STAMPED * 3, 3, None),
    "ansi.log": (b"\x1b[32m2024-01-15T14:23:14Z INFO checkout-api ok\x1b[0m\n"
                 b"2024-01-15T14:23:15Z \x1b[1;31mERROR\x1b[0m checkout-api Payment timeout for order ORD-2\n", 2, None),
    "cr-only.log": (STAMPED.replace(b"\n", b"\r") * 3, 3, None),
    "lone-cr-in-crlf-and-latin1.log": (STAMPED.replace(b"\n", b"\r\n") * 3 + b"\rcaf\xe9\r\n", 5, None),
    "utf16.log": (STAMPED.decode().encode("utf-16") * 2, None, None),
    "far-past-and-future.log": (b"0001-01-01T00:00:00Z ERROR checkout-api past\n9999-12-31T23:59:59Z ERROR checkout-api future\n"
                                b"2024-01-15T14:23:15-23:59 ERROR checkout-api offset\n" + STAMPED, 4, None),
    "backwards-and-duplicated.log": (b"".join(f"2024-01-15T14:{59 - i % 30:02d}:00Z ERROR checkout-api boom {i % 3}\n".encode()
                                             for i in range(90)) * 2, 180, None),
    "binary-noise.log": (bytes(range(256)) * 64, None, None),
}


def test_each_hostile_file_is_read_or_counted_and_the_report_says_so(tmp_path):
    paths = []
    for name, (data, _, _) in HOSTILE.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    scan = scan_logs(paths)
    _check_counts(scan)
    stats = {Path(f.path).name: f for f in scan.files}
    for name, (_, lines, warning) in HOSTILE.items():
        if lines is not None:
            assert stats[name].lines == lines, stats[name]
        if warning is not None:
            assert warning in (stats[name].warning or ""), stats[name]
    assert stats["ten-mb-line-no-newline.log"].parsed == 1  # its head still tells the stamp and level
    assert stats["truncated.log.gz"].parsed > 500
    assert stats["far-past-and-future.log"].parsed == 2 and stats["far-past-and-future.log"].unparsed == 2
    assert stats["bom.log"].parsed == 3 and stats["ansi.log"].parsed == 2
    assert scan.start >= datetime(2024, 1, 15, tzinfo=UTC) and scan.end < datetime(2024, 1, 17, tzinfo=UTC)
    report = engine_report(InvestigationRequest(description="checkout errors", repo=None, logs=paths, context=IncidentContext()))
    notes = "\n".join(report.notes)
    for name, (_, _, warning) in HOSTILE.items():
        if warning is not None:
            assert f"{tmp_path / name}: " in notes and warning in notes
        if stats[name].unparsed:
            assert f"{tmp_path / name}: {stats[name].unparsed} of {stats[name].lines} lines not understood" in notes


# Files read in one batch read as each does alone ----------------------------------------------------


@fuzz(25)
@given(st.sampled_from(list(FORMATS)).flatmap(lambda fmt: st.lists(st.lists(FORMATS[fmt](), max_size=12), min_size=2, max_size=4)),
       st.lists(st.binary(max_size=60), max_size=3), st.booleans(), st.booleans())
def test_files_read_in_one_batch_give_the_scan_they_give_one_by_one(files, noise, compress, window):
    from wicked_platform.tools.logs import scan as scan_module

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index, lines in enumerate(files):
            data = "".join(text + "\n" for _, text, _ in lines).encode("utf-8") + (noise[index] if index < len(noise) else b"")
            paths.append(Path(tmp) / f"svc-{index}.log{'.gz' if compress else ''}")
            paths[-1].write_bytes(gzip.compress(data, mtime=0) if compress else data)
        bounds = dict(since=datetime(2024, 1, 15, 14, 20, tzinfo=UTC), until=datetime(2024, 1, 15, 14, 40, tzinfo=UTC)) if window else {}
        batched = scan_logs(paths, **bounds)
        saved = scan_module.BATCH_FILES
        scan_module.BATCH_FILES = 1
        try:
            alone = scan_logs(paths, **bounds)
        finally:
            scan_module.BATCH_FILES = saved
    _check_counts(batched)
    assert batched.model_dump() == alone.model_dump()
