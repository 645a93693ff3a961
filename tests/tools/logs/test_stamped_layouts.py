"""Layouts no reader was written for, read by where their stamp and level stand: written by the
project in the layouts of real systems (nothing copied from them), each with its errors counted by
level, not by the word "error" in a message."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs

LAYOUTS = {
    "apache-2.4-error": (
        "[Mon Jan 15 14:23:15.123456 2024] [proxy:error] [pid 4127:tid 139] (111)Connection refused: AH00957: http: attempt to connect to 10.0.0.7:8080 failed\n"
        "[Mon Jan 15 14:23:16.000001 2024] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.58 configured -- resuming normal operations\n"
        "[Mon Jan 15 14:23:17.500000 2024] [ssl:warn] [pid 1:tid 1] AH01909: server certificate does not include an ID which matches the server name\n"
        "[Mon Jan 15 14:23:18.250000 2024] [:error] [pid 4128] [client 10.0.0.9:5530] PHP Fatal error:  Uncaught Error in /var/www/index.php:12\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 2),
    "nginx-error": (
        "2024/01/15 14:23:15 [error] 31#31: *1042 upstream timed out (110: Connection timed out) while reading response header\n"
        "2024/01/15 14:23:16 [notice] 1#1: signal process started\n"
        "2024/01/15 14:23:20 [crit] 31#31: *1050 connect() to unix:/run/php.sock failed (2: No such file or directory)\n"
        "2024/01/15 14:23:21 [warn] 31#31: *1051 an upstream response is buffered to a temporary file\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:21", 2),
    "kafka-server": (
        "[2024-01-15 14:23:15,100] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)\n"
        "[2024-01-15 14:23:16,200] ERROR [ReplicaFetcher replicaId=1, leaderId=2, fetcherId=0] Error for partition orders-3 (kafka.server.ReplicaFetcherThread)\n"
        "[2024-01-15 14:23:17,300] INFO [Log partition=orders-3] error count reset to 0 (kafka.log.Log)\n"
        "[2024-01-15 14:23:18,400] WARN [Controller id=1] Broker 2 is not alive (kafka.controller.KafkaController)\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 1),
    "spark-executor": (
        "24/01/15 14:23:15 INFO executor.Executor: Running task 0.0 in stage 3.0 (TID 12)\n"
        "24/01/15 14:23:16 ERROR executor.Executor: Exception in task 0.0 in stage 3.0 (TID 12)\n"
        "java.lang.OutOfMemoryError: Java heap space\n"
        "\tat java.util.Arrays.copyOf(Arrays.java:3332)\n"
        "24/01/15 14:23:17 INFO storage.BlockManager: Found error-free block rdd_4_0 locally\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:17", 1),
    "hdfs-datanode": (
        "240115 142315 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3886 terminating\n"
        "240115 142316 35 WARN dfs.DataNode$DataXceiver: 10.251.43.21:50010:Got exception while serving blk_7 to /10.251.43.21\n"
        "240115 142319 13 ERROR dfs.DataNode: DataXceiver: java.io.IOException: Block blk_1 is not valid\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:19", 1),
    "logcat-threadtime": (
        "01-15 14:23:15.811  1702  2395 D WindowManager: printFreezingDisplayLogs error=false\n"
        "01-15 14:23:16.002  1702  8671 E AndroidRuntime: FATAL EXCEPTION: main\n"
        "01-15 14:23:17.120  1702  8671 W ActivityManager: Force finishing activity com.shop/.Checkout\n"
        "01-15 14:23:18.400   611   611 F libc    : Fatal signal 11 (SIGSEGV), code 1 in tid 611\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 2),
    "windows-cbs": (
        "2024-01-15 14:23:15, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core\n"
        "2024-01-15 14:23:16, Error                 CSI    00000007 (F) STATUS_OBJECT_NAME_NOT_FOUND #2\n"
        "2024-01-15 14:23:17, Info                  CBS    Error status reset: 0x0 (the word is in an INFO message)\n"
        "2024-01-15 14:23:18, Warning               CBS    Failed to get next element [HRESULT = 0x800f0805]\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 1),
    "zookeeper": (
        "2024-01-15 14:23:15,747 - INFO  [main:QuorumPeerMain@127] - Starting quorum peer\n"
        "2024-01-15 14:23:16,001 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker leaving thread\n"
        "2024-01-15 14:23:17,394 - ERROR [CommitProcessor:1:NIOServerCnxn@180] - Unexpected Exception: java.nio.channels.CancelledKeyException\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:17", 1),
    # Celery's worker log (`[%(asctime)s: %(levelname)s/%(processName)s] %(message)s`): the process follows the level.
    "celery-worker": (
        "[2024-01-15 14:23:15,073: INFO/MainProcess] Task shop.tasks.send_receipt[5d27a846-0d6d] received\n"
        "[2024-01-15 14:23:16,686: ERROR/ForkPoolWorker-3] Task shop.tasks.send_receipt[5d27a846-0d6d] raised unexpected: "
        "ConnectionError('Error 111 connecting to redis:6379. Connection refused.')\n"
        "Traceback (most recent call last):\n"
        '  File "/usr/local/lib/python3.12/site-packages/celery/app/trace.py", line 453, in trace_task\n'
        "[2024-01-15 14:23:17,120: WARNING/MainProcess] consumer: Connection to broker lost. Trying to re-establish the connection...\n"
        "[2024-01-15 14:23:18,004: INFO/ForkPoolWorker-1] Task shop.tasks.send_receipt[77aa01] succeeded in 0.2s: 'error: none'\n",
        "2024-01-15T14:23:15", "2024-01-15T14:23:18", 1),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_line_is_read_and_errors_are_counted_by_level(name, logs):
    text, first, last, errors = LAYOUTS[name]
    scan = scan_logs([logs.text(f"{name}.log", text)], year_hint=2024)  # logcat's stamps carry no year
    stats = scan.files[0]
    assert stats.format == LogFormat.STAMPED
    assert stats.unparsed == 0 and stats.parsed + stats.continuation == stats.lines
    assert stats.first_at.replace(microsecond=0) == datetime.fromisoformat(first).replace(tzinfo=UTC)
    assert stats.last_at.replace(microsecond=0) == datetime.fromisoformat(last).replace(tzinfo=UTC)
    assert scan.level_counts.get("error", 0) + scan.level_counts.get("alert", 0) == errors


def test_the_message_follows_the_level(logs):
    text = LAYOUTS["zookeeper"][0]
    scan = scan_logs([logs.text("zk.log", text)])
    error = next(s for s in scan.signatures if s.level == "ERROR")
    assert error.example == "[CommitProcessor:1:NIOServerCnxn@180] - Unexpected Exception: java.nio.channels.CancelledKeyException"


def test_celerys_process_after_the_level_is_no_part_of_the_message(logs):
    scan = scan_logs([logs.text("worker.log", LAYOUTS["celery-worker"][0])])
    assert scan.level_counts["warning"] == 1
    assert [s.example for s in scan.signatures if s.level == "ERROR"] == [
        "Task shop.tasks.send_receipt[5d27a846-0d6d] raised unexpected: ConnectionError('Error 111 connecting to "
        "redis:6379. Connection refused.')"]


def test_a_layout_with_no_levels_is_read_for_its_times(logs):
    text = "".join(f"20240115-14:23:{s}:{100 + s * 7}|Step_LSC|30002312|onStandStepChanged {s}\n" for s in range(12))
    scan = scan_logs([logs.text("health.log", text)])
    stats = scan.files[0]
    assert (stats.format, stats.parsed) == (LogFormat.STAMPED, 12)
    assert stats.last_at == datetime(2024, 1, 15, 14, 23, 11, 177000, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "ERROR 2024-01-15 14:23:15 payment failed\nINFO 2024-01-15 14:23:16 ok\nWARN 2024-01-15 14:23:17 slow\n",
    "[ERROR] 2024/01/15 14:23:15 payment failed\n[INFO] 2024/01/15 14:23:16 ok\n[WARN] 2024/01/15 14:23:17 slow\n",
], ids=["bare", "bracketed"])
def test_a_level_written_before_the_stamp_is_read(text, logs):
    scan = scan_logs([logs.text("pre.log", text)])
    assert (scan.files[0].parsed, scan.level_counts["error"], scan.level_counts["warning"]) == (3, 1, 1)
    assert [s.example for s in scan.signatures if s.level == "ERROR"] == ["payment failed"]


def test_a_stray_nul_reaches_no_message(logs):
    scan = scan_logs([logs.text("nul.log", "2024-01-15T14:23:15Z ERROR cart bo\x00om\n2024-01-15T14:23:16Z INFO cart ok\n")])
    assert [s.example for s in scan.signatures] == ["cart boom"]  # two lines: too few to call `cart` a service column
