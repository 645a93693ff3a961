"""Every catalogue row is tested on its own samples: each names the metric it stands for and the row's service
label, and, backfilled into a real Prometheus, the row's query answers one series for the sample's service."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from support.prometheus_server import serving

from wicked_platform.tools.metrics.catalogue import CATALOGUE, SERVICE_LABELS, metric_names
from wicked_platform.tools.metrics.client import PrometheusClient
from wicked_platform.tools.metrics.queries import selector

SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?P<labels>[^}]*)\} (?P<value>\S+)$')
AT = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
SERVICE = "checkout-api"


def parsed(sample: str) -> tuple[str, dict[str, str]]:
    match = SAMPLE.match(sample)
    assert match, sample
    return match["name"], dict(re.findall(r'(\w+)="([^"]*)"', match["labels"]))


@pytest.mark.parametrize("row", CATALOGUE, ids=lambda r: r.id)
def test_catalogue_row_samples_name_its_metrics_and_service(row):
    assert len(row.samples) == len(row.needs)
    for need, sample in zip(row.needs, row.samples):
        name, labels = parsed(sample)
        assert name == need
    first_labels = parsed(row.samples[-1 if row.kind == "replicaset_created" else 0])[1]
    label = row.service_label or next(label for label in SERVICE_LABELS if label in first_labels)
    assert first_labels[label] == SERVICE


def test_catalogue_ids_are_unique_and_names_are_known():
    assert len({r.id for r in CATALOGUE}) == len(CATALOGUE)
    assert "http_requests_total" in metric_names() and "kube_replicaset_created" in metric_names()


def _openmetrics() -> str:
    by_name: dict[str, list[str]] = {}
    for row in CATALOGUE:
        for sample in row.samples:
            name, _ = parsed(sample)
            head, value = sample.rsplit(" ", 1)
            lines = [f"{head} {float(value) * (1 + i / 100):.10g} {(AT + timedelta(seconds=30 * i)).timestamp():.0f}"
                     for i in range(6)]
            by_name.setdefault(name, [])
            if lines[0] not in by_name[name]:
                by_name[name] += lines
    return "".join("\n".join(lines) + "\n" for lines in by_name.values()) + "# EOF\n"


def test_every_row_query_answers_for_its_sample_on_a_real_prometheus(tmp_path):
    with serving(tmp_path, _openmetrics()) as url, PrometheusClient(url) as client:
        for row in CATALOGUE:
            labels = parsed(row.samples[-1 if row.kind == "replicaset_created" else 0])[1]
            label = row.service_label or next(label for label in SERVICE_LABELS if label in labels)
            promql = row.render(selector(label, [SERVICE]), label, "60s")
            answer = client.query_range(promql, AT + timedelta(seconds=60), AT + timedelta(seconds=150), 30)
            assert [s.metric.get(label) for s in answer] == [SERVICE], (row.id, promql)


def test_an_error_rate_is_read_whichever_label_an_exporter_gives_the_status(tmp_path):
    # promhttp labels the status `code`; prometheus-fastapi-instrumentator `status`, grouped as `5xx`;
    # starlette_exporter `status_code`.
    row = next(r for r in CATALOGUE if r.id == "prometheus-client/error_rate")
    lines = []
    for service, label, ok, failed in (("search-api", "status", "200", "500"), ("cart-api", "status", "2xx", "5xx"),
                                       ("orders-api", "status_code", "200", "503"), ("quote-api", "code", "200", "500")):
        for i in range(6):
            at = (AT + timedelta(seconds=30 * i)).timestamp()
            lines.append(f'http_requests_total{{service="{service}",{label}="{ok}"}} {900 * i} {at:.0f}')
            lines.append(f'http_requests_total{{service="{service}",{label}="{failed}"}} {100 * i} {at:.0f}')
    text = "\n".join(sorted(lines, key=lambda line: line.split("}")[0])) + "\n# EOF\n"
    services = ["cart-api", "orders-api", "quote-api", "search-api"]
    with serving(tmp_path, text) as url, PrometheusClient(url) as client:
        promql = row.render(selector("service", services), "service", "60s")
        answer = client.query_range(promql, AT + timedelta(seconds=60), AT + timedelta(seconds=150), 30)
    rates = {s.metric["service"]: float(s.values[-1][1]) for s in answer}
    assert rates == pytest.approx(dict.fromkeys(services, 0.1))
