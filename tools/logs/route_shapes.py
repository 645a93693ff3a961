"""Where request lines keep the route they asked for: a catalogue, each row with a real sample, and how a
path becomes a route.

A route is what a request asked for with its values taken out, so that `/cart/123/items` and
`/cart/456/items` count as one: no scheme and host, no query string, and every segment that is a value
rather than a name (a number, an id with digits in it, a UUID or hex run, a long token or slug, an e-mail,
a percent-encoded, `key=value` or `;param` text, a template's `{id}` / `:id` / `<id>`) written `:id`, a run
of them as one. Values in paths are where user ids and tokens sit, so masking them keeps both out of the
report and keeps a route per user from existing at all. The masking runs in DuckDB over every request line
(`route_sql`, then `finish_route_sql` once per distinct route); `normalise_route` is the same rule in
Python, for the catalogue's own test.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.sql_text import quote

ID = ":id"
MAX_ROUTE_CHARS = 120
# A path segment that is a value, not a name (RE2 and Python alike; a segment holds no `/`).
ROUTE_VALUE = (r"[0-9]+"  # 123
               r"|[^/0-9]*[0-9][^/0-9]*[0-9][^/0-9]*[0-9][^/]*"  # ORD-1001, a1b2c3, 2024-01-15 (but not v1 or oauth2)
               r"|[0-9a-fA-F-]{16,}|[0-9a-fA-F]{8,}"  # a UUID, a sha, a hex id
               r"|[^/]{32,}"  # a token, a slug
               r"|[^/@%=;]*[@%=;][^/]*"  # an e-mail, a percent-encoded value, key=value, `;jsessionid=...`
               r"|\{[^/]*\}|:[^/]+|<[^/]*>")  # a template's placeholder: /cart/{id}, /users/:userId, /<int:id>
_SCHEME_HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*"


class RouteKey(BaseModel):
    """A structured line's key (a JSON path or a logfmt key) that holds the request's path or route."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    sample: str
    source: str
    expected_route: str  # what the sample's route reads as


# Most specific first: a templated route (`http.route`) before the raw path the request carried.
ROUTE_KEYS: tuple[RouteKey, ...] = (
    RouteKey(key="http.route", expected_route="/cart/:id/items",
             source="OpenTelemetry HTTP semantic conventions (`http.route`, the matched route template)",
             sample='{"timestamp":"2024-01-15T14:23:15Z","level":"ERROR","service.name":"cart-api",'
                    '"http.request.method":"POST","http.route":"/cart/{cartId}/items","http.response.status_code":500}'),
    RouteKey(key="route", expected_route="/orders/:id",
             source="Fastify / Express request loggers that log the matched route (`route`)",
             sample='{"ts":"2024-01-15T14:23:15Z","level":"info","route":"/orders/:orderId","status":200,"latency_ms":87.5}'),
    RouteKey(key="endpoint", expected_route="/api/v1/payments",
             source="structured request logs naming the endpoint",
             sample='{"time":"2024-01-15T14:23:15Z","level":"info","endpoint":"/api/v1/payments","status_code":201}'),
    RouteKey(key="url.path", expected_route="/checkout/:id",
             source="Elastic Common Schema / OpenTelemetry (`url.path`)",
             sample='{"@timestamp":"2024-01-15T14:23:15.001Z","log.level":"error","url.path":"/checkout/7f9c2ab",'
                    '"http.response.status_code":502}'),
    RouteKey(key="http.target", expected_route="/cart/:id/items",
             source="OpenTelemetry HTTP semantic conventions before 1.21 (`http.target`: path and query)",
             sample='{"timestamp":"2024-01-15T14:23:15Z","level":"INFO","http.method":"GET",'
                    '"http.target":"/cart/123/items?coupon=SPRING","http.status_code":200}'),
    RouteKey(key="path", expected_route="/cart",
             source="gin / zerolog / logrus request loggers (`path=`)",
             sample='time=2024-01-15T14:23:15Z level=info msg=request method=GET path=/cart status=200 latency=1.2s'),
    RouteKey(key="request_uri", expected_route="/checkout",
             source="nginx `log_format json escape=json` with `$request_uri`",
             sample='{"time":"2024-01-15T14:23:15+00:00","status":"200","request_uri":"/checkout?step=2",'
                    '"request_time":"0.060"}'),
    RouteKey(key="request.uri", expected_route="/checkout",
             source="Caddy's JSON access log (`request.uri`)",
             sample='{"level":"info","ts":1705328595.524,"logger":"http.log.access","msg":"handled request",'
                    '"request":{"method":"GET","uri":"/checkout"},"duration":0.25,"status":200}'),
    RouteKey(key="req.url", expected_route="/checkout",
             source="pino-http (`req.url`)",
             sample='{"level":30,"time":1705328595000,"req":{"method":"GET","url":"/checkout"},'
                    '"res":{"statusCode":200},"responseTime":17,"msg":"request completed"}'),
    RouteKey(key="httpRequest.requestUrl", expected_route="/api/items/:id",
             source="Google Cloud structured logging (`httpRequest.requestUrl`, the whole URL)",
             sample='{"timestamp":"2024-01-15T14:23:15Z","severity":"ERROR","httpRequest":{"requestMethod":"GET",'
                    '"requestUrl":"https://shop.example.com/api/items/98765","status":503}}'),
    RouteKey(key="RequestPath", expected_route="/checkout",
             source="Traefik's JSON access log (`RequestPath`)",
             sample='{"ClientHost":"10.0.0.1","DownstreamStatus":200,"Duration":3000000,'
                    '"RequestPath":"/checkout","time":"2024-01-15T14:23:15Z"}'),
    RouteKey(key="uri", expected_route="/api/cart/:id",
             source="request loggers that log the request URI (`uri=`)",
             sample='ts=2024-01-15T14:23:15Z level=error method=GET uri=/api/cart/CART-5521 status=500'),
    RouteKey(key="url", expected_route="/cart",
             source="morgan / Express JSON request logs (`url`)",
             sample='{"timestamp":"2024-01-15T14:23:15Z","method":"GET","url":"/cart","status":200,'
                    '"response_time":12.3}'),
)


def route_keys() -> tuple[str, ...]:
    """The catalogue's keys, most specific first."""
    return tuple(row.key for row in ROUTE_KEYS)


def route_sql(path_sql: str) -> str:
    """The per-line half of a route (see `finish_route_sql`): the query string dropped, each run of value
    segments written `/:id`, and a `/` appended; NULL where the line has none.

    What makes routes few is done here, on every request line, in one split and one regex replace (string
    functions each cost a copy of every request's path; RE2 replaces a run of neighbouring ids at once,
    `/files/2024/01/15` -> `/files/:id`). The rest, which only tidies a route (its scheme and host, slashes at
    its ends), is done once per distinct route by `finish_route_sql`.
    """
    run = f"/(?:{ROUTE_VALUE})(?:/(?:{ROUTE_VALUE}))*/"
    return f"regexp_replace(split_part(CAST({path_sql} AS VARCHAR), '?', 1) || '/', {quote(run)}, {quote('/' + ID + '/')}, 'g')"


def finish_route_sql(route_sql_text: str) -> str:  # a column: it is named more than once
    """A route as the report names it, from `route_sql`'s: without scheme and host, one leading slash, none
    trailing, at most MAX_ROUTE_CHARS characters. Run over the scan's rows, once per distinct route."""
    no_host = (f"(CASE WHEN starts_with({route_sql_text}, '/') THEN {route_sql_text} "
               f"ELSE regexp_replace({route_sql_text}, {quote(_SCHEME_HOST)}, '') END)")
    return f"left('/' || trim({no_host}, '/'), {MAX_ROUTE_CHARS})"


_RUN = re.compile(f"/(?:{ROUTE_VALUE})(?:/(?:{ROUTE_VALUE}))*/")
_SCHEME_HOST_RE = re.compile(_SCHEME_HOST)


def normalise_route(path: str) -> str:
    """`route_sql` then `finish_route_sql`, in Python: the catalogue's samples are checked against both."""
    masked = _RUN.sub("/" + ID + "/", path.split("?", 1)[0] + "/")
    return ("/" + _SCHEME_HOST_RE.sub("", masked).strip("/"))[:MAX_ROUTE_CHARS]
