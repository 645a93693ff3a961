"""Commands from evidence: the one place that turns what was found into what a person may run.

Every name in a command points at the evidence that it exists, and a name without evidence makes no
command — it makes a note saying what is missing. The workload comes from the context file, a manifest
in the repository or the logs; an environment variable only from the context's `config_env`, a
manifest's `env`, or code that reads it; a resource limit is `kubectl set resources`, a replica count
`kubectl scale`, a ConfigMap entry `kubectl patch`. Nothing here runs anything: commands are printed
for a human to run.
"""

from __future__ import annotations

import json
import re
import shlex

from pydantic import BaseModel, ConfigDict, Field

from wicked_platform.tools.changes.env_readers import is_dotenv, placeholder
from wicked_platform.tools.changes.models import Commit, ConfigValueChange, EnvReference, ManifestPlace, RepoGrounds, Workload
from wicked_platform.tools.context import IncidentContext
from wicked_platform.tools.logs.models import LogScan
from wicked_platform.tools.report import CommandPart, Deploy

CONTEXT_FILE = "incident-context.yaml"
ROLLOUT_KINDS = {"Deployment": "deployment", "StatefulSet": "statefulset", "DaemonSet": "daemonset"}
_KUBERNETES_SOURCES = ("kubernetes", "argocd", "helm", "prometheus")  # deploy records only a Kubernetes rollout makes
# A value a shell and kubectl take as written: `5000`, `true`, `2Gi`, `http://x:8080/a`. Not `5 * time.Second`.
_PLAIN_VALUE = re.compile(r"^[\w.:/@%+,-]*$")
_UNITS = ("_MS", "_MILLIS", "_MILLISECONDS", "_SECONDS", "_SECS", "_SEC", "_S", "_MINUTES", "_MIN", "_BYTES", "_MB", "_KB")
_BOOLEAN_OPPOSITES = {"true": "false", "false": "true", "on": "off", "off": "on", "yes": "no", "no": "yes",
                      "enabled": "disabled", "disabled": "enabled", "1": "0", "0": "1"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CommandEvidence(Frozen):
    """What commands may name: the repository at the cause's commit, and the services the logs and deploy records name."""

    grounds: RepoGrounds | None = None
    log_services: dict[str, int] = Field(default_factory=dict, description="service -> lines it wrote in the logs read")
    deploy_sources: dict[str, str] = Field(default_factory=dict, description="service -> the deploy record that names it")
    kubernetes_deploys: list[str] = Field(default_factory=list, description=(
        "services a Kubernetes system deployed (a kubernetes, Argo CD or Helm record, a rollout kube-state-metrics saw)"))
    request_services: list[str] = Field(default_factory=list, description="services whose own lines are requests")


class Target(Frozen):
    """The workload a command acts on, and where its name and namespace come from."""

    service: str
    kind: str = "deployment"
    name: str
    namespace: str | None
    parts: list[CommandPart]
    declared: bool = False  # named as a Kubernetes workload (the context's `deployment`, a manifest), not by default

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


class Grounded(Frozen):
    """A command and where each name in it comes from."""

    command: str
    parts: list[CommandPart]


class Refusal(Frozen):
    """Why no command could be grounded."""

    note: str


def command_evidence(scan: LogScan, deploys: list[Deploy], grounds: RepoGrounds | None) -> CommandEvidence:
    """What commands may name: the repository's declarations, the services the logs and deploy records name."""
    lines: dict[str, int] = dict(scan.service_counts)
    for sig in scan.signatures:
        lines.setdefault(sig.service, sig.count)
    deploy_sources: dict[str, str] = {}
    for deploy in deploys:
        if deploy.source != "git":  # a tag names a release, not where it runs
            what = "a deploy event in the logs" if deploy.source == "log" else f"a {deploy.source} deploy record"
            deploy_sources.setdefault(deploy.service, f"{what}: {deploy.service} {deploy.version or ''}".rstrip())
    kubernetes = sorted({deploy.service for deploy in deploys if deploy.source in _KUBERNETES_SOURCES})
    return CommandEvidence(grounds=grounds, log_services=lines, deploy_sources=deploy_sources, kubernetes_deploys=kubernetes,
                           request_services=sorted({point.service for point in scan.requests}))


# Workloads ---------------------------------------------------------------------------------------


def find_target(service: str, context: IncidentContext, evidence: CommandEvidence) -> Target | Refusal:
    """The workload `service` runs as: the context's `deployment`, a manifest's workload, or the service as
    the logs, deploy records or the context name it (the contract's default: deployment = service name)."""
    declared = context.services.get(service)
    workload = workload_for(service, evidence.grounds)
    namespace, namespace_part = None, None
    if declared is not None and declared.namespace:
        namespace = declared.namespace
        namespace_part = CommandPart(role="namespace", name=namespace, source=f"{CONTEXT_FILE}: services.{service}.namespace")
    elif workload is not None and workload.namespace:
        namespace = workload.namespace
        namespace_part = CommandPart(role="namespace", name=namespace,
                                     source=f"{workload.file}:{workload.line}: {workload.kind} {workload.name} metadata.namespace")
    kind, name, source = "deployment", None, None
    if declared is not None and declared.deployment:
        name, source = declared.deployment, f"{CONTEXT_FILE}: services.{service}.deployment"
    elif workload is not None:
        kind, name = ROLLOUT_KINDS[workload.kind], workload.name
        source = f"{workload.file}:{workload.line}: {workload.kind} metadata.name"
    elif service in evidence.log_services:
        name, source = service, f"the logs: {evidence.log_services[service]} lines from {service}"
    elif service in evidence.deploy_sources:
        name, source = service, evidence.deploy_sources[service]
    elif declared is not None:
        name, source = service, f"{CONTEXT_FILE}: services.{service} (the deployment defaults to the service name)"
    if name is None:
        return Refusal(note=f"no workload is named for {service}: not in {CONTEXT_FILE}, no manifest in the repository "
                            "declares it, and no log line or deploy record comes from it")
    parts = [CommandPart(role="workload", name=f"{kind}/{name}", source=source)]
    declared = ((declared is not None and bool(declared.deployment)) or workload is not None
                or service in evidence.kubernetes_deploys)
    return Target(service=service, kind=kind, name=name, namespace=namespace,
                  parts=parts + ([namespace_part] if namespace_part else []), declared=declared)


def workload_for(service: str, grounds: RepoGrounds | None) -> Workload | None:
    """The one rollout-able workload the manifests declare for `service`: by name, else by app label or container."""
    workloads = [w for w in (grounds.workloads if grounds else []) if w.kind in ROLLOUT_KINDS]
    for matches in (lambda w: w.name == service, lambda w: service in w.labels, lambda w: service in w.containers):
        found = {(w.kind, w.name, w.namespace): w for w in workloads if matches(w)}
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            return None  # several: which one runs the service is not for a guess to say
    return None


def _manifest_target(place: ManifestPlace, file: str, fallback: Target | None) -> Target | None:
    """A Kubernetes manifest names its own workload; compose and Helm values name a service, whose workload is `fallback`."""
    if place.system not in ("kubernetes", "terraform") or not place.owner or place.kind not in ROLLOUT_KINDS:
        return fallback
    what = "metadata.name" if place.system == "kubernetes" else "resource's metadata.name (or label)"
    parts = [CommandPart(role="workload", name=f"{ROLLOUT_KINDS[place.kind]}/{place.owner}",
                         source=f"{file}: {place.kind} {what}")]
    namespace = place.namespace
    if namespace:
        parts.append(CommandPart(role="namespace", name=namespace, source=f"{file}: metadata.namespace"))
    elif fallback is not None and fallback.name == place.owner and fallback.namespace:
        namespace = fallback.namespace
        parts += [p for p in fallback.parts if p.role == "namespace"]
    return Target(service=place.owner, kind=ROLLOUT_KINDS[place.kind], name=place.owner, namespace=namespace, parts=parts)


# Commands on a workload -------------------------------------------------------------------------------


def kubectl(verb: str, target: Target, *rest: str) -> str:
    parts = ["kubectl", *verb.split(), target.ref, *rest]
    if target.namespace:
        parts += ["-n", target.namespace]
    return " ".join(shlex.quote(p) for p in parts)


def rollout_undo(target: Target) -> Grounded:
    return Grounded(command=kubectl("rollout undo", target), parts=target.parts)


def rollout_restart(target: Target) -> Grounded:
    return Grounded(command=kubectl("rollout restart", target), parts=target.parts)


def rollout_status(target: Target) -> str:
    return kubectl("rollout status", target)


def git_revert(commit: Commit, change: ConfigValueChange | None = None) -> Grounded:
    """The revert; where the change is a compose service's, the service recreated from the reverted file, as a
    compose deployment applies a change (`docker compose up -d redis`)."""
    parts = [CommandPart(role="commit", name=commit.sha, source=f"git history: \"{commit.subject}\"")]
    command = f"git revert --no-edit {commit.sha}"
    place = change.place if change is not None else None
    if place is not None and place.system == "compose" and place.owner:
        file = shlex.quote(change.file)
        command += f" && docker compose -f {file} up -d {shlex.quote(place.owner)}"
        parts.append(CommandPart(role="workload", name=place.owner, source=f"{change.file}: services.{place.owner}"))
    return Grounded(command=command, parts=parts)


# Setting a changed value back ------------------------------------------------------------------------


def restore(change: ConfigValueChange, target: Target | Refusal, context: IncidentContext, evidence: CommandEvidence,
            *, service: str) -> Grounded | Refusal:
    """The command that sets `change` back to its old value without a deploy, or why there is none."""
    if change.place is not None and change.place.setting != "other":
        return _restore_manifest_value(change, change.place, target)
    mapped = _config_env_for(change, service, context)
    if change.place is not None and mapped is None:  # a manifest's own field (a probe, a label): a deploy sets it
        return Refusal(note=f"{change.key} is a field of {change.place.system} file {change.file}: only a deploy "
                            "changes it back")
    variable = _variable_for(change, service, context, evidence)
    if isinstance(variable, Refusal):
        return variable
    name, value, source = variable
    if isinstance(target, Refusal):
        return target
    return _set_env(target, None, name, value, source, change)


def _restore_manifest_value(change: ConfigValueChange, place: ManifestPlace, fallback: Target | Refusal) -> Grounded | Refusal:
    where = f"{change.file}" + (f":{change.line}" if change.line else "")
    target = _manifest_target(place, change.file, fallback if isinstance(fallback, Target) else None)
    if place.setting == "image":
        return Refusal(note=f"{change.key} is the image: undoing the rollout restores it")
    if place.setting == "data":
        return _patch_configmap(change, place, where)
    if target is None:
        return fallback if isinstance(fallback, Refusal) else Refusal(note=f"no workload is named for {place.owner}")
    if place.restore is None:
        was = "it had no value before" if change.before is None else f"`{change.before}` is not a value kubectl takes"
        if place.setting == "env" and change.before is None and place.variable:
            return _set_env(target, place.container, place.variable, None, f"{where}: {place.system} env", change)
        return Refusal(note=f"{change.key} in {change.file} cannot be set back without a deploy: {was}")
    container = _container_parts(place, where)
    if place.setting == "resources":
        bound, resource = place.resource.split(".", 1)
        flag = "--limits" if bound == "limits" else "--requests"
        value = f"{'cpu' if resource in ('cpu', 'cpus') else resource}={place.restore}"
        rest = (["-c", place.container] if place.container else []) + [f"{flag}={value}"]
        parts = [*target.parts, *container,
                 CommandPart(role="resource", name=f"{bound}.{resource}", source=f"{where}: {change.key}"),
                 CommandPart(role="value", name=place.restore, source=f"{where}: the value before the change ({change.before})")]
        return Grounded(command=kubectl("set resources", target, *rest), parts=parts)
    if place.setting == "replicas":
        parts = [*target.parts, CommandPart(role="value", name=place.restore, source=f"{where}: {change.key} before the change")]
        return Grounded(command=kubectl("scale", target, f"--replicas={place.restore}"), parts=parts)
    return _set_env(target, place.container, place.variable, place.restore, f"{where}: {place.system} env", change)


def _container_parts(place: ManifestPlace, where: str) -> list[CommandPart]:
    return [CommandPart(role="container", name=place.container, source=f"{where}: containers[].name")] if place.container else []


def _set_env(target: Target, container: str | None, name: str, value: str | None, source: str,
             change: ConfigValueChange) -> Grounded | Refusal:
    """`kubectl set env`: the old value, or `NAME-` (unset) where the change added the variable."""
    parts = [*target.parts, CommandPart(role="variable", name=name, source=source)]
    if container:
        parts.append(CommandPart(role="container", name=container, source=f"{change.file}: containers[].name"))
    rest = ["-c", container] if container else []
    if value is None and change.before is None:
        if change.place is not None:  # the manifest added it: removing it is the state before
            return Grounded(command=kubectl("set env", target, *rest, f"{name}-"), parts=parts)
        opposite = _BOOLEAN_OPPOSITES.get((change.after or "").lower())
        if opposite is None:
            return Refusal(note=f"{change.key} was added by the change; what {name} should be without it is not known")
        value = opposite
        parts.append(CommandPart(role="value", name=value, source=f"the opposite of the {change.after} the change set"))
    else:
        value = change.before if value is None else value
        if value is None or not _PLAIN_VALUE.match(value):
            return Refusal(note=f"the old value of {change.key} (`{change.before}`) is not one an environment variable holds")
        parts.append(CommandPart(role="value", name=value, source=f"{change.file}: {change.key} before the change"
                                 + (" (stated in a comment)" if change.source == "comment" else "")))
    return Grounded(command=kubectl("set env", target, *rest, f"{name}={value}"), parts=parts)


def _patch_configmap(change: ConfigValueChange, place: ManifestPlace, where: str) -> Grounded | Refusal:
    if place.restore is None:
        return Refusal(note=f"{change.key} in ConfigMap {place.owner} had no value before the change")
    patch = json.dumps({"data": {place.variable: place.restore}}, separators=(",", ":"))
    words = ["kubectl", "patch", f"configmap/{place.owner}", "--type", "merge", "-p", patch]
    words += ["-n", place.namespace] if place.namespace else []
    parts = [CommandPart(role="configmap", name=f"configmap/{place.owner}", source=f"{change.file}: ConfigMap metadata.name"),
             CommandPart(role="variable", name=place.variable, source=f"{where}: data.{place.variable}"),
             CommandPart(role="value", name=place.restore, source=f"{where}: the value before the change")]
    if place.namespace:
        parts.append(CommandPart(role="namespace", name=place.namespace, source=f"{change.file}: metadata.namespace"))
    return Grounded(command=" ".join(shlex.quote(w) for w in words), parts=parts)


# Environment variables ---------------------------------------------------------------------------------


def env_name(key: str) -> str:
    """`paymentTimeout` -> `PAYMENT_TIMEOUT`, `db.pool.size` -> `DB_POOL_SIZE`: how a key is spelled as a variable."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    return re.sub(r"[^A-Za-z0-9]+", "_", spaced).strip("_").upper()


def _variable_for(change: ConfigValueChange, service: str, context: IncidentContext,
                  evidence: CommandEvidence) -> tuple[str, str | None, str] | Refusal:
    """(variable, value or None for the change's old value, where the variable is named) — or why there is none."""
    if (mapped := _config_env_for(change, service, context)) is not None:
        return mapped
    if (named := placeholder(change.before)) is not None:
        return named[0], named[1], f"{change.file}: {change.key} = {change.before}"
    if is_dotenv(change.file) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", change.key):
        where = f"{change.file}:{change.line}" if change.line else change.file
        return change.key, None, f"{where}: sets {change.key} (dotenv file)"
    references = [r for r in (evidence.grounds.env if evidence.grounds else []) if r.owner in (service, None)]
    exact, close = _matching(change.key, references)
    chosen = exact or close
    names = sorted({r.name for r in chosen})
    if len(names) == 1:
        reference = min((r for r in chosen if r.owner == service), default=chosen[0], key=lambda r: (r.file, r.line or 0))
        verb = "sets" if reference.shape.endswith(" env") else "reads"
        return names[0], None, f"{reference.file}:{reference.line}: {verb} {names[0]} ({reference.shape})"
    at = f" at {evidence.grounds.commit[:12]}" if evidence.grounds else ""
    if names:
        return Refusal(note=f"several environment variables could set {change.key} ({', '.join(names)}); which one does "
                            f"is for config_env in {CONTEXT_FILE} to say")
    searched = "no repository was read" if evidence.grounds is None else f"no manifest or code{at} reads {env_name(change.key)}"
    if evidence.grounds is not None and evidence.grounds.truncated:
        searched += " (of what was searched before the search reached its bound)"
    return Refusal(note=f"no environment variable is known to set {change.key}: no config_env for it in {CONTEXT_FILE}, "
                        f"and {searched}")


def _config_env_for(change: ConfigValueChange, service: str, context: IncidentContext) -> tuple[str, None, str] | None:
    """The variable the context's `config_env` maps the changed key to: by the key as the file nests it
    (`service.feature_edge_cache`, `config.featureEdgeCache`) or by its trailing parts, which is how a team
    names the setting it overrides (`feature_edge_cache`); the longest that is mapped wins."""
    config_env = context.service(service).config_env
    parts = change.key.split(".")
    for start in range(len(parts)):
        key = ".".join(parts[start:])
        if config_env.get(key):
            return config_env[key], None, f"{CONTEXT_FILE}: services.{service}.config_env.{key}"
    return None


def _matching(key: str, references: list[EnvReference]) -> tuple[list[EnvReference], list[EnvReference]]:
    """References that name `key` exactly (`PAYMENT_TIMEOUT` for `paymentTimeout`), and those that name it with a
    prefix or a unit (`CHECKOUT_PAYMENT_TIMEOUT_MS`) — the latter only for a key of two words or more."""
    last = key.split(".")[-1]
    exact_names = {env_name(key), env_name(last)} | ({key} if re.fullmatch(r"[A-Z][A-Z0-9_]*", key) else set())
    tail = env_name(last)
    exact = [r for r in references if r.name in exact_names]
    close = []
    if "_" in tail:
        for reference in references:
            core = next((reference.name[: -len(u)] for u in _UNITS if reference.name.endswith(u)), reference.name)
            if reference not in exact and (core == tail or core.endswith(f"_{tail}")):
                close.append(reference)
    return exact, close
