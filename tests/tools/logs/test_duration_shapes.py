"""Every row of the duration catalogue reads its own real sample line to the duration it states, in the scan."""

from __future__ import annotations

import pytest

from wicked_platform.tools.logs.duration_shapes import DURATION_KEYS, INLINE_SHAPES, TAIL_SHAPES
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file

ROWS = [*DURATION_KEYS, *TAIL_SHAPES, *INLINE_SHAPES]


@pytest.mark.parametrize("row", ROWS, ids=[getattr(r, "key", None) or r.name for r in ROWS])
def test_each_row_reads_its_sample(row, logs):
    path = logs.text("svc.log", row.sample + "\n")
    assert sniff_file(path).format.value != "unknown", row.sample
    scan = scan_logs([path])
    assert scan.latency.sample_ms == [pytest.approx(row.expected_ms)], row.source


def test_every_row_names_its_source_and_a_sample():
    for row in ROWS:
        assert row.sample.strip() and row.source.strip()


def test_a_common_log_line_without_a_duration_has_none(logs):
    # `200 512` is the status and the size: no number after them is a request time.
    path = logs.text("web-access.log", '10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET / HTTP/1.1" 200 512\n' * 3)
    assert not sniff_file(path).durations
    assert scan_logs([path]).latency.sample_ms == []


def test_a_dash_or_a_word_is_no_duration(logs):
    path = logs.text("api.log", '{"time":"2024-01-15T14:23:15Z","msg":"a","duration_ms":12}\n'
                                '{"time":"2024-01-15T14:23:16Z","msg":"b","duration_ms":"-"}\n'
                                '{"time":"2024-01-15T14:23:17Z","msg":"c","duration_ms":"slow"}\n')
    assert scan_logs([path]).latency.sample_ms == [12.0]


def test_info_lines_of_a_structured_file_count_whatever_their_level(logs):
    # Without a status key, only lines that may be errors were taken apart: a duration needs every line read.
    lines = "".join(f'{{"time":"2024-01-15T14:23:{s:02d}Z","level":"info","msg":"ok","duration_ms":{10 + s}}}\n'
                    for s in range(5))
    scan = scan_logs([logs.text("api.log", lines)])
    assert sorted(scan.latency.sample_ms) == [10.0, 11.0, 12.0, 13.0, 14.0]


def test_per_minute_quantiles_are_duckdbs_over_every_line(logs):
    lines = "".join(f'{{"time":"2024-01-15T14:23:{s:02d}Z","msg":"ok","duration_ms":{s}}}\n' for s in range(1, 11))
    table = scan_logs([logs.text("api.log", lines)]).latency
    assert table.counts == [10]
    assert table.p50 == [pytest.approx(5.5)] and table.p95 == [pytest.approx(9.55)] and table.p99 == [pytest.approx(9.91)]


def test_routes_mask_their_ids(logs):
    line = '10.0.0.1 - - [15/Jan/2024:14:23:{s:02d} +0000] "GET /orders/ORD-{n}/items?x=1 HTTP/1.1" 200 5 "-" "ua" 0.0{s:02d}\n'
    path = logs.text("shop-access.log", "".join(line.format(s=s, n=1000 + s) for s in range(40)))
    assert set(scan_logs([path]).latency.sample_routes) == {"/orders/:id/items"}


def test_phrase_durations_of_a_large_plain_file_are_not_read_and_a_note_says_so(logs, monkeypatch):
    from wicked_platform.tools.logs import scan as scan_module

    lines = "".join(f"2024-01-15T14:23:{s:02d}Z INFO api GET /x 200 in {10 + s}ms\n" for s in range(30))
    path = logs.text("api.log", lines)
    assert len(scan_logs([path]).latency.sample_ms) == 30
    monkeypatch.setattr(scan_module, "MAX_PHRASE_DURATION_BYTES", len(lines) - 1)
    scan = scan_logs([path])
    assert scan.latency.sample_ms == []
    assert "durations its messages state were not read" in scan.files[0].warning
    assert scan.files[0].parsed == 30  # the lines themselves are read as before
