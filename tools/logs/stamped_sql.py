"""The SQL that reads a file of a sniffed layout (sniff_stamped.py): its stamp at the place sniffing
found, in the catalogue's shape, and its level where the file keeps it.

Every line's stamp is cut out with one regex and converted as its shape says (ISO, strptime formats,
seconds since the epoch). Lines that may matter (no stamp, a level worse than INFO, a word of the
vocabulary) are taken apart further: the level within the few tokens after the stamp, the message
after it. Year-less shapes take the year of `YearRule`, a year earlier where that would put a line
past the rule's bound (a log read in January holds December's lines).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs.levels import LETTER_LEVELS, LEVEL_CLASSES, MARK_LEVELS
from wicked_platform.tools.logs.models import LevelClass
from wicked_platform.tools.logs.sniff_stamped import AFTER_STAMP, LevelPlace, StampPlace
from wicked_platform.tools.logs.sql_text import quote
from wicked_platform.tools.logs.stamp_shapes import BY_NAME, StampShape

_TOKEN = r"(?:[^ \t]+[ \t]+)"
_BOUNDARY = r"(?:[^0-9A-Za-z]|$)"


class YearRule(BaseModel):
    """The year a stamp without one is read in: `year`, or the year before where that puts the line
    after `not_after_us` (epoch µs; None: never)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int
    not_after_us: int | None = None


def stamp_head_pattern(place: StampPlace) -> str:
    """From the line's start through its stamp (the stamp as group 1): after exactly `tokens_before` tokens,
    or the fewest of a range (`INFO   | jvm 1    | 2024/01/15 ...` beside `ERROR  | wrapper  | 2024/01/15 ...`)."""
    if place.tokens_upto > place.tokens_before:
        before = f"{_TOKEN}{{{place.tokens_before},{place.tokens_upto}}}?"
    else:
        before = f"{_TOKEN}{{{place.tokens_before}}}" if place.tokens_before else ""
    shape = BY_NAME[place.shape]
    letter = f"[{shape.level_letters}]" if shape.level_letters else ""  # glog's level letter opens the token
    return f"^{before}\\[?{letter}({shape.pattern})"


def stamp_text_sql(line_sql: str, place: StampPlace, *, seldom: bool = False) -> str:
    """The stamp's text, NULL when the line has none at the file's place. `seldom`: most lines have none (a
    slow query log's records): a test without a capture (RE2's fast path, a third of the cost) goes first."""
    pattern = stamp_head_pattern(place) + _BOUNDARY
    extract = f"nullif(regexp_extract({line_sql}, {quote(pattern)}, 1), '')"
    if not seldom:
        return extract
    bare = re.sub(r"\((?!\?)", "(?:", pattern)  # every group left uncaptured
    return f"(CASE WHEN regexp_matches({line_sql}, {quote(bare)}) THEN {extract} END)"


def strptime_us_sql(text_sql: str, shape: StampShape, years: YearRule) -> str:
    """Epoch µs of a stamp of a strptime shape (NULL when it is no time)."""
    fmts = "[" + ", ".join(quote(f) for f in shape.formats) + "]"
    if not shape.year_less:
        return f"epoch_us(CAST(try_strptime({text_sql}, {fmts}) AS TIMESTAMPTZ))"

    def in_year(year: int) -> str:
        return f"epoch_us(CAST(try_strptime('{year}{shape.year_joint}' || {text_sql}, {fmts}) AS TIMESTAMPTZ))"

    # A Feb 29 falls in the latest leap year before: within four years back.
    earlier = f"coalesce({', '.join(in_year(years.year - back) for back in range(1, 5))})"
    this = in_year(years.year)
    if years.not_after_us is None:
        return f"coalesce({this}, {earlier})"
    return f"(CASE WHEN {this} <= {years.not_after_us} THEN {this} ELSE {earlier} END)"


def level_pattern(place: LevelPlace) -> str:
    """After the stamp (from the line's start, for a level before it): (tokens before the level, the
    level), the level ending its token."""
    if place.before_stamp and place.vocabulary == "letters":  # glog: the letter opens the stamp's token
        return f"^({_TOKEN}{{{place.tokens_before}}})\\[?([{''.join(LETTER_LEVELS)}])[0-9]"
    if place.before_stamp:
        words = "|".join(sorted(LEVEL_CLASSES, key=lambda w: (-len(w), w)))
        return f"^({_TOKEN}{{{place.tokens_before}}})\\[?(?:[a-z_]*:)?((?i:{words}))\\]?[:,]?(?:[ \\t]+|$)"
    if place.vocabulary in ("letters", "marks"):
        letters = _escape_class("".join(_characters(place)))
        return f"^({_TOKEN}{{{place.tokens_before}}})([{letters}])(?:[ \\t/:]|$)"
    words = "|".join(sorted(LEVEL_CLASSES, key=lambda w: (-len(w), w)))
    # Apache 2.4 names the module before the level: `[proxy:error]`; Celery the process after it: `ERROR/MainProcess]`.
    return f"^({_TOKEN}{{0,{place.tokens_before}}}?)\\[?(?:[a-z_]*:)?((?i:{words}))(?:/[^ \\t\\]]+)?\\]?[:,]?(?:[ \\t]+|$)"


def worse_than_info_sql(line_sql: str, stamp: StampPlace, level: LevelPlace) -> str:
    """Whether a line's level is a warning or worse: for letters, which the vocabulary's words miss."""
    letters = _escape_class("".join(k for k, w in _characters(level).items()
                                    if LEVEL_CLASSES.get(w, LevelClass.OTHER) != LevelClass.OTHER))
    if level.before_stamp:  # glog's letter: the stamp's head holds it
        return f"regexp_matches({line_sql}, {quote(f'^{_TOKEN}{{{level.tokens_before}}}[[]?[{letters}][0-9]')})"
    pattern = (stamp_head_pattern(stamp) + f"[{_escape_class(AFTER_STAMP)}]*{_TOKEN}{{{level.tokens_before}}}"
               f"[{letters}](?:[ \\t/:]|$)")
    return f"regexp_matches({line_sql}, {quote(pattern)})"


def _characters(place: LevelPlace) -> dict[str, str]:
    """The one-character levels of the place's vocabulary, each with its word."""
    return MARK_LEVELS if place.vocabulary == "marks" else LETTER_LEVELS


def _escape_class(chars: str) -> str:
    return "".join("\\" + c if c in "]-\\^" else ("\\t" if c == "\t" else c) for c in chars)


def after_stamp_sql(line_sql: str, stamp: StampPlace) -> str:
    """What follows the stamp, without the separators that part them (`, Info` -> `Info`)."""
    head = f"regexp_extract({line_sql}, {quote(stamp_head_pattern(stamp))}, 0)"
    return f"ltrim(substr({line_sql}, length({head}) + 1), {quote(AFTER_STAMP)})"
