"""`incident-context.yaml`: what logs and git cannot know, given by the people who run the system."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wicked_platform.tools.metrics.settings import MetricOverrides, PrometheusContext
from wicked_platform.tools.userfile import first_problem, load_yaml_mapping


class ServiceContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deployment: str | None = Field(None, description="Kubernetes deployment name (default: the service name)")
    namespace: str | None = Field(None, description="adds `-n <namespace>` to kubectl commands")
    critical: bool | None = Field(None, description="on a critical user path (checkout, payment, auth, login)")
    depends_on: list[str] = Field(default_factory=list, description="services this one calls")
    requests_per_minute: float | None = Field(None, ge=0, description="normal traffic")
    baseline_error_rate: float | None = Field(None, ge=0, le=1, description="normal errors/requests")
    active_users: int | None = Field(None, ge=0)
    revenue_per_hour: float | None = Field(None, ge=0, description="revenue that flows through this service per hour")
    config_env: dict[str, str] = Field(default_factory=dict, description="code key -> environment variable")
    metrics: MetricOverrides | None = Field(None, description="this service's own PromQL, replacing the defaults")


class IncidentContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: dict[str, ServiceContext] = Field(default_factory=dict)
    prometheus: PrometheusContext | None = Field(None, description="a Prometheus-compatible API to read metrics from")
    revenue_threshold_per_hour: float = Field(
        10_000, ge=0, description="revenue at risk per hour above which the revenue criterion is met"
    )

    def service(self, name: str) -> ServiceContext:
        return self.services.get(name) or ServiceContext()

    def deployment(self, name: str) -> str:
        return self.service(name).deployment or name

    def dependants_of(self, name: str) -> list[str]:
        return sorted(s for s, c in self.services.items() if name in c.depends_on)


class ContextError(ValueError):
    """The context file cannot be used; the message names the file and the field."""


def load_context(path: Path | None) -> IncidentContext:
    if path is None:
        return IncidentContext()
    raw = load_yaml_mapping(path, ContextError, "`services:`", allow_empty=True)
    try:
        return IncidentContext.model_validate(raw)
    except ValidationError as exc:
        raise ContextError(f"{path}: {first_problem(exc)}") from None
