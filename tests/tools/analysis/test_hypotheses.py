"""The dependency hypothesis: an upstream that failed first, not a caller, not baseline noise."""

from support.scans import at, make_scan

from wicked_platform.tools.analysis.hypotheses import build_hypotheses
from wicked_platform.tools.analysis.impact import AffectedServices
from wicked_platform.tools.analysis.rates import find_onset
from wicked_platform.tools.context import IncidentContext, ServiceContext


def _lines(extra):
    lines = [(at(m / 2), "INFO", svc, "ok") for m in range(120) for svc in ("auth-api", "api-gateway", "user-db")]
    lines += [(at(40 + s / 60), "ERROR", "auth-api", "JWTValidationError: INVALID_TOKEN") for s in range(0, 1200, 5)]
    return lines + extra


def _dependency_hypotheses(lines, context, cascade):
    scan = make_scan(lines)
    onset = find_onset(scan, ["auth-api"])
    affected = AffectedServices(direct=["auth-api"], cascade=cascade, related=cascade)
    found = build_hypotheses(scan, onset, affected, [], [], context)
    return [h for h in found if "degraded, surfacing in" in h.title]


def test_a_caller_of_the_failing_service_is_its_victim_not_its_cause():
    # api-gateway calls auth-api and logs a steady trickle of its own errors, then the 401 storm.
    noise = [(at(m), "ERROR", "api-gateway", "Upstream request failed: ECONNRESET") for m in range(0, 60, 7)]
    storm = [(at(42), "WARN", "api-gateway", "401 responses from auth-api at 41%")]
    context = IncidentContext(services={"api-gateway": ServiceContext(depends_on=["auth-api"])})
    assert _dependency_hypotheses(_lines(noise + storm), context, ["api-gateway"]) == []


def test_a_dependencys_steady_baseline_is_not_it_failing_first():
    noise = [(at(m), "ERROR", "user-db", "slow query") for m in range(0, 60, 7)]
    context = IncidentContext(services={"auth-api": ServiceContext(depends_on=["user-db"])})
    [hypothesis] = _dependency_hypotheses(_lines(noise), context, [])
    assert hypothesis.likelihood == "LOW"
    assert any("usual rate" in e for e in hypothesis.evidence)


def test_a_dependency_whose_errors_rose_first_is_a_medium_hypothesis():
    noise = [(at(m), "ERROR", "user-db", "slow query") for m in range(0, 60, 7)]
    rise = [(at(35 + s / 60), "ERROR", "user-db", "connection refused") for s in range(0, 1500, 4)]
    context = IncidentContext(services={"auth-api": ServiceContext(depends_on=["user-db"])})
    [hypothesis] = _dependency_hypotheses(_lines(noise + rise), context, [])
    assert hypothesis.likelihood == "MEDIUM"
    assert any("rose at 14:35:00, before auth-api's onset" in e for e in hypothesis.evidence)
