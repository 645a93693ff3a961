"""The MCP server through the SDK's in-process client, on the checkout-timeout scenario."""

import json
import os

import anyio
import pytest
from mcp import Client

from wicked_platform.tools.mcp.server import build_server

TOOLS = {"read_logs", "error_rate_ratio", "deploy_history", "git_diff", "correlate_changes", "blast_radius",
         "evaluate_rollback_criteria", "incident_timeline", "query_metrics", "metric_signals"}
LOGS = ["error.log", "logs/"]
DESCRIPTION = "500 errors spiking on checkout API, customers unable to complete purchases"


def call(root, name, arguments):
    async def go():
        async with Client(build_server([root])) as client:
            return await client.call_tool(name, arguments)
    return anyio.run(go)


def test_lists_the_ten_tools_with_schemas_and_read_only_annotations(checkout_timeout):
    async def go():
        async with Client(build_server([checkout_timeout.repo])) as client:
            return (await client.list_tools()).tools
    tools = anyio.run(go)
    assert {t.name for t in tools} == TOOLS
    for t in tools:
        assert t.input_schema["type"] == "object" and t.output_schema is not None
        assert t.annotations.read_only_hint and t.annotations.idempotent_hint
        assert len(t.description) > 80


def test_read_logs_finds_the_timeouts(checkout_timeout):
    r = call(checkout_timeout.repo, "read_logs", {"logs": LOGS})
    assert not r.is_error
    s = r.structured_content
    assert s["status"] == "found"
    top = {x["signature"]: x for x in s["signatures"]}
    assert top["Payment timeout for order <*>"]["count"] == 6


def test_error_rate_ratio_reports_onset_and_significance(checkout_timeout):
    s = call(checkout_timeout.repo, "error_rate_ratio", {"logs": LOGS, "services": ["checkout-api"]}).structured_content
    assert s["onset"] == "2024-01-15T14:23:15Z"
    assert s["significant"] and s["p_value"] < 1e-6
    assert s["after_requests"] > 0 and s["series"]


def test_deploy_history_and_git_diff_name_the_timeout_change(checkout_timeout):
    s = call(checkout_timeout.repo, "deploy_history", {"logs": LOGS}).structured_content
    deploy = s["deploys"][0]
    assert (deploy["service"], deploy["version"]) == ("checkout-api", "v2.4.1")
    d = call(checkout_timeout.repo, "git_diff", {"commit": deploy["commit"]}).structured_content
    change = d["config_changes"][0]
    assert (change["key"], change["before"], change["after"]) == ("paymentTimeout", "5000", "500")


def test_correlation_blast_radius_rollback_and_timeline(checkout_timeout):
    root = checkout_timeout.repo
    c = call(root, "correlate_changes", {"logs": LOGS}).structured_content
    assert c["candidates"][0]["confidence"] == "HIGH"
    assert c["candidates"][0]["subject"] == "perf(checkout-api): Optimize timeout settings"
    b = call(root, "blast_radius", {"logs": LOGS, "description": DESCRIPTION}).structured_content
    assert b["direct"] == ["checkout-api"] and "payment-service" in b["cascade"]
    e = call(root, "evaluate_rollback_criteria", {"logs": LOGS, "description": DESCRIPTION}).structured_content
    assert e["rollback_decision"]["recommendation"] == "ROLLBACK"
    assert e["rollback_decision"]["command"] == "kubectl rollout undo deployment/checkout-api"
    t = call(root, "incident_timeline", {"logs": LOGS}).structured_content
    assert t["started_at"] == "2024-01-15T14:23:15Z" and t["detected_at"] == "2024-01-15T14:25:00Z"


@pytest.mark.parametrize("arguments,fragment", [
    ({"logs": ["/etc/passwd"]}, "outside the server's roots"),
    ({"logs": ["../../../../etc/hostname"]}, "outside the server's roots"),
    ({"repo": "/"}, "outside the server's roots"),
])
def test_read_logs_rejects_escapes(checkout_timeout, arguments, fragment):
    r = call(checkout_timeout.repo, "read_logs", arguments)
    assert r.is_error and fragment in r.content[0].text


def test_symlink_pointing_out_is_refused(tmp_path):
    outside = tmp_path / "outside.log"
    outside.write_text("2024-01-15T14:23:15Z ERROR x secret\n")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link.log")
    r = call(root, "read_logs", {"logs": ["link.log"]})
    assert r.is_error and "outside the server's roots" in r.content[0].text


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "HEAD; rm -rf /", "$(id)", ""])
def test_git_diff_rejects_hostile_refs(checkout_timeout, ref, tmp_path):
    r = call(checkout_timeout.repo, "git_diff", {"commit": ref})
    assert r.is_error
    assert not os.path.exists("/tmp/x") or ref != "--output=/tmp/x"


def test_results_are_deterministic(checkout_timeout):
    a = call(checkout_timeout.repo, "correlate_changes", {"logs": LOGS}).structured_content
    b = call(checkout_timeout.repo, "correlate_changes", {"logs": LOGS}).structured_content
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_a_large_log_comes_back_bounded(tmp_path):
    import random

    rng = random.Random(5)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    with open(tmp_path / "big.log", "w") as f:
        for i in range(120_000):
            level = "ERROR" if i % 4 == 0 else "INFO"
            message = " ".join(rng.choice(words) for _ in range(4))  # thousands of distinct signatures
            f.write(f"2024-01-15T{10 + i // 36000:02d}:{i // 600 % 60:02d}:{i // 10 % 60:02d}Z {level} api {message} {i}\n")
    assert (tmp_path / "big.log").stat().st_size > 5_000_000
    for name in ("read_logs", "error_rate_ratio", "correlate_changes", "incident_timeline"):
        r = call(tmp_path, name, {"logs": ["big.log"]})
        assert not r.is_error, r.content[0].text
        assert len(json.dumps(r.structured_content)) < 1_000_000, name
    assert call(tmp_path, "read_logs", {"logs": ["big.log"]}).structured_content["truncated"]


def test_a_deploys_file_feeds_deploy_history_and_stays_inside_the_roots(checkout_timeout, tmp_path):
    deploys = checkout_timeout.repo / ".wicked-platform-test-deploys.yaml"
    deploys.write_text("- {service: checkout-api, version: v2.4.1, at: '2024-01-15T14:20:00Z', commit: 9e0aed73}\n")
    try:
        s = call(checkout_timeout.repo, "deploy_history", {"logs": LOGS, "deploys": deploys.name}).structured_content
        assert [(d["service"], d["source"]) for d in s["deploys"]] == [("checkout-api", "deploys-file")]
        outside = tmp_path / "deploys.yaml"
        outside.write_text(deploys.read_text())
        r = call(checkout_timeout.repo, "deploy_history", {"logs": LOGS, "deploys": str(outside)})
        assert r.is_error and "deploys" in r.content[0].text
    finally:
        deploys.unlink()


def test_one_session_reads_the_logs_once_whatever_context_each_tool_is_given(checkout_timeout, monkeypatch, tmp_path):
    from wicked_platform.tools.mcp import workspace

    scans = []
    monkeypatch.setattr(workspace, "scan_logs", lambda *a, real=workspace.scan_logs, **k: scans.append(1) or real(*a, **k))
    # A context file of another name: read_logs, given none, finds incident-context.yaml instead.
    context = tmp_path / "context-copy.yaml"
    context.write_text((checkout_timeout.repo / "incident-context.yaml").read_text())
    context = str(context)

    async def go():
        async with Client(build_server([checkout_timeout.repo, tmp_path])) as client:
            for name, arguments in (("read_logs", {"logs": LOGS}), ("error_rate_ratio", {"logs": LOGS}),
                                    ("blast_radius", {"logs": LOGS, "context": context, "description": DESCRIPTION}),
                                    ("correlate_changes", {"logs": LOGS, "context": context})):
                assert not (await client.call_tool(name, arguments)).is_error
    anyio.run(go)
    assert len(scans) == 1
