"""The catalogue of timestamp shapes a log line may open with, or carry a few tokens in.

Knowledge as data: each row is a shape, how DuckDB turns it into a time, how Python checks it while
sniffing, and a line of that layout with where the layout comes from. `tests/tools/logs/test_stamp_shapes.py`
reads every sample back through both. A layout nobody wrote a reader for is read when its stamp is
here: adding a shape is adding a row and its sample, not a parser.

Patterns keep to the syntax Python's `re` and DuckDB's RE2 share (see formats.py) and hold no
capture groups: the reader wraps them in its own. Samples are written by this project in the layouts
named (the loghub collection's files are for research use and are not copied here).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats

Conversion = Literal["iso", "strptime", "epoch"]


class StampShape(BaseModel):
    """One way of writing a time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    pattern: str  # the stamp alone; no capture groups
    conversion: Conversion
    formats: tuple[str, ...] = ()  # strptime: DuckDB's formats, tried in order (also Python's, with %g as %f)
    year_less: bool = False  # the stamp carries no year: the reader supplies one, written before the text
    year_joint: str = " "  # what joins a supplied year to the text (`2024-` + `03-17 ...`)
    level_letters: str = ""  # the stamp's token opens with the line's level, one of these letters (glog: `E0115 ...`)
    header: str = ""  # what stands between the stamp and the message on every line of the layout (glog's
    # `threadid file:line] `): a pattern, cut from the message so that it says what happened
    sample: str  # a whole line of a log in this layout
    sample_stamp: str  # the time the sample's stamp stands for, ISO 8601 (the year of a year-less one: 2024)
    source: str  # whose layout the sample is written in


SHAPES: tuple[StampShape, ...] = (
    StampShape(
        name="iso8601", pattern=formats.ISO_STAMP, conversion="iso",
        sample="2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:FastLeaderElection@774] - Notification time out: 3200",
        sample_stamp="2015-07-29T17:41:44.747", source="Apache ZooKeeper's log4j layout `%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`"),
    StampShape(
        name="iso8601-dotted-time", pattern=r"\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}(?:\.\d{1,6})?", conversion="strptime",
        formats=("%Y-%m-%d-%H.%M.%S.%f", "%Y-%m-%d-%H.%M.%S"),
        sample="2024-01-15-14.23.15.123456+000 I27204A285 LEVEL: Error PROC : db2sysc 0 FUNCTION: DB2 UDB, oper system services",
        sample_stamp="2024-01-15T14:23:15.123456",
        source="IBM Db2 `db2diag.log` record header (the zone, in minutes, is left to --tz); Blue Gene/L RAS logs too"),
    StampShape(
        name="slashed-ymd", pattern=r"\d{4}/\d{2}/\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,6})?", conversion="strptime",
        formats=("%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%dT%H:%M:%S.%f", "%Y/%m/%dT%H:%M:%S"),
        sample="2024/01/15 14:23:15 [error] 31#31: *1042 upstream timed out (110: Connection timed out) while reading response header from upstream",
        sample_stamp="2024-01-15T14:23:15", source="nginx error log (`error_log`, ngx_log_error_core)"),
    StampShape(
        name="slashed-yy", pattern=r"\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", conversion="strptime",
        formats=("%y/%m/%d %H:%M:%S",),
        sample="17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn,curi",
        sample_stamp="2017-06-09T20:10:40", source="Apache Spark's log4j layout `%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n`"),
    StampShape(
        name="compact-yymmdd", pattern=r"\d{6} \d{6}", conversion="strptime", formats=("%y%m%d %H%M%S",),
        sample="081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3886 terminating",
        sample_stamp="2008-11-09T20:36:15", source="Hadoop HDFS DataNode log `yyMMdd HHmmss` (as in loghub's HDFS)"),
    StampShape(
        name="compact-yymmdd-colons", pattern=r"\d{6} [ 0-9]\d:\d{2}:\d{2}", conversion="strptime",
        formats=("%y%m%d %H:%M:%S",),
        sample="# Time: 240115  9:23:15", sample_stamp="2024-01-15T09:23:15",
        source="MySQL 5.6 / MariaDB slow query log `# Time:` header (`yyMMdd H:mm:ss`, the hour blank-padded)"),
    StampShape(
        name="compact-yyyymmdd", pattern=r"\d{8}-\d{1,2}:\d{1,2}:\d{1,2}(?:[:.]\d{1,3})?", conversion="strptime",
        formats=("%Y%m%d-%H:%M:%S:%g", "%Y%m%d-%H:%M:%S.%g", "%Y%m%d-%H:%M:%S"),
        sample="20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
        sample_stamp="2017-12-23T22:15:29.606", source="an Android health app's log (as in loghub's HealthApp)"),
    StampShape(
        name="ctime", pattern=r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d{2}:\d{2}:\d{2}(?:\.\d{1,6})? \d{4}",
        conversion="strptime", formats=("%a %b %d %H:%M:%S.%f %Y", "%a %b %d %H:%M:%S %Y"),
        sample="[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        sample_stamp="2005-12-04T04:47:44", source="Apache httpd error log (2.2; 2.4 adds microseconds)"),
    StampShape(
        name="day-month-year", pattern=r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?", conversion="strptime",
        formats=("%d %b %Y %H:%M:%S.%f", "%d %b %Y %H:%M:%S"),
        sample="1:M 15 Jan 2024 14:23:15.123 # WARNING: The TCP backlog setting of 511 cannot be enforced",
        sample_stamp="2024-01-15T14:23:15.123", source="Redis server log (`pid:role dd Mon yyyy HH:MM:SS.mmm mark message`)"),
    StampShape(
        name="day-month", pattern=r"\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?", conversion="strptime",
        formats=("%Y %d %b %H:%M:%S.%f", "%Y %d %b %H:%M:%S"), year_less=True,
        sample="[4127] 15 Jan 14:23:15.123 # Can't save in background: fork: Cannot allocate memory",
        sample_stamp="2024-01-15T14:23:15.123", source="Redis 2.x server log (`[pid] dd Mon HH:MM:SS.mmm mark message`)"),
    StampShape(
        name="glog", pattern=r"\d{4} \d{2}:\d{2}:\d{2}\.\d{6}", conversion="strptime", formats=("%Y%m%d %H:%M:%S.%f",),
        year_less=True, year_joint="", level_letters="IWEF", header=r"[0-9]+ [^ \]]+:[0-9]+\][ \t]?",
        sample='E0115 14:23:15.123456   12345 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to '
               'StartContainer" pod="shop/checkout-api-7d9f8d6b5-x2x4k"',
        sample_stamp="2024-01-15T14:23:15.123456",
        source="glog / klog, as Kubernetes components (kubelet, kube-apiserver) write it: `Lmmdd hh:mm:ss.uuuuuu "
               "threadid file:line] msg`"),
    StampShape(
        name="logcat", pattern=r"\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}", conversion="strptime",
        formats=("%Y-%m-%d %H:%M:%S.%g",), year_less=True, year_joint="-",
        sample="03-17 16:13:38.811  1702  2395 E WindowManager: Exception thrown during dispatchAppVisibility",
        sample_stamp="2024-03-17T16:13:38.811", source="Android `adb logcat -v threadtime`"),
    StampShape(
        name="dotted-month-day", pattern=r"\d{2}\.\d{2} \d{2}:\d{2}:\d{2}", conversion="strptime",
        formats=("%Y.%m.%d %H:%M:%S",), year_less=True, year_joint=".",
        sample="[10.30 16:49:06] chrome.exe - proxy.example.edu:5070 open through proxy proxy.example.edu:5070 HTTPS",
        sample_stamp="2024-10-30T16:49:06", source="Proxifier connection log (as in loghub's Proxifier)"),
    StampShape(
        name="month-day", pattern=r"[A-Z][a-z]{2} [ 0-9]?\d \d{2}:\d{2}:\d{2}", conversion="strptime",
        formats=("%Y %b %d %H:%M:%S",), year_less=True,
        sample="[pod/rsyslog-0/rsyslog] Nov  9 12:01:01 web-1 sshd[2915]: error: maximum authentication attempts exceeded",
        sample_stamp="2024-11-09T12:01:01",
        source="BSD syslog time (RFC 3164) after a prefix: `kubectl logs --prefix` of a syslog relay"),
    StampShape(
        name="epoch", pattern=r"\d{10}(?:\d{3}|\d{6}|\d{9})?(?:\.\d{1,9})?", conversion="epoch",
        sample="134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component alt0 is unavailable",
        sample_stamp="2004-02-26T14:12:22", source="an HPC cluster's event log, seconds since the epoch (as in loghub's HPC)"),
)
"""Most specific first: where two shapes match at one place, the earlier one is the layout's."""

BY_NAME = {shape.name: shape for shape in SHAPES}

FIRST_YEAR, END_YEAR = 1990, 2100
"""Years a sniffed stamp may have: past these, what looked like a time is some other number."""


def python_time(shape: StampShape, text: str, year: int = 2024) -> datetime | None:
    """The time a stamp of `shape` stands for (naive; UTC for epochs), as the sniff checks it; None if it is none."""
    try:
        if shape.conversion == "iso":
            moment = datetime.fromisoformat(text.replace(",", ".").replace(" +", "+").replace(" -", "-"))
        elif shape.conversion == "epoch":
            digits = text.partition(".")[0]
            seconds = float(text) / 10 ** (len(digits) - 10)
            moment = datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
        else:
            moment = _strptime(shape, f"{year}{shape.year_joint}{text}" if shape.year_less else text)
    except (ValueError, OverflowError, OSError):
        return None
    if moment is None or not FIRST_YEAR <= moment.year < END_YEAR:
        return None
    return moment


def _strptime(shape: StampShape, text: str) -> datetime | None:
    normal = " ".join(text.split())  # `Dec  4`: Python's %d takes no blank padding
    for fmt in shape.formats:
        try:
            return datetime.strptime(normal, fmt.replace("%g", "%f"))
        except ValueError:
            continue
    return None
