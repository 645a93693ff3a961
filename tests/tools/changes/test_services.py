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


def test_a_deployment_files_structure_names_the_service_no_path_does():
    from support.scans import T0, commit, diff_with, history

    from wicked_platform.tools.changes.models import ConfigValueChange, ManifestPlace
    from wicked_platform.tools.changes.services import with_structural_services

    compose = commit("c", "chore: Trim memory", T0, [], files=["docker-compose.yml"])
    untouched = commit("d", "docs: readme", T0, [], files=["README.md"])
    place = ManifestPlace(system="compose", owner="prometheus", setting="resources", resource="limits.memory", restore="2Gi")
    change = ConfigValueChange(file="docker-compose.yml", key="services.prometheus.deploy.resources.limits.memory",
                               before="2g", after="256m", place=place)
    read = with_structural_services(history(compose, untouched), {compose.sha: diff_with(compose, change)})
    assert {c.sha[0]: c.services for c in read.commits} == {"c": ["prometheus"], "d": []}


def test_helm_charts_are_services_by_directory():
    assert service_for_path("charts/checkout-api/templates/deployment.yaml") == "checkout-api"
