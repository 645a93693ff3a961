"""`incident --prometheus`: metric signals decide what the error lines alone cannot, on a real Prometheus.

Three shapes, each against the same server: a latency-only regression right after a rollout kube-state-metrics
saw (ROLLBACK), memory at its limit with restarts and no change (SCALE), and errors seen in a sampled log whose
rate comes from the full-traffic counters. Each is also run without --prometheus, where the logs alone cannot
tell (the test of the mechanism, not of a phrase).
"""

from __future__ import annotations

import json
import socket

import pytest
import yaml
from support.metric_incidents import CHECKOUT_ROLLOUT, write_logs

from wicked_platform.agents import cli


def run(tmp_path, capsys, services, *extra, context=None):
    log = write_logs(tmp_path, services)
    args = ["incident", "checkout is slow", "--repo", str(tmp_path), "--log", str(log), "--format", "json",
            "--state-dir", str(tmp_path / "state"), "--agent", "offline", *extra]
    if context is not None:
        (tmp_path / "ctx.yaml").write_text(yaml.safe_dump(context))
        args += ["--context", str(tmp_path / "ctx.yaml")]
    code = cli.main(args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out), err


SHOP = {"services": {"checkout-api": {"namespace": "shop", "critical": True}, "search": {"namespace": "shop"}}}


def test_latency_only_regression_after_a_rollout_is_rolled_back(tmp_path, capsys, incident_prometheus):
    report, err = run(tmp_path, capsys, ("checkout-api", "cart"), "--prometheus", incident_prometheus, context=SHOP)
    decision = report["rollback_decision"]
    assert decision["recommendation"] == "ROLLBACK", decision
    assert decision["command"] == "kubectl rollout undo deployment/checkout-api -n shop"
    assert any(v.startswith("Verify p95 latency of checkout-api is back under") for v in decision["verification"])
    assert {"service": "checkout-api", "source": "prometheus"}.items() <= report["deploys"][0].items()
    assert report["deploys"][0]["at"] == CHECKOUT_ROLLOUT.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert report["started_at"].startswith("2024-01-15T14:2")
    assert report["severity"] == "SEV2"
    kinds = {(s["service"], s["kind"]) for s in report["signals"] if s["onset"]}
    assert ("checkout-api", "latency_p95") in kinds and ("cart", "latency_p95") not in kinds
    assert report["inputs"]["prometheus"] == incident_prometheus
    assert "warning" not in err


def test_without_prometheus_the_same_logs_say_nothing_rose(tmp_path, capsys):
    report, _ = run(tmp_path, capsys, ("checkout-api", "cart"), context=SHOP)
    assert report["rollback_decision"]["recommendation"] == "MONITOR" and report["signals"] == []


def test_memory_at_its_limit_with_no_change_is_scaled(tmp_path, capsys, incident_prometheus):
    context = {"services": {"search": {"namespace": "shop"}}}  # checkout-api, which did regress, is not asked about
    report, _ = run(tmp_path, capsys, ("search", "cart"), "--prometheus", incident_prometheus, context=context)
    decision = report["rollback_decision"]
    assert decision["recommendation"] == "SCALE", decision
    assert decision["command"].startswith("kubectl scale deployment/search -n shop --replicas=")
    assert not [d for d in report["deploys"] if d["service"] == "search"]
    assert report["blast_radius"]["direct"] == ["search"]


def test_error_rate_comes_from_the_counters_not_the_log_sample(tmp_path, capsys, incident_prometheus, monkeypatch):
    monkeypatch.setenv("WICKED_PLATFORM_PROMETHEUS_URL", incident_prometheus)  # the environment names it this time
    report, _ = run(tmp_path, capsys, ("orders", "cart"))
    blast = report["blast_radius"]
    assert blast["direct"] == ["orders"]
    assert blast["error_rate"] == pytest.approx(3.2 / 53.2, rel=0.05)
    assert blast["baseline_error_rate"] == pytest.approx(0.001, rel=0.05)
    assert "Prometheus request counters (all traffic, not a log sample)" in blast["notes"][0]
    monkeypatch.delenv("WICKED_PLATFORM_PROMETHEUS_URL")
    alone, _ = run(tmp_path, capsys, ("orders", "cart"))
    assert alone["blast_radius"]["error_rate"] is None


def test_the_context_names_the_server(tmp_path, capsys, incident_prometheus):
    context = {**SHOP, "prometheus": {"url": incident_prometheus, "service_label": "app"}}
    report, _ = run(tmp_path, capsys, ("checkout-api",), context=context)
    assert report["rollback_decision"]["recommendation"] == "ROLLBACK"


def test_an_unreachable_server_is_one_warning_and_a_note(tmp_path, capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    report, err = run(tmp_path, capsys, ("checkout-api", "cart"), "--prometheus", f"http://127.0.0.1:{port}")
    lines = [line for line in err.strip().splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1 and lines[0].startswith(f"warning: Prometheus at http://127.0.0.1:{port} is unreachable")
    assert any(n.startswith("Prometheus not read:") for n in report["notes"])
    assert report["rollback_decision"]["recommendation"] == "MONITOR"  # the logs' investigation went on


@pytest.mark.parametrize("url", ["ftp://prometheus:9090", "prometheus:9090", "http://"])
def test_prometheus_rejects_a_url_that_is_not_http(tmp_path, capsys, url):
    log = write_logs(tmp_path, ("cart",))
    code = cli.main(["incident", "slow", "--repo", str(tmp_path), "--log", str(log), "--prometheus", url])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"wicked-platform: error: --prometheus {url}: not an http:// or https:// URL "
                                        "of a Prometheus-compatible API"]


def test_rollback_decision_reads_the_same_prometheus_again(tmp_path, capsys, incident_prometheus):
    run(tmp_path, capsys, ("checkout-api", "cart"), "--prometheus", incident_prometheus, context=SHOP)
    code = cli.main(["incident", "--rollback-decision", "--format", "json", "--state-dir", str(tmp_path / "state")])
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert code == 0 and answer["reevaluated"] is True, err
    assert answer["rollback_decision"]["recommendation"] == "ROLLBACK" and answer["note"] is None


def test_a_deploy_the_logs_name_is_the_one_blamed_and_not_counted_twice(tmp_path, capsys, incident_prometheus):
    log = write_logs(tmp_path, ("checkout-api", "cart"))
    with log.open("a") as lines:  # the log's own deploy line, a minute after the ReplicaSet was created
        lines.write("2024-01-15T14:19:00Z INFO checkout-api Deployment checkout-api-v2.5.0 completed\n")
    code = cli.main(["incident", "checkout is slow", "--repo", str(tmp_path), "--log", str(log), "--format", "json",
                     "--state-dir", str(tmp_path / "state"), "--prometheus", incident_prometheus])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 0, err
    assert [(d["service"], d["version"], d["source"]) for d in report["deploys"]] == [("checkout-api", "v2.5.0", "log")]
    decision = report["rollback_decision"]
    assert decision["recommendation"] == "ROLLBACK" and "checkout-api v2.5.0" in decision["reason"]
    assert decision["command"] == "kubectl rollout undo deployment/checkout-api"
