"""The settings a command line carries: `redis-server --maxmemory 256mb`, `java -Xmx512m -jar app.jar`.

A compose `command:`, a container's `args:` or a Procfile line sets its program's configuration as flags; a
change to the line is a change to the flags that differ, each a value of its own (`--maxmemory` 2gb -> 256mb),
which is what the errors can be read against, not the whole line.
"""

from __future__ import annotations

import re
import shlex

_LONG = re.compile(r"^--(?P<name>[A-Za-z][\w.-]*)(?:=(?P<value>.*))?$")
_JVM = re.compile(r"^-X(?P<name>mx|ms|ss|mn)(?P<value>\d+[kKmMgGtT]?)$")  # -Xmx512m: the JVM's sizes
_JVM_PROPERTY = re.compile(r"^-D(?P<name>[\w.-]+)=(?P<value>.*)$")  # -Dserver.port=8080


def flags(line: str) -> dict[str, str] | None:
    """The flags of a command line and their values (a bare flag: `true`); None when `line` holds no flag or is
    not one command line."""
    if "\n" in line or "-" not in line:
        return None
    try:
        tokens = shlex.split(line)
    except ValueError:
        return None
    found: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if (long := _LONG.match(token)) is not None:
            value = long["value"]
            if value is None:
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                value = following if following is not None and not following.startswith("-") else "true"
            found[long["name"]] = value
        elif (jvm := _JVM.match(token) or _JVM_PROPERTY.match(token)) is not None:
            found[jvm["name"]] = jvm["value"]
    return found or None


def changed_flags(before: str, after: str) -> list[tuple[str, str | None, str | None]]:
    """(flag, before, after) for each flag the two lines set differently, in the order the lines name them;
    empty when either is not a command line with flags."""
    old, new = flags(before), flags(after)
    if old is None or new is None:
        return []
    return [(name, old.get(name), new.get(name)) for name in dict.fromkeys([*old, *new]) if old.get(name) != new.get(name)]
