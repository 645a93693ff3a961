import os

import pytest
from support.built import build


def pytest_configure(config):
    # No test may reach a real model: `-m live` and a key are both needed for that.
    if "ANTHROPIC_API_KEY" in os.environ and config.getoption("-m").strip() != "live":
        os.environ.pop("ANTHROPIC_API_KEY")


@pytest.fixture(scope="session")
def checkout_timeout(tmp_path_factory):
    """The checkout-timeout scenario built once per session (read-only for tests)."""
    return build("checkout-timeout", tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="session")
def seed_literal(tmp_path_factory):
    return build("seed-literal", tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="session")
def incident_prometheus(tmp_path_factory):
    """A real Prometheus serving support.metric_incidents' series, backfilled by promtool (read-only for tests)."""
    from support.metric_incidents import series
    from support.prometheus_server import serving

    with serving(tmp_path_factory.mktemp("prometheus"), series()) as url:
        yield url
