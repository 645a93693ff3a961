"""A read-only client of the Prometheus HTTP API (also spoken by Thanos, Mimir, Cortex, VictoriaMetrics).

Why httpx and not a Prometheus client library: `prometheus-client` only exposes metrics, it cannot query
them; `prometheus-api-client` (requests + pandas + matplotlib) and `prometrix` (requests + boto3) pull in
heavy dependencies and read a whole answer into memory, with no way to stop a huge one part-way. The API
we need is five documented GET endpoints returning one JSON envelope
(https://prometheus.io/docs/prometheus/latest/querying/api/); httpx (already installed with anthropic)
streams the body, so an answer past the byte cap is cut off rather than buffered, and gives separate
connect and read timeouts. Retries are tenacity's, on connection failures and 502/503/504 only.

Only GET, only the read endpoints below. The bearer token comes from WICKED_PLATFORM_PROMETHEUS_TOKEN and
lives in the request header alone: it is in no message, model or saved state.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from wicked_platform.tools.metrics.settings import URL_ENV  # noqa: F401 - where the server's URL comes from

TOKEN_ENV = "WICKED_PLATFORM_PROMETHEUS_TOKEN"
READ_ENDPOINTS = ("/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels",
                  "/api/v1/status/buildinfo")  # and /api/v1/label/<name>/values
DEFAULT_TIMEOUT_SECONDS = 10.0  # one request, from connect to the last byte
DEFAULT_MAX_BYTES = 4_000_000  # one answer; an investigation asks a dozen small ones
ATTEMPTS = 2

FailureKind = Literal["unreachable", "refused", "not_prometheus", "timeout", "too_large", "bad_query"]


class PrometheusError(Exception):
    """The server could not answer: one line saying what happened and what to check."""

    def __init__(self, kind: FailureKind, message: str):
        super().__init__(message)
        self.kind = kind


class _Retryable(Exception):
    """A failure worth one more try (a connection refused mid-restart, a proxy's 503)."""

    def __init__(self, error: PrometheusError):
        super().__init__(str(error))
        self.error = error


class RangeSeries(BaseModel):
    """One series of a range query: its labels and its (unix seconds, value) points."""

    model_config = ConfigDict(frozen=True)

    metric: dict[str, str]
    values: list[tuple[float, str]] = Field(default_factory=list)


class InstantSample(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: dict[str, str]
    value: tuple[float, str]


class _MatrixData(BaseModel):
    resultType: Literal["matrix"]  # noqa: N815 - the API's field name
    result: list[RangeSeries]


class _MatrixAnswer(BaseModel):
    """A successful range query's whole answer, read by pydantic straight from the bytes (the common case, and
    the large one: no intermediate Python objects)."""

    status: Literal["success"]
    data: _MatrixData


_MATRIX = TypeAdapter(list[RangeSeries])
_MATRIX_ANSWER = TypeAdapter(_MatrixAnswer)
_VECTOR = TypeAdapter(list[InstantSample])
_STRINGS = TypeAdapter(list[str])


class PrometheusClient:
    """One server, its timeouts and caps, and a running count of the bytes it sent."""

    def __init__(self, url: str, *, token: str | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 max_bytes: int = DEFAULT_MAX_BYTES, transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.bytes_received = 0
        self.requests = 0
        self._count = threading.Lock()  # queries may run on several threads at once
        headers = {"Accept": "application/json", "User-Agent": "wicked-platform"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.url, headers=headers, transport=transport, follow_redirects=False,
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)))

    @classmethod
    def from_environment(cls, url: str, **kwargs: Any) -> PrometheusClient:
        return cls(url, token=os.environ.get(TOKEN_ENV) or None, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # The endpoints ------------------------------------------------------------------------------

    def buildinfo(self) -> dict[str, Any]:
        data = self._get("/api/v1/status/buildinfo", {})
        if not isinstance(data, dict):
            raise self._not_prometheus("its buildinfo is not an object")
        return data

    def label_values(self, label: str, match: list[str], start: datetime, end: datetime) -> list[str]:
        """Values of `label` on series matching any of `match` in [start, end]: an index lookup, no samples."""
        data = self._get(f"/api/v1/label/{label}/values",
                         {"match[]": match, "start": _unix(start), "end": _unix(end)})
        return self._validated(_STRINGS, data)

    def query(self, promql: str, at: datetime) -> list[InstantSample]:
        data = self._get("/api/v1/query", {"query": promql, "time": _unix(at)})
        return self._validated(_VECTOR, self._result(data, "vector"))

    def query_range(self, promql: str, start: datetime, end: datetime, step_seconds: int) -> list[RangeSeries]:
        params = {"query": promql, "start": _unix(start), "end": _unix(end), "step": step_seconds}
        try:
            answer = self._get_with_retries("/api/v1/query_range", params, fast=_MATRIX_ANSWER)
        except _Retryable as exc:
            raise exc.error from None
        if isinstance(answer, _MatrixAnswer):
            return answer.data.result
        return self._validated(_MATRIX, self._result(answer, "matrix"))

    # The transport ------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        try:
            return self._get_with_retries(path, params)
        except _Retryable as exc:
            raise exc.error from None

    @retry(retry=retry_if_exception(lambda e: isinstance(e, _Retryable)), stop=stop_after_attempt(ATTEMPTS),
           wait=wait_exponential(multiplier=0.2, max=1.0), reraise=True)
    def _get_with_retries(self, path: str, params: dict[str, Any], fast: TypeAdapter | None = None) -> Any:
        status, body = self._fetch(path, params)
        if fast is not None and status == 200:
            try:
                return fast.validate_json(body)
            except ValidationError:
                pass  # not the expected success: the checks below say what it is
        if status in (401, 403):
            raise PrometheusError("refused", f"Prometheus at {self.url} refused the request (HTTP {status}): "
                                             f"check {TOKEN_ENV}")
        if status in (502, 503, 504):
            raise _Retryable(PrometheusError("unreachable", f"Prometheus at {self.url} is unavailable (HTTP {status})"))
        try:
            envelope = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self._not_prometheus(f"HTTP {status}, the answer is not JSON") from None
        if not isinstance(envelope, dict) or envelope.get("status") not in ("success", "error"):
            raise self._not_prometheus(f"HTTP {status}, no Prometheus API status in the answer")
        if envelope["status"] == "error":
            kind = "bad_query" if status in (400, 422) else "unreachable"
            what = str(envelope.get("error", "no reason given"))[:200].replace("\n", " ")
            raise PrometheusError(kind, f"Prometheus at {self.url} answered an error (HTTP {status}): {what}")
        return envelope.get("data")

    def _fetch(self, path: str, params: dict[str, Any]) -> tuple[int, bytes]:
        """GET one endpoint; the body read in chunks, stopped past the cap or the deadline."""
        with self._count:
            self.requests += 1
        deadline = time.monotonic() + self.timeout
        try:
            with self._http.stream("GET", path, params=params) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    with self._count:
                        self.bytes_received += len(chunk)
                    if size > self.max_bytes:
                        raise PrometheusError("too_large", f"Prometheus at {self.url} sent more than "
                                                           f"{self.max_bytes:,} bytes for one answer; stopped reading")
                    if time.monotonic() > deadline:
                        raise PrometheusError("timeout", f"Prometheus at {self.url} did not finish an answer in "
                                                         f"{self.timeout:g} s")
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException:
            raise PrometheusError("timeout", f"Prometheus at {self.url} did not answer in {self.timeout:g} s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            raise _Retryable(PrometheusError("unreachable", f"Prometheus at {self.url} is unreachable "
                                                            f"({_reason(exc)})")) from None
        except httpx.HTTPError as exc:
            raise PrometheusError("unreachable", f"Prometheus at {self.url}: {_reason(exc)}") from None

    def _result(self, data: Any, expected: str) -> Any:
        if not isinstance(data, dict) or data.get("resultType") != expected:
            raise self._not_prometheus(f"expected a {expected} result")
        return data.get("result")

    def _validated(self, adapter: TypeAdapter, data: Any) -> Any:
        try:
            return adapter.validate_python(data)
        except ValidationError:
            raise self._not_prometheus("the answer's data is not in the API's shape") from None

    def _not_prometheus(self, why: str) -> PrometheusError:
        return PrometheusError("not_prometheus", f"{self.url} does not answer as a Prometheus API ({why}); give the "
                                                 "server's base URL, e.g. http://prometheus:9090")


def _unix(at: datetime) -> str:
    return f"{at.timestamp():.3f}"


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
