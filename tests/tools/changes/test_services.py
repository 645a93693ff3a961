import pytest

from wicked_platform.tools.changes.services import conventional_scope, service_for_path


@pytest.mark.parametrize(
    "path, service",
    [
        ("services/checkout-api/config.ts", "checkout-api"),
        ("services/checkout-api/src/handlers/pay.ts", "checkout-api"),
        ("apps/web/package.json", "web"),
        ("packages/ui/src/button.tsx", "ui"),
        ("cmd/worker/main.go", "worker"),
        ("src/billing/models.py", "billing"),
        ("deploy/services/cart/values.yaml", "cart"),
        ("apps/web/", "web"),
        ("services/README.md", None),
        ("src/main/java/App.java", None),
        ("src/main.py", None),
        ("README.md", None),
        ("", None),
    ],
)
def test_conventional_layouts(path, service):
    assert service_for_path(path) == service


def test_known_service_anywhere_in_the_path_wins():
    known = {"payment-service", "checkout-api"}
    assert service_for_path("k8s/payment-service/deployment.yaml", known) == "payment-service"
    assert service_for_path("k8s/checkout-api.yaml", known) == "checkout-api"
    assert service_for_path("services/x/payment-service/a.ts", known) == "payment-service"
    assert service_for_path("docs/overview.md", known) is None


def test_windows_separators():
    assert service_for_path("services\\checkout-api\\config.ts") == "checkout-api"


@pytest.mark.parametrize(
    "subject, scope",
    [
        ("perf(checkout-api): Optimize timeout settings", "checkout-api"),
        ("fix(payment-service)!: drop v1 API", "payment-service"),
        ("feat!: x", None),
        ("feat: x", None),
        ("Initial setup", None),
        ("Merge branch 'x' (checkout-api): y", None),
    ],
)
def test_conventional_scope(subject, scope):
    assert conventional_scope(subject) == scope
