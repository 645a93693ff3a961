"""A log message taken apart: its prose, and the key/value fields it carries.

What the scan hands the analysis for an event line is its message: the `msg` of a JSON or logfmt
line, the text after the head of a plain or syslog line, or the whole JSON object when the line had
no message key. Writers put structure inside it too (`deployment started service=auth-service
version=v1.2.3`), so before anything reads words, the message is split into what is prose and what
is a field: a JSON object's keys (nested ones joined with dots), or `key=value` pairs, quoted or
bare. A word inside a field's value is that field's value, never prose: `user=deploy` names a user.
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ConfigDict

MAX_FIELDS = 200  # a message holds few; a huge object is cut rather than walked
MAX_DEPTH = 8

# key=value, key="quoted value" or key='quoted value': logfmt, and the pairs writers put in prose.
_PAIR = re.compile(r"""(?:^|(?<=[\s,;(\[{]))(?P<key>[A-Za-z_@][\w.@/-]*)=(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;)\]}]*)""")


class MessageFields(BaseModel):
    """A message's prose (pairs cut out, blanks folded) and its fields, keys as written."""

    model_config = ConfigDict(frozen=True)

    prose: str
    fields: dict[str, str]

    def get(self, *keys: str) -> str | None:
        """The first non-empty value among `keys`, compared case-insensitively."""
        lowered = {k.lower(): v for k, v in self.fields.items()}
        for key in keys:
            value = lowered.get(key.lower())
            if value:
                return value
        return None


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if value[0] == '"' else inner
    return value


def _flatten(node: object, prefix: str, out: dict[str, str], depth: int) -> None:
    """Scalars of a JSON object under dotted keys; lists and over-deep nesting are left out."""
    if depth > MAX_DEPTH or not isinstance(node, dict):
        return
    for key, value in node.items():
        if len(out) >= MAX_FIELDS:
            return
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{name}.", out, depth + 1)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            out[name] = str(value)


def _json_object(text: str) -> dict | None:
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def message_fields(message: str) -> MessageFields:
    """The prose and fields of one message (see the module docstring)."""
    document = _json_object(message)
    if document is not None:
        fields: dict[str, str] = {}
        _flatten(document, "", fields, 0)
        # A JSON line's own message, when it has one, is the prose; its pairs are fields too.
        prose = next((fields[k] for k in ("msg", "message") if k in fields), "")
        inner = message_fields(prose) if prose else MessageFields(prose="", fields={})
        return MessageFields(prose=inner.prose, fields={**inner.fields, **fields})
    fields = {}
    for match in _PAIR.finditer(message):
        if len(fields) >= MAX_FIELDS:
            break
        fields.setdefault(match["key"], _unquoted(match["value"]))
    prose = " ".join(_PAIR.sub(" ", message).split())
    return MessageFields(prose=prose, fields=fields)
