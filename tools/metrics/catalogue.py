"""The conventional metric names, as data: one row per (exporter, signal), with the PromQL the server runs.

Each row names the metrics it needs (discovery keeps a row only when they all exist), the label that names
a service for that exporter (None: the label found for the application's own metrics, or the context's
`prometheus.service_label`), its PromQL as a template, and a real sample line of the metric as the exporter
writes it, with where that sample comes from. tests/tools/metrics/test_catalogue.py backfills every sample
into a real Prometheus and runs every row's query on it.

Templates: `$sel` is the service matcher (`app=~"checkout-api|cart"`), `$by` the service label, `$range`
the rate window (at least the step, so no sample falls between steps). The server computes rates,
quantiles and sums: one series per service comes back, never the raw samples.
"""

from __future__ import annotations

from string import Template
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.report import SignalKind

RowKind = Literal[SignalKind, "rollout_generation", "replicaset_created"]


class MetricRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="exporter/signal, unique")
    kind: RowKind
    needs: tuple[str, ...] = Field(description="metric names that must all exist for the row to be asked")
    service_label: str | None = Field(description="the label naming the service for this exporter; None: discovered")
    promql: str = Field(description="a string.Template over $sel, $by and $range")
    unit: str
    samples: tuple[str, ...] = Field(description="a real exposition line of each needed metric, in `needs` order")
    source: str = Field(description="where the samples come from")

    def render(self, sel: str, by: str, rate_range: str) -> str:
        return Template(self.promql).substitute(sel=sel, by=by, range=rate_range)


def _latency(id_: str, bucket: str, label: str | None, sample: str, source: str, scale: str = "") -> list[MetricRow]:
    rows = []
    for q, kind in ((0.5, "latency_p50"), (0.95, "latency_p95"), (0.99, "latency_p99")):
        rows.append(MetricRow(
            id=f"{id_}/{kind}", kind=kind, needs=(bucket,), service_label=label, unit="seconds", samples=(sample,),
            source=source,
            promql=f"histogram_quantile({q}, sum by ($by, le) (rate({bucket}{{$sel}}[$range]))){scale}",
        ))
    return rows


def _error_rate(id_: str, counter: str, code_labels: str | tuple[str, ...], label: str | None, sample: str,
                source: str) -> MetricRow:
    # Where exporters of one convention differ in the label of the status (promhttp's `code`, Python exporters'
    # `status` or `status_code`, `5xx` where they group), each is asked in turn: `or` keeps the first that answers.
    # `or ... * 0`: a service with no 5xx series yet has an error rate of 0, not none.
    labels = (code_labels,) if isinstance(code_labels, str) else code_labels
    errors = " or ".join(f'sum by ($by) (rate({counter}{{$sel,{code}=~"5.."}}[$range]))' for code in labels)
    errors = f"({errors})" if len(labels) > 1 else errors
    total = f"sum by ($by) (rate({counter}{{$sel}}[$range]))"
    return MetricRow(id=f"{id_}/error_rate", kind="error_rate", needs=(counter,), service_label=label, unit="ratio",
                     promql=f"({errors} or {total} * 0) / {total}", samples=(sample,), source=source)


PROM_CLIENT = "Prometheus client libraries (client_golang promhttp, prometheus_client)"
OTEL = "OpenTelemetry semantic conventions, HTTP server metrics via the Prometheus exporter"
SPRING = "Spring Boot Actuator / Micrometer, /actuator/prometheus"
NGINX = "ingress-nginx controller /metrics"
ISTIO = "Istio standard metrics (Envoy sidecar)"
CADVISOR = "cAdvisor via the kubelet /metrics/cadvisor"
KSM = "kube-state-metrics"

CPU_SAMPLE = 'container_cpu_usage_seconds_total{container="checkout-api",namespace="shop",pod="checkout-api-7d9f8b6c5-x2k4q"} 1234.5'
MEMORY_SAMPLE = ('container_memory_working_set_bytes{container="checkout-api",namespace="shop",'
                 'pod="checkout-api-7d9f8b6c5-x2k4q"} 5.24288e+08')

CATALOGUE: tuple[MetricRow, ...] = (
    _error_rate("prometheus-client", "http_requests_total", ("code", "status", "status_code"), None,
                'http_requests_total{app="checkout-api",code="500",method="post"} 17', PROM_CLIENT),
    *_latency("prometheus-client", "http_request_duration_seconds_bucket", None,
              'http_request_duration_seconds_bucket{app="checkout-api",le="0.25"} 1234', PROM_CLIENT),
    _error_rate("opentelemetry", "http_server_request_duration_seconds_count", "http_response_status_code", None,
                'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="503",'
                'service_name="checkout-api"} 42', OTEL),
    *_latency("opentelemetry", "http_server_request_duration_seconds_bucket", None,
              'http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",'
              'service_name="checkout-api",le="0.1"} 980', OTEL),
    _error_rate("spring", "http_server_requests_seconds_count", "status", None,
                'http_server_requests_seconds_count{application="checkout-api",exception="None",method="GET",'
                'outcome="SERVER_ERROR",status="500",uri="/orders"} 3', SPRING),
    *_latency("spring", "http_server_requests_seconds_bucket", None,
              'http_server_requests_seconds_bucket{application="checkout-api",exception="None",method="GET",'
              'outcome="SUCCESS",status="200",uri="/orders",le="0.1"} 870', SPRING),
    _error_rate("ingress-nginx", "nginx_ingress_controller_requests", "status", "service",
                'nginx_ingress_controller_requests{ingress="shop",method="GET",namespace="shop",path="/checkout",'
                'service="checkout-api",status="502"} 12', NGINX),
    *_latency("ingress-nginx", "nginx_ingress_controller_request_duration_seconds_bucket", "service",
              'nginx_ingress_controller_request_duration_seconds_bucket{ingress="shop",method="GET",namespace="shop",'
              'path="/checkout",service="checkout-api",status="200",le="0.5"} 640', NGINX),
    _error_rate("istio", "istio_requests_total", "response_code", "destination_service_name",
                'istio_requests_total{destination_service_name="checkout-api",destination_workload="checkout-api",'
                'reporter="destination",response_code="503"} 9', ISTIO),
    *_latency("istio", "istio_request_duration_milliseconds_bucket", "destination_service_name",
              'istio_request_duration_milliseconds_bucket{destination_service_name="checkout-api",'
              'reporter="destination",response_code="200",le="100"} 5120', ISTIO, scale=" / 1000"),
    MetricRow(id="cadvisor/cpu", kind="cpu", needs=("container_cpu_usage_seconds_total",), service_label="container",
              unit="cores", promql="sum by ($by) (rate(container_cpu_usage_seconds_total{$sel}[$range]))",
              samples=(CPU_SAMPLE,), source=CADVISOR),
    # A memory limit is per container: the container nearest it is OOM-killed first, whatever the pods' sum.
    MetricRow(id="cadvisor/memory", kind="memory", needs=("container_memory_working_set_bytes",),
              service_label="container", unit="bytes",
              promql="max by ($by) (container_memory_working_set_bytes{$sel})",
              samples=(MEMORY_SAMPLE,), source=CADVISOR),
    # The pod nearest its limit is the one that will be OOM-killed or throttled first: max, not sum.
    MetricRow(id="cadvisor+kube-state-metrics/memory_saturation", kind="saturation",
              needs=("container_memory_working_set_bytes", "kube_pod_container_resource_limits"),
              service_label="container", unit="ratio",
              promql='max by ($by) (container_memory_working_set_bytes{$sel} / on (namespace, pod, container) '
                     'group_left kube_pod_container_resource_limits{$sel,resource="memory"})',
              samples=(MEMORY_SAMPLE, 'kube_pod_container_resource_limits{container="checkout-api",namespace="shop",'
                       'pod="checkout-api-7d9f8b6c5-x2k4q",resource="memory",unit="byte"} 1.073741824e+09'),
              source=f"{CADVISOR}; {KSM}"),
    MetricRow(id="cadvisor+kube-state-metrics/cpu_saturation", kind="saturation",
              needs=("container_cpu_usage_seconds_total", "kube_pod_container_resource_limits"),
              service_label="container", unit="ratio",
              promql='max by ($by) (rate(container_cpu_usage_seconds_total{$sel}[$range]) / on (namespace, pod, '
                     'container) group_left kube_pod_container_resource_limits{$sel,resource="cpu"})',
              samples=(CPU_SAMPLE, 'kube_pod_container_resource_limits{container="checkout-api",namespace="shop",'
                                   'pod="checkout-api-7d9f8b6c5-x2k4q",resource="cpu",unit="core"} 0.5'),
              source=f"{CADVISOR}; {KSM}"),
    MetricRow(id="kube-state-metrics/restarts", kind="restarts", needs=("kube_pod_container_status_restarts_total",),
              service_label="container", unit="per hour",
              promql="sum by ($by) (rate(kube_pod_container_status_restarts_total{$sel}[$range])) * 3600",
              samples=('kube_pod_container_status_restarts_total{container="checkout-api",namespace="shop",'
                       'pod="checkout-api-7d9f8b6c5-x2k4q",uid="0b1c"} 3',), source=KSM),
    MetricRow(id="kube-state-metrics/rollout_generation", kind="rollout_generation",
              needs=("kube_deployment_status_observed_generation",), service_label="deployment", unit="count",
              promql="max by ($by) (kube_deployment_status_observed_generation{$sel})",
              samples=('kube_deployment_status_observed_generation{deployment="checkout-api",namespace="shop"} 7',),
              source=KSM),
    # A new ReplicaSet is a rollout of a new pod template (a scale changes the generation, not the ReplicaSets);
    # its value is its creation time, to the second.
    MetricRow(id="kube-state-metrics/replicaset_created", kind="replicaset_created",
              needs=("kube_replicaset_created", "kube_replicaset_owner"), service_label="owner_name", unit="seconds",
              promql='max by (namespace, replicaset, owner_name) (kube_replicaset_created * on (namespace, replicaset) '
                     'group_left (owner_name) kube_replicaset_owner{$sel,owner_kind="Deployment"})',
              samples=('kube_replicaset_created{namespace="shop",replicaset="checkout-api-7d9f8b6c5"} 1.7053284e+09',
                       'kube_replicaset_owner{namespace="shop",owner_is_controller="true",owner_kind="Deployment",'
                       'owner_name="checkout-api",replicaset="checkout-api-7d9f8b6c5"} 1'),
              source=KSM),
)

# The service labels tried in order on the application's own metrics (contract "Metrics").
SERVICE_LABELS: tuple[str, ...] = ("service", "app", "app_kubernetes_io_name", "job", "deployment", "container",
                                   "service_name", "application")


def metric_names() -> list[str]:
    return sorted({name for row in CATALOGUE for name in row.needs})
