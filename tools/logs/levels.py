"""Level words and syslog severities folded into the level classes the analysis reasons about.

One table serves Python (`level_class`) and DuckDB (`level_class_sql`), so a line is classified the
same way whichever side reads it.
"""

from __future__ import annotations

from wicked_platform.tools.logs.models import LevelClass
from wicked_platform.tools.logs.sql_text import trimmed

LEVEL_CLASSES: dict[str, LevelClass] = {
    **dict.fromkeys(("CRITICAL", "CRIT", "FATAL", "ALERT", "EMERG", "EMERGENCY", "PANIC"), LevelClass.ALERT),
    **dict.fromkeys(("ERROR", "ERR", "SEVERE", "5XX"), LevelClass.ERROR),  # 5XX: a failed request in an access log
    **dict.fromkeys(("WARN", "WARNING"), LevelClass.WARNING),
    **dict.fromkeys(("INFO", "INFORMATION", "NOTICE", "DEBUG", "TRACE", "FINE", "FINER", "FINEST", "VERBOSE"),
                    LevelClass.OTHER),
    # PostgreSQL's LOG and the lines that follow an error (STATEMENT:, DETAIL:, HINT:, CONTEXT:); MySQL's Note and System.
    **dict.fromkeys(("LOG", "STATEMENT", "DETAIL", "HINT", "CONTEXT", "NOTE", "SYSTEM"), LevelClass.OTHER),
}
"""Every level word a log line may carry, upper-cased. A word not here is not a level."""

SYSLOG_SEVERITIES = ("EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG")
"""RFC 5424 severities by number: PRI = facility * 8 + severity."""

LETTER_LEVELS = {"V": "VERBOSE", "D": "DEBUG", "I": "INFO", "W": "WARN", "E": "ERROR", "F": "FATAL", "A": "ALERT"}
"""Android logcat's one-letter priorities (`adb logcat -v threadtime`: `... 1702  2395 E Tag: msg`); A is ASSERT.
glog and klog (Kubernetes components) open their stamp with one of I, W, E, F (`E0115 14:23:15.123456 ...`)."""

MARK_LEVELS = {".": "DEBUG", "-": "VERBOSE", "*": "NOTICE", "#": "WARNING"}
"""Redis' level marks (`12345:M 15 Jan 2024 14:23:15.123 # WARNING ...`: serverLogRaw's `.-*#`, debug to warning)."""

CHARACTER_LEVELS = {**LETTER_LEVELS, **MARK_LEVELS}
"""Every level written as one character: what a sniffed layout's `letters` vocabulary reads."""

# pino/bunyan write the level as a number: 10 trace ... 60 fatal.
NUMERIC_LEVELS = {10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}


def is_level_word(word: str) -> bool:
    return word.upper() in LEVEL_CLASSES


def severity_name(pri: int) -> str:
    """The level word of a syslog PRI value (`<34>` is facility 4, severity 2: CRIT)."""
    return SYSLOG_SEVERITIES[pri % 8]


def level_name(level: str | int | None) -> str | None:
    """A level as the report writes it: the word upper-cased; a pino/bunyan number as its word."""
    if level is None:
        return None
    text = str(level).strip()
    if text.isdigit() and int(text) in NUMERIC_LEVELS:
        return NUMERIC_LEVELS[int(text)]
    if text.isdigit() and int(text) < len(SYSLOG_SEVERITIES):  # journald's PRIORITY, GELF's level: 3 is err
        return SYSLOG_SEVERITIES[int(text)]
    return LETTER_LEVELS.get(text) or text.upper() or None


def level_class(level: str | int | None) -> LevelClass:
    """The class of a level word in any case (`Warn`, `err`), or of a pino/bunyan number; else OTHER."""
    name = level_name(level)
    return LEVEL_CLASSES.get(name, LevelClass.OTHER) if name else LevelClass.OTHER


def _sql_list(words: list[str]) -> str:
    return ", ".join(f"'{word}'" for word in words)


LEVEL_ALIASES: dict[str, str] = {**{str(n): w for n, w in enumerate(SYSLOG_SEVERITIES)},
                                 **{str(n): w for n, w in NUMERIC_LEVELS.items()}, **LETTER_LEVELS}
"""Level texts the SQL names by another word (the rest it upper-cases): syslog severities and pino numbers
(`3`, `50`), one-letter levels (`E`, case as written). `level_name_sql` reads it, and so does the C prefilter
(_prefilter_fieldgroups.c), so both name a level alike."""


def level_name_sql(column: str) -> str:
    """SQL twin of `level_name` for a VARCHAR column (NULL stays NULL)."""
    numbers = " ".join(f"WHEN '{number}' THEN '{word}'" for number, word in LEVEL_ALIASES.items())
    bare = trimmed(column)
    return f"(CASE {bare} {numbers} ELSE nullif(upper({bare}), '') END)"


def letter_level_sql(column: str) -> str:
    """SQL: the level word of a one-character level, a logcat or glog letter or a Redis mark (NULL for anything else)."""
    return "(CASE " + column + " " + " ".join(f"WHEN '{k}' THEN '{w}'" for k, w in CHARACTER_LEVELS.items()) + " END)"


def level_class_sql(column: str) -> str:
    """SQL twin of `level_class` for a column already passed through `level_name_sql`."""
    branches = " ".join(
        f"WHEN {column} IN ({_sql_list([w for w, c in LEVEL_CLASSES.items() if c == cls])}) THEN '{cls.value}'"
        for cls in (LevelClass.ALERT, LevelClass.ERROR, LevelClass.WARNING)
    )
    return f"(CASE {branches} ELSE '{LevelClass.OTHER.value}' END)"


def severity_name_sql(pri_column: str) -> str:
    """SQL: the level word of a syslog PRI held as text or integer."""
    return f"(list_value({_sql_list(list(SYSLOG_SEVERITIES))})[(try_cast({pri_column} AS INTEGER) % 8) + 1])"
