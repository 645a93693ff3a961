"""The log generator: same spec, same bytes; rates as specified; formats the readers recognise."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from wicked_platform.scenarios.generate import LogGeneratorSpec, generate_lines, write_log
from wicked_platform.scenarios.model import load_scenario

ACCESS = re.compile(
    r'^(?P<addr>[\d.]+) - - \[(?P<day>\d\d)/(?P<mon>\w{3})/(?P<year>\d{4}):(?P<time>\d\d:\d\d:\d\d) \+0000\] '
    r'"(?P<request>[A-Z]+ \S+ HTTP/1\.1)" (?P<status>\d{3}) (?P<size>\d+) "-" "[^"]+"$'
)
ONSET = datetime(2024, 1, 15, 14, 23, 15, tzinfo=UTC)


def spec(**overrides) -> LogGeneratorSpec:
    fields = {
        "format": "access", "seed": 42, "start": "2024-01-15T13:00:00Z", "end": "2024-01-15T15:00:00Z",
        "services": ["checkout-api"], "lines_per_minute": 300, "baseline_error_rate": 0.01,
        "paths": ["POST /api/checkout"],
        "incident": {"at": "2024-01-15T14:23:15Z", "error_rate": 0.85, "statuses": [500]},
    }
    return LogGeneratorSpec.model_validate(fields | overrides)


def access_statuses(lines: list[str]) -> list[tuple[datetime, str]]:
    statuses = []
    for line in lines:
        match = ACCESS.match(line)
        assert match, line
        at = datetime.strptime(f"{match['year']}-{match['mon']}-{match['day']} {match['time']}", "%Y-%b-%d %H:%M:%S")
        statuses.append((at.replace(tzinfo=UTC), match["status"]))
    return statuses


def access_rates(lines: list[str]) -> tuple[int, float, int, float]:
    """(requests before the onset, their 5xx ratio, requests from it on, their 5xx ratio)."""
    before, after = [], []
    for at, status in access_statuses(lines):
        (before if at < ONSET else after).append(status.startswith("5"))
    return len(before), sum(before) / len(before), len(after), sum(after) / len(after)


def test_same_spec_same_bytes(tmp_path):
    write_log(spec(), tmp_path / "one.log")
    write_log(spec(), tmp_path / "two.log")
    assert (tmp_path / "one.log").read_bytes() == (tmp_path / "two.log").read_bytes()
    assert (tmp_path / "one.log").read_bytes() != b""


def test_another_seed_other_lines():
    assert list(generate_lines(spec())) != list(generate_lines(spec(seed=43)))


def test_error_ratio_before_and_after_the_incident():
    before_n, before_rate, after_n, after_rate = access_rates(list(generate_lines(spec())))
    assert before_n == pytest.approx(300 * 83.25, rel=0.05)  # requests per minute × minutes
    assert before_rate == pytest.approx(0.01, abs=0.004)
    assert after_rate == pytest.approx(0.85, abs=0.03)
    assert after_n == pytest.approx(300 * 36.75, rel=0.05)


def test_incident_opens_with_a_failure_at_exactly_its_time():
    lines = list(generate_lines(spec()))
    first = next(line for line in lines if "14:23:15" in line and '" 500 ' in line)
    assert "[15/Jan/2024:14:23:15 +0000]" in first


def test_recovery_returns_to_the_baseline():
    lines = list(generate_lines(spec(incident={"at": "2024-01-15T14:00:00Z", "until": "2024-01-15T14:10:00Z",
                                               "error_rate": 1.0, "statuses": [504]})))
    late = [line for line in lines if "2024:14:3" in line or "2024:14:4" in line]
    assert late and sum('" 504 ' in line for line in late) == 0
    window = [line for line in lines if "2024:14:0" in line]
    assert all('" 504 ' in line for line in window)


def test_time_order_and_format():
    lines = list(generate_lines(spec()))
    stamps = [ACCESS.match(line)["time"] for line in lines]
    assert stamps == sorted(stamps)
    statuses = {ACCESS.match(line)["status"] for line in lines}
    assert statuses <= {"200", "500", "502", "503"} and "200" in statuses


def test_plain_lines_with_several_services():
    plain = spec(format="plain", services=["checkout-api", "payment-service"], lines_per_minute=20,
                 messages=["Order ORD-{n} placed"], error_messages=["Upstream reset"],
                 incident={"at": "2024-01-15T14:23:15Z", "service": "checkout-api", "error_rate": 0.9,
                           "messages": ["Payment timeout for order ORD-{n}"]})
    lines = list(generate_lines(plain))
    pattern = re.compile(r"^2024-01-15T\d\d:\d\d:\d\dZ (INFO|ERROR) (checkout-api|payment-service) (.+)$")
    assert all(pattern.match(line) for line in lines)
    assert [line[:20] for line in lines] == sorted(line[:20] for line in lines)
    incident_errors = [line for line in lines if "Payment timeout" in line]
    assert incident_errors and all(" checkout-api " in line and line[:20] >= "2024-01-15T14:23:15Z"
                                   for line in incident_errors)
    assert re.search(r"ORD-\d+", incident_errors[0])
    payment_after = [line for line in lines if " payment-service " in line and line[:20] >= "2024-01-15T14:23:15Z"]
    assert sum(" ERROR " in line for line in payment_after) < len(payment_after) * 0.1  # only its baseline


def test_json_lines():
    lines = list(generate_lines(spec(format="json", lines_per_minute=5)))
    records = [json.loads(line) for line in lines]
    assert set(records[0]) == {"timestamp", "level", "service", "message"}
    assert all(r["timestamp"].endswith("Z") and r["level"] in {"INFO", "ERROR"} for r in records)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"end": "2024-01-15T12:00:00Z"}, "`end` must be after `start`"),
        ({"services": ["a", "b"]}, "an access log belongs to one service"),
        ({"error_statuses": [404]}, "error status 404 is not a 5xx"),
        ({"incident": {"at": "2024-01-16T00:00:00Z", "error_rate": 0.5}}, "`incident.at` must fall between"),
        ({"incident": {"at": "2024-01-15T14:00:00Z", "service": "x", "error_rate": 0.5}}, "is not one of `services`"),
        ({"lines_per_minute": 0}, "greater than 0"),
        ({"start": "2024-01-15T13:00:00"}, "timezone"),
    ],
)
def test_invalid_specs(overrides, problem):
    with pytest.raises(ValidationError, match=re.escape(problem)):
        spec(**overrides)


def test_checkout_timeout_access_log_measures_85_against_1_percent(bundled):
    """The fixture's numbers come from its log: 5xx ≈ 1% before 14:23:15 and ≈ 85% from then on."""
    generated = load_scenario(bundled / "checkout-timeout").logs[1].generate
    before_n, before_rate, after_n, after_rate = access_rates(list(generate_lines(generated)))
    assert before_n == pytest.approx(47 * 23.25, rel=0.05)
    assert before_rate == pytest.approx(0.01, abs=0.003)
    assert after_rate == pytest.approx(0.85, abs=0.02)
    assert 70 <= after_n <= 95
    # Its seed keeps baseline failures out of the deploy-to-onset window, so the onset is unambiguous.
    deploy = datetime(2024, 1, 15, 14, 20, tzinfo=UTC)
    between = [status for at, status in access_statuses(list(generate_lines(generated))) if deploy <= at < ONSET]
    assert between and not any(status.startswith("5") for status in between)


def test_logfmt_lines_at_a_utc_offset():
    lines = list(generate_lines(spec(format="logfmt", lines_per_minute=5, utc_offset="+02:00",
                                     messages=['Order ORD-{n} "paid"'])))
    pattern = re.compile(r'^ts=(\S+) level=(info|error) service=checkout-api msg="(?:[^"\\]|\\.)*"$')
    assert all(pattern.match(line) for line in lines), lines[:3]
    stamps = [datetime.fromisoformat(pattern.match(line)[1]) for line in lines]
    assert all(s.utcoffset().total_seconds() == 7200 for s in stamps)
    assert min(stamps) >= datetime(2024, 1, 15, 13, tzinfo=UTC) and max(stamps) < datetime(2024, 1, 15, 15, tzinfo=UTC)
    # The onset falls at the same instant whatever the offset says.
    assert next(s for s in stamps if s >= ONSET) == ONSET
    assert any(line.startswith("ts=2024-01-15T16:23:15+02:00 level=error ") for line in lines)


def test_syslog_lines_have_a_pri_and_no_year():
    lines = list(generate_lines(spec(format="syslog", lines_per_minute=5, host="db-01")))
    pattern = re.compile(r"^<(131|134)>Jan 15 (\d\d:\d\d:\d\d) db-01 checkout-api\[\d+\]: \S.*$")
    assert all(pattern.match(line) for line in lines), lines[:3]
    assert {pattern.match(line)[1] for line in lines} == {"131", "134"}  # local0.err and local0.info
    assert any(pattern.match(line)[2] == "14:23:15" and line.startswith("<131>") for line in lines)
    # With an offset, the wall clock moves and the line still names no zone.
    shifted = list(generate_lines(spec(format="syslog", lines_per_minute=5, utc_offset="-05:00")))
    assert any(" 09:23:15 " in line and line.startswith("<131>") for line in shifted)


def test_access_lines_at_a_utc_offset():
    lines = list(generate_lines(spec(lines_per_minute=5, utc_offset="+05:30")))
    assert all(" +0530] " in line for line in lines)
    assert any("[15/Jan/2024:19:53:15 +0530]" in line for line in lines)  # the onset, 14:23:15Z


def test_default_offset_keeps_utc_bytes():
    """No `utc_offset` writes exactly what it wrote before the option existed."""
    assert list(generate_lines(spec(format="plain"))) == list(generate_lines(spec(format="plain", utc_offset=None)))
    assert all(line[19] == "Z" for line in generate_lines(spec(format="plain", lines_per_minute=5)))


@pytest.mark.parametrize("offset", ["+2:00", "0200", "+24:00", "Z"])
def test_invalid_utc_offset(offset):
    with pytest.raises(ValidationError, match="utc_offset"):
        spec(utc_offset=offset)


def test_log4j_lines_carry_a_thread_a_logger_and_the_incidents_stack_trace(tmp_path):
    from wicked_platform.tools.logs.scan import scan_logs

    stack = ["java.lang.IllegalStateException: boom", "\tat com.shop.Cart.get(Cart.java:7)"]
    path = tmp_path / "cart.log"
    write_log(spec(format="log4j", logger="com.shop.Cart", lines_per_minute=30, error_messages=["Slow cart {n}"],
                   incident={"at": "2024-01-15T14:23:15Z", "error_rate": 0.5, "messages": ["Cart {n} failed"],
                             "stack": stack}), path)
    lines = path.read_text().splitlines()
    assert re.match(r"^2024-01-15 13:\d\d:\d\d,\d{3} \[http-nio-8080-exec-\d+\] (INFO |ERROR) com\.shop\.Cart - ", lines[0])
    first = lines.index(next(line for line in lines if "Cart " in line and "failed" in line))
    assert lines[first].startswith("2024-01-15 14:23:15,000 [") and lines[first + 1 : first + 3] == stack
    scan = scan_logs([path])
    (failed,) = [s for s in scan.signatures if "failed" in s.signature]
    assert (failed.first_seen, failed.stack) == (ONSET, stack)
    assert scan.files[0].unparsed == 0
