"""Where log lines keep how long a request (or a query) took: a catalogue, each row with a real sample.

A duration is read in DuckDB as milliseconds, per line, by the scan's SQL (`duration_sql.py`): from a
structured line's key (JSON or logfmt), from the trailing fields of an access log line, or from a
phrase inside a plain line's message. Its unit comes from the key's suffix (`_ms`, `_us`, `_ns`,
`_seconds`), else from the value (`123ms`, `1.2s`, `850µs`), else from what the writer the row names
puts there. A key whose bare number has no unit anyone agrees on is read only with a unit in its value.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Unit = Literal["ns", "us", "ms", "s", "s_if_fraction", "value"]
"""What a bare number means: a unit; `s_if_fraction`, seconds when written with a fraction (Caddy's and zap's
`0.0009`) and milliseconds when whole (Envoy's `%DURATION%`); `value`: the value must say (`12ms`)."""

MS_PER_UNIT = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


class DurationKey(BaseModel):
    """A structured line's key (a JSON path's last name, or a logfmt key) that holds a duration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    unit: Unit
    sample: str
    source: str
    expected_ms: float  # what the sample's duration reads as


class TailShape(BaseModel):
    """A duration in an access log line after its status and size: where, in what unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    unit: Unit
    sample: str
    source: str
    expected_ms: float


class InlineShape(BaseModel):
    """A phrase in a plain line's message that says how long it took (RE2, one group: the number)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    pattern: str
    unit: Unit
    sample: str
    source: str
    expected_ms: float
    record: bool = False  # the phrase stands on a line of its own within a record of several lines, whose time is
    # on an earlier line (the slow query log's `# Time:`): the line takes the time of the last stamped line above it


# Most specific first: a line with both `duration_ms` and `duration` is read from the first.
DURATION_KEYS: tuple[DurationKey, ...] = (
    DurationKey(key="duration_ms", expected_ms=123.0, unit="ms", source="common structured-logging practice (pino-http `responseTime`"
                " renamed, Go services' `duration_ms`)",
                sample='{"time":"2024-01-15T14:23:15Z","level":"info","msg":"request done","path":"/checkout",'
                       '"status":200,"duration_ms":123}'),
    DurationKey(key="latency_ms", expected_ms=87.5, unit="ms", source="Kong's and many Go services' access fields",
                sample='{"ts":"2024-01-15T14:23:15Z","level":"info","route":"/cart","status":200,"latency_ms":87.5}'),
    DurationKey(key="elapsed_ms", expected_ms=42.0, unit="ms", source="structured request logs",
                sample='ts=2024-01-15T14:23:15Z level=info msg="query done" elapsed_ms=42'),
    DurationKey(key="response_time_ms", expected_ms=15.0, unit="ms", source="structured request logs",
                sample='{"timestamp":"2024-01-15T14:23:15Z","status":200,"response_time_ms":15}'),
    DurationKey(key="durationMs", expected_ms=230.0, unit="ms", source="camel-case JSON writers (Java, TypeScript)",
                sample='{"@timestamp":"2024-01-15T14:23:15.001Z","level":"INFO","message":"GET /api 200",'
                       '"durationMs":230}'),
    DurationKey(key="responseTime", expected_ms=17.0, unit="ms", source="pino-http (`responseTime`, milliseconds)",
                sample='{"level":30,"time":1705328595000,"req":{"method":"GET","url":"/checkout"},'
                       '"res":{"statusCode":200},"responseTime":17,"msg":"request completed"}'),
    DurationKey(key="duration_us", expected_ms=1.5, unit="us", source="structured request logs",
                sample='{"time":"2024-01-15T14:23:15Z","status":200,"duration_us":1500}'),
    DurationKey(key="duration_ns", expected_ms=2.5, unit="ns", source="structured request logs",
                sample='{"time":"2024-01-15T14:23:15Z","status":200,"duration_ns":2500000}'),
    DurationKey(key="Duration", expected_ms=3.0, unit="ns", source="Traefik's JSON access log (`Duration`, nanoseconds)",
                sample='{"ClientHost":"10.0.0.1","DownstreamStatus":200,"Duration":3000000,'
                       '"RequestPath":"/checkout","time":"2024-01-15T14:23:15Z"}'),
    DurationKey(key="duration_seconds", expected_ms=250.0, unit="s", source="structured request logs",
                sample='{"time":"2024-01-15T14:23:15Z","status":200,"duration_seconds":0.25}'),
    DurationKey(key="request_time", expected_ms=60.0, unit="s",
                source="nginx `log_format json escape=json '{\"time\":\"$time_iso8601\",\"status\":\"$status\",...,"
                       "\"request_time\":\"$request_time\"}'`",
                sample='{"time":"2024-01-15T14:23:15+00:00","status":"200","request_uri":"/checkout",'
                       '"request_time":"0.060"}'),
    DurationKey(key="upstream_response_time", expected_ms=58.0, unit="s", source="nginx JSON log with `$upstream_response_time`",
                sample='{"time":"2024-01-15T14:23:15+00:00","status":"200","upstream_response_time":"0.058"}'),
    DurationKey(key="duration", expected_ms=250.0, unit="s_if_fraction",
                source="Caddy / zap (`\"duration\":0.000929675`, seconds); Envoy's JSON `%DURATION%` (whole ms); "
                       "a Go duration string (`\"12ms\"`)",
                sample='{"level":"info","ts":1705328595.524,"logger":"http.log.access","msg":"handled request",'
                       '"request":{"method":"GET","uri":"/checkout"},"duration":0.25,"status":200}'),
    DurationKey(key="latency", expected_ms=1200.0, unit="ms", source="gin/zerolog request loggers (`latency`, ms, or a duration string)",
                sample='time=2024-01-15T14:23:15Z level=info msg=request method=GET path=/cart status=200 latency=1.2s'),
    DurationKey(key="took", expected_ms=30.0, unit="ms", source="Elasticsearch and its clients (`took`, milliseconds)",
                sample='{"@timestamp":"2024-01-15T14:23:15Z","message":"search","took":30}'),
    DurationKey(key="response_time", expected_ms=12.3, unit="ms", source="morgan/Express `:response-time` (milliseconds)",
                sample='{"timestamp":"2024-01-15T14:23:15Z","method":"GET","url":"/cart","status":200,'
                       '"response_time":12.3}'),
    DurationKey(key="elapsed", expected_ms=15.0, unit="value", source="request loggers that write a duration string (`elapsed=15ms`)",
                sample='ts=2024-01-15T14:23:15Z level=info msg="handled" path=/cart status=200 elapsed=15ms'),
)


# After the status and size of an access log line (nginx `log_format` or Apache `LogFormat`).
TAIL_SHAPES: tuple[TailShape, ...] = (
    TailShape(name="nginx $request_time", unit="s", expected_ms=60.0,
              source="nginx `log_format timed '$remote_addr - $remote_user [$time_local] \"$request\" $status "
                     "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time'`",
              sample='10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET /checkout HTTP/1.1" 200 512 "-" "curl/8.5.0" '
                     '0.060 0.058'),
    TailShape(name="nginx rt= (Amplify's log_format)", unit="s", expected_ms=1012.0,
              source="NGINX Amplify `main_ext`: `... \"$http_user_agent\" \"$http_x_forwarded_for\" rt=$request_time "
                     "ua=\"$upstream_addr\" us=\"$upstream_status\" ut=\"$upstream_response_time\"`",
              sample='10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "POST /api/checkout HTTP/1.1" 200 91 "-" '
                     '"Mozilla/5.0" "-" rt=1.012 ua="10.0.1.5:8080" us="200" ut="1.010"'),
    TailShape(name="Apache %D", unit="us", expected_ms=2345.678,
              source="Apache `LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b %D\"` (microseconds)",
              sample='10.0.0.1 - - [15/Jan/2024:14:23:15 +0000] "GET /index.html HTTP/1.1" 200 2326 2345678'),
)
# A bare number after the access line's last field: a fraction is nginx's seconds, a whole number Apache's
# %D microseconds. Apache's %T (whole seconds) cannot be told from %D by its value: it is not read.
TAIL_KEYS = {"rt": "s", "request_time": "s", "urt": "s", "upstream_response_time": "s", "ut": "s", "D": "us"}

INLINE_SHAPES: tuple[InlineShape, ...] = (
    InlineShape(name="PostgreSQL log_min_duration_statement", pattern=r"\bduration: ([0-9]+(?:\.[0-9]+)?) ms\b",
                unit="ms", expected_ms=1234.567,
                source="PostgreSQL with `log_min_duration_statement` (`LOG:  duration: ... ms  statement: ...`)",
                sample="2024-01-15 14:23:15.123 UTC [4242] LOG:  duration: 1234.567 ms  statement: SELECT * FROM "
                       "orders WHERE id = 7"),
    InlineShape(name="MySQL slow query log", pattern=r"^# Query_time: ([0-9]+(?:\.[0-9]+)?)(?:[ \t]|$)",
                unit="s", expected_ms=2345.678, record=True,
                source="MySQL / MariaDB / Percona slow query log (`slow_query_log`): a `# Time:` line heads a record "
                       "(MySQL 5.6 and MariaDB write it only when the second changes), `# Query_time:` in seconds follows",
                sample="# Time: 2024-01-15T14:23:15.123456Z\n# User@Host: shop[shop] @ app-1 [10.0.0.7]  Id:    81\n"
                       "# Query_time: 2.345678  Lock_time: 0.000123 Rows_sent: 1  Rows_examined: 1204331\n"
                       "SET timestamp=1705328595;\nSELECT * FROM orders WHERE customer_email = 'a@example.com';"),
    InlineShape(name="key=value in a message", pattern=r"\b(?:duration_ms|latency_ms|elapsed_ms|took_ms)[=:] ?"
                                                       r"([0-9]+(?:\.[0-9]+)?)\b",
                unit="ms", expected_ms=123.0,
                source="plain application lines that append fields (`... duration_ms=123`)",
                sample="2024-01-15T14:23:15Z INFO checkout-api GET /checkout 200 duration_ms=123"),
    InlineShape(name="took/in N ms", pattern=r"\b(?:took|completed in|finished in|in) ([0-9]+(?:\.[0-9]+)?) ?ms\b",
                unit="ms", expected_ms=87.0,
                source="Spring/Logback style request lines (`Completed 200 OK in 87ms`)",
                sample="2024-01-15 14:23:15.120  INFO 1 --- [nio-8080-exec-1] o.s.web.servlet.DispatcherServlet : "
                       "Completed 200 OK in 87ms"),
)


def key_units() -> dict[str, Unit]:
    """Each duration key's unit, by key."""
    return {row.key: row.unit for row in DURATION_KEYS}
