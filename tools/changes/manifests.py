"""Deployment files read by their structure: which deployable a value configures, and what kind of setting it is.

A value's path says what it is once the file's shape is known. `services.prometheus.deploy.resources.limits.memory`
in a compose file is prometheus's memory limit; `spec.template.spec.containers.server.resources.requests.memory`
in a Deployment named `adservice` is the memory request of adservice's `server` container; `replicas.api.count`
in a kustomization is api's replica count. The shapes read here:

| system     | recognised by                                                  | owner                       |
|------------|----------------------------------------------------------------|-----------------------------|
| kubernetes | a document with `apiVersion`, `kind` and `metadata.name`       | `metadata.name`             |
| compose    | `(docker-)compose*.y(a)ml`, or top-level `services` of images  | `services.<name>`           |
| helm       | `values*.y(a)ml` under `charts/<name>/` or `helm/<name>/`      | the chart directory's name  |
| kustomize  | `kustomization.y(a)ml`                                          | `replicas[]` / `images[]` name |
| terraform  | `*.tf`: `resource "<type>" "<label>"`, `module "<name>"`          | `metadata.name`, else the label |

Everything is read from the YAML the value reader already parsed (`yaml_documents`), so a key here is the
key `config_changes` reports.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import yaml

from wicked_platform.tools.changes.config_readers import Entry, yaml_documents
from wicked_platform.tools.changes.hcl_reader import read_hcl
from wicked_platform.tools.changes.models import (
    ContainerLimit, DeploySystem, EnvReference, ManifestPlace, Setting, Workload,
)
from wicked_platform.tools.redaction import is_secret_key

COMPOSE_FILE = re.compile(r"(?:^|/)(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.I)
KUSTOMIZATION = re.compile(r"(?:^|/)kustomization\.ya?ml$", re.I)
HELM_VALUES = re.compile(r"(?:^|/)values(?:[.-][\w.-]+)?\.ya?ml$", re.I)
CHART_DIR = re.compile(r"(?:^|/)(?:charts|helm|chart)/(?P<chart>[^/]+)/")
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout", "Job", "CronJob", "Pod",
                            "DeploymentConfig"})
_CONTAINER_LISTS = frozenset({"containers", "initContainers"})
_APP_LABELS = ("app", "app.kubernetes.io/name", "k8s-app")
# Compose's byte units are binary (`512m` is 512 MiB); Kubernetes reads `512m` as 0.512 bytes.
_COMPOSE_BYTES = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[bkmgt]?)b?$", re.I)
_KUBERNETES_UNIT = {"": "", "b": "", "k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def is_yaml(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in {".yaml", ".yml"}


def system_of(path: str, document: yaml.Node) -> DeploySystem | None:
    """Which kind of deployment file this document is, if any."""
    if not isinstance(document, yaml.MappingNode):
        return None
    if KUSTOMIZATION.search(path):
        return "kustomize"
    if _scalar(document, "apiVersion") and _scalar(document, "kind") and _scalar(document, "metadata", "name"):
        return "kubernetes"
    if COMPOSE_FILE.search(path) or _looks_like_compose(document):
        return "compose" if isinstance(_child(document, "services"), yaml.MappingNode) else None
    if HELM_VALUES.search(path) and (_HELM_DIRS & set(path.split("/")[:-1]) or _chart_dir(path)):
        return "helm"
    return None


# A value's place ---------------------------------------------------------------------------------


class ManifestIndex:
    """The documents of both versions of a file, parsed once, to place each of its changed values."""

    def __init__(self, path: str, before_text: str | None, after_text: str | None) -> None:
        self.path = path
        self._after, self._before = _documents(path, after_text), _documents(path, before_text)

    def place(self, key: str, line: int | None, before_value: str | None) -> ManifestPlace | None:
        """Where the changed value `key` sits: a value that is still there is found by its line in the new
        text, a removed one by its key in the old."""
        for document, entries in self._after if line is not None else self._before:
            entry = next((e for e in entries if e.key == key and (line is None or e.line == line)), None)
            if entry is None:
                continue
            if document is None:  # Terraform: the entries are the document
                return _terraform(entries, entry.path, before_value)
            system = system_of(self.path, document)
            if system is None:
                return None
            place = _READERS[system](self.path, document, entry.path or tuple(key.split(".")), before_value)
            if place.variable and is_secret_key(place.variable):  # a secret's old value goes into no command
                place = place.model_copy(update={"restore": None})
            return place
        return None


def is_manifest(path: str) -> bool:
    """A file whose values `ManifestIndex` can place: YAML, or Terraform."""
    return is_yaml(path) or PurePosixPath(path).suffix.lower() == ".tf"


def _documents(path: str, text: str | None) -> list[tuple[yaml.Node | None, list[Entry]]]:
    if PurePosixPath(path).suffix.lower() == ".tf":
        return [(None, read_hcl(text or ""))]
    return list(yaml_documents(text or "")) if is_yaml(path) else []


_TERRAFORM_KINDS = {"kubernetes_deployment": "Deployment", "kubernetes_deployment_v1": "Deployment",
                    "kubernetes_stateful_set": "StatefulSet", "kubernetes_stateful_set_v1": "StatefulSet",
                    "kubernetes_daemonset": "DaemonSet", "kubernetes_daemon_set_v1": "DaemonSet"}


def _terraform(entries: list[Entry], segments: tuple[str, ...], before: str | None) -> ManifestPlace:
    """`resource "<type>" "<label>"` is owned by its `metadata.name` (Kubernetes resources) or its label,
    `module "<name>"` by its name. Kubernetes resources' replicas and container resources are settings."""
    if segments[:1] == ("module",) and len(segments) > 2:
        return ManifestPlace(system="terraform", owner=segments[1], setting="other")
    if segments[:1] != ("resource",) or len(segments) < 4:
        return ManifestPlace(system="terraform", owner=None, setting="other")
    prefix, rest = segments[:3], segments[3:]
    values = {e.path: e.value for e in entries}
    kind = _TERRAFORM_KINDS.get(segments[1])
    place = {"system": "terraform", "owner": values.get((*prefix, "metadata", "name")) or segments[2], "kind": kind,
             "namespace": values.get((*prefix, "metadata", "namespace"))}
    if kind is None:
        return ManifestPlace(**place, setting="other")
    if rest == ("spec", "replicas"):
        return ManifestPlace(**place, setting="replicas", restore=_count(before))
    if "container" in rest:
        at = rest.index("container")
        container = values.get((*prefix, *rest[: at + 1], "name"))
        tail = rest[at + 1:]
        if len(tail) == 3 and tail[0] == "resources" and tail[1] in ("limits", "requests"):
            return ManifestPlace(**place, container=container, setting="resources", resource=f"{tail[1]}.{tail[2]}",
                                 restore=before)
        if tail == ("image",):
            return ManifestPlace(**place, container=container, setting="image")
    return ManifestPlace(**place, setting="other")


def _kubernetes(path: str, document: yaml.Node, segments: tuple[str, ...], before: str | None) -> ManifestPlace:
    kind = _scalar(document, "kind")
    place = {"system": "kubernetes", "owner": _scalar(document, "metadata", "name"), "kind": kind,
             "namespace": _scalar(document, "metadata", "namespace")}
    if kind == "ConfigMap" and len(segments) == 2 and segments[0] == "data":
        return ManifestPlace(**place, setting="data", variable=segments[1], restore=before)
    if segments == ("spec", "replicas"):
        return ManifestPlace(**place, setting="replicas", restore=_count(before))
    at = next((i for i, s in enumerate(segments) if s in _CONTAINER_LISTS), None)
    if at is not None and at + 1 < len(segments):
        container = None if segments[at + 1].isdigit() else segments[at + 1]
        setting, variable, resource, restore = _container_setting(segments[at + 2:], before)
        return ManifestPlace(**place, container=container, setting=setting, variable=variable, resource=resource,
                             restore=restore)
    return ManifestPlace(**place, setting="other")


def _container_setting(rest: tuple[str, ...], before: str | None) -> tuple[Setting, str | None, str | None, str | None]:
    """A container's `env.<NAME>.value`, `resources.<limits|requests>.<resource>`, `image`."""
    if len(rest) == 3 and rest[0] == "env" and rest[2] == "value" and _ENV_NAME.match(rest[1]) and not rest[1].isdigit():
        return "env", rest[1], None, before
    if len(rest) == 3 and rest[0] == "resources" and rest[1] in ("limits", "requests"):
        return "resources", None, f"{rest[1]}.{rest[2]}", before
    if rest == ("image",):
        return "image", None, None, None
    return "other", None, None, None


def _compose(path: str, document: yaml.Node, segments: tuple[str, ...], before: str | None) -> ManifestPlace:
    if len(segments) < 3 or segments[0] != "services":
        return ManifestPlace(system="compose", owner=None, setting="other")
    place = {"system": "compose", "owner": segments[1]}
    rest = segments[2:]
    if rest[0] == "environment" and len(rest) == 2:
        if rest[1].isdigit():  # the list form: `- NAME=value`
            name, _, old = (before or "").partition("=")
            variable = name.strip() or None
            return ManifestPlace(**place, setting="env", variable=variable, restore=old if before and "=" in before else None)
        return ManifestPlace(**place, setting="env", variable=rest[1], restore=before)
    limits = {("deploy", "resources", "limits", "memory"): "limits.memory", ("deploy", "resources", "limits", "cpus"): "limits.cpu",
              ("deploy", "resources", "reservations", "memory"): "requests.memory",
              ("deploy", "resources", "reservations", "cpus"): "requests.cpu",
              ("mem_limit",): "limits.memory", ("mem_reservation",): "requests.memory", ("cpus",): "limits.cpu"}
    if (resource := limits.get(rest)) is not None:
        restore = compose_memory(before) if resource.endswith("memory") else before
        return ManifestPlace(**place, setting="resources", resource=resource, restore=restore)
    if rest in (("deploy", "replicas"), ("scale",)):
        return ManifestPlace(**place, setting="replicas", restore=_count(before))
    if rest == ("image",):
        return ManifestPlace(**place, setting="image")
    return ManifestPlace(**place, setting="other")


def _helm(path: str, document: yaml.Node, segments: tuple[str, ...], before: str | None) -> ManifestPlace:
    chart = _chart_name(path)
    if "resources" in segments:
        at = segments.index("resources")
        rest = segments[at:]
        owner = chart or (segments[0] if at else None)
        if len(rest) == 3 and rest[1] in ("limits", "requests"):
            return ManifestPlace(system="helm", owner=owner, setting="resources", resource=f"{rest[1]}.{rest[2]}",
                                 restore=before)
    if segments[-1] == "replicaCount":
        return ManifestPlace(system="helm", owner=chart or (segments[0] if len(segments) > 1 else None),
                             setting="replicas", restore=_count(before))
    for env_key in ("env", "extraEnv", "extraEnvVars", "environment"):
        if env_key in segments:
            rest = segments[segments.index(env_key) + 1:]
            if len(rest) == 1 or (len(rest) == 2 and rest[1] == "value"):
                if _ENV_NAME.match(rest[0]) and not rest[0].isdigit():
                    return ManifestPlace(system="helm", owner=chart, setting="env", variable=rest[0], restore=before)
    if segments[-2:] == ("image", "tag"):
        return ManifestPlace(system="helm", owner=chart, setting="image")
    return ManifestPlace(system="helm", owner=chart, setting="other")


def _kustomize(path: str, document: yaml.Node, segments: tuple[str, ...], before: str | None) -> ManifestPlace:
    if len(segments) == 3 and segments[0] == "replicas" and segments[2] == "count":
        return ManifestPlace(system="kustomize", owner=segments[1], setting="replicas", restore=_count(before))
    if len(segments) == 3 and segments[0] == "images" and segments[2] in ("newTag", "newName", "digest"):
        return ManifestPlace(system="kustomize", owner=segments[1].rsplit("/", 1)[-1].split(":")[0], setting="image")
    return ManifestPlace(system="kustomize", owner=None, setting="other")


_READERS = {"kubernetes": _kubernetes, "compose": _compose, "helm": _helm, "kustomize": _kustomize}


def compose_memory(value: str | None) -> str | None:
    """A compose byte value as a Kubernetes quantity: `512m` -> `512Mi`, `2g` -> `2Gi`; None when it is not one."""
    match = _COMPOSE_BYTES.match((value or "").strip())
    if match is None:
        return None
    return match.group("number") + _KUBERNETES_UNIT[match.group("unit").lower()]


def _count(value: str | None) -> str | None:
    return value if value is not None and value.strip().isdigit() else None


# Workloads and environment variables a repository's manifests declare ---------------------------------


def workloads_in(path: str, text: str) -> list[Workload]:
    """The Kubernetes workloads (Deployment, StatefulSet, ...) a manifest file declares."""
    if not is_yaml(path):
        return []
    found = []
    for document, entries in yaml_documents(text):
        if system_of(path, document) != "kubernetes" or _scalar(document, "kind") not in WORKLOAD_KINDS:
            continue
        containers = sorted({e.path[i + 1] for e in entries for i, s in enumerate(e.path[:-1])
                             if s in _CONTAINER_LISTS and not e.path[i + 1].isdigit()})
        memory_limits = [ContainerLimit(container=e.path[i + 1], value=e.value, line=e.line) for e in entries
                         for i, s in enumerate(e.path[:-4])
                         if s in _CONTAINER_LISTS and e.path[i + 2:] == ("resources", "limits", "memory")
                         and not e.path[i + 1].isdigit()]
        labels = sorted({label for name in _APP_LABELS for label in (
            _scalar(document, "metadata", "labels", name), _scalar(document, "spec", "selector", "matchLabels", name))
            if label})
        found.append(Workload(kind=_scalar(document, "kind"), name=_scalar(document, "metadata", "name"),
                              namespace=_scalar(document, "metadata", "namespace"), containers=containers, labels=labels,
                              file=path, line=document.start_mark.line + 1, memory_limits=memory_limits))
    return found


def manifest_env(path: str, text: str) -> list[EnvReference]:
    """Environment variables a deployment file sets: a container's `env[].name`, a compose service's
    `environment`, a Helm chart's `env` values."""
    if not is_yaml(path):
        return []
    found: dict[tuple[str, str | None], EnvReference] = {}
    for document, entries in yaml_documents(text):
        system = system_of(path, document)
        if system is None:
            continue
        for entry in entries:
            named = _env_named(system, path, document, entry)
            if named is not None and named[0] and (named[0], named[1]) not in found:
                found[(named[0], named[1])] = EnvReference(name=named[0], file=path, line=entry.line,
                                                          shape=f"{system} env", owner=named[1])
    return list(found.values())


def _env_named(system: DeploySystem, path: str, document: yaml.Node, entry: Entry) -> tuple[str, str | None] | None:
    segments = entry.path
    if system == "kubernetes":
        for i, segment in enumerate(segments[:-2]):
            if segment in _CONTAINER_LISTS and segments[i + 2] == "env" and i + 3 < len(segments):
                name = segments[i + 3]
                return (name, _scalar(document, "metadata", "name")) if not name.isdigit() else None
        return None
    if system == "compose":
        if len(segments) >= 4 and segments[0] == "services" and segments[2] == "environment":
            name = entry.value.partition("=")[0].strip() if segments[3].isdigit() else segments[3]
            return (name, segments[1]) if _ENV_NAME.match(name or "") else None
        return None
    if system == "helm":
        for env_key in ("env", "extraEnv", "extraEnvVars", "environment"):
            if env_key in segments[:-1]:
                name = segments[segments.index(env_key) + 1]
                return (name, _chart_name(path)) if _ENV_NAME.match(name) and not name.isdigit() else None
    return None


# YAML nodes ----------------------------------------------------------------------------------------


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if isinstance(name, yaml.ScalarNode) and name.value == key), None)


def _scalar(node: yaml.Node, *keys: str) -> str | None:
    for key in keys:
        node = _child(node, key)
        if node is None:
            return None
    return node.value if isinstance(node, yaml.ScalarNode) and node.value else None


def _looks_like_compose(document: yaml.Node) -> bool:
    """A top-level `services` whose every entry builds or runs an image: compose under another file name."""
    services = _child(document, "services")
    if not isinstance(services, yaml.MappingNode) or not services.value:
        return False
    return all(isinstance(v, yaml.MappingNode) and (_child(v, "image") or _child(v, "build")) for _, v in services.value)


_HELM_DIRS = frozenset({"charts", "chart", "helm"})
_GENERIC_DIRS = frozenset({"", ".", "helm", "chart", "charts", "deploy", "deployment", "deployments", "k8s", "kubernetes",
                           "manifests", "config", "infra", "ops"})


def _chart_name(path: str) -> str | None:
    match = CHART_DIR.search(path)
    return match.group("chart") if match else _chart_dir(path)


def _chart_dir(path: str) -> str | None:
    """A values file's chart, named by its directory when that is no generic one (`deploy/`, `helm/`)."""
    parent = PurePosixPath(path).parent.name
    return None if parent.lower() in _GENERIC_DIRS else parent
