"""Log files in the layouts of the public loghub samples (Hadoop's and Zookeeper's log4j lines) and of an
nginx access log, years apart. Written here: no line is copied from those samples."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

HADOOP_T0 = datetime(2015, 10, 18, 18, 1, 47, tzinfo=UTC)
ACCESS_T0 = datetime(2024, 3, 5, 10, 0, 0, tzinfo=UTC)


def hadoop_log(path: Path) -> Path:
    """An MRAppMaster log in Hadoop's layout: quiet for ten minutes, then the RM cannot be reached."""
    lines = []
    for i in range(600):
        at = HADOOP_T0 + timedelta(seconds=i)
        stamp = f"{at:%Y-%m-%d %H:%M:%S},{i % 1000:03d}"
        lines.append(f"{stamp} INFO [AsyncDispatcher event handler] org.apache.hadoop.mapreduce.v2.app.job.impl."
                     f"TaskAttemptImpl: attempt_1445144423722_0020_m_{i:06d}_0 TaskAttempt Transitioned")
        if i >= 400 and i % 4 == 0:
            lines.append(f"{stamp} ERROR [RMCommunicator Allocator] org.apache.hadoop.mapreduce.v2.app.rm."
                         f"RMContainerAllocator: ERROR IN CONTACTING RM. ")
    path.write_text("\n".join(lines) + "\n")
    return path


def zookeeper_log(path: Path) -> Path:
    """A quorum member in Zookeeper's layout, its learner handlers failing after 19:20."""
    start = datetime(2015, 7, 29, 19, 0, 0, tzinfo=UTC)
    lines = []
    for i in range(0, 3600, 6):
        at = start + timedelta(seconds=i)
        stamp = f"{at:%Y-%m-%d %H:%M:%S},{i % 1000:03d}"
        lines.append(f"{stamp} - INFO  [/10.10.34.11:3888:QuorumCnxManager$Listener@493] - Received connection "
                     f"request /10.10.34.{i % 40}:45307")
        if i >= 1200 and i % 12 == 0:
            lines.append(f"{stamp} - ERROR [LearnerHandler-/10.10.34.11:52225:LearnerHandler@562] - Unexpected "
                         "exception causing shutdown while sock still open")
    path.write_text("\n".join(lines) + "\n")
    return path


def access_log(path: Path, failing_at: set[int] = frozenset({400})) -> Path:
    """Half an hour of an nginx access log, a request every 3 s, 500 at the given requests."""
    lines = []
    for i in range(600):
        at = ACCESS_T0 + timedelta(seconds=3 * i)
        status = 500 if i in failing_at else 200
        lines.append(f'10.0.0.{i % 50} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] "GET /api/items/{i} HTTP/1.1" {status} 512 '
                     '"-" "curl/8.0"')
    path.write_text("\n".join(lines) + "\n")
    return path
