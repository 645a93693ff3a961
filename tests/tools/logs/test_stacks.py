"""A signature's example carries the stack trace under it: found by bisection in a sorted plain file,
by one bounded read from the start in any other plain file, and never confused with a later trace."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs import stacks
from wicked_platform.tools.logs.scan import scan_logs

JAVA = (
    "java.lang.NullPointerException: cart was null\n"
    "\tat com.shop.cart.CartController.update(CartController.java:50)\n"
    "\tat com.shop.web.Dispatcher.handle(Dispatcher.java:120)\n"
    "Caused by: java.lang.IllegalStateException: no session\n"
    "\t... 12 more\n"
)
PYTHON = (
    "Traceback (most recent call last):\n"
    '  File "/app/orders.py", line 88, in charge\n'
    "    gateway.charge(order)\n"
    "ValueError: amount must be positive\n"
)


def stack_of(scan, signature: str) -> list[str]:
    (found,) = [s for s in scan.signatures if s.signature == signature]
    return found.stack


def test_a_java_trace_is_joined_to_its_example_and_its_lines_stay_counted_as_continuation(logs):
    path = logs.text("app.log", (
        "2024-01-15T14:20:00Z INFO cart-api started\n"
        "2024-01-15T14:23:15Z ERROR cart-api NullPointerException in CartController.update for cart 42\n"
        + JAVA + "\n"
        "2024-01-15T14:23:16Z INFO cart-api ok\n"))
    scan = scan_logs([path])
    assert stack_of(scan, "NullPointerException in CartController.update for cart <*>") == JAVA.rstrip("\n").split("\n")
    assert (scan.files[0].parsed, scan.files[0].continuation) == (3, 6)


def test_a_python_traceback_under_an_error(logs):
    scan = scan_logs([logs.text("worker.log", (
        "2024-01-15 14:23:15,120 ERROR orders-worker Charge failed for order 7\n" + PYTHON +
        "2024-01-15 14:23:16,000 INFO orders-worker next\n"))])
    assert stack_of(scan, "Charge failed for order <*>") == PYTHON.rstrip("\n").split("\n")


def test_the_first_occurrence_keeps_its_own_trace_and_a_line_without_one_gets_none(logs):
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15T14:23:15Z ERROR cart-api Lookup failed for user 1\n"
        "\tat first.Frame(A.java:1)\n"
        "2024-01-15T14:23:15Z ERROR cart-api Lookup failed for user 2\n"
        "\tat second.Frame(B.java:2)\n"
        "2024-01-15T14:23:16Z ERROR cart-api Payment timeout for order 9\n"
        "2024-01-15T14:23:17Z INFO cart-api fine\n"
        "\tat not.His(C.java:3)\n"))])
    assert stack_of(scan, "Lookup failed for user <*>") == ["\tat first.Frame(A.java:1)"]
    assert stack_of(scan, "Payment timeout for order <*>") == []


def test_a_trace_is_cut_at_its_limit_and_ends_at_a_line_of_no_format(logs):
    frames = [f"\tat frame.N{i}(F.java:{i})" for i in range(30)]
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15T14:23:15Z ERROR cart-api Deep recursion in parser\n" + "\n".join(frames) + "\n"
        "2024-01-15T14:23:16Z ERROR cart-api Short failure\n"
        "\tat only.One(F.java:1)\n"
        "some text that is no log line\n"
        "\tat orphan.Frame(F.java:2)\n"))])
    assert stack_of(scan, "Deep recursion in parser") == frames[: stacks.MAX_STACK_LINES]
    assert stack_of(scan, "Short failure") == ["\tat only.One(F.java:1)"]


def test_gzip_and_files_of_mixed_zones_are_read_from_the_start(logs):
    text = ("2024-01-15T14:23:15Z ERROR cart-api Lookup failed for user 1\n"
            "\tat zipped.Frame(A.java:1)\n"
            "2024-01-15T16:23:16+02:00 INFO cart-api fine\n")
    for path in (logs.gz("app.log.gz", text), logs.text("mixed.log", text)):
        assert stack_of(scan_logs([path]), "Lookup failed for user <*>") == ["\tat zipped.Frame(A.java:1)"]


def _long_log(seconds: int) -> str:
    lines = []
    for second in range(seconds):
        stamp = f"2024-01-15T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        lines += [f"{stamp} INFO cart-api served request {second}-{n} in 12ms" for n in range(5)]
        lines.append("\tat a.stray.Frame(under an INFO line)")
    lines.append("2024-01-15T13:59:59Z ERROR cart-api Disk quota exceeded on /data")
    lines.append("\tat storage.Writer.flush(Writer.java:77)")
    return "\n".join(lines) + "\n"


def test_a_sorted_file_is_bisected_so_a_late_example_is_found_past_the_read_budget(logs, monkeypatch):
    monkeypatch.setattr(stacks, "READ_BUDGET_BYTES", 4096)  # far less than the file: only bisection reaches the end
    text = _long_log(4 * 3600 - 1)
    assert len(text) > 100 * stacks.READ_BUDGET_BYTES
    plain = scan_logs([logs.text("big.log", text)])
    assert stack_of(plain, "Disk quota exceeded on /data") == ["\tat storage.Writer.flush(Writer.java:77)"]
    zipped = scan_logs([logs.gz("big.log.gz", text)])  # no bisecting a gzip stream: the budget ends the search
    assert stack_of(zipped, "Disk quota exceeded on /data") == []


def test_a_json_line_keeps_its_trace_in_a_field_not_on_the_lines_below(logs):
    scan = scan_logs([logs.text("app.jsonl", (
        '{"ts": "2024-01-15T14:23:15Z", "level": "error", "service": "api", "msg": "Lookup failed"}\n'
        "\tat json.Frame(A.java:1)\n"))])
    assert stack_of(scan, "Lookup failed") == []


@pytest.mark.parametrize("zone", ["Z", "+05:30", ""])
def test_the_example_second_is_written_as_the_file_writes_it(logs, zone):
    scan = scan_logs([logs.text("app.log", (
        f"2024-01-15T14:23:14{zone} INFO cart-api before\n"
        f"2024-01-15T14:23:15{zone} ERROR cart-api Lookup failed for user 1\n"
        "\tat zoned.Frame(A.java:1)\n"
        f"2024-01-15T14:23:16{zone} INFO cart-api after\n"))], tz="America/New_York")
    assert stack_of(scan, "Lookup failed for user <*>") == ["\tat zoned.Frame(A.java:1)"]


def test_the_examples_own_level_and_service_pick_its_line_among_lines_ending_alike(logs):
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15T14:23:15Z WARN cart-api Connection refused to payments:443\n"
        "\tat retry.Frame(R.java:1)\n"
        "2024-01-15T14:23:15Z ERROR gateway Connection refused to payments:443\n"
        "\tat gateway.Frame(G.java:2)\n"
        "2024-01-15T14:23:15Z ERROR cart-api Connection refused to payments:443\n"
        "\tat cart.Frame(C.java:3)\n"
        "2024-01-15T14:23:16Z INFO cart-api ok\n"))])
    stacks = {(s.service, s.level): s.stack for s in scan.signatures}
    assert stacks == {("cart-api", "WARN"): ["\tat retry.Frame(R.java:1)"], ("gateway", "ERROR"): ["\tat gateway.Frame(G.java:2)"],
                      ("cart-api", "ERROR"): ["\tat cart.Frame(C.java:3)"]}


def test_a_file_not_sorted_as_text_still_matches_the_examples_time(logs):
    scan = scan_logs([logs.text("pg.log", (
        "2024-01-15T09:00:00+01:00 ERROR cart-api Lookup failed for user 1\n"
        "\tat early.Frame(A.java:1)\n"
        "2024-01-15T14:23:15Z ERROR cart-api Lookup failed for user 1\n"
        "\tat late.Frame(B.java:2)\n"))], since=datetime(2024, 1, 15, 13, tzinfo=UTC))
    assert stack_of(scan, "Lookup failed for user <*>") == ["\tat late.Frame(B.java:2)"]


def test_a_private_key_block_or_a_long_line_in_a_trace_is_redacted_before_it_is_cut(logs):
    card = "4111 1111 1111 1111"
    scan = scan_logs([logs.text("app.log", (
        "2024-01-15T14:23:15Z ERROR cart-api TLS handshake failed\n"
        "  -----BEGIN RSA PRIVATE KEY-----\n"
        "  MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n"
        "  -----END RSA PRIVATE KEY-----\n"
        f"\tat tls.Frame(T.java:1) {'x' * 290} card {card}\n"))])
    text = "\n".join(stack_of(scan, "TLS handshake failed"))
    assert "MIIEpAIBAAKCAQEA" not in text and "[REDACTED]" in text
    assert "4111" not in text and all(len(line) <= stacks.MAX_STACK_LINE_CHARS for line in text.split("\n"))


def test_bisection_that_misses_falls_back_to_reading_from_the_start(logs):
    scan = scan_logs([logs.text("app.log", (
        "\ufeff2024-01-15T14:23:15Z ERROR cart-api First line failure\n"
        "\tat first.Frame(A.java:1)\n"
        "2024-01-15T14:23:20Z INFO cart-api ok\n"
        "2024-01-15T14:23:16Z ERROR cart-api Written late by an async appender\n"
        "\tat late.Frame(B.java:2)\n"))])
    assert stack_of(scan, "First line failure") == ["\tat first.Frame(A.java:1)"]
    assert stack_of(scan, "Written late by an async appender") == ["\tat late.Frame(B.java:2)"]


def test_replicas_writing_the_same_line_give_the_same_trace_every_run(logs):
    paths = [logs.text(f"replica{i}.log", (f"2024-01-15T14:23:15Z ERROR cart-api Lookup failed\n\tat replica{i}.Frame(R.java:1)\n"))
             for i in range(6)]
    runs = {tuple(stack_of(scan_logs(paths), "Lookup failed")) for _ in range(5)}
    assert runs == {("\tat replica0.Frame(R.java:1)",)}


def test_json_traces_from_pino_zap_and_structlog_fields(logs):
    import json

    records = [
        {"time": 1705328590000, "level": 30, "service": "cart-api", "msg": "ok"},
        {"time": 1705328595120, "level": 50, "service": "cart-api", "msg": "Failed to load cart",
         "err": {"message": "boom", "stack": "TypeError: boom\n    at loadCart (/app/cart.js:42:17)"}},
        {"time": 1705328596000, "level": 50, "service": "orders", "msg": "request failed", "error": "context deadline exceeded",
         "stacktrace": "main.handler\n\t/app/main.go:42"},
        {"time": 1705328597000, "level": 50, "service": "worker", "msg": "job crashed",
         "exception": "Traceback (most recent call last):\n  File \"/app/job.py\", line 3, in run\nKeyError: 'sku'"},
    ]
    scan = scan_logs([logs.text("app.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")])
    stacks = {s.service: (s.example, s.stack) for s in scan.signatures}
    assert stacks == {
        "cart-api": ("Failed to load cart: boom", ["TypeError: boom", "    at loadCart (/app/cart.js:42:17)"]),
        "orders": ("request failed: context deadline exceeded", ["main.handler", "\t/app/main.go:42"]),
        "worker": ("job crashed", ["Traceback (most recent call last):", '  File "/app/job.py", line 3, in run', "KeyError: 'sku'"]),
    }


def _json_stacks_line_by_line(path, layout, lookups, zone):
    """The JSON trace lookup as it was written first: every line decoded and tested, in order (the reference)."""
    import json

    found, pending = {}, {lookup.index: lookup for lookup in lookups}
    needles = {lookup.index: json.dumps(lookup.message.split(": ")[0][:60], ensure_ascii=False)[1:-1] for lookup in lookups}
    for raw in stacks._lines_from_start(path):
        text = raw.decode("utf-8", errors="replace")
        hits = [pending[i] for i in pending if needles[i] in text]
        if not hits:
            continue
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(record, dict):
            continue
        for lookup in hits:
            if stacks._is_json_example(record, layout, lookup, zone):
                del pending[lookup.index]
                stack = next((value for key in stacks.formats.STACK_KEYS if (key_path := stacks.json_path(record, key))
                              and isinstance(value := stacks._value_at(record, key_path), str) and value.strip()), None)
                found[lookup.index] = stacks._finished(stack.splitlines()[:48]) if stack else []
        if not pending:
            break
    return {index: trace for index, trace in found.items() if trace}


@pytest.mark.parametrize("chunk", [7, 64, 1 << 16])
def test_json_traces_are_found_by_searching_chunks_as_by_reading_each_line(tmp_path, monkeypatch, chunk):
    """Lines cut by chunks, a line holding the words but of another second, bytes that are not UTF-8, a
    replacement character in the example, the same words in several lookups: the same traces either way."""
    import json
    from zoneinfo import ZoneInfo

    from wicked_platform.tools.logs import streams
    from wicked_platform.tools.logs.sniff import sniff_file

    monkeypatch.setattr(stacks, "byte_chunks", lambda path, problems: streams.byte_chunks(path, problems, chunk))
    lines = [json.dumps({"ts": "2024-01-15T14:00:00Z", "level": "info", "msg": "start"})]
    for second in range(6):
        for message, stack in (("Payment timeout for order 7", "at pay\nat web"), ("bad \ufffd byte", "at odd"),
                               ("Failed to load cart: boom", "TypeError: boom\n    at load"), ("", "at empty")):
            lines.append(json.dumps({"ts": f"2024-01-15T14:00:0{second}Z", "level": "error", "msg": message,
                                     "stack": f"{stack} {second}"}, ensure_ascii=second % 2 == 0))
    raw = ("\n".join(lines) + "\n").encode().replace(b"bad \xef\xbf\xbd byte\", \"stack\": \"at odd 3", b"bad \xff byte\", \"stack\": \"at odd 3")
    path = tmp_path / "app.jsonl"
    path.write_bytes(raw)
    layout = sniff_file(path)
    lookups = [stacks.Lookup(index=i, at=datetime(2024, 1, 15, 14, 0, second, tzinfo=UTC), message=message, level="ERROR",
                             service=None, second=None, until=None)
               for i, (second, message) in enumerate([(2, "Payment timeout for order 7"), (3, "bad \ufffd byte"),
                                                      (4, "bad \ufffd byte"), (1, "Failed to load cart: boom"),
                                                      (5, ""), (9, "Payment timeout for order 7")])]
    found = stacks._json_stacks(path, layout, lookups, ZoneInfo("UTC"))
    assert found == _json_stacks_line_by_line(path, layout, lookups, ZoneInfo("UTC"))
    # 2: its line writes the replacement character as \ufffd, which the words as the scan writes them miss
    assert found[0] == ["at pay", "at web 2"] and found[1] == ["at odd 3"] and set(found) == {0, 1, 3, 4}
