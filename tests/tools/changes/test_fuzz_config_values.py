"""Property-based: any two versions of any file give a list of changed values, never an exception.

A commit can hold anything: templated YAML, half a JSON document, a minified bundle named `.js`, a
YAML file whose aliases name a billion values, JSON nested ten thousand deep. The readers return
what they can read and pass over the rest, in bounded time. Where the text is configuration, the
value that changed is the one reported, and a secret's value never is.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st
from support.fuzz import fuzz

from wicked_platform.tools.changes.config_values import _stated_value, config_changes
from wicked_platform.tools.redaction import REDACTED

PATHS = ["services/api/config.ts", "app/settings.py", "cmd/main.go", "deploy/values.yaml", "config/app.json",
         ".env", "conf/app.properties", "pyproject.toml", "setup.cfg", "web/config.mjs"]
_CONFIGISH = st.sampled_from([
    "paymentTimeout: 500,", "paymentTimeout: 5000, // was 5000", "export const x = 5 * time.Second", "a = {", "}", "{", "]",
    "key: &a [1, 2]", "other: *a", "- name: x", "  value: 1", "KEY=value", "[section]", "/*", "*/", '"k": 1,', "x := 3",
    "password: hunter2", "DB_PASSWORD=s3cr3t", "'''", '"""', "#", "//", "`${x}`", "\t", "\x00", "é", "\\",
])
TEXT = st.one_of(st.none(), st.text(max_size=300),
                 st.lists(st.one_of(_CONFIGISH, st.text(max_size=30)), max_size=30).map("\n".join))


@fuzz(300)
@given(st.sampled_from(PATHS), TEXT, TEXT)
def test_any_two_versions_give_a_list_of_changes(path, before, after):
    changes = config_changes(path, before, after)
    assert isinstance(changes, list)
    for change in changes:
        assert change.file == path and change.key
        assert change.before is not None or change.after is not None
        if change.line is not None:
            assert 1 <= change.line <= (after or "").count("\n") + 1
    if before == after:
        assert changes == []


_KEYS = st.from_regex(r"\A[a-z][a-zA-Z0-9_]{0,15}\Z")
_VALUES = st.one_of(st.integers(-10**6, 10**6).map(str), st.from_regex(r"\A[a-z][a-z0-9-]{0,10}\Z"))


def _render(kind: str, values: dict[str, str]) -> str:
    if kind == "yaml":
        return "".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items())
    if kind == "json":
        return json.dumps(values, indent=2) + "\n"
    if kind == "env":
        return "".join(f"{k.upper()}={v}\n" for k, v in values.items())
    return "export const config = {\n" + "".join(f"  {k}: {json.dumps(v)},\n" for k, v in values.items()) + "};\n"


@fuzz(150)
@given(st.sampled_from([("yaml", "values.yaml"), ("json", "app.json"), ("env", ".env"), ("ts", "config.ts")]),
       st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=12), st.data())
def test_the_one_value_that_changed_is_the_one_reported(kind_path, values, data):
    kind, path = kind_path
    assume(len({k.upper() for k in values}) == len(values))  # .env keys are upper-cased
    key = data.draw(st.sampled_from(sorted(values)))
    new = data.draw(_VALUES.filter(lambda v: v != values[key]))
    changes = config_changes(path, _render(kind, values), _render(kind, {**values, key: new}))
    name = key.upper() if kind == "env" else key
    assert [(c.key, c.before, c.after) for c in changes] == [(name, values[key], new)]


@fuzz(100)
@given(st.sampled_from(["password", "db_password", "apiKey", "client_secret", "AUTH_TOKEN"]), _VALUES, _VALUES,
       st.sampled_from(["values.yaml", "app.json", ".env", "config.ts", "settings.py"]))
def test_a_secret_value_that_changed_is_never_shown(key, old, new, path):
    assume(old != new and len(old) > 2 and len(new) > 2)
    render = {"values.yaml": "{k}: {v}\n", "app.json": '{{"{k}": "{v}"}}\n', ".env": "{k}={v}\n",
              "config.ts": "export const config = {{ {k}: '{v}' }};\n", "settings.py": "{k} = '{v}'\n"}[path]
    changes = config_changes(path, render.format(k=key, v=old), render.format(k=key, v=new))
    assert changes and all(c.before == REDACTED and c.after == REDACTED for c in changes)


@fuzz(300)
@given(st.text(max_size=200))
def test_any_comment_states_a_number_or_nothing(comment):
    stated = _stated_value(comment)
    assert stated is None or float(stated) == float(stated)


# Files made to hurt a reader: bounded, never raised ----------------------------------------------


def _laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "billion-laughs.yaml": _laughs(),
    "deep.json": "[" * 50_000 + "]" * 50_000,
    "deep-object.json": '{"a":' * 5_000 + "1" + "}" * 5_000,
    "deep.yaml": "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 3000)),
    "flow-deep.yaml": "[" * 20_000 + "]" * 20_000,
    "big.json": json.dumps({f"key{i}": f"value {i}" for i in range(18_000)}, indent=1),
    "long-line.ts": "export const config = { " + ", ".join(f"k{i}: {i}" for i in range(40_000)) + " };",
    "unclosed.ts": "/* " + "x = 1\n" * 20_000,
    "quotes.py": "x = '" + "\\'" * 100_000,
    "template.yaml": "{{- range .Values.items }}\nkey: {{ . }}\n{{- end }}\n" * 500,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_read_in_bounded_time(name):
    text = HOSTILE[name]
    started = time.process_time()
    changes = config_changes(name, text, text.replace("1", "2", 1) + "\n")
    assert isinstance(changes, list) and len(changes) <= 100_000
    # Generous: a reader that expanded the aliases or rescanned the text per key takes minutes.
    assert time.process_time() - started < 30


def test_billion_laughs_expands_no_further_than_the_node_budget():
    from wicked_platform.tools.changes.config_readers import MAX_NODES, _read_yaml

    entries = _read_yaml(_laughs())
    assert 0 < len(entries) <= MAX_NODES
    assert yaml.safe_load(_laughs())  # the text really is valid YAML
