"""Where a file's lines keep their time and their level, inferred from its first lines.

For layouts nobody wrote a reader for (Spark's `17/06/09 20:10:40 INFO ...`, HDFS's `081109 203615 148
INFO ...`, Apache's `[Sun Dec 04 04:47:44 2005] [error] ...`, logcat, ZooKeeper's `... - WARN [...]`),
the stamp is looked for at the start of each of the line's first tokens, in every shape of the
catalogue (stamp_shapes.py); the place most lines agree on (the shape and how many tokens stand
before it) is the file's. Its level is the first level word within the few tokens after the stamp
where the file keeps it (`ERROR`, `[error]`, `- WARN`, Windows' `Info`), or logcat's one letter at
its column. The place found becomes the scan's SQL (stamped_sql.py): no line is read in Python.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.logs import formats
from wicked_platform.tools.logs.levels import LETTER_LEVELS, LEVEL_CLASSES, MARK_LEVELS
from wicked_platform.tools.logs.stamp_shapes import BY_NAME, SHAPES, StampShape, python_time

MAX_TOKENS_BEFORE_STAMP = 6  # `- 1131566461 2005.11.09 dn228 Nov 9 ...`: collectors put a few fields first
MAX_TOKENS_BEFORE_LEVEL = 8  # BGL keeps six fields between its stamp and its level
AFTER_STAMP = " \t,|:]-"  # what separates a stamp from what follows: `, Info`, `] [error]`, ` - INFO`
LEVEL_SHARE = 0.5  # of the stamped lines, those with a level where the file keeps it: enough to say it has levels
RANGE_SHARE = 0.1  # of the stamped lines, those with the stamp after another count of tokens: enough to widen the place
LETTER_SHARE = 0.8  # one letter is a level only where nearly every line has one in that column

_SHAPES = [(shape, formats.compile_shared(shape.pattern)) for shape in SHAPES]
_TOKEN_START = re.compile(r"(?:^|(?<=[ \t]))[^ \t]")


class StampPlace(BaseModel):
    """The file's stamp: its shape, and how many blank-separated tokens stand before it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shape: str
    tokens_before: int = 0
    tokens_upto: int = 0  # more than tokens_before: a range, the stamp after the fewest tokens of it a line allows


class LevelPlace(BaseModel):
    """The file's level: a word searched for within `tokens_before` tokens after the stamp, or a
    logcat letter at exactly that many (before the stamp: glog's letter opening its token), or a Redis mark
    right after the stamp."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vocabulary: Literal["words", "letters", "marks"]
    tokens_before: int = 0
    before_stamp: bool = False  # the level opens the line, before the stamp (`ERROR 2024-01-15 14:23:15 ...`):
    # then `tokens_before` counts from the line's start, exactly


class StampedLayout(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stamp: StampPlace
    level: LevelPlace | None
    lines: int  # of the sampled lines, those whose stamp stands at that place
    at_place: list[bool]  # for each sampled line, whether its stamp stands at that place


def find_stamp(line: str) -> tuple[StampShape, int, int] | None:
    """The first stamp at the start of one of the line's first tokens: (shape, tokens before it, its end)."""
    for index, start in enumerate(m.start() for m in _TOKEN_START.finditer(line[:200])):
        if index > MAX_TOKENS_BEFORE_STAMP:
            return None
        at = start + 1 if line[start] == "[" else start
        for shape, pattern in _SHAPES:
            if shape.level_letters:  # glog's `E0115 ...`: the level letter, then the stamp
                if line[at:at + 1] not in shape.level_letters:
                    continue
                match = pattern.match(line, at + 1)
            else:
                match = pattern.match(line, at)
            if match is None or (match.end() < len(line) and line[match.end()].isalnum()):
                continue
            if python_time(shape, match.group(0)) is not None:
                return shape, index, match.end()
    return None


def sniff_stamped(lines: list[str]) -> StampedLayout | None:
    """The place most of `lines` keep their stamp, and their level where they have one; None when no
    stamp of the catalogue opens any of their first tokens."""
    stamps = [find_stamp(line) for line in lines]
    found = [(line, place) for line, place in zip(lines, stamps, strict=True) if place is not None]
    if not found:
        return None
    places = Counter((shape.name, index) for _, (shape, index, _) in found)
    (shape, most), _ = places.most_common(1)[0]
    # The same shape after a varying number of tokens, each on a good share of the lines, is one place: a
    # field before it holds blanks on some lines (`INFO   | jvm 1    | 2024/...` beside `ERROR  | wrapper  | 2024/...`).
    spread = [index for (name, index), n in places.items() if name == shape and n >= max(2, RANGE_SHARE * len(found))]
    before, upto = min([most, *spread]), max([most, *spread])
    count = sum(n for (name, index), n in places.items() if name == shape and before <= index <= upto)
    flags = [place is not None and place[0].name == shape and before <= place[1] <= upto for place in stamps]
    at_place = [(line, index, end) for line, (s, index, end) in found if s.name == shape and before <= index <= upto]
    if BY_NAME[shape].level_letters:  # the letter opening the stamp's token is the level
        level = LevelPlace(vocabulary="letters", tokens_before=before, before_stamp=True)
    else:
        level = level_place([line[end:] for line, _, end in at_place])
    if level is None and before:
        level = _level_before_stamp([line.split()[:index] for line, index, _ in at_place])
    return StampedLayout(stamp=StampPlace(shape=shape, tokens_before=before, tokens_upto=upto), level=level, lines=count, at_place=flags)


def _level_before_stamp(heads: list[list[str]]) -> LevelPlace | None:
    """A level among the tokens before the stamp, at the column most lines keep it in."""
    columns = Counter(next((i for i, token in enumerate(head) if _level_word(token)), None) for head in heads)
    columns.pop(None, None)
    if not columns:
        return None
    column, n = columns.most_common(1)[0]
    return LevelPlace(vocabulary="words", tokens_before=column, before_stamp=True) if n >= LEVEL_SHARE * len(heads) else None


def level_place(rests: list[str]) -> LevelPlace | None:
    """Where the level stands in what follows the stamp (or in a whole line that has none)."""
    if (marks := _marks_place(rests)) is not None:
        return marks
    words: list[int] = []
    letters: Counter[int] = Counter()
    for rest in rests:
        tokens = rest.lstrip(AFTER_STAMP).split()[: MAX_TOKENS_BEFORE_LEVEL + 1]
        word = next((i for i, token in enumerate(tokens) if _level_word(token)), None)
        if word is not None:
            words.append(word)
        letters.update(i for i, token in enumerate(tokens) if token in LETTER_LEVELS)
    if len(words) >= LEVEL_SHARE * len(rests):
        # As far as most lines keep theirs: a word further on, in a few lines, is a message's.
        common = [at for at, n in Counter(words).items() if n >= max(2, 0.05 * len(words))] or words
        return LevelPlace(vocabulary="words", tokens_before=max(common))
    if letters:
        column, n = letters.most_common(1)[0]
        if n >= LETTER_SHARE * len(rests):
            return LevelPlace(vocabulary="letters", tokens_before=column)
    return None


def _marks_place(rests: list[str]) -> LevelPlace | None:
    """Redis' marks (`# WARNING ...`) right after the stamp on nearly every line, and of more than one kind: a
    column of one mark is a separator (`- INFO [main]`), not a level. A word after the mark is the message's."""
    marks = Counter(tokens[0] for rest in rests if (tokens := rest.split(None, 1)) and tokens[0] in MARK_LEVELS)
    if len(marks) >= 2 and sum(marks.values()) >= LETTER_SHARE * len(rests):
        return LevelPlace(vocabulary="marks")
    return None


def _level_word(token: str) -> bool:
    """`ERROR`, `[error]`, `Info`, `WARN:`, Apache 2.4's `[proxy:error]` (the module before the level), Celery's
    `ERROR/ForkPoolWorker-3]` (`%(levelname)s/%(processName)s`: the process after it)."""
    return token.strip("[]:,").rpartition(":")[2].partition("/")[0].upper() in LEVEL_CLASSES
