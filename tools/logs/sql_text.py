"""SQL text: string literals, and string SQL that DuckDB runs on every candidate line, written for speed
where its builtins are slow."""

from __future__ import annotations

_TRIMS = {"both": "trim", "left": "ltrim", "right": "rtrim"}


def trimmed(column: str, chars: str | None = None, side: str = "both") -> str:
    """`trim(column, chars)` (or ltrim/rtrim by `side`), called only when an end may hold one of `chars`.

    DuckDB's trims walk the whole string code point by code point: on a million log messages that is
    most of a second, while testing the ends is a byte compare. Most values have nothing to trim.
    `chars` None: what `trim(column)` strips, the blank and the other Unicode spaces (U+00A0, U+3000,
    ...); those are looked for by their being outside ASCII anywhere in the value (rare, so the test
    is a length compare). `column` is named several times, so pass a column, not an expression.
    """
    blanks = " " if chars is None else chars
    ends = [f"{test}({column}, {quote(c)})" for c in blanks
            for test, at in (("prefix", "left"), ("suffix", "right")) if side in (at, "both")]
    if chars is None:
        ends.append(f"strlen({column}) <> length({column})")
    call = f"{_TRIMS[side]}({column})" if chars is None else f"{_TRIMS[side]}({column}, {quote(chars)})"
    return f"(CASE WHEN {' OR '.join(ends)} THEN {call} ELSE {column} END)"


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
