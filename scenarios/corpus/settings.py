"""File formats: how each kind of file spells a service's settings, replicas and memory limit.

A setting is a few lowercase words and a value; every format has its own spelling of the name
(`PAYMENT_TIMEOUT_MS`, `paymentTimeoutMs`, `payment.timeout.ms`, ...). Manifests (Kubernetes,
Helm values, Compose) also carry the replica count and the memory limit, and pass settings as
environment variables, as they do in real deployments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

FileFormat = Literal["py", "ts", "go", "java", "yaml", "compose", "kubernetes", "helm", "env", "properties", "toml"]
CONFIG_FORMATS: tuple[FileFormat, ...] = ("py", "ts", "go", "java", "yaml", "compose", "kubernetes", "helm", "env",
                                          "properties", "toml")
MANIFEST_FORMATS: tuple[FileFormat, ...] = ("compose", "kubernetes", "helm")


class Setting(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    words: tuple[str, ...]
    value: str
    quoted: bool = False  # a string in the source languages (a flag is a bool, a number a number)


class Deployed(BaseModel):
    """What a manifest pins besides settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    replicas: int
    memory_limit: str
    image: str


def upper_snake(words: tuple[str, ...]) -> str:
    return "_".join(words).upper()


def camel(words: tuple[str, ...]) -> str:
    return words[0] + "".join(w.capitalize() for w in words[1:])


def setting_name(fmt: FileFormat, words: tuple[str, ...]) -> str:
    """The name a setting has in a file of this format."""
    if fmt in ("py", "java", "env", "compose", "kubernetes"):
        return upper_snake(words)
    if fmt in ("ts", "helm"):
        return camel(words)
    if fmt == "go":
        return "".join(w.capitalize() for w in words)
    if fmt == "properties":
        return ".".join(words)
    return "_".join(words)  # yaml, toml


def file_path(fmt: FileFormat, service: str) -> str:
    return {
        "py": f"services/{service}/app/settings.py",
        "ts": f"services/{service}/src/config.ts",
        "go": f"services/{service}/internal/config/config.go",
        "java": f"services/{service}/src/main/java/com/example/Settings.java",
        "yaml": f"services/{service}/config/settings.yaml",
        "compose": f"services/{service}/docker-compose.yml",
        "kubernetes": f"deploy/k8s/{service}/deployment.yaml",
        "helm": f"charts/{service}/values.yaml",
        "env": f"services/{service}/.env",
        "properties": f"services/{service}/src/main/resources/application.properties",
        "toml": f"services/{service}/config.toml",
    }[fmt]


def _literal(fmt: FileFormat, setting: Setting) -> str:
    if setting.value in ("true", "false"):
        return setting.value.capitalize() if fmt == "py" else setting.value
    return f'"{setting.value}"' if setting.quoted and fmt in ("py", "ts", "go", "java", "toml") else setting.value


def render(fmt: FileFormat, service: str, deployment: str, settings: list[Setting], deployed: Deployed) -> str:
    """The file's text, with every setting (and, in a manifest, replicas and memory limit)."""
    name = lambda s: setting_name(fmt, s.words)  # noqa: E731 - one spelling per format, used below
    value = lambda s: _literal(fmt, s)  # noqa: E731
    if fmt == "py":
        return "".join(f"{name(s)} = {value(s)}\n" for s in settings)
    if fmt == "ts":
        body = "".join(f"  {name(s)}: {value(s)},\n" for s in settings)
        return f"export const config = {{\n{body}}};\n"
    if fmt == "go":
        body = "".join(f"\t{name(s)} = {value(s)}\n" for s in settings)
        return f"package config\n\nconst (\n{body})\n"
    if fmt == "java":
        def java_type(s: Setting) -> str:
            return "boolean" if s.value in ("true", "false") else "String" if s.quoted else "int"
        body = "".join(f"    public static final {java_type(s)} {name(s)} = {value(s)};\n" for s in settings)
        return f"package com.example;\n\npublic final class Settings {{\n{body}}}\n"
    if fmt in ("yaml", "env", "properties", "toml"):
        separator = {"yaml": ": ", "env": "=", "properties": "=", "toml": " = "}[fmt]
        header = "[service]\n" if fmt == "toml" else ""
        return header + "".join(f"{name(s)}{separator}{value(s)}\n" for s in settings)
    if fmt == "compose":
        env = "".join(f'      {name(s)}: "{s.value}"\n' for s in settings)
        return (f"services:\n  {service}:\n    image: {deployed.image}\n    environment:\n{env}"
                f"    deploy:\n      replicas: {deployed.replicas}\n      resources:\n        limits:\n"
                f"          memory: {deployed.memory_limit}\n")
    if fmt == "helm":
        config = "".join(f"  {name(s)}: {_yaml_scalar(s)}\n" for s in settings)
        repository, tag = deployed.image.rsplit(":", 1)
        return (f"replicaCount: {deployed.replicas}\nimage:\n  repository: {repository}\n  tag: \"{tag}\"\n"
                f"resources:\n  limits:\n    memory: {deployed.memory_limit}\nconfig:\n{config}")
    env = "".join(f"            - name: {name(s)}\n              value: \"{s.value}\"\n" for s in settings)
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {deployment}\n  labels:\n    app: {service}\n"
            f"spec:\n  replicas: {deployed.replicas}\n  selector:\n    matchLabels:\n      app: {service}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {service}\n    spec:\n      containers:\n"
            f"        - name: {service}\n          image: {deployed.image}\n          env:\n{env}"
            f"          resources:\n            limits:\n              memory: {deployed.memory_limit}\n")


def _yaml_scalar(setting: Setting) -> str:
    return f'"{setting.value}"' if setting.quoted else setting.value
