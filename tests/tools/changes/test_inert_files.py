"""Files that cannot change a running service: each catalogue row on its own sample, and the files that can."""

import pytest

from wicked_platform.tools.changes.inert_files import INERT_SHAPES, inert_kind, inert_kinds


@pytest.mark.parametrize("shape", INERT_SHAPES, ids=lambda s: s.sample)
def test_every_row_reads_its_own_sample(shape):
    assert shape.pattern.search(shape.sample.lower())
    assert inert_kind(shape.sample) == shape.kind


@pytest.mark.parametrize("path", [
    "services/checkout-api/src/config.ts", "requirements.txt", "go.mod", "services/api/package.json", "Dockerfile",
    "deploy/k8s/search-api/deployment.yaml", "charts/billing/values.yaml", "src/main/resources/application.properties",
    "services/orders/.env", "src/checkoutservice/main.go", "app/latest_version.py", "src/main/java/com/example/Settings.java",
])
def test_a_file_that_runs_or_configures_is_not_inert(path):
    assert inert_kind(path) is None


def test_a_commit_is_inert_only_when_every_file_is():
    assert inert_kinds(["services/cart/CHANGELOG.md", "services/cart/cart_test.go"]) == ["documentation", "tests"]
    assert inert_kinds(["services/cart/CHANGELOG.md", "services/cart/config.yaml"]) is None
    assert inert_kinds([]) is None
