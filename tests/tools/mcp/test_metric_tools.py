"""query_metrics and metric_signals as a client meets them: the server over stdio via the SDK, on a real Prometheus."""

from __future__ import annotations

import sys

import anyio
from mcp import Client, StdioServerParameters
from support.metric_incidents import write_logs

SERVER = [sys.executable, "-m", "wicked_platform.tools.mcp"]


def call(cwd, calls, *server_args):
    params = StdioServerParameters(command=SERVER[0], args=[*SERVER[1:], *server_args], cwd=str(cwd))

    async def go():
        async with Client(params) as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            return listed, [await client.call_tool(name, arguments) for name, arguments in calls]
    return anyio.run(go)


def test_metric_tools_answer_from_the_configured_prometheus(tmp_path, incident_prometheus):
    write_logs(tmp_path, ("checkout-api", "cart"))
    listed, (signals, ranged, instant) = call(tmp_path, [
        ("metric_signals", {"logs": ["app.log"], "services": ["checkout-api", "cart"]}),
        ("query_metrics", {"query": 'sum by (app) (rate(http_requests_total[5m]))', "since": "2024-01-15T14:00:00Z",
                           "until": "2024-01-15T15:00:00Z"}),
        ("query_metrics", {"query": "count(kube_replicaset_created)", "at": "2024-01-15T15:00:00Z"}),
    ], "--prometheus", incident_prometheus)
    assert listed["metric_signals"].output_schema and listed["query_metrics"].annotations.read_only_hint
    assert not signals.is_error, signals.content
    found = signals.structured_content
    assert found["status"] == "found"
    risen = {(s["service"], s["kind"]) for s in found["signals"] if s["onset"]}
    assert ("checkout-api", "latency_p95") in risen and not any(service == "cart" for service, _ in risen)
    assert [d["source"] for d in found["deploys"]] == ["prometheus"]
    answer = ranged.structured_content
    assert answer["result_type"] == "matrix" and answer["series_total"] == 2 and answer["step_seconds"] == 15
    assert all(len(s["points"]) <= 1000 for s in answer["series"])
    assert instant.structured_content["series"][0]["points"][0][1] == "2"


def test_query_metrics_rejects_a_call_without_a_prometheus(tmp_path):
    _, (result,) = call(tmp_path, [("query_metrics", {"query": "up", "at": "2024-01-15T15:00:00Z"})])
    assert result.is_error and "no Prometheus is configured" in result.content[0].text


def test_query_metrics_rejects_a_query_without_a_time(tmp_path, incident_prometheus):
    _, (result,) = call(tmp_path, [("query_metrics", {"query": "up"})], "--prometheus", incident_prometheus)
    assert result.is_error and "give since and until for a range query, or at for an instant query" in result.content[0].text


def test_query_metrics_rejects_bad_promql_in_the_servers_words(tmp_path, incident_prometheus):
    _, (result,) = call(tmp_path, [("query_metrics", {"query": "sum(", "at": "2024-01-15T15:00:00Z"})],
                        "--prometheus", incident_prometheus)
    assert result.is_error and "answered an error (HTTP 400)" in result.content[0].text


def test_metric_signals_says_could_not_read_for_an_unreachable_server(tmp_path):
    write_logs(tmp_path, ("cart",))
    _, (result,) = call(tmp_path, [("metric_signals", {"logs": ["app.log"]})], "--prometheus", "http://127.0.0.1:9")
    assert not result.is_error
    assert result.structured_content["status"] == "could_not_read"
    assert "unreachable" in result.structured_content["notes"][0]
