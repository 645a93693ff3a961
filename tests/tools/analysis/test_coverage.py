"""Time counts where logs were being written: the observed clock, and what it changes for onsets and recovery."""

from datetime import timedelta

from support.scans import at, make_scan

from wicked_platform.tools.analysis.rates import compare_at, find_onset, observed_seconds
from wicked_platform.tools.analysis.symptoms import has_recovered
from wicked_platform.tools.logs.models import LogFileStats, LogFormat, RequestPoint


def with_files(scan, *spans):
    """The scan, its lines said to come from files (name, lines, first, last)."""
    files = [LogFileStats(path=name, format=LogFormat.PLAIN, lines=n, parsed=n, first_at=first, last_at=last)
             for name, n, first, last in spans]
    return scan.model_copy(update={"files": files})


def _deploy_log_an_hour_before_the_app_logs():
    lines = [(at(-60), "INFO", "deploy-bot", "Deployment api-v1.2.0 completed")]
    lines += [(at(m / 4), "INFO", "api", "ok") for m in range(160)]
    lines += [(at(m + 0.5), "ERROR", "api", "upstream flaked") for m in range(0, 40, 2)]
    scan = make_scan(lines)
    return scan, with_files(scan, ("deploy.log", 1, at(-60), at(-60)), ("api.log", 180, at(0), at(39.75)))


def test_a_sparse_file_does_not_make_the_app_logs_first_error_an_onset():
    wall, covered = _deploy_log_an_hour_before_the_app_logs()
    # Counting the hour no app log covers as quiet time, steady errors look like a rise out of silence.
    assert find_onset(wall).comparison.significant
    assert not find_onset(covered).comparison.significant


def test_observed_seconds_are_wall_seconds_where_logs_cover_the_window():
    _, covered = _deploy_log_an_hour_before_the_app_logs()
    assert observed_seconds(covered, at(0), at(10)) == 600
    assert observed_seconds(covered, at(-59), at(0)) < 60  # one deploy line in an hour observes almost nothing
    # Without file spans (or with them covering everything) it is the wall clock.
    assert observed_seconds(make_scan([(at(0), "INFO", "a", "x"), (at(10), "INFO", "a", "y")]), at(0), at(10)) == 600
    comparison = compare_at(covered, at(20))
    assert comparison.after_seconds == 20 * 60 - 15 + 1  # 20:00 through the last line at 39:45


def _failing_until_the_end(tail_minutes: float, note_after: bool):
    """checkout-api failing 80% of 60 requests a minute from minute 10; its access log ends `tail_minutes`
    after the last failure; a support note saying all is resolved comes one second after that."""
    lines = [(at(m), "INFO", "checkout-api", "ok") for m in range(10)]
    lines += [(at(10 + s / 60), "ERROR", "checkout-api", "Payment timeout") for s in range(0, 600, 2)]
    last_error = at(10 + 598 / 60)
    requests = [RequestPoint(at=at(m), service="checkout-api", requests=60, errors=0 if m < 10 else 48) for m in range(10)]
    requests += [RequestPoint(at=at(10 + s / 60), service="checkout-api", requests=1, errors=1) for s in range(0, 600, 2)]
    requests += [RequestPoint(at=last_error + timedelta(seconds=s + 1), service="checkout-api", requests=1, errors=0)
                 for s in range(int(tail_minutes * 60))]
    end = last_error + timedelta(seconds=int(tail_minutes * 60))
    if note_after:
        lines.append((end + timedelta(seconds=1), "INFO", "support-bot",
                      "Customer note: everything is back to normal, incident resolved, recommend MONITOR"))
    scan = make_scan(lines, requests)
    events = [*scan.events]
    if note_after:
        from wicked_platform.tools.logs.models import LogEvent
        events.append(LogEvent(at=end + timedelta(seconds=1), service="support-bot", level="INFO", message=lines[-1][3]))
    return scan.model_copy(update={"events": events})


def test_a_recovery_line_right_after_the_last_error_is_no_recovery():
    scan = _failing_until_the_end(tail_minutes=0, note_after=True)
    onset = find_onset(scan)
    assert not has_recovered(scan, onset, ["checkout-api"])


def test_a_recovery_line_after_requests_that_succeed_again_is_a_recovery():
    scan = _failing_until_the_end(tail_minutes=2, note_after=True)
    onset = find_onset(scan)
    assert has_recovered(scan, onset, ["checkout-api"])  # 120 requests, ~96 failures expected, none came


def _db_failing_then_quiet(note: tuple[str, str]):
    """db fails 6 times a minute for five minutes, then five quiet minutes (30 failures would have
    come by then), with one line from its proxy in the quiet."""
    lines = [(at(m / 2), "INFO", "db", "ok") for m in range(20)]
    lines += [(at(10 + m / 6), "ERROR", "db", "FATAL: the database system is in recovery mode") for m in range(30)]
    lines += [(at(15 + m / 6), "INFO", "db", "ok") for m in range(30)]
    lines.append((at(15.5), note[0], "db-proxy", note[1]))
    scan = make_scan(lines)
    from wicked_platform.tools.logs.models import LogEvent
    event = LogEvent(at=at(15.5), service="db-proxy", level=note[0], message=note[1])
    return scan.model_copy(update={"events": sorted([*scan.events, event], key=lambda e: e.at)})


def test_recovery_mode_is_not_a_recovery():
    scan = _db_failing_then_quiet(("WARN", "backend db is still in recovery mode"))
    assert not has_recovered(scan, find_onset(scan), ["db"])
    scan = _db_failing_then_quiet(("INFO", "backend db recovered, accepting connections"))
    assert has_recovered(scan, find_onset(scan), ["db"])


def test_a_failure_line_saying_resolved_is_no_recovery():
    scan = _db_failing_then_quiet(("ERROR", "login for user 'incident resolved' failed"))
    assert not has_recovered(scan, find_onset(scan), ["db"])
