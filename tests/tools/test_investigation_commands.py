"""Issue #17, end to end on real git repositories: commands every name of which is grounded, decisions that
know which way a setting moved, and changes attributed to the service their file's structure names.

Each defect is checked on shapes the fix was not written from: a Java field and a Python dataclass field no
environment variable sets; a compose memory limit, a Kubernetes cpu limit and a Helm chart's limit; a timeout
raised against timeouts, a pool raised against pool exhaustion, memory raised against OOM; compose, Helm, kustomize and
Terraform attribution; a cascade told by the errors naming their dependency, with and without the upstream's
own errors rising.
"""

import pytest
from support.git_repos import GitRepo
from support.incidents import at, before, deploy, errors, investigate, noise, traffic

def _repo(tmp_path, files: dict[str, str]) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("Initial import", {"README.md": "# shop\n", **files}, at=before(days=20))
    return repo


def _no_command_sets_env(report) -> None:
    decision = report.rollback_decision
    assert "set env" not in (decision.command or "") and "set env" not in (decision.alternative or "")


# Commands nobody can run --------------------------------------------------------------------------------

JAVA_CONFIG = """package com.shop.pay;

public class PaymentConfig {
    private int connectTimeoutMs = %s;
    private boolean idempotent = true;
}
"""


def test_a_java_field_no_environment_variable_sets_gets_no_set_env(tmp_path):
    path = "services/payment-service/src/main/java/com/shop/pay/PaymentConfig.java"
    repo = _repo(tmp_path, {path: JAVA_CONFIG % 5000})
    sha = repo.commit("perf(payment-service): Fail fast on slow card networks", {path: JAVA_CONFIG % 500},
                      at=at(20), tag="payment-service-v3.1.0")
    report = investigate(repo, [*traffic("payment-service"), *noise("payment-service"),
                                *deploy("payment-service", "v3.1.0", 24),
                                *errors("payment-service", 27, "Charge CH-{n} failed: connect timed out after 500 ms")],
                         context={"services": {"payment-service": {"namespace": "payments"}}})
    decision = report.rollback_decision
    assert report.root_cause.change.key == "connectTimeoutMs"
    assert decision.recommendation == "ROLLBACK"
    assert decision.command == "kubectl rollout undo deployment/payment-service -n payments"
    assert decision.alternative == f"git revert --no-edit {sha}"
    _no_command_sets_env(report)
    assert any("no environment variable is known to set connectTimeoutMs" in n and "CONNECT_TIMEOUT_MS" in n
               for n in decision.notes)


PY_SETTINGS = """from dataclasses import dataclass


@dataclass(frozen=True)
class RetrySettings:
    attempts: int = 3
    backoff_seconds: float = 0.5
    timeout_seconds: float = %s
"""


def test_a_python_dataclass_field_is_not_set_through_another_services_variable(tmp_path):
    """billing reads TIMEOUT_SECONDS from its environment; orders-api's dataclass field is no variable of its own."""
    path = "services/orders-api/orders/settings.py"
    repo = _repo(tmp_path, {path: PY_SETTINGS % "30.0",
                            "services/billing/app.py": "import os\n\nTIMEOUT = float(os.environ[\"TIMEOUT_SECONDS\"])\n"})
    sha = repo.commit("perf(orders-api): Give up on inventory sooner", {path: PY_SETTINGS % "3.0"}, at=at(20),
                      tag="orders-api-v1.9.0")
    report = investigate(repo, [*traffic("orders-api"), *noise("orders-api"), *deploy("orders-api", "v1.9.0", 24),
                                *errors("orders-api", 27, "Order ORD-{n}: inventory call timed out after 3.0s")])
    decision = report.rollback_decision
    assert report.root_cause.change.key == "RetrySettings.timeout_seconds" or report.root_cause.change.key.endswith("timeout_seconds")
    assert decision.command == "kubectl rollout undo deployment/orders-api"
    assert decision.alternative == f"git revert --no-edit {sha}"
    _no_command_sets_env(report)
    assert decision.command_parts[0].source == "a deploy event in the logs: orders-api v1.9.0" or \
        decision.command_parts[0].source.startswith("the logs: ")


GO_POOL = """package db

import (
	"os"
	"strconv"
)

type Config struct {
	MaxOpenConns int
	MaxIdleConns int
}

func Default() Config {
	return Config{
		MaxOpenConns: %s,
		MaxIdleConns: 5,
	}
}

// FromEnv lets operators override the pool without a release.
func FromEnv(c Config) Config {
	if v, err := strconv.Atoi(os.Getenv("DB_MAX_OPEN_CONNS")); err == nil {
		c.MaxOpenConns = v
	}
	return c
}
"""


def test_a_variable_the_code_reads_is_grounded_by_that_line(tmp_path):
    path = "services/payments-api/internal/db/config.go"
    repo = _repo(tmp_path, {path: GO_POOL % 20})
    repo.commit("perf(payments-api): Raise DB connection pool for peak traffic", {path: GO_POOL % 200}, at=at(20),
                tag="payments-api-v5.4.0")
    report = investigate(repo, [*traffic("payments-api"), *noise("payments-api"), *deploy("payments-api", "v5.4.0", 24),
                                *errors("payments-api", 27, "authorization PAY-{n} failed: pq: sorry, too many clients already")])
    decision = report.rollback_decision
    assert decision.recommendation == "ROLLBACK"  # a client pool raised against a server's limit is the cause
    assert decision.alternative == "kubectl set env deployment/payments-api DB_MAX_OPEN_CONNS=20"
    variable = next(p for p in decision.alternative_parts if p.role == "variable")
    assert variable.source == f"{path}:22: reads DB_MAX_OPEN_CONNS (os.Getenv)"


TS_CONFIG = "export const config = {\n  paymentTimeout: %s,\n  retryAttempts: 3,\n};\n"
TS_ENV = "export const overrides = {\n  paymentTimeout: Number(process.env.CHECKOUT_PAYMENT_TIMEOUT_MS ?? 0),\n};\n"


def test_a_prefixed_variable_with_a_unit_is_found_in_the_services_own_code(tmp_path):
    repo = _repo(tmp_path, {"services/checkout-api/src/config.ts": TS_CONFIG % 5000,
                            "services/checkout-api/src/overrides.ts": TS_ENV})
    repo.commit("perf(checkout-api): Optimize timeout settings", {"services/checkout-api/src/config.ts": TS_CONFIG % 500},
                at=at(20), tag="checkout-api-v2.4.1")
    report = investigate(repo, [*traffic("checkout-api"), *noise("checkout-api"), *deploy("checkout-api", "v2.4.1", 24),
                                *errors("checkout-api", 27, "Payment timeout for order ORD-{n}")])
    assert report.rollback_decision.alternative == "kubectl set env deployment/checkout-api CHECKOUT_PAYMENT_TIMEOUT_MS=5000"


ADSERVICE = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: adservice
  labels:
    app: adservice
spec:
  selector:
    matchLabels:
      app: adservice
  template:
    spec:
      containers:
      - name: server
        image: adservice
        env:
        - name: PORT
          value: "9555"
        resources:
          requests:
            cpu: 200m
            memory: 180Mi
          limits:
            cpu: %s
            memory: 300Mi
---
apiVersion: v1
kind: Service
metadata:
  name: adservice
spec:
  ports:
  - port: 9555
"""


def test_a_kubernetes_cpu_limit_is_set_back_with_set_resources(tmp_path):
    repo = _repo(tmp_path, {"kubernetes-manifests/adservice.yaml": ADSERVICE % "300m"})
    repo.commit("chore(adservice): Right-size cpu", {"kubernetes-manifests/adservice.yaml": ADSERVICE % "30m"},
                at=at(20), tag="adservice-v0.9.1")
    report = investigate(repo, [*traffic("adservice"), *noise("adservice"), *deploy("adservice", "v0.9.1", 24),
                                *errors("adservice", 27, "GetAds for ctx {n} failed: context deadline exceeded")])
    decision = report.rollback_decision
    assert report.root_cause.change.place.owner == "adservice"
    assert decision.command == "kubectl rollout undo deployment/adservice"
    assert decision.alternative == "kubectl set resources deployment/adservice -c server --limits=cpu=300m"
    _no_command_sets_env(report)
    sources = {p.role: p.source for p in decision.alternative_parts}
    assert sources["workload"] == "kubernetes-manifests/adservice.yaml: Deployment metadata.name"
    assert sources["container"].startswith("kubernetes-manifests/adservice.yaml:")


COMPOSE = """services:
  prometheus:
    image: prom/prometheus:v2.53.0
    deploy:
      resources:
        limits:
          memory: %s
  grafana:
    image: grafana/grafana:11.1.0
"""
PACKAGE = '{\n  "name": "ops-console",\n  "devDependencies": {\n    "jest": "%s"\n  }\n}\n'


def test_a_compose_memory_limit_is_its_services_change_not_a_devdependency_bump(tmp_path):
    """Seen in the field: the compose change was no one's, a devDependency bump 112 h earlier was blamed and
    `kubectl scale` printed for another service."""
    repo = _repo(tmp_path, {"docker-compose.yml": COMPOSE % "2g", "package.json": PACKAGE % "^29.6.0"})
    repo.commit("chore: Bump jest", {"package.json": PACKAGE % "^29.7.0"}, at=at(-112 * 60))
    sha = repo.commit("chore(monitoring): Trim memory", {"docker-compose.yml": COMPOSE % "256m"}, at=at(15))
    report = investigate(repo, [*traffic("prometheus"), *traffic("grafana"), *noise("grafana"),
                                *errors("prometheus", 20, "fatal error: runtime: out of memory (goroutine {n})", every_s=6),
                                *errors("grafana", 21, "Query error: Post \"http://prometheus:9090/api/v1/query\": EOF")])
    assert report.root_cause.service == "prometheus"
    assert report.root_cause.file == "docker-compose.yml" and report.root_cause.commit == sha
    decision = report.rollback_decision
    assert decision.recommendation == "ROLLBACK"
    # Nothing declares a Kubernetes workload for prometheus: compose runs it, and recreates it from the reverted file.
    assert decision.command == f"git revert --no-edit {sha} && docker compose -f docker-compose.yml up -d prometheus"
    assert decision.alternative is None
    assert report.blast_radius.direct == ["prometheus"] and "grafana" in report.blast_radius.cascade


def test_a_compose_change_to_a_service_declared_on_kubernetes_is_set_back_with_kubectl(tmp_path):
    # The same change, where the context says prometheus runs as a Kubernetes deployment (compose is then the
    # developers' copy of it): the revert alone, and the limit set back on the deployment as the alternative.
    repo = _repo(tmp_path, {"docker-compose.yml": COMPOSE % "2g"})
    sha = repo.commit("chore(monitoring): Trim memory", {"docker-compose.yml": COMPOSE % "256m"}, at=at(15))
    report = investigate(repo, [*traffic("prometheus"), *traffic("grafana"), *noise("grafana"),
                                *errors("prometheus", 20, "fatal error: runtime: out of memory (goroutine {n})", every_s=6)],
                         context={"services": {"prometheus": {"deployment": "prometheus", "namespace": "monitoring"}}})
    decision = report.rollback_decision
    assert decision.command == f"git revert --no-edit {sha}"
    assert decision.alternative == "kubectl set resources deployment/prometheus --limits=memory=2Gi -n monitoring"


CHART_VALUES = "replicaCount: 3\nimage:\n  tag: 2.4.0\nresources:\n  limits:\n    memory: %s\n"


def test_a_helm_charts_limit_belongs_to_its_chart(tmp_path):
    repo = _repo(tmp_path, {"charts/checkout-api/values.yaml": CHART_VALUES % "512Mi",
                            "charts/checkout-api/Chart.yaml": "apiVersion: v2\nname: checkout-api\nversion: 1.0.0\n"})
    sha = repo.commit("chore: Lower memory limits", {"charts/checkout-api/values.yaml": CHART_VALUES % "128Mi"}, at=at(15))
    report = investigate(repo, [*traffic("checkout-api"), *noise("checkout-api"),
                                *errors("checkout-api", 20, "OOMKilled: container checkout-api exceeded its memory limit")],
                         context={"services": {"checkout-api": {"namespace": "shop"}}})
    assert report.root_cause.service == "checkout-api" and report.root_cause.commit == sha
    assert report.rollback_decision.alternative == "kubectl set resources deployment/checkout-api --limits=memory=512Mi -n shop"


KUSTOMIZATION = """resources:
  - ../../base
replicas:
  - name: orders-api
    count: %s
"""


def test_a_kustomize_replica_count_is_set_back_with_kubectl_scale(tmp_path):
    repo = _repo(tmp_path, {"deploy/overlays/prod/kustomization.yaml": KUSTOMIZATION % 6})
    repo.commit("chore(deploy): Save on nodes at night", {"deploy/overlays/prod/kustomization.yaml": KUSTOMIZATION % 1},
                at=at(15))
    report = investigate(repo, [*traffic("orders-api"), *noise("orders-api"),
                                *errors("orders-api", 20, "503 Service Unavailable: request queue full ({n} waiting)")])
    assert report.root_cause.service == "orders-api"
    assert report.rollback_decision.alternative == "kubectl scale deployment/orders-api --replicas=6"


# DISABLE_FEATURE always has a command ----------------------------------------------------------------------

CHECKOUT_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/checkout-api:2.0.0
          env:
            - name: PORT
              value: "8080"
%s"""
NEW_FLOW = """            - name: ENABLE_NEW_CHECKOUT_FLOW
              value: "true"
"""


def test_a_flag_added_as_a_manifests_env_entry_is_switched_off_by_unsetting_it(tmp_path):
    """Seen in the field: DISABLE_FEATURE with `command: null`, its "flag" the env entry's `name` field."""
    repo = _repo(tmp_path, {"k8s/checkout-api.yaml": CHECKOUT_DEPLOYMENT % ""})
    repo.commit("feat(checkout-api): Turn on the new checkout flow", {"k8s/checkout-api.yaml": CHECKOUT_DEPLOYMENT % NEW_FLOW},
                at=at(20), tag="checkout-api-v2.1.0")
    report = investigate(repo, [*traffic("checkout-api"), *noise("checkout-api"), *deploy("checkout-api", "v2.1.0", 24),
                                *errors("checkout-api", 27, "NewCheckoutFlow failed for cart C-{n}: no shipping quote")])
    decision = report.rollback_decision
    assert report.root_cause.change.key.endswith("env.ENABLE_NEW_CHECKOUT_FLOW.value")
    assert decision.recommendation == "DISABLE_FEATURE"
    assert decision.command == "kubectl set env deployment/checkout-api -c app ENABLE_NEW_CHECKOUT_FLOW- -n shop"
    assert decision.alternative == "kubectl rollout undo deployment/checkout-api -n shop"


COMPOSE_FLAGS = """services:
  cart-api:
    image: registry.example.com/cart-api:3.2.0
    environment:
      CART_TTL_SECONDS: "3600"
      FEATURE_BUNDLE_PRICING: "%s"
"""


def test_a_flag_in_a_compose_environment_is_switched_back_to_its_old_value(tmp_path):
    repo = _repo(tmp_path, {"docker-compose.yml": COMPOSE_FLAGS % "false"})
    repo.commit("feat(cart-api): Bundle pricing for everyone", {"docker-compose.yml": COMPOSE_FLAGS % "true"}, at=at(20),
                tag="cart-api-v3.2.1")
    report = investigate(repo, [*traffic("cart-api"), *noise("cart-api"), *deploy("cart-api", "v3.2.1", 24),
                                *errors("cart-api", 27, "BundlePricer failed for cart C-{n}: no price for BNDL-7")],
                         context={"services": {"cart-api": {"namespace": "shop"}}})
    decision = report.rollback_decision
    assert decision.recommendation == "DISABLE_FEATURE"
    assert decision.command == "kubectl set env deployment/cart-api FEATURE_BUNDLE_PRICING=false -n shop"
    assert [p.source for p in decision.command_parts if p.role == "variable"] == ["docker-compose.yml:6: compose env"]


# Direction ------------------------------------------------------------------------------------------------------

TS_SEARCH = "export const config = {\n  upstreamTimeoutMs: %s,\n  maxResults: 50,\n};\n"
PY_DB = "POOL_SIZE = %s\nMAX_OVERFLOW = 10\nPOOL_RECYCLE_SECONDS = 1800\n"


@pytest.mark.parametrize("path,before_text,after_text,message", [
    ("services/search-api/src/config.ts", TS_SEARCH % 2000, TS_SEARCH % 10000,
     "Search request S-{n} timed out after 10000 ms waiting for the index"),
    ("services/search-api/search/db.py", PY_DB % 10, PY_DB % 40,
     "QueuePool limit of size 40 overflow 10 reached, connection timed out, timeout 30.00"),
], ids=["timeout-raised-against-timeouts", "pool-raised-against-pool-exhaustion"])
def test_a_raised_limit_is_never_reverted_for_the_symptom_it_eases(tmp_path, path, before_text, after_text, message):
    repo = _repo(tmp_path, {path: before_text})
    repo.commit("perf(search-api): More headroom", {path: after_text}, at=at(20), tag="search-api-v4.3.0")
    report = investigate(repo, [*traffic("search-api"), *noise("search-api"), *deploy("search-api", "v4.3.0", 24),
                                *errors("search-api", 27, message)])
    decision = report.rollback_decision
    assert report.root_cause is None
    assert decision.recommendation != "ROLLBACK"
    assert "revert" not in (decision.alternative or "") and "undo" not in (decision.command or "")
    assert any("was raised from" in n for n in decision.notes)
    assert any("it was raised, and more" in e for h in report.hypotheses for e in h.evidence)


RECS_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: recs-api
  namespace: personalization
spec:
  replicas: 4
  template:
    spec:
      containers:
        - name: recs-api
          image: registry.example.com/recs-api:2.7.3
          resources:
            limits:
              memory: %s
"""


@pytest.mark.parametrize("path,before_text,after_text,service,deployed", [
    ("services/recs-api/deploy/deployment.yaml", RECS_DEPLOYMENT % "1Gi", RECS_DEPLOYMENT % "2Gi", "recs-api", True),
    ("docker-compose.yml", COMPOSE % "512m", COMPOSE % "2g", "prometheus", False),
], ids=["kubernetes-limit", "compose-limit"])
def test_memory_raised_against_out_of_memory_errors_scales_instead_of_reverting(tmp_path, path, before_text, after_text,
                                                                                service, deployed):
    """Seen in the field: reverting a memory increase was recommended for an OutOfMemoryError."""
    repo = _repo(tmp_path, {path: before_text})
    repo.commit(f"chore({service}): More memory", {path: after_text}, at=at(15), tag=f"{service}-v2.8.0")
    report = investigate(repo, [*traffic(service), *noise(service), *(deploy(service, "v2.8.0", 17) if deployed else []),
                                *errors(service, 20, "Request failed: java.lang.OutOfMemoryError: Java heap space", every_s=6)])
    decision = report.rollback_decision
    assert report.root_cause is None
    assert decision.recommendation == "SCALE"
    assert decision.command.startswith(f"kubectl scale deployment/{service}")
    assert "set resources" not in (decision.alternative or "") and "revert" not in (decision.alternative or "")
    assert any("memory was raised from" in n for n in decision.notes)


# Cascades -----------------------------------------------------------------------------------------------------

FLAGS = "bundle_badges: %s\nsaved_carts: true\n"


def test_the_upstream_whose_own_deploy_slowed_it_is_the_cause_not_the_callers_flag(tmp_path):
    """Seen in the field: in a cascade, the downstream service's flag change was blamed. No depends_on here:
    cart-api's errors name inventory-service, whose slow queries began first."""
    repo = _repo(tmp_path, {"services/cart-api/config/flags.yaml": FLAGS % "false",
                            "services/inventory-service/stock/query.py": "STOCK_SQL = 'SELECT sku, on_hand FROM stock'\n"})
    slow = repo.commit("perf(inventory-service): Subtract open reservations", {
        "services/inventory-service/stock/query.py":
            "STOCK_SQL = 'SELECT s.sku, s.on_hand - SUM(r.qty) FROM stock s LEFT JOIN reservations r USING (sku)'\n"},
        at=at(18), tag="inventory-service-v2.7.0")
    repo.commit("feat(cart-api): Show bundle badges", {"services/cart-api/config/flags.yaml": FLAGS % "true"}, at=at(19),
                tag="cart-api-v1.8.0")
    report = investigate(repo, [
        *traffic("inventory-service"), *traffic("cart-api"), *noise("cart-api"),
        *deploy("inventory-service", "v2.7.0", 20), *deploy("cart-api", "v1.8.0", 22),
        *errors("inventory-service", 21.5, "Slow query ({n} ms): SELECT s.sku FROM stock s LEFT JOIN reservations r",
                every_s=5, level="WARN"),
        *errors("cart-api", 24, "Timeout calling inventory-service GET /v1/stock after 2000ms for cart CART-{n}"),
    ])
    assert report.blast_radius.direct == ["inventory-service"]
    assert "cart-api" in report.blast_radius.cascade
    assert report.root_cause.service == "inventory-service" and report.root_cause.commit == slow
    assert report.rollback_decision.command == "kubectl rollout undo deployment/inventory-service"


CHECKOUT_RETRY = "export const retry = {\n  attempts: %s,\n  backoffMs: 200,\n};\n"


def test_of_two_failing_services_the_one_the_other_names_and_that_failed_first_is_the_cause(tmp_path):
    repo = _repo(tmp_path, {"services/checkout-api/src/retry.ts": CHECKOUT_RETRY % 3,
                            "services/payments-api/src/charge.ts": "export const provider = 'stripe';\n"})
    repo.commit("fix(payments-api): Idempotency keys per charge",
                {"services/payments-api/src/charge.ts": "export const provider = 'stripe';\nexport const keyed = true;\n"},
                at=at(17), tag="payments-api-v7.0.1")
    repo.commit("perf(checkout-api): Fewer retries", {"services/checkout-api/src/retry.ts": CHECKOUT_RETRY % 1}, at=at(18),
                tag="checkout-api-v4.2.0")
    report = investigate(repo, [
        *traffic("payments-api"), *traffic("checkout-api"), *noise("payments-api"), *noise("checkout-api"),
        *deploy("payments-api", "v7.0.1", 20), *deploy("checkout-api", "v4.2.0", 20.5),
        *errors("payments-api", 22, "charge CH-{n} failed: duplicate idempotency key"),
        *errors("checkout-api", 22.1, "POST http://payments-api:8080/v1/charges failed: 502 for order ORD-{n}"),
    ])
    assert report.blast_radius.direct == ["payments-api"] and report.blast_radius.cascade == ["checkout-api"]
    assert report.root_cause.service == "payments-api"
    assert report.rollback_decision.command == "kubectl rollout undo deployment/payments-api"



TERRAFORM = """resource "kubernetes_deployment_v1" "checkout" {
  metadata {
    name      = "checkout-api"
    namespace = "shop"
  }
  spec {
    replicas = 3
    template {
      spec {
        container {
          name = "app"
          resources {
            limits = {
              memory = "%s"
            }
          }
        }
      }
    }
  }
}
"""


def test_a_terraform_kubernetes_resource_is_its_workloads_change(tmp_path):
    repo = _repo(tmp_path, {"infra/main.tf": TERRAFORM % "512Mi"})
    sha = repo.commit("infra: Tighten limits", {"infra/main.tf": TERRAFORM % "96Mi"}, at=at(15))
    report = investigate(repo, [*traffic("checkout-api"), *noise("checkout-api"),
                                *errors("checkout-api", 20, "OOMKilled: container app exceeded its memory limit")])
    assert report.root_cause.service == "checkout-api" and report.root_cause.commit == sha
    decision = report.rollback_decision
    assert decision.command == f"git revert --no-edit {sha}"
    assert decision.alternative == "kubectl set resources deployment/checkout-api -c app --limits=memory=512Mi -n shop"
