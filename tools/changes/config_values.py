"""The configuration values a change made: `paymentTimeout` 5000 -> 500 in `config.ts`.

Each version of a file is read into entries (key, value, line, comment) by its type — TS/JS, Python,
Go, YAML, JSON, `.env`/properties — and the two are compared. The code readers are line based and
keep only literal values (numbers, strings, booleans, `5 * time.Second`): an assignment from a
variable or a call is code, not configuration, and reporting it would bury the one value that matters.

A value whose code did not change can still be the story: the line's comment may state the old or
intended value (`// Changed from 5000ms`, `// BUG: should be 5000`). When a commit touched such a
comment, the stated value is reported as `before`, with `source="comment"`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from wicked_platform.tools.changes.command_flags import changed_flags
from wicked_platform.tools.changes.config_readers import Entry, reader_for
from wicked_platform.tools.changes.manifests import ManifestIndex, is_manifest
from wicked_platform.tools.changes.models import ConfigValueChange
from wicked_platform.tools.redaction import REDACTED, is_secret_key

MAX_PARSE_CHARS = 500_000
"""Larger files are data (fixtures, lock files), not configuration; they are not parsed."""


def has_config_reader(path: str) -> bool:
    """Whether `config_changes` can read values from files like `path` (so callers can skip the rest)."""
    return reader_for(path) is not None


# The diff ----------------------------------------------------------------------------------------


def config_changes(path: str, before: str | None, after: str | None) -> list[ConfigValueChange]:
    """The values that differ between two versions of `path` (None: the file did not exist).

    Keys are matched by name and, for a name that occurs more than once, by occurrence. Values of
    keys that name secrets (`DB_PASSWORD`) are never returned.
    """
    reader = reader_for(path)
    if reader is None or before == after:
        return []
    old, new = _entries(reader, before), _entries(reader, after)
    changes: list[ConfigValueChange] = []
    for identity in dict.fromkeys([*new, *old]):
        was, now = old.get(identity), new.get(identity)
        key = identity[0]
        if was is None and now is not None:
            changes.append(_change(path, key, None, now.value, now.line))
        elif now is None and was is not None:
            changes.append(_change(path, key, was.value, None, None))
        elif was is not None and now is not None:
            if was.value != now.value:
                # A command line's change is the change of the flags it sets differently.
                changes += [_change(path, f"{key}.{flag}", old_value, new_value, now.line)
                            for flag, old_value, new_value in changed_flags(was.value, now.value)] or [
                    _change(path, key, was.value, now.value, now.line)]
            elif was.comment != now.comment:
                stated = _stated_value(now.comment) or _stated_value(was.comment)
                if stated is not None and not _same_number(stated, now.value):
                    changes.append(_change(path, key, stated, now.value, now.line, source="comment"))
    if changes and is_manifest(path):
        # A deployment manifest says whose value it is and what kind of setting: compose services.<name>, a
        # Deployment's container, a Helm chart. Placed from the (redacted) old value: a secret's never shows.
        index = ManifestIndex(path, before if _parsable(before) else None, after if _parsable(after) else None)
        # A flag of a command line is placed where its line is (`services.redis.command`).
        changes = [c.model_copy(update={"place": index.place(c.key, c.line, c.before)
                                        or index.place(c.key.rsplit(".", 1)[0], c.line, c.before)}) for c in changes]
    return sorted(changes, key=lambda c: (c.file, c.line if c.line is not None else 1 << 30, c.key))


def _parsable(text: str | None) -> bool:
    return bool(text) and len(text) <= MAX_PARSE_CHARS


def _entries(reader: Callable[[str], list[Entry]], text: str | None) -> dict[tuple[str, int], Entry]:
    if not text or len(text) > MAX_PARSE_CHARS:
        return {}
    seen: dict[str, int] = {}
    by_identity: dict[tuple[str, int], Entry] = {}
    for entry in reader(text):
        occurrence = seen.get(entry.key, 0)
        seen[entry.key] = occurrence + 1
        by_identity[(entry.key, occurrence)] = entry
    return by_identity


def _change(
    path: str, key: str, before: str | None, after: str | None, line: int | None, source: str = "code"
) -> ConfigValueChange:
    if is_secret_key(key):
        before = None if before is None else REDACTED
        after = None if after is None else REDACTED
    return ConfigValueChange(file=path, key=key, before=before, after=after, source=source, line=line)


# What a comment says the value was or should be: `Changed from 5000ms`, `# was 30`, `should be 5000`,
# `previously 10`, `default 5000`, `originally 2s`. The number is returned without its unit.
_STATED = re.compile(
    r"\b(?:(?:changed|reduced|increased|lowered|raised|bumped|updated|moved|went)\s+(?:down\s+|up\s+)?from"
    r"|was|were|used\s+to\s+be|should\s+(?:be|have\s+been)|must\s+be|needs?\s+to\s+be|previously|formerly"
    r"|originally|old(?:\s+value)?|default(?:s|\s+is|\s+was|\s+of)?|expected|intended|correct\s+value\s+is)"
    r"\s*[:=]?\s*(?:to\s+)?(?P<number>[-+]?\d[\d_,]*(?:\.\d+)?)",
    re.IGNORECASE,
)
_NUMBER_IN_VALUE = re.compile(r"^[-+]?\d[\d_]*(?:\.\d+)?")


def _stated_value(comment: str) -> str | None:
    match = _STATED.search(comment) if comment else None
    return match.group("number").replace(",", "").replace("_", "") if match else None


def _same_number(stated: str, value: str) -> bool:
    """`5000` states the same as `5000`, `5_000` or `"5000ms"`; anything non-numeric never does."""
    match = _NUMBER_IN_VALUE.match(value.strip())
    if match is None:
        return False
    try:
        return float(stated) == float(match.group(0).replace("_", ""))
    except ValueError:
        return False
