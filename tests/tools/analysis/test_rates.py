"""Onset, rate comparison and series on scans whose answer is known by construction."""

import random

from wicked_platform.tools.analysis.rates import compare_at, error_series, find_onset
from wicked_platform.tools.logs.models import RequestPoint

from support.scans import at, make_scan


def test_find_onset_on_the_seed_log_is_the_first_timeout(seed_scan):
    onset = find_onset(seed_scan)
    assert onset is not None
    assert onset.at.isoformat() == "2024-01-15T14:23:15+00:00"
    c = onset.comparison
    assert (c.before_errors, c.after_errors) == (0, 8)
    assert c.significant and c.p_value < 0.005  # Bonferroni over the 8 candidate splits: 8 × 2.4e-4
    assert c.ratio is None  # no errors before: the ratio is unbounded, not a number
    assert "Payment timeout for order <*>" in onset.new_signatures


def test_onset_is_the_step_in_a_noisy_baseline():
    rng = random.Random(7)
    lines = [(at(m), "INFO", "api", "ok") for m in range(0, 60)]
    lines += [(at(m + rng.random()), "ERROR", "api", "db error 1") for m in range(0, 40, 5)]
    lines += [(at(40 + s / 60), "ERROR", "api", "db error 2") for s in range(0, 600, 3)]
    onset = find_onset(make_scan(lines))
    assert onset is not None
    assert abs((onset.at - at(40)).total_seconds()) <= 3
    assert onset.comparison.significant
    assert onset.comparison.ratio > 10


def test_constant_noise_is_not_significant():
    rng = random.Random(3)
    lines = [(at(m), "INFO", "api", "ok") for m in range(0, 120)]
    lines += [(at(rng.uniform(0, 120)), "ERROR", "api", "flaky upstream") for _ in range(40)]
    onset = find_onset(make_scan(lines))
    assert onset is not None
    assert not onset.comparison.significant


def test_compare_at_uses_requests_when_access_logs_count_them():
    requests = [RequestPoint(at=at(m), service="api", requests=50, errors=0 if m < 20 else 40) for m in range(30)]
    requests[5] = RequestPoint(at=at(5), service="api", requests=50, errors=1)
    scan = make_scan([(at(0), "INFO", "api", "start")], requests=requests)
    c = compare_at(scan, at(20), ["api"])
    assert c.before_requests == 1000 and c.after_requests == 500
    assert c.before_errors == 1 and c.after_errors == 400
    assert c.after_rate == 0.8 and c.significant


def test_error_series_picks_a_bucket_that_fits(seed_scan):
    series = error_series(seed_scan)
    assert len(series.buckets) <= 120
    assert sum(b.errors for b in series.buckets) == 8
    assert series.bucket_seconds == 5


def test_onset_with_thousands_of_errors_is_the_step_not_the_first_split_that_underflows():
    """With thousands of errors the binomial tail is 0.0 at most splits; the earliest of those ties
    was taken for the onset, half an hour early (the jwt-expiry scenario). The likelihood ratio breaks them."""
    lines = [(at(m), "INFO", "auth-api", "ok") for m in range(70)]
    lines += [(at(s / 60), "ERROR", "auth-api", "TOKEN_EXPIRED") for s in range(0, 70 * 60, 60)]
    lines += [(at(44 + s / 60), "ERROR", "auth-api", "INVALID_TOKEN") for s in range(0, 26 * 60) for _ in range(3)]
    onset = find_onset(make_scan(lines))
    assert onset.at == at(44)
    assert onset.comparison.significant


def _steady_requests(service: str, minutes: int = 60) -> list[RequestPoint]:
    """One request a second, a failure every five minutes: a healthy service with an access log."""
    return [RequestPoint(at=at(s / 60), service=service, requests=1, errors=int(s % 300 == 0)) for s in range(minutes * 60)]


def test_errors_of_a_service_whose_requests_no_line_counts_are_not_dropped_from_the_comparison():
    """A healthy web tier writes an access log; the failing worker writes only messages. A rate over the web
    tier's requests would leave the worker's errors out, and its rise would look like nothing."""
    lines = [(at(m), "INFO", "cart-worker", "batch done") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "cart-worker", f"Feature handler failed for job {s}") for s in range(0, 1800, 5)]
    scan = make_scan(lines, requests=_steady_requests("web"))
    comparison = compare_at(scan, at(30))
    assert comparison.before_requests is None  # compared over time: every service's errors count
    assert comparison.after_errors >= 360 and comparison.significant


def test_the_onset_of_a_service_logging_messages_beside_a_bystanders_access_log_is_significant():
    """Two busy bystanders count their requests (and fail now and then); the pool-exhausted service does not."""
    lines = [(at(m), "INFO", "ledger-svc", "posted") for m in range(60)]
    lines += [(at(40 + s / 60), "ERROR", "ledger-svc", f"Connection pool exhausted while serving REQ-{s}")
              for s in range(0, 1200, 3)]
    requests = [RequestPoint(at=at(s / 60), service=name, requests=5, errors=int(s % 97 == 0))
                for s in range(3600) for name in ("billing-api", "search-api")]
    onset = find_onset(make_scan(lines, requests=requests))
    assert onset is not None and onset.at == at(40)
    assert onset.comparison.significant


def test_requests_still_make_the_rate_when_they_count_every_erroring_service():
    lines = [(at(m), "INFO", "web", "ok") for m in range(60)]
    requests = [RequestPoint(at=at(s / 60), service="web", requests=1, errors=int(s >= 1800 and s % 2 == 0))
                for s in range(3600)]
    lines += [(at(s / 60), "5XX", "web", "GET /cart 502") for s in range(1800, 3600, 2)]
    comparison = compare_at(make_scan(lines, requests=requests), at(30))
    assert comparison.before_requests == 1800 and comparison.after_requests == 1800 and comparison.significant


def test_a_few_errors_at_the_end_of_a_quiet_window_are_an_anecdote_and_five_are_a_rise():
    """Two errors in a quiet hour's last minutes pass p < 0.01 on their timing alone; they are no rise to act on.
    The same burst of five is, and the report says which it was (RateComparison.anecdotal)."""
    from wicked_platform.tools.analysis.rates import MIN_RISE_ERRORS

    quiet = [(at(m), "INFO", "cart", "ok") for m in range(70)]
    for errors, rises in ((2, False), (MIN_RISE_ERRORS - 1, False), (MIN_RISE_ERRORS, True)):
        lines = quiet + [(at(67 + i * 0.4), "ERROR", "cart", f"Validation failed for request {i}") for i in range(errors)]
        onset = find_onset(make_scan(lines))
        assert onset is not None and onset.comparison.p_value < 0.01
        assert onset.comparison.significant is rises
        assert onset.comparison.anecdotal is not rises
