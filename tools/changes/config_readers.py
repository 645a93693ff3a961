"""Reading a configuration file's entries (key, value, line, comment) by its type.

TS/JS, Python, Go and Java/Kotlin are read line by line and keep only literal values (numbers, strings, booleans,
`5 * time.Second`); YAML and JSON are parsed, nested keys joined with `.`; `.env`, properties, INI
and TOML are `KEY=value` lines; Terraform is `hcl_reader`'s. `config_values` compares two versions' entries.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

_LOCK_FILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "composer.lock", "pipfile.lock"})


@dataclass(frozen=True)
class Entry:
    key: str
    value: str
    line: int
    comment: str = ""
    path: tuple[str, ...] = ()
    """The key's segments where they hold dots themselves (YAML, JSON: `app.kubernetes.io/name`)."""


# File types --------------------------------------------------------------------------------------


def reader_for(path: str) -> Callable[[str], list[Entry]] | None:
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if name in _LOCK_FILES:
        return None
    if suffix in {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"}:
        return _read_js
    if suffix == ".py":
        return _read_python
    if suffix == ".go":
        return _read_go
    if suffix in {".java", ".kt", ".kts", ".scala"}:
        return _read_jvm
    if suffix == ".tf":
        from wicked_platform.tools.changes.hcl_reader import read_hcl  # it reads with this module's helpers

        return read_hcl
    if suffix in {".yaml", ".yml"}:
        return _read_yaml
    if suffix == ".json":
        return _read_json
    if name == ".env" or name.startswith(".env.") or suffix in {".env", ".properties", ".ini", ".cfg", ".toml"}:
        return _read_properties
    return None


# Comments ----------------------------------------------------------------------------------------


def _split_lines(text: str, marker: str, *, block: bool = False, space_before: bool = False) -> list[tuple[str, str]]:
    """Each line as (code, comment). `block` also reads `/* ... */`; `space_before` wants whitespace
    before the marker (YAML, `.env`: `url: a#b` has no comment). A line that is only comment lends
    its text to the next line, where a note on a value usually sits."""
    lines: list[tuple[str, str]] = []
    in_block = False
    pending = ""
    for raw in text.split("\n"):  # as git counts lines
        code, comment, in_block = _split_line(raw, marker, in_block, block, space_before)
        if not code.strip():
            pending = f"{pending} {comment}".strip() if comment else ""
            lines.append((code, comment))
            continue
        lines.append((code, comment or pending))
        pending = ""
    return lines


def _split_line(line: str, marker: str, in_block: bool, block: bool, space_before: bool) -> tuple[str, str, bool]:
    if not in_block and marker not in line and not (block and "/*" in line):
        return line, "", False  # most lines: nothing to scan for
    code: list[str] = []
    comment: list[str] = []
    quote = ""
    i = 0
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            comment.append(line[i:] if end < 0 else line[i:end])
            if end < 0:
                return "".join(code), " ".join(comment).strip(), True
            in_block, i = False, end + 2
            continue
        char = line[i]
        if quote:
            if char == "\\":
                code.append(line[i : i + 2])
                i += 2
                continue
            quote = "" if char == quote else quote
        elif char in "\"'`":
            quote = char
        elif block and line.startswith("/*", i):
            in_block, i = True, i + 2
            continue
        elif line.startswith(marker, i) and (not space_before or i == 0 or line[i - 1].isspace()):
            comment.append(line[i + len(marker) :])
            break
        code.append(char)
        i += 1
    return "".join(code), " ".join(comment).strip(), in_block


# Literal values ----------------------------------------------------------------------------------

_NUMBER = r"[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_KEYWORDS = frozenset({"true", "false", "null", "undefined", "nil", "None", "True", "False"})
# `5 * time.Second`, `60 * 1000`, `time.Duration(5) * time.Second`: numbers, qualified constants
# (a capitalised last part, as Go and Java name them), arithmetic. Anything else — `i + 1`,
# `len(x) - 1`, `items.length - 1` — is code computing a value, not a configured one.
_EXPRESSION_TOKEN = re.compile(rf"\s*(?:{_NUMBER}|(?:[A-Za-z_]\w*\.)+[A-Z]\w*|[-+*/%()])")


def _literal(value: str) -> str | None:
    """The value as written, without quotes and trailing `,`/`;` — or None when it is not a literal."""
    value = value.strip().rstrip(",;").strip()
    if value.endswith(" as const"):
        value = value[: -len(" as const")].rstrip()
    if len(value) >= 2 and value[0] in "\"'`" and value[-1] == value[0] and value[0] not in value[1:-1]:
        return None if value[0] == "`" and "${" in value else value[1:-1]
    if value in _KEYWORDS or re.fullmatch(_NUMBER, value):
        return value
    if value.startswith("[") and value.endswith("]"):
        items = _split_top_level(value[1:-1])
        return value if all(_literal(item) is not None for item in items if item.strip()) else None
    position, saw_number = 0, False
    while position < len(value):
        token = _EXPRESSION_TOKEN.match(value, position)
        if token is None or token.end() == position:
            return None
        saw_number = saw_number or bool(re.fullmatch(rf"\s*{_NUMBER}", token.group(0)))
        position = token.end()
    return value if saw_number else None


def _split_top_level(text: str, separator: str = ",") -> list[str]:
    """`a: 1, b: {c: 2}` -> [`a: 1`, `b: {c: 2}`]: split where no bracket or quote is open."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote and text[i - 1] != "\\" else quote
        elif char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def literal(value: str) -> str | None:
    """The value as written when it is a literal (number, string, boolean, list of them), else None."""
    return _literal(value)


def split_lines(text: str, marker: str, *, block: bool = False) -> list[tuple[str, str]]:
    """Each line as (code, comment), a comment-only line lending its text to the next."""
    return _split_lines(text, marker, block=block)


# Code: TS/JS, Python, Go ------------------------------------------------------------------------

_IDENT = r"[A-Za-z_$][\w$]*"
_JS_DECLARATION = re.compile(
    rf"^\s*(?:export\s+)?(?:(?:const|let|var|static|readonly|public|private|protected)\s+)*"
    rf"(?P<key>{_IDENT})\s*(?::\s*[^=]+?)?\s*=(?![=>])\s*(?P<value>.*)$"
)
_JS_PROPERTY = re.compile(rf"^\s*(?:(?P<q>[\"'])(?P<qkey>[^\"']+)(?P=q)|(?P<key>{_IDENT}))\s*:\s*(?P<value>.*)$")
_PY_DECLARATION = re.compile(r"^\s*(?P<key>[A-Za-z_][\w.]*)\s*(?::\s*[^=]+?)?\s*=(?!=)\s*(?P<value>.*)$")
_PY_PROPERTY = re.compile(r"^\s*(?P<q>[\"'])(?P<qkey>[^\"']+)(?P=q)\s*:\s*(?P<value>.*)$")
_GO_DECLARATION = re.compile(
    r"^\s*(?:(?:const|var)\s+)?(?P<key>[A-Za-z_]\w*)(?:\s+[\w.*\[\]]+)?\s*:?=(?!=)\s*(?P<value>.*)$"
)
_GO_PROPERTY = re.compile(r"^\s*(?:\"(?P<qkey>[^\"]+)\"|(?P<key>[A-Za-z_]\w*))\s*:\s*(?P<value>.*)$")


def _read_js(text: str) -> list[Entry]:
    return _read_code(_split_lines(text, "//", block=True), _JS_DECLARATION, _JS_PROPERTY)


def _read_python(text: str) -> list[Entry]:
    return _read_code(_split_lines(text, "#"), _PY_DECLARATION, _PY_PROPERTY)


# Java fields (`private static final int TIMEOUT_MS = 500;`, `private boolean idempotent = true;`: modifiers, a
# type, the name) and Kotlin/Scala properties (`const val TIMEOUT_MS = 500`, `var retries: Int = 3`).
_JVM_DECLARATION = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|protected|internal|static|final|volatile|transient|const"
    r"|override|lateinit)\s+)*(?:(?:val|var)\s+(?P<kkey>[A-Za-z_]\w*)(?:\s*:\s*[\w.<>?]+)?"
    r"|(?!return\b)[\w.]+(?:<[^=]*>)?(?:\[\])*\s+(?P<key>[A-Za-z_]\w*))\s*=(?!=)\s*(?P<value>.*)$"
)
_JVM_NO_PROPERTY = re.compile(r"(?!)")  # Java has no object literals: `a: 1` lines are labels or Kotlin types


def _read_jvm(text: str) -> list[Entry]:
    return _read_code(_split_lines(text, "//", block=True), _JVM_DECLARATION, _JVM_NO_PROPERTY)


def _read_go(text: str) -> list[Entry]:
    return _read_code(_split_lines(text, "//", block=True), _GO_DECLARATION, _GO_PROPERTY)


def _read_code(lines: list[tuple[str, str]], declaration: re.Pattern[str], prop: re.Pattern[str]) -> list[Entry]:
    """Assignments and object/dict/struct properties with literal values, keyed by their path
    through enclosing properties (`retry.attempts`). A declaration's own name does not prefix its
    object's keys: `const config = { paymentTimeout: 500 }` gives `paymentTimeout`."""
    entries: list[Entry] = []
    open_blocks: list[str | None] = []  # one per open `{`: the property that opened it, if any
    for number, (code, comment) in enumerate(lines, start=1):
        match = declaration.match(code) or prop.match(code)
        opener: str | None = None
        if match is not None:
            groups = match.groupdict()
            key = groups.get("key") or groups.get("qkey") or groups.get("kkey") or ""
            value = match.group("value").strip().rstrip(",;").strip()
            prefix = [label for label in open_blocks if label]
            is_property = match.re is prop
            if value.startswith("{") and value.endswith("}") and _balanced(value):
                entries += _inline_object(value[1:-1], [*prefix, key] if is_property else prefix, number, comment)
            elif value.endswith("{"):  # `retry: {`, `cfg := Config{`, `CONFIG = {`
                opener = key if is_property else None
            else:
                literal = _literal(value)
                if literal is not None:
                    entries.append(Entry(".".join([*prefix, key]), literal, number, comment))
        _track_braces(code, open_blocks, opener)
    return entries


def _inline_object(body: str, path: list[str], line: int, comment: str) -> Iterator[Entry]:
    """`{ attempts: 3, delay: 100 }` written on one line."""
    for part in _split_top_level(body):
        key, sep, value = part.partition(":")
        key = key.strip().strip("\"'")
        if not sep or not re.fullmatch(r"[\w$.-]+", key):
            continue
        value = value.strip()
        if value.startswith("{") and value.endswith("}"):
            yield from _inline_object(value[1:-1], [*path, key], line, comment)
        elif (literal := _literal(value)) is not None:
            yield Entry(".".join([*path, key]), literal, line, comment)


_STRING = re.compile(r"([\"'`])(?:\\.|(?!\1).)*\1")


def _balanced(text: str) -> bool:
    """`{ a: 1 }` is one object; `{ a: 1 }, { b: 2 }` is not: its first `{` closes before the end."""
    code = _STRING.sub("", text)
    depth = 0
    for position, char in enumerate(code):
        depth += (char == "{") - (char == "}")
        if depth == 0 and position < len(code) - 1:
            return False
    return depth == 0


def _track_braces(code: str, open_blocks: list[str | None], opener: str | None) -> None:
    """Push one entry per `{` (the first labelled `opener`), pop one per `}`; strings do not count."""
    for char in _STRING.sub("", code):
        if char == "{":
            open_blocks.append(opener)
            opener = None
        elif char == "}" and open_blocks:
            open_blocks.pop()


# Data: YAML, JSON, .env / properties -------------------------------------------------------------


_MAX_DEPTH = 32
MAX_NODES = 50_000
# libyaml's loader where PyYAML was built with it (the wheels are): the pure-Python one took most of an
# investigation's time on a repository of many manifests (0.7 s of 1 s on this one). Both compose the same
# nodes with the same marks; libyaml refuses nesting past its depth limit where Python would recurse.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""Nodes of one file walked at most: YAML aliases can make a few lines name billions of values
(`b: [*a, *a, ...]`, nine deep), and a configuration change is never in those."""


def _read_yaml(text: str) -> list[Entry]:
    return [entry for _, entries in yaml_documents(text) for entry in entries]


@functools.lru_cache(maxsize=8)  # a manifest is read for its workloads, then for its environment: parsed once
def yaml_documents(text: str) -> tuple[tuple[yaml.Node, list[Entry]], ...]:
    """Each document of a YAML stream with its entries: a manifest file holds several objects (a
    Deployment and its ConfigMap), and which one a value belongs to is told by its document."""
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except (yaml.YAMLError, RecursionError):  # templated YAML (Helm) is not YAML until rendered; nesting past the stack
        return ()
    comments = [comment for _, comment in _split_lines(text, "#", space_before=True)]
    found: list[tuple[yaml.Node, list[Entry]]] = []
    budget = [MAX_NODES]
    for document in documents:
        if document is not None:
            entries: list[Entry] = []
            _walk_yaml(document, [], entries, comments, budget)
            found.append((document, entries))
    return tuple(found)


def _walk_yaml(
    node: yaml.Node, path: list[str], entries: list[Entry], comments: list[str], budget: list[int], named: bool = False
) -> None:
    """`named`: the node is a list item keyed by its `name`, which its path already carries: its own
    `name` is no value (an env entry added is its `value`, not a `name` that "changed" from nothing)."""
    if len(path) > _MAX_DEPTH or budget[0] <= 0:  # aliases can make a node its own descendant, or a billion
        return
    budget[0] -= 1 + (len(node.value) if isinstance(node, yaml.CollectionNode) else 0)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            if named and key_node.value == "name":
                continue
            line = key_node.start_mark.line
            if isinstance(value_node, yaml.ScalarNode):
                comment = comments[line] if line < len(comments) else ""
                entries.append(Entry(".".join([*path, key_node.value]), value_node.value, line + 1, comment,
                                     (*path, key_node.value)))
            else:
                _walk_yaml(value_node, [*path, key_node.value], entries, comments, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            name = _yaml_item_name(item)
            segment = name or str(index)
            if isinstance(item, yaml.ScalarNode):
                line = item.start_mark.line
                comment = comments[line] if line < len(comments) else ""
                entries.append(Entry(".".join([*path, segment]), item.value, line + 1, comment, (*path, segment)))
            else:
                # an item that is only its name keeps it: adding `- name: x` to a list is the change
                _walk_yaml(item, [*path, segment], entries, comments, budget,
                           named=name is not None and len(item.value) > 1)


def _yaml_item_name(item: yaml.Node) -> str | None:
    """A list item with a `name` (Kubernetes containers, env vars) is keyed by it, not by position."""
    if isinstance(item, yaml.MappingNode):
        for key_node, value_node in item.value:
            if key_node.value == "name" and isinstance(value_node, yaml.ScalarNode):
                return value_node.value
    return None


def _read_json(text: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON; nested deeper than the parser's stack
        return []
    leaves: list[_JsonLeaf] = []
    _walk_json(data, [], None, leaves)
    # json gives no positions: find each key after the previous one, leaves being in document order.
    entries, position, line = [], 0, 1
    for path, value, key in leaves:
        found = text.find(json.dumps(key, ensure_ascii=False), position) if key is not None else -1
        if found >= 0:
            line += text.count("\n", position, found + 1)  # counted on from the last key, never from the top
            position = found + 1
        entries.append(Entry(".".join(path), value, line, path=tuple(path)))
    return entries


_JsonLeaf = tuple[list[str], str, str | None]


def _walk_json(node: object, path: list[str], key: str | None, leaves: list[_JsonLeaf], named: bool = False) -> None:
    """Leaves as (path, value, the object key that places it in the text, if any). `named`: as in _walk_yaml."""
    if len(path) > _MAX_DEPTH:  # data nested this deep is no configuration
        return
    if isinstance(node, dict):
        for name, value in node.items():
            if named and name == "name":
                continue
            _walk_json(value, [*path, str(name)], str(name), leaves)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = item.get("name") if isinstance(item, dict) else None
            segment = name if isinstance(name, str) else str(index)
            # the list's own key places its first item; the rest follow it
            _walk_json(item, [*path, segment], key if index == 0 else None, leaves,
                       named=isinstance(name, str) and len(item) > 1)
    elif path:
        leaves.append((path, node if isinstance(node, str) else json.dumps(node, ensure_ascii=False), key))


_PROPERTY_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][\w.\-]*)\s*[=:]\s*(?P<value>.*)$")
_SECTION = re.compile(r"^\s*\[+\s*(?P<name>[^\]]+?)\s*\]+\s*$")


def _read_properties(text: str) -> list[Entry]:
    """`KEY=value`, `key: value`, `export KEY=value`; `[section]` headers (INI, TOML) prefix keys."""
    entries: list[Entry] = []
    section = ""
    for number, (code, comment) in enumerate(_split_lines(text, "#", space_before=True), start=1):
        if code.lstrip().startswith(("!", ";")):  # properties and INI comment lines
            continue
        if header := _SECTION.match(code):
            section = header.group("name").strip("\"'")
            continue
        match = _PROPERTY_LINE.match(code)
        if match is None:
            continue
        value = match.group("value").strip()
        if value in {"[", "{", '"""', "'''"}:  # the start of a multi-line value
            continue
        if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0]:
            value = value[1:-1]
        key = f"{section}.{match.group('key')}" if section else match.group("key")
        entries.append(Entry(key, value, number, comment))
    return entries
