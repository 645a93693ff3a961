"""What the context file says about Prometheus: where it is, which label names a service, and per-service queries."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, field_validator

URL_ENV = "WICKED_PLATFORM_PROMETHEUS_URL"

# The units of what each signal kind measures, for queries the context names.
OVERRIDE_KINDS: dict[str, str] = {
    "error_rate": "ratio", "latency_p50": "seconds", "latency_p95": "seconds", "latency_p99": "seconds",
    "cpu": "cores", "memory": "bytes", "restarts": "per hour", "saturation": "ratio",
}


class PrometheusContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, description="base URL of a Prometheus-compatible API (Thanos, Mimir, "
                                              "VictoriaMetrics, Cortex speak the same)")
    service_label: str | None = Field(None, pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$", description=(
        "the label that names a service (default: tried in order service, app, app_kubernetes_io_name, job, "
        "deployment, container)"))

    @field_validator("url")
    @classmethod
    def _http(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url


class MetricOverrides(BaseModel):
    """A service's own PromQL, each replacing the default for its signal. `requests` and `errors` together
    make the error rate (errors / requests), as the contract's example writes them."""

    model_config = ConfigDict(extra="forbid")

    requests: str | None = None
    errors: str | None = None
    error_rate: str | None = None
    latency_p50: str | None = None
    latency_p95: str | None = None
    latency_p99: str | None = None
    cpu: str | None = None
    memory: str | None = None
    restarts: str | None = None
    saturation: str | None = None

    def queries(self) -> list[tuple[str, str, str]]:
        """(signal kind, PromQL, unit) for every signal this service names, in a fixed order."""
        found = []
        for kind, unit in OVERRIDE_KINDS.items():
            promql = getattr(self, kind)
            if kind == "error_rate" and promql is None and self.errors and self.requests:
                promql = f"({self.errors}) / ({self.requests})"
            if promql:
                found.append((kind, promql, unit))
        return found

    def kinds(self) -> set[str]:
        return {kind for kind, _, _ in self.queries()}


def prometheus_url(option: str | None, context: PrometheusContext | None) -> str | None:
    """--prometheus, else WICKED_PLATFORM_PROMETHEUS_URL, else the context's prometheus.url."""
    return option or os.environ.get(URL_ENV) or (context.url if context else None)
