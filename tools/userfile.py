"""Reading a YAML file a user wrote, with one-line errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


def load_yaml_mapping(path: Path, error: type[ValueError], expected: str, *, allow_empty: bool = False) -> dict[str, Any]:
    """The file's top-level mapping; anything else raises `error` with one line saying what to fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    raw = parse_yaml(text, error, str(path))
    if raw is None and allow_empty:
        return {}
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a mapping with {expected} at the top level")
    return raw


def parse_yaml(text: str, error: type[ValueError], name: str, *, what: str = "valid YAML") -> Any:
    """The YAML document in `text`; a syntax error, or nesting past the stack, raises `error` with one
    line naming `name` and the line to look at."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise error(f"{name}: not {what}{where}") from None
    except RecursionError:
        raise error(f"{name}: nested too deeply to be read") from None


def first_problem(exc: ValidationError) -> str:
    """The first validation error as `field.path: what is wrong`."""
    first = exc.errors()[0]
    # A key may be any YAML scalar, a line break included: such a key is shown escaped, so the error stays one line.
    where = ".".join(text if (text := str(part)).isprintable() else repr(text) for part in first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required"
    elif kind == "value_error":
        message = str(first["ctx"]["error"])
    else:
        message = first["msg"]
    return f"{where}: {message}" if where else message
