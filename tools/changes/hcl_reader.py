"""Terraform (HCL) files read line by line into entries, keyed by their blocks' types and labels.

`resource "kubernetes_deployment" "checkout" { spec { replicas = 3 } }` gives the entry
`resource.kubernetes_deployment.checkout.spec.replicas = 3`, so the resource a value belongs to is in
its key, and `manifests` can name its owner. Only literal values are kept (strings, numbers, booleans);
expressions, interpolations and heredocs are code, not configuration.
"""

from __future__ import annotations

import re

from wicked_platform.tools.changes.config_readers import Entry, literal, split_lines

_BLOCK = re.compile(r'^\s*(?P<type>[A-Za-z_][\w-]*)(?P<labels>(?:\s+"[^"]*"|\s+[A-Za-z_][\w-]*)*)\s*\{\s*$')
_MAP_ATTRIBUTE = re.compile(r"^\s*(?P<key>[A-Za-z_][\w-]*)\s*=\s*\{\s*$")
_ATTRIBUTE = re.compile(r'^\s*(?:(?P<key>[A-Za-z_][\w-]*)|"(?P<qkey>[^"]+)")\s*=\s*(?P<value>.+?)\s*,?\s*$')
_LABEL = re.compile(r'"([^"]*)"|([A-Za-z_][\w-]*)')
_TRAILING_COMMENT = re.compile(r'\s+//[^"]*$')
_HEREDOC = re.compile(r"<<-?\s*(?P<marker>[A-Za-z_]\w*)\s*$")


def read_hcl(text: str) -> list[Entry]:
    entries: list[Entry] = []
    stack: list[tuple[str, ...]] = []  # one per open `{`: the segments it adds
    heredoc: str | None = None
    lines = split_lines(text, "#", block=True)
    for number, (code, comment) in enumerate(lines, start=1):
        if heredoc is not None:
            heredoc = None if code.strip() == heredoc else heredoc
            continue
        path = tuple(segment for segments in stack for segment in segments)
        if _line_comment(code):
            continue
        if (opened := _BLOCK.match(code)) is not None:
            labels = tuple(a or b for a, b in _LABEL.findall(opened.group("labels")))
            stack.append((opened.group("type"), *labels))
        elif (opened := _MAP_ATTRIBUTE.match(code)) is not None:
            stack.append((opened.group("key"),))
        elif code.strip().startswith("}"):
            if stack:
                stack.pop()
        elif (attribute := _ATTRIBUTE.match(code)) is not None:
            value = _TRAILING_COMMENT.sub("", attribute.group("value"))
            if (marker := _HEREDOC.search(value)) is not None:
                heredoc = marker.group("marker")
                continue
            key = attribute.group("key") or attribute.group("qkey")
            kept = literal(value)
            if kept is not None and not kept.startswith("[") and "${" not in kept:
                entries.append(Entry(".".join((*path, key)), kept, number, comment, (*path, key)))
    return entries


def _line_comment(code: str) -> bool:
    """`//` starts a comment in HCL too (the `#` and `/* */` forms are split off already)."""
    return code.lstrip().startswith("//")
