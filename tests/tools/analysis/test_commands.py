"""Commands from evidence: every name in a command points at where it comes from, and a name without
evidence makes no command but a note."""

import pytest

from wicked_platform.tools.analysis.capacity import scale_out
from wicked_platform.tools.analysis.commands import (
    CommandEvidence, Grounded, Refusal, find_target, git_revert, restore, rollout_undo,
)
from wicked_platform.tools.changes.models import ConfigValueChange, EnvReference, ManifestPlace, RepoGrounds, Workload
from wicked_platform.tools.context import IncidentContext

CONTEXT = IncidentContext.model_validate({"services": {
    "checkout-api": {"deployment": "checkout", "namespace": "shop", "config_env": {"paymentTimeout": "PAYMENT_TIMEOUT"}},
    "search-api": {},
}})
RECS = Workload(kind="StatefulSet", name="recs", namespace="personalization", containers=["recs-api"],
                labels=["recs-api"], file="deploy/recs.yaml", line=1)


def _evidence(*workloads, env=(), logs=None, deploys=None):
    return CommandEvidence(grounds=RepoGrounds(commit="c" * 40, workloads=list(workloads), env=list(env)),
                           log_services=logs or {}, deploy_sources=deploys or {})


def test_the_context_names_the_deployment_and_namespace():
    target = find_target("checkout-api", CONTEXT, _evidence())
    assert rollout_undo(target).command == "kubectl rollout undo deployment/checkout -n shop"
    assert [(p.role, p.source) for p in target.parts] == [
        ("workload", "incident-context.yaml: services.checkout-api.deployment"),
        ("namespace", "incident-context.yaml: services.checkout-api.namespace")]


def test_a_manifest_names_the_workload_by_its_label_with_its_kind_and_namespace():
    target = find_target("recs-api", IncidentContext(), _evidence(RECS, logs={"recs-api": 40}))
    assert rollout_undo(target).command == "kubectl rollout undo statefulset/recs -n personalization"
    assert target.parts[0].source == "deploy/recs.yaml:1: StatefulSet metadata.name"


def test_the_logs_or_a_deploy_record_name_the_service_as_its_deployment():
    assert find_target("cart-api", IncidentContext(), _evidence(logs={"cart-api": 12})).parts[0].source == \
        "the logs: 12 lines from cart-api"
    by_record = find_target("cart-api", IncidentContext(), _evidence(deploys={"cart-api": "a kubernetes deploy record: cart-api v3"}))
    assert by_record.ref == "deployment/cart-api" and by_record.parts[0].source.startswith("a kubernetes deploy record")
    assert find_target("search-api", CONTEXT, _evidence()).parts[0].source.endswith("(the deployment defaults to the service name)")


def test_a_service_nothing_names_gets_no_workload():
    refusal = find_target("ghost", IncidentContext(), _evidence())
    assert isinstance(refusal, Refusal) and refusal.note.startswith("no workload is named for ghost")


def test_two_workloads_claiming_a_service_are_not_guessed_between():
    other = RECS.model_copy(update={"name": "recs-canary"})
    target = find_target("recs-api", IncidentContext(), _evidence(RECS, other, logs={"recs-api": 3}))
    assert target.ref == "deployment/recs-api"  # neither manifest: the logs' name


def test_a_daemonset_is_not_scaled():
    daemon = RECS.model_copy(update={"kind": "DaemonSet", "name": "node-agent", "labels": ["node-agent"]})
    refusal = scale_out(find_target("node-agent", IncidentContext(), _evidence(daemon)))
    assert isinstance(refusal, Refusal) and "DaemonSet" in refusal.note


def _restore(change, service="checkout-api", context=CONTEXT, evidence=None):
    evidence = evidence or _evidence(logs={service: 10})
    return restore(change, find_target(service, context, evidence), context, evidence, service=service)


def test_config_env_names_the_variable():
    fix = _restore(ConfigValueChange(file="src/config.ts", key="paymentTimeout", before="5000", after="500"))
    assert fix.command == "kubectl set env deployment/checkout PAYMENT_TIMEOUT=5000 -n shop"
    assert [p.role for p in fix.parts] == ["workload", "namespace", "variable", "value"]


def test_a_placeholder_value_names_its_variable_and_default():
    change = ConfigValueChange(file="src/main/resources/application.yaml", key="spring.datasource.hikari.maximum-pool-size",
                               before="${DB_POOL_SIZE:10}", after="${DB_POOL_SIZE:80}")
    fix = _restore(change, service="orders-api", context=IncidentContext())
    assert fix.command == "kubectl set env deployment/orders-api DB_POOL_SIZE=10"


@pytest.mark.parametrize("names,verdict", [
    (["PAYMENT_TIMEOUT"], "PAYMENT_TIMEOUT"),
    (["CHECKOUT_PAYMENT_TIMEOUT_MS"], "CHECKOUT_PAYMENT_TIMEOUT_MS"),
    (["PAYMENT_TIMEOUT", "CHECKOUT_PAYMENT_TIMEOUT_MS"], "PAYMENT_TIMEOUT"),   # the exact spelling wins
    (["A_PAYMENT_TIMEOUT", "B_PAYMENT_TIMEOUT"], "several environment variables could set paymentTimeout"),
    (["TIMEOUT", "PAYMENT_URL"], "no environment variable is known to set paymentTimeout"),
])
def test_code_that_reads_a_variable_grounds_it_and_two_candidates_ground_none(names, verdict):
    env = [EnvReference(name=n, file="src/env.ts", line=i + 1, shape="process.env", owner="cart-api") for i, n in enumerate(names)]
    change = ConfigValueChange(file="src/config.ts", key="paymentTimeout", before="5000", after="500")
    fix = _restore(change, service="cart-api", context=IncidentContext(), evidence=_evidence(env=env, logs={"cart-api": 1}))
    if isinstance(fix, Grounded):
        assert fix.command == f"kubectl set env deployment/cart-api {verdict}=5000"
    else:
        assert fix.note.startswith(verdict)


def test_another_services_variable_grounds_nothing():
    env = [EnvReference(name="PAYMENT_TIMEOUT", file="services/billing/env.ts", line=1, shape="process.env", owner="billing")]
    change = ConfigValueChange(file="src/config.ts", key="paymentTimeout", before="5000", after="500")
    fix = _restore(change, service="cart-api", context=IncidentContext(), evidence=_evidence(env=env, logs={"cart-api": 1}))
    assert isinstance(fix, Refusal)


def test_an_expression_is_no_value_for_a_variable():
    change = ConfigValueChange(file="config.go", key="paymentTimeout", before="5 * time.Second", after="500 * time.Millisecond")
    fix = _restore(change)
    assert isinstance(fix, Refusal) and "is not one an environment variable holds" in fix.note


def test_a_resource_limit_is_set_resources_never_set_env():
    place = ManifestPlace(system="kubernetes", owner="adservice", kind="Deployment", namespace="ads", container="server",
                          setting="resources", resource="requests.memory", restore="64Mi")
    change = ConfigValueChange(file="k8s/adservice.yaml", key="spec.template.spec.containers.server.resources.requests.memory",
                               before="64Mi", after="16Mi", line=30, place=place)
    fix = _restore(change, service="adservice", context=IncidentContext())
    assert fix.command == "kubectl set resources deployment/adservice -c server --requests=memory=64Mi -n ads"
    assert {p.role: p.name for p in fix.parts} == {"workload": "deployment/adservice", "namespace": "ads",
                                                   "container": "server", "resource": "requests.memory", "value": "64Mi"}


def test_a_configmap_entry_is_patched_back():
    place = ManifestPlace(system="kubernetes", owner="flags", kind="ConfigMap", namespace="shop", setting="data",
                          variable="new-checkout", restore="false")
    change = ConfigValueChange(file="k8s/flags.yaml", key="data.new-checkout", before="false", after="true", line=7, place=place)
    fix = _restore(change, service="ghost", context=IncidentContext())
    assert fix.command == """kubectl patch configmap/flags --type merge -p '{"data":{"new-checkout":"false"}}' -n shop"""


def test_a_flag_the_code_reads_and_the_change_added_is_switched_to_its_opposite():
    env = [EnvReference(name="NEW_PRICING_ENABLED", file="app/flags.py", line=3, shape="os.environ", owner=None)]
    change = ConfigValueChange(file="app/flags.yaml", key="newPricingEnabled", before=None, after="true")
    fix = _restore(change, service="pricing", context=IncidentContext(), evidence=_evidence(env=env, logs={"pricing": 5}))
    assert fix.command == "kubectl set env deployment/pricing NEW_PRICING_ENABLED=false"
    assert fix.parts[-1].source == "the opposite of the true the change set"


def test_names_are_quoted_for_the_shell():
    context = IncidentContext.model_validate({"services": {"api": {"deployment": "api;rm -rf /", "namespace": "a b"}}})
    target = find_target("api", context, _evidence())
    assert rollout_undo(target).command == "kubectl rollout undo 'deployment/api;rm -rf /' -n 'a b'"


def test_a_revert_names_the_commit_by_its_history():
    from support.scans import T0, commit

    grounded = git_revert(commit("d", "fix: x", T0, ["api"]))
    assert grounded.command == f"git revert --no-edit {'d' * 40}" and grounded.parts[0].source == 'git history: "fix: x"'


def test_a_manifests_own_field_is_set_back_by_no_variable():
    place = ManifestPlace(system="kubernetes", owner="api", kind="Deployment", setting="other")
    change = ConfigValueChange(file="k8s/api.yaml", key="spec.template.spec.containers.api.readinessProbe.timeoutSeconds",
                               before="5", after="1", line=20, place=place)
    env = [EnvReference(name="PROBE_TIMEOUT_SECONDS", file="src/env.ts", line=1, shape="process.env", owner=None)]
    fix = _restore(change, service="api", context=IncidentContext(), evidence=_evidence(env=env, logs={"api": 1}))
    assert isinstance(fix, Refusal) and "only a deploy changes it back" in fix.note


FLAGS = IncidentContext.model_validate({"services": {
    "media-api": {"namespace": "shop", "config_env": {"feature_edge_cache": "FEATURE_EDGE_CACHE"}},
    "inventory-gateway": {"deployment": "inventory-gateway-v2", "config_env": {"featureEdgeCache": "EDGE_CACHE_ON"}},
}})


@pytest.mark.parametrize(("service", "change", "command"), [
    ("media-api", ConfigValueChange(file="services/media-api/config.toml", key="service.feature_edge_cache",
                                    before="false", after="true", line=7),
     "kubectl set env deployment/media-api FEATURE_EDGE_CACHE=false -n shop"),
    ("inventory-gateway", ConfigValueChange(file="charts/inventory-gateway/values.yaml", key="config.featureEdgeCache",
                                            before="false", after="true", line=9,
                                            place=ManifestPlace(system="helm", owner="inventory-gateway", setting="other")),
     "kubectl set env deployment/inventory-gateway-v2 EDGE_CACHE_ON=false"),
], ids=["toml-section", "helm-values"])
def test_config_env_names_a_nested_key_by_the_name_the_team_gives_it(service, change, command):
    """A team writes the setting's own name (`feature_edge_cache`), the file nests it (`[service]`, `config:`)."""
    fix = _restore(change, service=service, context=FLAGS)
    assert isinstance(fix, Grounded) and fix.command == command
    variable = next(p for p in fix.parts if p.role == "variable")
    assert variable.source.startswith(f"incident-context.yaml: services.{service}.config_env.")


def test_config_env_for_a_key_of_another_name_grounds_nothing():
    change = ConfigValueChange(file="services/media-api/config.toml", key="service.feature_smart_ranking",
                               before="false", after="true", line=8)
    fix = _restore(change, service="media-api", context=FLAGS)
    assert isinstance(fix, Refusal) and "no environment variable is known" in fix.note


@pytest.mark.parametrize("file", ["services/inventory-gateway/.env", "deploy/production.env", "config/.env.production"])
def test_a_dotenv_file_names_the_variable_it_assigns(file):
    """A dotenv file is environment variables by definition; one set on the workload overrides the file's."""
    change = ConfigValueChange(file=file, key="FEATURE_V2_SERIALIZER", before="false", after="true", line=6)
    fix = _restore(change, service="search-api", context=CONTEXT)
    assert isinstance(fix, Grounded) and fix.command == "kubectl set env deployment/search-api FEATURE_V2_SERIALIZER=false"
    assert next(p for p in fix.parts if p.role == "variable").source == f"{file}:6: sets FEATURE_V2_SERIALIZER (dotenv file)"


@pytest.mark.parametrize("file", ["src/environment.ts", "services/api/env.yaml", "services/api/settings.py"])
def test_an_upper_case_key_outside_a_dotenv_file_is_no_variable_by_itself(file):
    change = ConfigValueChange(file=file, key="FEATURE_V2_SERIALIZER", before="false", after="true", line=6)
    assert isinstance(_restore(change, service="search-api", context=CONTEXT), Refusal)


def test_a_compose_services_change_is_reverted_and_its_service_recreated():
    from datetime import UTC, datetime

    from support.scans import commit

    from wicked_platform.tools.analysis.commands import git_revert
    from wicked_platform.tools.changes.models import ConfigValueChange, ManifestPlace

    cap = commit("r", "chore: Cap redis memory", datetime(2024, 6, 11, 9, 46, tzinfo=UTC), ["redis"],
                 files=["deploy/docker-compose.yml"])
    flag = ConfigValueChange(file="deploy/docker-compose.yml", key="services.redis.command.maxmemory", before="2gb",
                             after="256mb", line=4,
                             place=ManifestPlace(system="compose", owner="redis", kind=None, setting="other"))
    grounded = git_revert(cap, flag)
    assert grounded.command == f"git revert --no-edit {cap.sha} && docker compose -f deploy/docker-compose.yml up -d redis"
    assert [(p.role, p.name) for p in grounded.parts] == [("commit", cap.sha), ("workload", "redis")]
    assert git_revert(cap).command == f"git revert --no-edit {cap.sha}"  # a value in code: the revert alone


def test_a_workload_is_declared_only_by_kubernetes_evidence():
    # What a compose change's revert needs to know: whether anything says the service runs on Kubernetes at all.
    assert find_target("checkout-api", CONTEXT, _evidence()).declared  # the context's deployment
    assert find_target("recs-api", IncidentContext(), _evidence(RECS)).declared  # a manifest
    argo = CommandEvidence(log_services={"cart-api": 3}, deploy_sources={"cart-api": "a argocd deploy record: cart-api v3"},
                           kubernetes_deploys=["cart-api"])
    assert find_target("cart-api", IncidentContext(), argo).declared
    # Only the contract's default name: the logs, a deploys-file record, a context entry without `deployment`.
    assert not find_target("cart-api", IncidentContext(), _evidence(logs={"cart-api": 12})).declared
    assert not find_target("cart-api", IncidentContext(), _evidence(deploys={"cart-api": "a deploys-file deploy record"})).declared
    assert not find_target("search-api", CONTEXT, _evidence()).declared
