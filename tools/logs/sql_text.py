"""String SQL that DuckDB runs on every candidate line, written for speed where its builtins are slow."""

from __future__ import annotations

_TRIMS = {"both": "trim", "left": "ltrim", "right": "rtrim"}


def trimmed(column: str, chars: str = " ", side: str = "both") -> str:
    """`trim(column, chars)` (or ltrim/rtrim by `side`), called only when an end holds one of `chars`.

    DuckDB's trims walk the whole string code point by code point: on a million log messages that is
    most of a second, while testing the ends is a byte compare. Most values have nothing to trim.
    `column` is named three times, so pass a column, not an expression to compute.
    """
    ends = [f"{test}({column}, {_literal(c)})" for c in chars
            for test, at in (("prefix", "left"), ("suffix", "right")) if side in (at, "both")]
    return f"(CASE WHEN {' OR '.join(ends)} THEN {_TRIMS[side]}({column}, {_literal(chars)}) ELSE {column} END)"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
