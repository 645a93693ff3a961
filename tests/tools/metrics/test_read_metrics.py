"""read_metrics against a real Prometheus (backfilled with promtool): signals, onsets, rollouts, overrides."""

from datetime import timedelta

import pytest
from support.metric_incidents import (
    CHECKOUT_ROLLOUT, CHECKOUT_SLOW, END, ORDERS_FAILING, SEARCH_FILLING, START,
)

from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.metrics.findings import read_metrics

SERVICES = ["checkout-api", "orders", "search", "cart"]


@pytest.fixture(scope="module")
def findings(incident_prometheus):
    return read_metrics(incident_prometheus, SERVICES, START, END, IncidentContext())


def test_latency_regression_has_its_onset_and_ratio(findings):
    p95 = findings.signal("checkout-api", "latency_p95")
    assert p95.source == "prometheus" and p95.unit == "seconds"
    assert abs(p95.onset - CHECKOUT_SLOW) <= timedelta(minutes=2)
    assert p95.ratio > 10 and p95.p_value < 1e-6
    assert "histogram_quantile(0.95" in p95.query and 'app=~"' in p95.query
    assert findings.signal("cart", "latency_p95").onset is None


def test_error_rate_from_the_opentelemetry_counters_of_another_label(findings):
    errors = findings.signal("orders", "error_rate")
    assert errors.before == pytest.approx(0.001, rel=0.05)
    assert errors.after == pytest.approx(3.2 / 53.2, rel=0.05)
    assert abs(errors.onset - ORDERS_FAILING) <= timedelta(minutes=2)
    assert 'service_name=~"' in errors.query
    assert findings.signal("checkout-api", "error_rate").onset is None  # 0.05% all along


def test_memory_near_its_limit_and_restarts(findings):
    saturation = findings.signal("search", "saturation")
    assert saturation.after > 0.9 and saturation.onset is not None and saturation.onset >= SEARCH_FILLING
    assert findings.signal("search", "restarts").onset is not None
    assert findings.signal("cart", "saturation").onset is None


def test_rollouts_seen_by_kube_state_metrics_are_deploys(findings):
    assert [(d.service, d.at, d.source) for d in findings.deploys] == [("checkout-api", CHECKOUT_ROLLOUT, "prometheus")]
    # The version is the tag of the image the new ReplicaSet's pods ran (its own container's, not the sidecar's).
    assert findings.deploys[0].version == "v2.5.0"
    assert "registry.example.com/shop/checkout-api:v2.5.0" in findings.deploys[0].subject


def test_every_series_stays_under_a_thousand_points_and_the_sparkline_under_sixty(findings):
    assert findings.signals and all(len(s.series) <= 60 for s in findings.signals)
    assert findings.warning is None and findings.bytes_received < 1_000_000


def test_same_inputs_same_signals(incident_prometheus, findings):
    again = read_metrics(incident_prometheus, SERVICES, START, END, IncidentContext())
    assert again.model_dump() == findings.model_dump()


def test_context_queries_replace_the_defaults(incident_prometheus):
    own = 'sum(rate(http_requests_total{app="cart",code=~"5.."}[1m])) / sum(rate(http_requests_total{app="cart"}[1m]))'
    context = IncidentContext.model_validate({"services": {"cart": {"metrics": {"error_rate": own}}}})
    found = read_metrics(incident_prometheus, ["cart"], START, END, context)
    assert found.signal("cart", "error_rate").query == own
    assert found.signal("cart", "error_rate").after == pytest.approx(0.01 / 20.01, rel=0.05)


def test_context_service_label_is_used_without_a_search(incident_prometheus):
    context = IncidentContext.model_validate({"prometheus": {"service_label": "app"}})
    found = read_metrics(incident_prometheus, ["checkout-api"], START, END, context)
    assert 'app=~"checkout' in found.signal("checkout-api", "latency_p95").query
    wrong = IncidentContext.model_validate({"prometheus": {"service_label": "team"}})
    assert read_metrics(incident_prometheus, ["checkout-api"], START, END, wrong).signal(
        "checkout-api", "latency_p95") is None


@pytest.mark.parametrize("scrape_seconds", [60, 90])
def test_counters_scraped_once_a_minute_or_less_are_asked_again_with_a_wider_rate_range(tmp_path, scrape_seconds):
    """rate() over a range holding one sample answers nothing; the service is asked once more over four minutes,
    while one scraped every 15 s beside it keeps the narrow range (and its sharp onset)."""
    from datetime import UTC, datetime

    from support.prometheus_server import serving

    start = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    lines, ok, failed = ["# TYPE http_requests counter"], 0.0, 0.0
    for i in range(0, 3 * 3600, scrape_seconds):
        ok += 50 * scrape_seconds
        failed += (0.05 if i < 7200 else 5) * scrape_seconds  # 0.1% of requests failing, then about 9%
        stamp = (start + timedelta(seconds=i + 7.312)).timestamp()  # scrapes land between query steps, as they do
        lines.append(f'http_requests_total{{service="ledger",code="200"}} {ok} {stamp}')
        lines.append(f'http_requests_total{{service="ledger",code="500"}} {failed} {stamp}')
        for j in range(0, scrape_seconds, 15):
            fine = (start + timedelta(seconds=i + j + 3.1)).timestamp()
            lines.append(f'http_requests_total{{service="quotes",code="200"}} {100 * (i + j)} {fine}')
    text = "\n".join(sorted(lines[1:], key=lambda l: ('code="500"' in l, float(l.rsplit(" ", 1)[1])))) + "\n"
    with serving(tmp_path, "# TYPE http_requests counter\n" + text + "# EOF\n") as url:
        found = read_metrics(url, ["ledger", "quotes"], start, start + timedelta(hours=3), IncidentContext())
    errors = found.signal("ledger", "error_rate")
    assert errors is not None and "[240s]" in errors.query and "quotes" not in errors.query
    assert "[60s]" in found.signal("quotes", "error_rate").query
    assert errors.after > 0.05 and abs(errors.onset - (start + timedelta(hours=2))) <= timedelta(minutes=5)
