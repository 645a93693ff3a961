"""Deployment files read by structure: whose value changed and what kind of setting it is."""

import pytest

from wicked_platform.tools.changes.config_values import config_changes
from wicked_platform.tools.changes.manifests import compose_memory, manifest_env, workloads_in

TWO_DEPLOYMENTS = """apiVersion: v1
kind: ConfigMap
metadata:
  name: checkout-flags
  namespace: shop
data:
  new_checkout: "false"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart-api
  namespace: shop
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: app
          env:
            - name: CART_TTL
              value: "3600"
            - name: DB_PASSWORD
              value: "hunter2"
          resources:
            limits:
              memory: 512Mi
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cart-cache
  namespace: shop
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: redis
          resources:
            limits:
              memory: 512Mi
"""


def _places(path, before, after):
    return {c.key: c.place for c in config_changes(path, before, after)}


def test_each_value_is_placed_in_its_own_document():
    after = TWO_DEPLOYMENTS.replace('"false"', '"true"').replace("replicas: 3\n  template:\n    spec:\n      containers:\n"
                                                                 "        - name: redis", "replicas: 1\n  template:\n    spec:\n"
                                                                 "      containers:\n        - name: redis")
    after = after.replace("memory: 512Mi\n---", "memory: 256Mi\n---").replace('value: "3600"', 'value: "60"')
    places = _places("k8s/cart.yaml", TWO_DEPLOYMENTS, after)
    assert places["data.new_checkout"].model_dump(exclude_none=True) == {
        "system": "kubernetes", "owner": "checkout-flags", "kind": "ConfigMap", "namespace": "shop", "setting": "data",
        "variable": "new_checkout", "restore": "false"}
    replicas = places["spec.replicas"]
    assert (replicas.owner, replicas.kind, replicas.restore) == ("cart-cache", "StatefulSet", "3")
    memory = places["spec.template.spec.containers.app.resources.limits.memory"]
    assert (memory.owner, memory.container, memory.setting, memory.resource, memory.restore) == (
        "cart-api", "app", "resources", "limits.memory", "512Mi")
    env = places["spec.template.spec.containers.app.env.CART_TTL.value"]
    assert (env.setting, env.variable, env.restore) == ("env", "CART_TTL", "3600")


def test_a_secrets_old_value_is_never_kept_for_a_command():
    after = TWO_DEPLOYMENTS.replace('"hunter2"', '"hunter3"')
    place = _places("k8s/cart.yaml", TWO_DEPLOYMENTS, after)["spec.template.spec.containers.app.env.DB_PASSWORD.value"]
    assert place.variable == "DB_PASSWORD" and place.restore is None


def test_a_removed_value_is_placed_from_the_old_text():
    after = TWO_DEPLOYMENTS.replace('            - name: CART_TTL\n              value: "3600"\n', "")
    place = _places("k8s/cart.yaml", TWO_DEPLOYMENTS, after)["spec.template.spec.containers.app.env.CART_TTL.value"]
    assert (place.owner, place.variable, place.restore) == ("cart-api", "CART_TTL", "3600")


COMPOSE = """services:
  api:
    image: registry.example.com/api:1.0
    environment:
      - LOG_LEVEL=info
      - WORKERS=4
    mem_limit: 1g
    cpus: "2"
    deploy:
      replicas: 3
      resources:
        reservations:
          memory: 256m
"""


@pytest.mark.parametrize("old,new,key,expected", [
    ("WORKERS=4", "WORKERS=1", "services.api.environment.1", ("env", "WORKERS", None, "4")),
    ("mem_limit: 1g", "mem_limit: 128m", "services.api.mem_limit", ("resources", None, "limits.memory", "1Gi")),
    ('cpus: "2"', 'cpus: "0.25"', "services.api.cpus", ("resources", None, "limits.cpu", "2")),
    ("memory: 256m", "memory: 64m", "services.api.deploy.resources.reservations.memory",
     ("resources", None, "requests.memory", "256Mi")),
    ("replicas: 3", "replicas: 1", "services.api.deploy.replicas", ("replicas", None, None, "3")),
])
def test_compose_settings_are_read_as_kubernetes_would_take_them(old, new, key, expected):
    place = _places("deploy/docker-compose.prod.yml", COMPOSE, COMPOSE.replace(old, new))[key]
    assert place.system == "compose" and place.owner == "api"
    assert (place.setting, place.variable, place.resource, place.restore) == expected


def test_a_compose_file_is_known_by_its_services_whatever_its_name():
    place = _places("stack.yml", COMPOSE, COMPOSE.replace("replicas: 3", "replicas: 2"))["services.api.deploy.replicas"]
    assert place.system == "compose"


HELM = """replicaCount: 2
image:
  tag: 1.4.0
env:
  PAYMENT_TIMEOUT: "5000"
resources:
  limits:
    memory: 512Mi
"""


@pytest.mark.parametrize("old,new,key,expected", [
    ("replicaCount: 2", "replicaCount: 1", "replicaCount", ("replicas", None, None, "2")),
    ('PAYMENT_TIMEOUT: "5000"', 'PAYMENT_TIMEOUT: "500"', "env.PAYMENT_TIMEOUT", ("env", "PAYMENT_TIMEOUT", None, "5000")),
    ("memory: 512Mi", "memory: 128Mi", "resources.limits.memory", ("resources", None, "limits.memory", "512Mi")),
    ("tag: 1.4.0", "tag: 1.5.0", "image.tag", ("image", None, None, None)),
])
def test_a_helm_charts_values_are_its_charts(old, new, key, expected):
    place = _places("charts/checkout-api/values.yaml", HELM, HELM.replace(old, new))[key]
    assert place.system == "helm" and place.owner == "checkout-api"
    assert (place.setting, place.variable, place.resource, place.restore) == expected


def test_kustomize_replicas_and_images_name_their_workload():
    before = "replicas:\n  - name: orders-api\n    count: 4\nimages:\n  - name: ghcr.io/shop/orders-api\n    newTag: v1.2.0\n"
    after = before.replace("count: 4", "count: 1").replace("v1.2.0", "v1.3.0")
    places = _places("overlays/prod/kustomization.yaml", before, after)
    assert (places["replicas.orders-api.count"].owner, places["replicas.orders-api.count"].restore) == ("orders-api", "4")
    assert places["images.ghcr.io/shop/orders-api.newTag"].owner == "orders-api"


def test_a_plain_configuration_file_has_no_place():
    assert _places("config/app.yaml", "pool:\n  max: 10\n", "pool:\n  max: 50\n") == {"pool.max": None}


def test_an_env_entry_added_is_its_value_not_its_name():
    """The `name` of an env entry is its key's last segment already: adding the entry changes `value`."""
    before = TWO_DEPLOYMENTS
    after = before.replace('            - name: CART_TTL\n', '            - name: ENABLE_BUNDLES\n              value: "true"\n'
                                                             '            - name: CART_TTL\n')
    keys = [c.key for c in config_changes("k8s/cart.yaml", before, after)]
    assert keys == ["spec.template.spec.containers.app.env.ENABLE_BUNDLES.value"]


def test_workloads_and_the_environment_manifests_declare():
    workloads = workloads_in("k8s/cart.yaml", TWO_DEPLOYMENTS)
    assert [(w.kind, w.name, w.namespace, w.containers) for w in workloads] == [
        ("Deployment", "cart-api", "shop", ["app"]), ("StatefulSet", "cart-cache", "shop", ["redis"])]
    env = manifest_env("k8s/cart.yaml", TWO_DEPLOYMENTS)
    assert sorted((e.name, e.owner, e.shape) for e in env) == [
        ("CART_TTL", "cart-api", "kubernetes env"), ("DB_PASSWORD", "cart-api", "kubernetes env")]
    compose_env = manifest_env("docker-compose.yml", COMPOSE)
    assert sorted((e.name, e.owner, e.line) for e in compose_env) == [("LOG_LEVEL", "api", 5), ("WORKERS", "api", 6)]


@pytest.mark.parametrize("value,expected", [("512m", "512Mi"), ("2g", "2Gi"), ("1024k", "1024Ki"), ("1GB", "1Gi"),
                                            ("536870912", "536870912"), ("1.5g", "1.5Gi"), ("lots", None)])
def test_compose_byte_values_become_kubernetes_quantities(value, expected):
    assert compose_memory(value) == expected
