"""The SQL that cuts a header (header_shapes.py) from what follows a line's level: the message after it, and the
service it names. Steps are (name, sql) pairs computed in order, as duration_sql.py returns them."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.header_shapes import BY_NAME
from wicked_platform.tools.logs.sql_text import quote


class HeaderSql(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: list[tuple[str, str]]  # (name, sql), in order
    message: str  # the message: after the header where the line has it, else all of the rest
    service: str | None  # the service the header names (NULL on a line where it names none); None: it never does


def header_sql(header: str | None, rest_sql: str) -> HeaderSql:
    """For lines with the header named `header` (None: none), `rest_sql` being what follows their level."""
    if header is None:
        return HeaderSql(steps=[], message=rest_sql, service=None)
    pattern = "^(?P<header>" + BY_NAME[header].pattern + ")"
    groups = list(re.compile(pattern).groupindex)  # regexp_extract names every group, in order
    names = "[" + ", ".join(quote(name) for name in groups) + "]"
    steps = [("header_parts", f"regexp_extract({rest_sql}, {quote(pattern)}, {names})"),
             ("header_message", f"substr({rest_sql}, length(header_parts.header) + 1)")]
    service = "nullif(header_parts.service, '')" if "service" in groups else None
    return HeaderSql(steps=steps, message="header_message", service=service)
