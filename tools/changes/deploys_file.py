"""A deploys file: the deploy system's own record, when logs do not say what shipped when.

YAML or JSON: a list of deploys, or a mapping with a `deploys:` list; JSON lines work too (one
deploy an object a line), so `kubectl`/CI exports need little massaging. Each deploy names its
service and when it started; version, completion and the commit shipped are optional. Common
spellings of the keys from CD tools are accepted (`app`, `tag`, `started_at`, `sha`, ...).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from wicked_platform.tools.timeutil import UtcDatetime
from wicked_platform.tools.userfile import first_problem, parse_yaml

MAX_BYTES = 16 << 20


class DeploysFileError(ValueError):
    """The deploys file cannot be used: one line naming the file, the entry and the field."""


class DeployRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    service: str = Field(min_length=1, validation_alias=AliasChoices("service", "app", "application", "name"))
    version: str | None = Field(None, validation_alias=AliasChoices("version", "tag", "release", "image_tag"))
    at: UtcDatetime = Field(validation_alias=AliasChoices("at", "started_at", "start", "time", "timestamp", "deployed_at"))
    completed_at: UtcDatetime | None = Field(None, validation_alias=AliasChoices("completed_at", "finished_at", "end"))
    commit: str | None = Field(None, validation_alias=AliasChoices("commit", "sha", "revision", "git_sha"))


def _entries(path: Path, text: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n{" in stripped:  # JSON lines: an object a line
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DeploysFileError(f"--deploys {path}: line {exc.lineno}: not JSON ({exc.msg})") from None
        except RecursionError:
            raise DeploysFileError(f"--deploys {path}: nested too deeply to be read") from None
    document = parse_yaml(text, DeploysFileError, f"--deploys {path}", what="YAML or JSON")  # YAML reads JSON too
    if isinstance(document, dict) and isinstance(document.get("deploys"), list):
        return document["deploys"]
    if isinstance(document, list):
        return document
    raise DeploysFileError(f"--deploys {path}: expected a list of deploys, or a mapping with a `deploys:` list")


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
    records = []
    for index, entry in enumerate(_entries(path, text)):
        if not isinstance(entry, dict):
            raise DeploysFileError(f"--deploys {path}: entry {index}: expected a mapping with service and at")
        try:
            records.append(DeployRecord.model_validate(entry))
        except ValidationError as exc:
            raise DeploysFileError(f"--deploys {path}: entry {index}: {first_problem(exc)}") from None
    return sorted(records, key=lambda r: (r.at, r.service, r.version or ""))
