"""Kinds of change, the files they live in, and the errors each one causes once deployed.

A change is drawn as (kind, file format); the file is written before and after by `settings`, so
the same timeout can be a Python constant, a Helm value or a Kubernetes env var. Dependency bumps
live in their language's manifest and code changes in source files.
"""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict

from wicked_platform.scenarios.corpus.settings import (
    CONFIG_FORMATS, MANIFEST_FORMATS, Deployed, FileFormat, Setting, file_path, render, setting_name, upper_snake,
)
from wicked_platform.scenarios.corpus.truth import ChangeKind

CHANGE_KINDS: tuple[ChangeKind, ...] = ("timeout", "pool", "retries", "ttl", "resource_limit", "replicas", "flag",
                                        "dependency", "code")
FLAG_FEATURES = (("new", "checkout", "flow"), ("smart", "ranking"), ("async", "capture"), ("bulk", "pricing"),
                 ("v2", "serializer"), ("edge", "cache"))


class Change(BaseModel):
    """One change to one file of one service, with what it breaks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ChangeKind
    file_format: str
    path: str
    before: str
    after: str
    key: str | None  # the setting's name in the file; null for a code change
    env_var: str | None  # the environment variable that sets it at run time, where the file is one env vars fill
    env_name: str | None  # the variable a team would name for it (what a context's config_env maps it to)
    messages: list[str]  # ERROR lines the service writes once the change runs
    subject_verb: str  # what the commit message says it did


def _settings(kind: ChangeKind, dependency: str, rng: random.Random) -> tuple[list[Setting], int, str, str]:
    """The service's settings and the index of the one this kind changes, with its new value and the
    word the commit uses; `flag` appends a feature flag."""
    settings = [
        Setting(words=(dependency, "timeout", "ms"), value=str(rng.choice((2000, 3000, 5000, 8000)))),
        Setting(words=("db", "pool", "size"), value=str(rng.choice((20, 30, 50, 80)))),
        Setting(words=("http", "max", "retries"), value=str(rng.choice((2, 3, 5)))),
        Setting(words=("cache", "ttl", "seconds"), value=str(rng.choice((120, 300, 600)))),
        Setting(words=("log", "level"), value="info", quoted=True),
    ]
    feature = rng.choice(FLAG_FEATURES)
    settings.append(Setting(words=("feature", *feature), value="false"))
    index, new, verb = {
        "timeout": (0, str(rng.choice((150, 250, 400))), "Tighten"),
        "pool": (1, str(rng.choice((2, 3, 5))), "Trim"),
        "retries": (2, "0", "Set"),
        "ttl": (3, str(rng.choice((1, 2, 5))), "Shorten"),
        "flag": (5, "true", "Enable"),
    }.get(kind, (-1, "", ""))
    return settings, index, new, verb


def _messages(kind: ChangeKind, dependency: str, new: str, rng: random.Random) -> list[str]:
    return {
        "timeout": [f"Timed out after {new}ms waiting for {dependency} (request REQ-{{n}})",
                    f"Call to {dependency} aborted: deadline of {new}ms exceeded"],
        "pool": [f"Could not acquire a database connection within 2000ms ({new}/{new} in use)",
                 "Connection pool exhausted while serving request REQ-{n}"],
        "retries": [f"Request to {dependency} failed: connection reset by peer (no retries left)",
                    f"Giving up on {dependency} after 1 attempt: 503 Service Unavailable"],
        "ttl": [f"Origin {dependency} overloaded by cache misses: 503 for key item:{{n}}",
                "Cache miss storm: hit ratio 2% (normally 94%), request REQ-{n} failed"],
        "flag": ["Feature handler failed for request REQ-{n}: unsupported item type BNDL-{n}",
                 "Unhandled error in new code path: missing rule for SKU-{n}"],
        "resource_limit": ["Worker process killed: out of memory (request REQ-{n} aborted)",
                           "java.lang.OutOfMemoryError: Java heap space while handling REQ-{n}"],
        "replicas": ["Request queue full ({n} waiting), rejecting request REQ-{n}",
                     "503 Service Unavailable: no capacity left to serve REQ-{n}"],
        "dependency": ["TypeError: client.send is not a function (request REQ-{n})",
                       "AttributeError: 'Client' object has no attribute 'send' while serving REQ-{n}"],
        "code": ["NullPointerException in OrderMapper.toDto for order ORD-{n}",
                 "TypeError: Cannot read properties of undefined (reading 'id') in handler for REQ-{n}"],
    }[kind][: rng.choice((1, 2))]


# Dependency manifests: the file a bump lives in, per language, before and after the bump.
def _dependency_manifest(language: str, service: str, old: str, new: str) -> tuple[str, str, str]:
    if language == "ts":
        body = '{{\n  "name": "{s}",\n  "version": "1.0.0",\n  "dependencies": {{\n    "http-client": "^{v}",\n    "express": "^4.19.2"\n  }}\n}}\n'
        return f"services/{service}/package.json", body.format(s=service, v=old), body.format(s=service, v=new)
    if language == "go":
        body = "module example.com/{s}\n\ngo 1.22\n\nrequire (\n\tgithub.com/example/httpclient v{v}\n\tgithub.com/go-chi/chi/v5 v5.0.12\n)\n"
        return f"services/{service}/go.mod", body.format(s=service, v=old), body.format(s=service, v=new)
    if language == "java":
        body = ("<project>\n  <artifactId>{s}</artifactId>\n  <dependencies>\n    <dependency>\n"
                "      <groupId>com.example</groupId>\n      <artifactId>http-client</artifactId>\n"
                "      <version>{v}</version>\n    </dependency>\n  </dependencies>\n</project>\n")
        return f"services/{service}/pom.xml", body.format(s=service, v=old), body.format(s=service, v=new)
    if language == "toml":
        body = '[project]\nname = "{s}"\nversion = "1.0.0"\ndependencies = [\n  "http-client=={v}",\n  "fastapi==0.111.0",\n]\n'
        return f"services/{service}/pyproject.toml", body.format(s=service, v=old), body.format(s=service, v=new)
    body = "http-client=={v}\nfastapi==0.111.0\n"
    return f"services/{service}/requirements.txt", body.format(v=old), body.format(v=new)


# Source files before and after a code change that drops a guard.
CODE = {
    "py": ("app/orders.py", "def to_dto(order):\n    if order.customer is None:\n        return {{\"id\": order.id}}\n"
           "    return {{\"id\": order.id, \"customer\": order.customer.id{extra}}}\n"),
    "ts": ("src/orders.ts", "export function toDto(order: Order) {{\n  if (!order.customer) {{\n    return {{ id: order.id }};\n"
           "  }}\n  return {{ id: order.id, customer: order.customer.id{extra} }};\n}}\n"),
    "go": ("internal/orders/dto.go", "package orders\n\nfunc ToDto(o *Order) Dto {{\n\tif o.Customer == nil {{\n"
           "\t\treturn Dto{{ID: o.ID}}\n\t}}\n\treturn Dto{{ID: o.ID, Customer: o.Customer.ID{extra}}}\n}}\n"),
    "java": ("src/main/java/com/example/OrderMapper.java", "package com.example;\n\nfinal class OrderMapper {{\n"
             "    static OrderDto toDto(Order order) {{\n        if (order.customer() == null) {{\n"
             "            return new OrderDto(order.id(), null);\n        }}\n"
             "        return new OrderDto(order.id(), order.customer().id(){extra});\n    }}\n}}\n"),
}


def _code_change(language: str, service: str) -> tuple[str, str, str]:
    relative, template = CODE[language]
    before = template.format(extra="")
    guard_end = {"py": 3, "ts": 4, "go": 6, "java": 7}[language]
    lines = template.format(extra="").splitlines(keepends=True)
    # The change: the guard goes (a refactor "simplifies" it), so an order without a customer fails.
    start = {"py": 1, "ts": 1, "go": 3, "java": 4}[language]
    after = "".join(lines[:start] + lines[guard_end:])
    return f"services/{service}/{relative}", before, after


def draw_change(rng: random.Random, kind: ChangeKind, service: str, deployment: str, dependency: str,
                deployed: Deployed) -> Change:
    """A change of `kind` to `service`, in a file format the kind can live in."""
    if kind == "dependency":
        language = rng.choice(("py", "ts", "go", "java", "toml"))
        old = rng.choice(("2.3.1", "2.8.0", "1.14.2"))
        new = f"{int(old.split('.')[0]) + 1}.0.0"
        path, before, after = _dependency_manifest(language, service, old, new)
        return Change(kind=kind, file_format=path.rsplit("/", 1)[1], path=path, before=before, after=after,
                      key="http-client", env_var=None, env_name=None, messages=_messages(kind, dependency, new, rng),
                      subject_verb=f"Bump http-client from {old} to {new}")
    if kind == "code":
        language = rng.choice(("py", "ts", "go", "java"))
        path, before, after = _code_change(language, service)
        return Change(kind=kind, file_format=language, path=path, before=before, after=after, key=None, env_var=None,
                      env_name=None, messages=_messages(kind, dependency, "", rng),
                      subject_verb="Simplify the order mapper")
    settings, index, new, verb = _settings(kind, dependency, rng)
    fmt: FileFormat = rng.choice(MANIFEST_FORMATS if kind in ("resource_limit", "replicas") else CONFIG_FORMATS)
    path = file_path(fmt, service)
    before = render(fmt, service, deployment, settings, deployed)
    if kind == "resource_limit":
        low = rng.choice(("128Mi", "256Mi"))
        after = render(fmt, service, deployment, settings, deployed.model_copy(update={"memory_limit": low}))
        return Change(kind=kind, file_format=fmt, path=path, before=before, after=after, key="memory", env_var=None,
                      env_name=None,
                      messages=_messages(kind, dependency, low, rng),
                      subject_verb=f"Lower the memory limit to {low}")
    if kind == "replicas":
        after = render(fmt, service, deployment, settings, deployed.model_copy(update={"replicas": 1}))
        return Change(kind=kind, file_format=fmt, path=path, before=before, after=after,
                      key="replicaCount" if fmt == "helm" else "replicas", env_var=None, env_name=None,
                      messages=_messages(kind, dependency, "1", rng), subject_verb="Run a single replica")
    changed = settings[index]
    settings[index] = changed.model_copy(update={"value": new})
    after = render(fmt, service, deployment, settings, deployed)
    # An environment variable sets the value at run time where the file is one that env vars fill.
    env_var = upper_snake(changed.words) if fmt in ("env", "compose", "kubernetes") else None
    words = " ".join(changed.words)
    return Change(kind=kind, file_format=fmt, path=path, before=before, after=after,
                  key=setting_name(fmt, changed.words), env_var=env_var, env_name=upper_snake(changed.words),
                  messages=_messages(kind, dependency, new, rng),
                  subject_verb=f"{verb} {words}" + ("" if kind == "flag" else f" to {new}"))


def baseline_file(rng: random.Random, service: str, deployment: str, deployed: Deployed) -> tuple[str, str]:
    """An innocent service's settings file, so every service in the repo has configuration."""
    fmt: FileFormat = rng.choice(CONFIG_FORMATS)
    settings, _, _, _ = _settings("timeout", "upstream", rng)
    return file_path(fmt, service), render(fmt, service, deployment, settings, deployed)
