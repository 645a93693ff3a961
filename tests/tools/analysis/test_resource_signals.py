"""What says a resource ran out: errors, and events at any level (the kubelet logs an OOMKill at INFO)."""

from __future__ import annotations

from wicked_platform.tools.analysis.symptoms import resource_signals
from wicked_platform.tools.logs.scan import scan_logs


def test_an_oomkill_the_kubelet_logs_at_info_is_a_resource_signal(tmp_path):
    kubelet = tmp_path / "kubelet.log"
    kubelet.write_text(
        'I0611 02:14:07.123456    1234 kubelet.go:2451] "SyncLoop (PLEG): event for pod" pod="reports/report-worker-5d9c7-x2k4q"\n'
        'I0611 02:14:09.000001    1234 kuberuntime_container.go:745] "Container was OOMKilled" '
        'pod="reports/report-worker-5d9c7-x2k4q" containerName="report-worker"\n'
        'I0611 02:14:10.000001    1234 kubelet.go:2451] "SyncLoop (probe)" probe="readiness" status="ready"\n')
    signals = resource_signals(scan_logs([kubelet], since=None, until=None))
    assert len(signals) == 1 and "OOMKilled" in signals[0]


def test_a_kubernetes_warning_event_oomkilling_is_one_too_and_an_info_line_without_it_is_not(tmp_path):
    events = tmp_path / "events.json"
    events.write_text(
        '{"ts":"2024-06-11T02:14:09Z","level":"info","type":"Warning","reason":"OOMKilling",'
        '"msg":"Memory cgroup out of memory: Killed process 4242 (java)","object":"report-worker-5d9c7-x2k4q"}\n'
        '{"ts":"2024-06-11T02:14:12Z","level":"info","msg":"batch 7 of 40 done","object":"report-worker"}\n')
    signals = resource_signals(scan_logs([events], since=None, until=None))
    assert len(signals) == 1 and "out of memory" in signals[0]
