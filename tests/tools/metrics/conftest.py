import pytest
from support.metric_incidents import series
from support.prometheus_server import serving


@pytest.fixture(scope="session")
def incident_prometheus(tmp_path_factory):
    """A real Prometheus serving the metric incidents of support.metric_incidents (session-wide: read-only)."""
    with serving(tmp_path_factory.mktemp("prometheus"), series()) as url:
        yield url
