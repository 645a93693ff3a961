"""A deploys file: the deploy system's own record, when logs do not say what shipped when.

What deploy systems print is read as it is, recognised by content (deploy_exports): `kubectl get
replicasets -o json`, Argo CD's application history (`argocd app get -o json`, `argocd app history`),
`helm history -o json` and GitHub's deployments API. Anything else is the project's own records:
YAML or JSON, a list of deploys or a mapping with a `deploys:` list, or JSON lines (one deploy an
object a line). Each names its service and when it started; version, completion and the commit
shipped are optional, and common spellings of the keys from CD tools are accepted (`app`, `tag`,
`started_at`, `sha`, ...).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wicked_platform.tools.changes.deploy_exports import ExportError, read_export, read_export_text
from wicked_platform.tools.changes.deploy_record import DeployRecord
from wicked_platform.tools.userfile import first_problem, parse_yaml

__all__ = ["MAX_BYTES", "DeployRecord", "DeploysFileError", "load_deploys_file", "load_deploys_files"]

MAX_BYTES = 16 << 20


class DeploysFileError(ValueError):
    """The deploys file cannot be used: one line naming the file, the entry and the field."""


def _document(path: Path, text: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" in stripped:  # JSON lines: an object a line
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DeploysFileError(f"--deploys {path}: line {exc.lineno}: not JSON ({exc.msg})") from None
        except RecursionError:
            raise DeploysFileError(f"--deploys {path}: nested too deeply to be read") from None
    return parse_yaml(text, DeploysFileError, f"--deploys {path}", what="YAML or JSON")  # YAML reads JSON too


def _own_records(path: Path, document: Any) -> list[DeployRecord]:
    if isinstance(document, dict) and isinstance(document.get("deploys"), list):
        entries = document["deploys"]
    elif isinstance(document, list):
        entries = document
    else:
        raise DeploysFileError(f"--deploys {path}: expected a list of deploys, or a mapping with a `deploys:` list")
    records = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DeploysFileError(f"--deploys {path}: entry {index}: expected a mapping with service and at")
        try:
            records.append(DeployRecord.model_validate(entry))
        except ValidationError as exc:
            raise DeploysFileError(f"--deploys {path}: entry {index}: {first_problem(exc)}") from None
    return records


def _file_stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".txt", ".log", ".out", ".json", ".yaml", ".yml"):
        name = name.removesuffix(suffix)
    return name


def load_deploys_file(path: Path) -> list[DeployRecord]:
    """The deploys in the file, oldest first; DeploysFileError names what to fix."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DeploysFileError(f"--deploys {path}: larger than {MAX_BYTES >> 20} MiB; export only the incident's window")
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DeploysFileError(f"--deploys {path}: no such file") from None
    except OSError as exc:
        raise DeploysFileError(f"--deploys {path}: {exc.strerror or exc}") from None
    try:
        records = read_export_text(text, _file_stem(path))
        if records is None:
            document = _document(path, text)
            records = read_export(document)
            if records is None:
                records = _own_records(path, document)
    except ExportError as exc:
        raise DeploysFileError(f"--deploys {path}: {exc}") from None
    except ValidationError as exc:  # a table row whose time does not parse
        raise DeploysFileError(f"--deploys {path}: {first_problem(exc)}") from None
    return sorted(records, key=lambda r: (r.at, r.service, r.version or ""))


def load_deploys_files(paths: Sequence[Path]) -> list[DeployRecord]:
    """The deploys of every file (`--deploys` repeats: a Helm history beside GitHub's deployments), oldest first.

    Two files can record one deploy (each system its own view of it): the first file given that names a
    service and version is the one kept, so the order of `--deploys` says which record to trust.
    """
    kept: dict[tuple[str, str | None], DeployRecord] = {}
    unversioned: list[DeployRecord] = []
    for path in paths:
        for record in load_deploys_file(path):
            if record.version is None:
                unversioned.append(record)  # nothing says two of these are the same deploy
            else:
                kept.setdefault((record.service, record.version), record)
    return sorted([*kept.values(), *unversioned], key=lambda r: (r.at, r.service, r.version or ""))
