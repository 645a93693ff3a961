"""A message's signature: its text with the variable parts masked, so repeats of one log statement group.

"Payment timeout for order ORD-1001" -> "Payment timeout for order <*>"
"Connection refused to 10.0.0.3:5432" -> "Connection refused to <*>"

The masks are written once, in the syntax Python's `re` and DuckDB's RE2 read alike (ASCII classes,
no look-around, no back-references), and applied by both: `signature` for a message in hand,
`signature_sql` inside the vectorised scan. Both take the leftmost match and, at one position, the
first alternative that matches, so they agree (a test holds them to that on a varied corpus).
"""

from __future__ import annotations

import re

from wicked_platform.tools.logs.sql_text import quote

MASK = "<*>"

# Order matters: at one position the first alternative wins, so the specific shapes come before
# the catch-all "any token holding a digit".
_VARIABLE_PARTS = (
    r'"[^"]*"',  # a double-quoted value
    r"\B'[^']*'\B",  # a single-quoted value; \B keeps the apostrophe in "can't" out of it
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",  # an email address
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",  # a UUID
    r"\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b",  # a full IPv6 address
    r"\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?",  # fe80::1, 2001:db8::
    r"\B::[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*",  # ::1
    r"\b[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]{1,5})?\b",  # an IPv4 address, with its port
    r"\b0[xX][0-9A-Fa-f]+\b",  # 0x-prefixed hex
    r"\b[0-9A-Fa-f]{8,}\b",  # long hex without digits-only meaning: shas, span ids, "deadbeef"
    r"[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*",  # any token holding a digit: ORD-1001, 500ms, v2, 42
)
MASK_PATTERN = "|".join(_VARIABLE_PARTS)
# Masks separated only by punctuation or blanks are one variable part: "10.0.0.3:5432", "1/3", "14:23:15".
COLLAPSE_PATTERN = r"<\*>(?:[ \t:/.,_#=-]*<\*>)+"

_MASK = re.compile(MASK_PATTERN, re.ASCII)
_COLLAPSE = re.compile(COLLAPSE_PATTERN, re.ASCII)


def signature(message: str) -> str:
    """The message with ids, numbers, UUIDs, hex, IPs, emails and quoted values masked as `<*>`."""
    return _COLLAPSE.sub(MASK, _MASK.sub(MASK, message))


def signature_sql(column: str) -> str:
    """The DuckDB expression computing `signature` of a VARCHAR column."""
    masked = f"regexp_replace({column}, {quote(MASK_PATTERN)}, {quote(MASK)}, 'g')"
    return f"regexp_replace({masked}, {quote(COLLAPSE_PATTERN)}, {quote(MASK)}, 'g')"


_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")


def digit_shape(message: str) -> str:
    """The message with every digit written as 0.

    Messages that differ only in their ids share a shape, which lets the scan compute one signature per
    shape instead of one per line. A shape's signature is its message's but in one case: a nonzero digit
    before an `x` and hex digits (`3x3-node`) reads as 0x-hex in the shape (`<*>-node`, not `<*>`). The
    scan's C and SQL both sign the shape, so they agree with each other there.
    """
    return message.translate(_DIGITS_TO_ZERO)


_NONZERO_TO_ONE = str.maketrans("23456789", "11111111")


def signature_shape(message: str) -> str:
    """The message with every nonzero digit written as 1: it always has the message's signature.

    The masks tell digits apart only by the literal 0 of `0x`; every other class holds all ten.
    """
    return message.translate(_NONZERO_TO_ONE)


def digit_shape_sql(column: str) -> str:
    """SQL twin of `digit_shape` (nested `replace`: far cheaper in DuckDB than translate or a regex)."""
    shape = column
    for digit in "123456789":
        shape = f"replace({shape}, '{digit}', '0')"
    return shape
