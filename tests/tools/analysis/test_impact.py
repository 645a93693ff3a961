"""Which services an incident touches: the failing origin, its cascade, and nothing for steady noise."""

from support.scans import at, make_scan

from wicked_platform.tools.analysis.blast_radius import blast_radius
from wicked_platform.tools.analysis.impact import affected_services, downstream_of_failing
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.analysis.severity import assess_severity
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import RequestPoint

CONTEXT = IncidentContext.model_validate({"services": {
    "gateway": {"depends_on": ["cart-api", "checkout-api"]},
    "cart-api": {"depends_on": ["inventory-service"]},
    "checkout-api": {"depends_on": ["inventory-service"], "requests_per_minute": 60, "revenue_per_hour": 90000},
    "inventory-service": {"critical": True},
}})


def _slow_inventory():
    """inventory-service's queries time out from minute 30, and everything that calls it fails with it."""
    return make_scan(_slow_inventory_lines())


def _slow_inventory_lines():
    lines = []
    for service, message in (("inventory-service", "statement timeout"), ("cart-api", "Timeout calling inventory-service"),
                             ("checkout-api", "Stock reservation failed: inventory-service timed out"),
                             ("gateway", "upstream timed out (504)")):
        lines += [(at(m), "INFO", service, "ok") for m in range(60)]
        lines += [(at(30 + s / 60), "ERROR", service, message) for s in range(0, 1800, 3)]
    return lines


def test_services_failing_because_a_dependency_fails_are_its_cascade():
    scan = _slow_inventory()
    affected = affected_services(scan, find_onset(scan), CONTEXT)
    assert affected.direct == ["inventory-service"]
    assert affected.cascade == ["cart-api", "checkout-api", "gateway"]


def test_without_depends_on_the_errors_naming_their_dependency_make_the_cascade():
    """cart-api's `Timeout calling inventory-service` says whom it calls as plainly as depends_on; the gateway's
    504s name no one, so nothing says it is downstream."""
    scan = _slow_inventory()
    affected = affected_services(scan, find_onset(scan), IncidentContext())
    assert affected.direct == ["gateway", "inventory-service"]
    assert affected.cascade == ["cart-api", "checkout-api"]


def test_services_calling_each_other_are_not_each_others_cascade():
    mutual = IncidentContext.model_validate({"services": {"a": {"depends_on": ["b"]}, "b": {"depends_on": ["a"]}}})
    assert downstream_of_failing(["a", "b"], mutual) == set()
    assert downstream_of_failing(["a", "b", "c"], IncidentContext.model_validate(
        {"services": {"a": {"depends_on": ["b"]}, "b": {"depends_on": ["c"]}}})) == {"a", "b"}


def test_the_cascade_carries_the_revenue_and_the_payment_path():
    # checkout-api's access log counts its requests (one a second, a third failing from minute 30): the error
    # rate comes from those lines, never from error lines over the context's requests_per_minute.
    requests = [RequestPoint(at=at(s / 60), service="checkout-api", requests=1, errors=int(s >= 1800 and s % 3 == 0))
                for s in range(3600)]
    scan = make_scan(_slow_inventory_lines(), requests)
    onset = find_onset(scan)
    affected = affected_services(scan, onset, CONTEXT)
    description = "checkout failing for customers"
    blast = blast_radius(scan, onset, affected, CONTEXT, description)
    # Revenue flows through checkout-api, not inventory-service: its failing share puts it at risk.
    assert blast.revenue_per_hour is not None and blast.revenue_per_hour > 0
    assert any("through checkout-api" in note for note in blast.notes)
    comparison = onset.comparison
    severity, reasons = assess_severity(description, comparison, [], blast, scan.events, CONTEXT, False)
    assert severity == "SEV1" and reasons[0].startswith("Payment processing down")


def test_steady_noise_touches_no_service():
    lines = [(at(m), "INFO", "api", "ok") for m in range(120)]
    lines += [(at(m), "ERROR", "api", "upstream flaked") for m in range(3, 120, 9)]
    scan = make_scan(lines)
    onset = find_onset(scan)
    assert not onset.comparison.significant
    affected = affected_services(scan, onset, IncidentContext())
    assert affected.direct == [] and affected.cascade == []


def test_a_page_does_not_make_its_sender_an_affected_service():
    lines = [(at(m), "INFO", "db", "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "db", "PANIC: No space left on device") for s in range(0, 600, 20)]
    lines += [(at(32), "CRITICAL", "disk-monitor", "ALERT /var/lib/postgresql at 100%: disk full, paging on-call")]
    lines += [(at(33), "WARN", "replica", "replication lag 40s")]
    scan = make_scan(lines)
    affected = affected_services(scan, find_onset(scan), IncidentContext())
    assert affected.direct == ["db"]
    assert affected.cascade == ["replica"]  # a new warning of its own; the monitor only reported


def test_the_title_names_the_failing_service_without_the_gateways_status():
    from wicked_platform.tools.investigation import symptoms_from_scan
    from wicked_platform.tools.report_assembly import _title

    lines = [line for line in _slow_inventory_lines() if line[2] != "gateway"]
    lines += [(at(30 + s / 60), "5XX", "gateway", "POST /api/checkout 502") for s in range(0, 1800, 3)]
    lines += [(at(m), "INFO", "gateway", "ok") for m in range(60)]
    found = symptoms_from_scan(make_scan(lines), CONTEXT)
    assert found.affected.direct == ["inventory-service"] and "gateway" in found.affected.cascade
    assert _title("checkout returning 502s", "inventory-service", found) == "Inventory Service timeouts"
    # Where the service answers with that status itself, the user's words stand.
    assert _title("inventory returning 502s", "gateway", found) == "Gateway 502 errors"


def test_a_monitor_that_only_pages_is_no_part_of_the_blast_radius():
    lines = _slow_inventory_lines()
    lines += [(at(35), "CRITICAL", "slo-monitor", "Alert: checkout-api availability SLO burn rate 14x, paging on-call"),
              (at(36), "WARN", "slo-monitor", "checkout error budget for June 38% spent")]
    lines += [(at(36), "ERROR", "cert-manager", "Certificate renewal failed for checkout-tls"),
              (at(37), "CRITICAL", "cert-manager", "Alert: CertificateExpired checkout-tls, paging platform")]
    affected = affected_services(make_scan(lines), find_onset(make_scan(lines)), CONTEXT)
    assert "slo-monitor" not in affected.direct + affected.cascade
    assert "cert-manager" in affected.cascade  # it failed on its own account, besides paging


def test_a_service_that_alerts_about_itself_is_failing_and_a_bot_alerting_about_another_is_not():
    lines = _slow_inventory_lines()
    lines += [(at(30 + m), "ERROR", "orders-consumer", f"alert: consumer lag {90 + m}k on topic orders, dropping batch")
              for m in range(10)]
    lines += [(at(33), "ERROR", "alert-bot", "Alerting on-call: inventory-service statement timeouts")]
    affected = affected_services(make_scan(lines), find_onset(make_scan(lines)), CONTEXT)
    assert "orders-consumer" in affected.direct + affected.cascade
    assert "alert-bot" not in affected.direct + affected.cascade


def test_services_naming_each_other_tell_nothing_of_who_calls_whom():
    """`TLS handshake error (client orders-api)` names the caller, orders-api's own errors name the gateway:
    messages alone cannot say which is downstream, so neither is made the other's cascade."""
    lines = []
    for service in ("payment-gateway", "orders-api"):
        lines += [(at(m), "INFO", service, "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", "orders-api", "Post https://payment-gateway:8443/v1/authorize: certificate has expired")
              for s in range(0, 1800, 3)]
    lines += [(at(30.05 + s / 60), "ERROR", "payment-gateway", "TLS handshake error: expired certificate (client orders-api)")
              for s in range(0, 1800, 3)]
    scan = make_scan(lines)
    affected = affected_services(scan, find_onset(scan), IncidentContext())
    assert affected.direct == ["orders-api", "payment-gateway"] and affected.cascade == []


def test_a_named_service_whose_trouble_began_later_is_not_the_origin():
    lines = [(at(m), "INFO", s, "ok") for m in range(60) for s in ("api", "cache")]
    lines += [(at(30 + s / 60), "ERROR", "api", "request failed after a slow cache lookup") for s in range(0, 1800, 3)]
    lines += [(at(38 + s / 60), "WARN", "cache", "evicting under memory pressure") for s in range(0, 1320, 5)]
    scan = make_scan(lines)
    affected = affected_services(scan, find_onset(scan), IncidentContext())
    assert affected.direct == ["api"]


def test_a_dependency_that_slowed_first_without_errors_of_its_own_is_the_origin():
    """inventory-service only warns (slow queries); cart-api, which depends on it, fails two minutes later."""
    lines = [(at(m), "INFO", s, "ok") for m in range(60) for s in ("cart-api", "inventory-service")]
    lines += [(at(28 + s / 60), "WARN", "inventory-service", "Slow query (1800 ms): SELECT sku FROM stock")
              for s in range(0, 1920, 5)]
    lines += [(at(30 + s / 60), "ERROR", "cart-api", "request for cart failed after 2000 ms") for s in range(0, 1800, 3)]
    scan = make_scan(lines)
    context = IncidentContext.model_validate({"services": {"cart-api": {"depends_on": ["inventory-service"]}}})
    affected = affected_services(scan, find_onset(scan), context)
    assert affected.direct == ["inventory-service"] and affected.cascade == ["cart-api"]
    # Without depends_on and without a message naming it, nothing ties cart-api to inventory-service.
    alone = affected_services(scan, find_onset(scan), IncidentContext())
    assert alone.direct == ["cart-api"]


def _behind_a_proxy(proxy: str, app: str, app_error: str, request: str, proxy_errors: list | None = None):
    """`app` fails from minute 30 with errors of its own; `proxy`'s access log (one request a second) answers 5xx
    for half of them from then on, and knows nothing else unless `proxy_errors` are its own error lines."""
    lines = [(at(m), "INFO", app, "ok") for m in range(60)] + [(at(m), "INFO", proxy, "ok") for m in range(60)]
    lines += [(at(30 + s / 60), "ERROR", app, app_error) for s in range(0, 1800, 2)]
    lines += [(at(30 + s / 60), "5XX", proxy, f"{request} 500") for s in range(0, 1800, 2)]
    requests = [RequestPoint(at=at(s / 60), service=proxy, requests=1, errors=int(s >= 1800 and s % 2 == 0))
                for s in range(3600)]
    return make_scan(lines + (proxy_errors or []), requests)


def test_a_proxy_known_only_by_its_5xx_answers_is_the_cascade_of_the_service_failing_behind_it():
    for proxy, app, error, request in (
        ("ingress-nginx", "loyalty-service", "NullPointerException in PointsCalculator.earn", "POST /api/v1/points/earn"),
        ("edge", "thumbnailer", "worker pool exhausted, rejecting job", "PUT /uploads/<*>"),
    ):
        scan = _behind_a_proxy(proxy, app, error, request)
        onset = find_onset(scan)
        affected = affected_services(scan, onset, IncidentContext())
        assert (affected.direct, affected.cascade, affected.fronts) == ([app], [proxy], [proxy])
        # The app logs no requests of its own: the rate is counted where they pass, and the note says where.
        radius = blast_radius(scan, onset, affected, IncidentContext(), "errors")
        assert radius.error_rate == 0.5
        assert any(f"counted in {proxy}'s access log, the proxy in front of {app}" in note for note in radius.notes)


def test_a_proxy_alone_or_with_errors_of_its_own_stays_direct():
    alone = make_scan([(at(m), "INFO", "gateway", "ok") for m in range(60)]
                      + [(at(30 + s / 60), "5XX", "gateway", "GET /cart 502") for s in range(0, 1800, 2)])
    assert affected_services(alone, find_onset(alone), IncidentContext()).direct == ["gateway"]
    own = _behind_a_proxy("gateway", "cart-api", "Timeout calling redis", "GET /cart",
                          [(at(30 + s / 60), "ERROR", "gateway", "no live upstreams") for s in range(0, 1800, 5)])
    assert affected_services(own, find_onset(own), IncidentContext()).direct == ["cart-api", "gateway"]


def test_an_applications_own_access_log_beside_an_unrelated_workers_errors_is_no_proxy():
    """orders-api's access log and billing-worker's deadlocks name nothing of each other: both stay direct, and
    no rate of orders-api is charged to the worker. A context saying orders-api calls the worker makes it a front."""
    scan = _behind_a_proxy("orders-api", "billing-worker", "ledger write failed: deadlock detected", "POST /orders")
    onset = find_onset(scan)
    affected = affected_services(scan, onset, IncidentContext())
    assert (affected.direct, affected.fronts) == (["billing-worker", "orders-api"], [])
    calls = IncidentContext.model_validate({"services": {"orders-api": {"depends_on": ["billing-worker"]}}})
    assert affected_services(scan, onset, calls).fronts == ["orders-api"]
