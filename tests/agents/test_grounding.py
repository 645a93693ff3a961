"""Grounding: the model's findings hold up against tool results, or say exactly what does not."""

from wicked_platform.agents.grounding import Evidence, ungrounded
from wicked_platform.agents.phases import (
    BlastRadiusFindings, CorrelationFindings, MitigationFindings, SymptomsFindings, TimelineFindings,
)

SHA = "9e0aed73641b2c0d5e6f708192a3b4c5d6e7f809"
RESULTS = Evidence([
    '{"onset":"2024-01-15T14:23:15Z","rate_ratio":84.6,"before_rate":0.0103,"after_rate":0.846,"errors":66}',
    f'{{"candidates":[{{"commit":"{SHA}","subject":"perf(checkout-api): Optimize timeout settings",'
    '"service":"checkout-api","file":"services/checkout-api/config.ts"}],"users":2400}',
])


def test_facts_found_in_tool_results_hold_up():
    findings = CorrelationFindings(
        summary=f"perf(checkout-api) ({SHA[:10]}) lowered the timeout in services/checkout-api/config.ts at "
                "2024-01-15T14:23:15Z: 85% of requests fail (84.6x), 66 errors, about 2,400 users.",
        commit=SHA[:12], file="services/checkout-api/config.ts", confidence="HIGH")
    assert ungrounded(findings, RESULTS) == []


def test_an_unknown_commit_time_file_or_number_is_named():
    findings = CorrelationFindings(
        summary="commit abc1234f at 2024-01-15T13:00:00Z in services/cart/config.ts broke 9,999 orders (37%).",
        commit="abc1234f", file="services/cart/config.ts")
    problems = ungrounded(findings, RESULTS)
    assert "commit 'abc1234f' is not a commit any tool returned" in problems
    assert "file 'services/cart/config.ts' is in no tool result" in problems
    assert "summary: time 2024-01-15T13:00:00 is in no tool result" in problems
    assert "summary: 9,999 is in no tool result" in problems and "summary: 37% is in no tool result" in problems


def test_small_numbers_and_words_that_look_like_hex_are_language():
    findings = TimelineFindings(summary="3 deploys in 5 minutes; the cafe decade team added a feature.")
    assert ungrounded(findings, RESULTS) == []


def test_named_fields_must_come_from_the_tools():
    assert ungrounded(SymptomsFindings(summary="x", primary_service="cart-api", onset="2024-01-15T14:23:15Z"),
                      RESULTS) == ["primary_service 'cart-api' is in no tool result"]
    assert ungrounded(BlastRadiusFindings(summary="x", services=["checkout-api", "gateway"]), RESULTS) == [
        "service 'gateway' is in no tool result"]


def test_the_recommendation_is_the_engines():
    findings = MitigationFindings(summary="Hold off.", recommendation="MONITOR")
    assert ungrounded(findings, RESULTS, engine_recommendation="MONITOR") == []
    [problem] = ungrounded(findings, RESULTS, engine_recommendation="ROLLBACK")
    assert problem.startswith("recommendation MONITOR is not the engine's (ROLLBACK)")
