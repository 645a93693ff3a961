import duckdb
import pytest

from wicked_platform.tools.logs.levels import (
    is_level_word, level_class, level_class_sql, level_name, level_name_sql, severity_name, severity_name_sql,
)
from wicked_platform.tools.logs.models import LevelClass

CASES = [
    ("ERROR", LevelClass.ERROR), ("err", LevelClass.ERROR), ("Severe", LevelClass.ERROR), ("5XX", LevelClass.ERROR),
    ("Warn", LevelClass.WARNING), ("WARNING", LevelClass.WARNING),
    ("CRITICAL", LevelClass.ALERT), ("crit", LevelClass.ALERT), ("FATAL", LevelClass.ALERT), ("alert", LevelClass.ALERT),
    ("EMERG", LevelClass.ALERT), ("panic", LevelClass.ALERT),
    ("INFO", LevelClass.OTHER), ("debug", LevelClass.OTHER), ("Trace", LevelClass.OTHER), ("NOTICE", LevelClass.OTHER),
    ("50", LevelClass.ERROR), ("40", LevelClass.WARNING), ("60", LevelClass.ALERT), ("30", LevelClass.OTHER),
    ("checkout-api", LevelClass.OTHER), ("", LevelClass.OTHER), (None, LevelClass.OTHER),
]


@pytest.mark.parametrize(("word", "expected"), CASES)
def test_level_class_folds_words_in_any_case(word, expected):
    assert level_class(word) == expected


def test_sql_twin_classifies_like_python():
    words = [w for w, _ in CASES]
    rows = duckdb.execute(
        f"SELECT w, {level_class_sql('n')} FROM (SELECT w, {level_name_sql('w')} AS n FROM (SELECT unnest($words) AS w))",
        {"words": words},
    ).fetchall()
    assert {w: LevelClass(c) for w, c in rows} == {w: level_class(w) for w in words}


@pytest.mark.parametrize(("pri", "name", "cls"), [
    (0, "EMERG", LevelClass.ALERT), (1, "ALERT", LevelClass.ALERT), (2, "CRIT", LevelClass.ALERT),
    (3, "ERR", LevelClass.ERROR), (4, "WARNING", LevelClass.WARNING), (5, "NOTICE", LevelClass.OTHER),
    (6, "INFO", LevelClass.OTHER), (7, "DEBUG", LevelClass.OTHER), (34, "CRIT", LevelClass.ALERT),
    (11, "ERR", LevelClass.ERROR), (190, "INFO", LevelClass.OTHER),
])
def test_syslog_pri_severities(pri, name, cls):
    assert severity_name(pri) == name
    assert level_class(severity_name(pri)) == cls
    assert duckdb.execute(f"SELECT {severity_name_sql('$pri')}", {"pri": str(pri)}).fetchone()[0] == name


def test_level_name_upper_cases_words_and_names_numbers():
    assert level_name(" warn ") == "WARN"
    assert level_name(50) == "ERROR"
    assert level_name(None) is None
    assert is_level_word("Notice") and not is_level_word("payment")
