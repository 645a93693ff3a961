"""Slow query logs as latency: MySQL's, MariaDB's and Percona's records (the time on a `# Time:` line above the
`# Query_time:` one, carried forward in SQL), and PostgreSQL's `log_min_duration_statement` lines. Written by
the project in those servers' layouts (nothing copied)."""

from datetime import UTC, datetime

import pytest

from wicked_platform.tools.logs import scan as scan_module
from wicked_platform.tools.logs.models import LogFormat
from wicked_platform.tools.logs.scan import scan_logs
from wicked_platform.tools.logs.sniff import sniff_file


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


MYSQL_8 = """\
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2024-01-15T14:23:15.123456Z
# User@Host: shop[shop] @ app-1 [10.0.0.7]  Id:    81
# Query_time: 2.345678  Lock_time: 0.000123 Rows_sent: 1  Rows_examined: 1204331
use shop;
SET timestamp=1705328595;
SELECT * FROM orders WHERE customer_email = 'a@example.com';
# Time: 2024-01-15T14:25:40.000001Z
# User@Host: shop[shop] @ app-2 [10.0.0.8]  Id:    93
# Query_time: 0.512000  Lock_time: 0.000051 Rows_sent: 0  Rows_examined: 88211
SET timestamp=1705328740;
UPDATE deployments SET state = 'error' WHERE alert_id = 4;
"""

# MariaDB (and MySQL 5.6) write `# Time:` only when the second changes: the second record is of the first's time.
MARIADB = """\
# Time: 240115  9:23:15
# User@Host: shop[shop] @ app-1 [10.0.0.7]
# Thread_id: 81  Schema: shop  QC_hit: No
# Query_time: 3.000000  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: 1000000
# Rows_affected: 0  Bytes_sent: 67
SET timestamp=1705310595;
SELECT count(*) FROM orders WHERE status = 'failed';
# User@Host: shop[shop] @ app-1 [10.0.0.7]
# Thread_id: 82  Schema: shop  QC_hit: No
# Query_time: 1.500000  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: 1000
# Rows_affected: 0  Bytes_sent: 61
SET timestamp=1705310595;
SELECT id FROM carts WHERE user_id = 7;
# Time: 240115 10:01:02
# User@Host: shop[shop] @ app-1 [10.0.0.7]
# Thread_id: 83  Schema: shop  QC_hit: No
# Query_time: 0.250000  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: 10
# Rows_affected: 0  Bytes_sent: 55
SET timestamp=1705312862;
SELECT 1;
"""

# Percona Server's extended records (log_slow_verbosity=full): more `#` lines between the time and the SQL.
PERCONA = """\
# Time: 2024-01-15T14:23:15.000200Z
# User@Host: report[report] @ bi-1 [10.0.2.4]  Id:    12
# Schema: shop  Last_errno: 0  Killed: 0
# Query_time: 12.004000  Lock_time: 0.000200  Rows_sent: 10  Rows_examined: 9912301  Rows_affected: 0
# Bytes_sent: 1204  Tmp_tables: 1  Tmp_disk_tables: 1  Tmp_table_sizes: 4096
# Full_scan: Yes  Full_join: No  Tmp_table: Yes  Tmp_table_on_disk: Yes
SET timestamp=1705328595;
SELECT region, sum(total) FROM orders GROUP BY region;
"""


@pytest.mark.parametrize(("text", "expected", "unparsed"), [
    (MYSQL_8, [(2345.678, "2024-01-15T14:23:15"), (512.0, "2024-01-15T14:25:40")], 3),
    (MARIADB, [(3000.0, "2024-01-15T09:23:15"), (1500.0, "2024-01-15T09:23:15"), (250.0, "2024-01-15T10:01:02")], 0),
    (PERCONA, [(12004.0, "2024-01-15T14:23:15")], 0),
], ids=["mysql-8", "mariadb", "percona"])
def test_each_query_time_is_a_duration_at_its_records_time(text, expected, unparsed, logs):
    path = logs.text("mysql-slow.log", text)
    assert sniff_file(path).record_time
    scan = scan_logs([path])
    stats = scan.files[0]
    assert stats.format == LogFormat.STAMPED
    assert stats.unparsed == unparsed  # the server's banner, before any record; a record's lines continue it
    got = sorted(zip(scan.latency.sample_seconds, scan.latency.sample_ms, strict=True), key=lambda p: (p[0], -p[1]))
    assert got == [(_epoch(at), pytest.approx(ms)) for ms, at in expected]
    assert set(scan.latency.sample_services) == {"mysql-slow"}
    assert stats.first_at.replace(microsecond=0) == datetime.fromisoformat(expected[0][1]).replace(tzinfo=UTC)


def test_a_records_sql_is_neither_an_error_nor_an_event(logs):
    scan = scan_logs([logs.text("mysql-slow.log", MYSQL_8)])
    assert scan.events == [] and scan.signatures == []
    assert scan.level_counts.get("error", 0) == 0


def test_a_query_time_before_any_time_line_has_no_time(logs):
    # A log rotated in the middle of a second: its first record's `# Time:` is in the previous file.
    text = "\n".join(MARIADB.splitlines()[7:]) + "\n"
    scan = scan_logs([logs.text("mysql-slow.log", text)])
    assert scan.latency.sample_ms == [pytest.approx(250.0)]
    assert scan.files[0].parsed == 2  # the `# Time:` line and its record's `# Query_time:`


def test_files_read_together_keep_their_own_records(logs):
    # Read in one query: the second file's first record, whose `# Time:` went with the rotation, takes no time
    # from the first file's last record.
    first = logs.text("orders-db/mysql-slow.log", MYSQL_8)
    rotated = MYSQL_8.replace("# Time: 2024-01-15T14:23:15.123456Z\n", "").replace("2024-01-15T14:2", "2024-01-15T16:2")
    second = logs.text("carts-db/mysql-slow.log", rotated)
    scan = scan_logs([first, second])
    assert [f.parsed for f in scan.files] == [4, 2]
    assert sorted(scan.latency.sample_seconds) == [
        _epoch("2024-01-15T14:23:15"), _epoch("2024-01-15T14:25:40"), _epoch("2024-01-15T16:25:40")]


@pytest.mark.parametrize("text", [
    "2024-01-15 14:23:15.123 UTC [12345] LOG:  duration: 2345.678 ms  statement: SELECT * FROM orders WHERE id = 7\n"
    "2024-01-15 14:23:16.001 UTC [12345] LOG:  duration: 12.500 ms  statement: SELECT 1\n"
    '2024-01-15 14:23:17.123 UTC [12346] ERROR:  relation "ordrs" does not exist at character 15\n',
    # log_line_prefix = '%m [%p] %q%u@%d '
    "2024-01-15 14:23:15.123 UTC [12345] shop@orders LOG:  duration: 2345.678 ms  execute <unnamed>: SELECT * FROM orders\n"
    "2024-01-15 14:23:16.001 UTC [12345] shop@orders LOG:  duration: 12.500 ms  statement: SELECT 1\n"
    '2024-01-15 14:23:17.123 UTC [12346] shop@orders ERROR:  relation "ordrs" does not exist at character 15\n',
], ids=["default-prefix", "user-at-database"])
def test_postgresql_statement_durations_are_read(text, logs):
    scan = scan_logs([logs.text("postgresql.log", text)])
    assert sorted(scan.latency.sample_ms) == [pytest.approx(12.5), pytest.approx(2345.678)]
    assert scan.level_counts["error"] == 1


def test_a_large_slow_log_keeps_its_durations(logs, monkeypatch):
    # Plain files past the phrase-duration bound have theirs left unread; a slow log's record lines are read anyway.
    monkeypatch.setattr(scan_module, "MAX_PHRASE_DURATION_BYTES", 0)
    scan = scan_logs([logs.text("mysql-slow.log", MYSQL_8)])
    assert len(scan.latency.sample_ms) == 2 and scan.files[0].warning is None


def test_every_record_of_a_long_slow_log_is_dated_by_its_own_time_line(logs):
    # Thousands of records, megabytes, read by several threads: each duration must still take the `# Time:` line
    # above it, which holds only while the file's lines keep their order (scan._in_file_order).
    start = _epoch("2024-01-15T08:00:00")
    records = 20_000
    text = "".join(
        f"# Time: {datetime.fromtimestamp(start + 7 * i, UTC):%Y-%m-%dT%H:%M:%S}.000000Z\n"
        f"# User@Host: shop[shop] @ app-1 [10.0.0.7]  Id: {i}\n"
        f"# Query_time: {i % 1000 + 1}.000000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: {i * 31}\n"
        f"SET timestamp={start + 7 * i};\nSELECT id, total, customer_email FROM orders WHERE customer_id = {i} "
        f"AND created_at > now() - interval 30 day ORDER BY created_at DESC LIMIT 50;\n"
        for i in range(records))
    scan = scan_logs([logs.text("mysql-slow.log", text)])
    assert len(scan.latency.sample_ms) == records
    for second, ms in zip(scan.latency.sample_seconds, scan.latency.sample_ms, strict=True):
        index = (second - start) // 7
        assert (second - start) % 7 == 0 and ms == pytest.approx((index % 1000 + 1) * 1000.0)
