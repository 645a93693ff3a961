"""Servers' own layouts, read by where their stamp and level stand (stamp_shapes.py): glog/klog as Kubernetes
components write it, Redis with its level marks, and the Java Service Wrapper's `wrapper.log`. Written by the
project in those layouts (nothing copied), two shapes each, with error-level lines counted by level and
INFO/notice lines that merely say "error" not counted."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs

LAYOUTS = {
    # kubelet (klog v2, structured messages): `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`
    "kubelet": (
        'I0115 14:23:15.101234    2051 kubelet.go:2432] "SyncLoop ADD" source="api" pods=["shop/checkout-api-7d9f8d6b5-x2x4k"]\n'
        'E0115 14:23:16.551002    2051 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" '
        'for \\"app\\" with CrashLoopBackOff" pod="shop/checkout-api-7d9f8d6b5-x2x4k"\n'
        'W0115 14:23:17.000100    2051 reflector.go:539] object-"shop"/"checkout-config": failed to list *v1.ConfigMap\n'
        'I0115 14:23:18.220000    2051 kuberuntime_manager.go:1053] "Error count reset" attempts=0\n',
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 1, 1),
    # kube-controller-manager and a Go service with glog: narrower thread ids, a fatal line
    "controller-manager": (
        "I0229 09:00:01.000001       1 controllermanager.go:189] Version: v1.29.1\n"
        "I0229 09:00:02.500000       1 leaderelection.go:250] attempting to acquire leader lease kube-system/kube-controller-manager...\n"
        "E0229 09:00:05.123456       1 leaderelection.go:332] error retrieving resource lock kube-system/kube-controller-manager: "
        "Get \"https://10.0.0.1:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager\": "
        "dial tcp 10.0.0.1:443: connect: connection refused\n"
        "F0229 09:00:09.000000       1 controllermanager.go:234] leaderelection lost\n",
        "2024-02-29T09:00:01", "2024-02-29T09:00:09", 2, 0),
    # Redis 3+ (`pid:role dd Mon yyyy HH:MM:SS.mmm mark msg`): `#` is a warning, `*` a notice
    "redis-7": (
        "1:C 15 Jan 2024 14:23:15.001 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
        "1:C 15 Jan 2024 14:23:15.002 # Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started\n"
        "1:M 15 Jan 2024 14:23:15.120 * Running mode=standalone, port=6379.\n"
        "1:M 15 Jan 2024 14:23:15.200 * Ready to accept connections tcp\n"
        "1:M 15 Jan 2024 14:24:15.000 * 1 changes in 3600 seconds. Saving...\n"
        "1:M 15 Jan 2024 14:24:15.010 # Can't save in background: fork: Cannot allocate memory\n"
        "1:M 15 Jan 2024 14:25:15.000 * Background saving terminated with success, no error\n",
        "2024-01-15T14:23:15", "2024-01-15T14:25:15", 0, 3),
    # Redis 2.x (`[pid] dd Mon HH:MM:SS.mmm mark msg`, no year), with a verbose `-` line
    "redis-2": (
        "[4127] 15 Jan 14:23:15.123 # Server started, Redis version 2.8.4\n"
        "[4127] 15 Jan 14:23:15.124 * The server is now ready to accept connections on port 6379\n"
        "[4127] 15 Jan 14:23:16.000 - Accepted 10.0.0.5:51234\n"
        "[4127] 15 Jan 14:24:15.010 # Can't save in background: fork: Cannot allocate memory\n"
        "[4127] 15 Jan 14:24:16.010 * DB saved on disk, error count 0\n",
        "2024-01-15T14:23:15", "2024-01-15T14:24:16", 0, 2),
    # Java Service Wrapper (Tanuki) `wrapper.log`: `LEVEL | source | yyyy/MM/dd HH:mm:ss | msg`, the source
    # `wrapper` or `jvm N` (a blank in it: the stamp stands after four tokens on some lines, five on others)
    "java-service-wrapper": (
        "STATUS | wrapper  | 2024/01/15 14:23:15 | --> Wrapper Started as Daemon\n"
        "STATUS | wrapper  | 2024/01/15 14:23:15 | Launching a JVM...\n"
        "INFO   | jvm 1    | 2024/01/15 14:23:16 | Wrapper (Version 3.5.51) http://wrapper.tanukisoftware.com\n"
        "INFO   | jvm 1    | 2024/01/15 14:23:17 | Loading class com.shop.Main: error handlers registered\n"
        "ERROR  | wrapper  | 2024/01/15 14:25:20 | JVM appears hung: Timed out waiting for signal from JVM.\n"
        "ERROR  | wrapper  | 2024/01/15 14:25:20 | JVM did not exit on request, termination requested.\n"
        "STATUS | wrapper  | 2024/01/15 14:25:25 | JVM exited after being requested to terminate.\n"
        "INFO   | jvm 2    | 2024/01/15 14:25:30 | Starting checkout service\n",
        "2024-01-15T14:23:15", "2024-01-15T14:25:30", 2, 0),
    # the same, with milliseconds and a wrapper that logs WARN
    "java-service-wrapper-ms": (
        "INFO   | jvm 1    | 2024/01/15 16:30:47.114 | Removing previous JRE at /opt/agent/jre\n"
        "WARN   | wrapper  | 2024/01/15 16:30:47.130 | Ping timeout: the JVM may be hung.\n"
        "INFO   | jvm 1    | 2024/01/15 16:30:47.802 | Upgrade step 3 of 5 done\n"
        "FATAL  | wrapper  | 2024/01/15 16:30:49.001 | Critical error: wrapper -- out of memory\n"
        "INFO   | jvm 1    | 2024/01/15 16:30:50.000 | Upgrade step 4 of 5 done\n",
        "2024-01-15T16:30:47", "2024-01-15T16:30:50", 1, 1),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_line_is_read_and_levels_are_counted_by_level(name, logs):
    text, first, last, errors, warnings = LAYOUTS[name]
    scan = scan_logs([logs.text(f"{name}.log", text)], year_hint=2024)  # glog's and Redis 2's stamps carry no year
    stats = scan.files[0]
    assert stats.format == LogFormat.STAMPED
    assert stats.unparsed == 0 and stats.parsed == stats.lines
    assert stats.first_at.replace(microsecond=0) == datetime.fromisoformat(first).replace(tzinfo=UTC)
    assert stats.last_at.replace(microsecond=0) == datetime.fromisoformat(last).replace(tzinfo=UTC)
    assert scan.level_counts.get("error", 0) + scan.level_counts.get("alert", 0) == errors
    assert scan.level_counts.get("warning", 0) == warnings


def test_a_glog_message_is_what_follows_its_header(logs):
    scan = scan_logs([logs.text("kubelet.log", LAYOUTS["kubelet"][0])], year_hint=2024)
    error = next(s for s in scan.signatures if s.level == "ERROR")
    assert error.example.startswith('"Error syncing pod, skipping" err=')


def test_a_glog_stamp_takes_the_year_that_keeps_it_out_of_the_future(logs):
    text = ("E1231 23:59:58.000000    2051 kubelet.go:1] late\n"
            "E0101 00:00:02.000000    2051 kubelet.go:1] early\n"
            "I0101 00:00:03.000000    2051 kubelet.go:1] ok\n")
    scan = scan_logs([logs.text("kubelet.log", text)], until=datetime(2025, 1, 1, 12, tzinfo=UTC))
    assert scan.files[0].parsed == 3
    assert scan.start == datetime(2024, 12, 31, 23, 59, 58, tzinfo=UTC) and scan.end.year == 2025


def test_a_redis_message_does_not_keep_its_mark(logs):
    scan = scan_logs([logs.text("redis.log", LAYOUTS["redis-7"][0])])
    assert "Can't save in background: fork: Cannot allocate memory" in {s.example for s in scan.signatures}


def test_glog_in_a_cri_file_takes_its_year_from_the_wrapper(logs):
    # A static pod's container log: the CRI line's time has the year the glog stamp lacks.
    text = ("2023-12-31T23:59:58.100000000Z stderr F I1231 23:59:58.100000       1 controllermanager.go:189] Version: v1.29.1\n"
            "2024-01-01T00:00:01.200000000Z stderr F E0101 00:00:01.200000       1 leaderelection.go:332] error retrieving "
            "resource lock kube-system/kube-controller-manager: connection refused\n")
    scan = scan_logs([logs.text("kube-controller-manager/0.log", text)])
    assert scan.files[0].parsed == 2 and scan.level_counts["error"] == 1
    assert (scan.start, scan.end) == (datetime(2023, 12, 31, 23, 59, 58, 100000, tzinfo=UTC),
                                      datetime(2024, 1, 1, 0, 0, 1, 200000, tzinfo=UTC))
