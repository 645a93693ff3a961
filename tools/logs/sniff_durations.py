"""Whether a file's sampled lines say how long they took, and where (duration_shapes): what the sniff decides
so the scan reads durations only from files that have them."""

from __future__ import annotations

import re

from wicked_platform.tools.logs import duration_shapes
from wicked_platform.tools.logs.duration_sql import TAIL_BARE, VALUE_PATTERN

_DURATION_VALUE = re.compile(VALUE_PATTERN)
_INLINE_DURATIONS = [re.compile(shape.pattern) for shape in duration_shapes.INLINE_SHAPES]
_ACCESS_TAIL = re.compile(TAIL_BARE)
_ACCESS_KEYED = re.compile(r'[ \t](?:' + "|".join(duration_shapes.TAIL_KEYS) + r')="?[0-9]')


def access_duration(line: str) -> bool:
    """An access line with a request time after its status and size: keyed (`rt=0.060`), or a bare number
    after its last quoted field. A common-format line ends with its size: two numbers are no duration."""
    if _ACCESS_KEYED.search(line):
        return True
    tail = line.rsplit('"', 1)[-1]
    numbers = tail.split()
    return bool(_ACCESS_TAIL.match(tail)) and not (len(numbers) == 2 and numbers[0].isdigit() and len(numbers[0]) == 3)


def inline_durations(lines: list[str]) -> bool:
    """Whether sampled plain lines say how long something took (a phrase of duration_shapes.INLINE_SHAPES)."""
    return any(pattern.search(line) for line in lines for pattern in _INLINE_DURATIONS)


_RECORD_DURATIONS = [re.compile(shape.pattern) for shape in duration_shapes.INLINE_SHAPES if shape.record]


def record_durations(lines: list[str]) -> bool:
    """Whether sampled lines hold a phrase whose time is its record's, on an earlier line (the slow query log)."""
    return any(pattern.search(line) for line in lines for pattern in _RECORD_DURATIONS)


def is_duration_value(value: object) -> bool:
    """A duration as a structured line writes it: a non-negative number, or one with a unit (`12ms`)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    return (isinstance(value, int | float) and value >= 0) or bool(_DURATION_VALUE.match(str(value)))


def opens_duration(match: re.Match[str]) -> bool:
    """The token after the level opens a duration phrase (PostgreSQL's `LOG:  duration: 12.3 ms`): a field's
    label, not a service's name."""
    return match["third"] is not None and any(
        pattern.match(match.string, match.start("third")) for pattern in _INLINE_DURATIONS)


def duration_key_of(path: str) -> str:
    """The catalogue key a JSON path or logfmt key ends with: `$.duration_ms` -> `duration_ms`."""
    return path.rsplit(".", 1)[-1].strip('"')


def in_catalogue_order(found: set[str]) -> list[str]:
    """Duration keys most specific first (the catalogue's order): `duration_ms` before `duration`."""
    order = {row.key: i for i, row in enumerate(duration_shapes.DURATION_KEYS)}
    return sorted(found, key=lambda path: (order[duration_key_of(path)], path))
