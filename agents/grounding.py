"""Grounding: every fact the model states must be found in what the tools returned in this investigation.

The model explains; it does not get to introduce a commit, a file, a time, a service or a number
that no tool result contains. The checks are on the shapes facts take in text — commit shas, ISO
times, file paths, counts and percentages — plus the named fields of each phase's findings. The
rollback recommendation is held to the engine's exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from wicked_platform.agents.phases import (
    BlastRadiusFindings, CorrelationFindings, Findings, MitigationFindings, SymptomsFindings,
)

SHA = re.compile(r"\b[0-9a-f]{7,40}\b")
FULL_SHA = re.compile(r"\b[0-9a-f]{40}\b")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?")
PATH = re.compile(r"(?<![\w/.-])(?:[\w.-]+/)+[\w.-]+\.[A-Za-z0-9]+\b")
NUMBER = re.compile(r"(?<![\w.<*-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%?)(?![\w.]*\d)")
WORD = re.compile(r"[A-Za-z0-9_.-]+")


def _is_sha(token: str) -> bool:
    """Hex with both letters and digits: a sha prefix, not a number or a word like `deadbeef`... or `decade`."""
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


class Evidence:
    """The text of every tool result of an investigation (and what the user said), searchable for facts."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._texts: list[str] = []
        self._shas: set[str] = set()
        self._numbers: set[float] = set()
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        self._texts.append(text)
        self._shas.update(FULL_SHA.findall(text))
        for raw, _ in NUMBER.findall(ISO_TIME.sub(" ", text)):
            self._numbers.add(float(raw.replace(",", "")))
        for value in _json_numbers(text):
            self._numbers.add(value)

    def add_value(self, value: Any) -> None:
        self.add(json.dumps(value, sort_keys=True, default=str))

    @property
    def text(self) -> str:
        return "\n".join(self._texts)

    def has_sha(self, prefix: str) -> bool:
        return any(sha.startswith(prefix.lower()) for sha in self._shas)

    def has_text(self, value: str) -> bool:
        return value.lower() in self.text.lower()

    def has_number(self, value: float, percent: bool) -> bool:
        """A count as the tools gave it; a percentage within a point of a rate (0.846 → 84.6%) or ratio."""
        if not percent:
            return any(abs(value - n) <= max(0.5, abs(n) * 0.01) for n in self._numbers)
        return any(abs(value - n * 100) <= 1.0 or abs(value - n) <= 1.0 for n in self._numbers)


def _json_numbers(text: str) -> list[float]:
    """Numbers inside JSON text as values (0.846, 1.2e-09), which the text pattern would split."""
    found = []
    for raw in re.findall(r"(?<=[:\[,])\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?=[,\]}])", text):
        try:
            found.append(float(raw))
        except ValueError:
            continue
    return found


def ungrounded(findings: Findings, evidence: Evidence, *, engine_recommendation: str | None = None) -> list[str]:
    """What in `findings` no tool result supports, one sentence each; empty when everything holds."""
    problems: list[str] = []
    for field, text in _texts(findings):
        problems += _text_problems(field, text, evidence)
    if isinstance(findings, SymptomsFindings):
        if findings.primary_service and not evidence.has_text(findings.primary_service):
            problems.append(f"primary_service {findings.primary_service!r} is in no tool result")
        if findings.onset and not evidence.has_text(findings.onset[:19].replace(" ", "T")):
            problems.append(f"onset {findings.onset!r} is in no tool result")
        problems += [f"signature {s!r} is in no tool result" for s in findings.signatures if not evidence.has_text(s)]
    if isinstance(findings, CorrelationFindings):
        if findings.commit and not (SHA.fullmatch(findings.commit.lower()) and evidence.has_sha(findings.commit)):
            problems.append(f"commit {findings.commit!r} is not a commit any tool returned")
        if findings.file and not evidence.has_text(findings.file):
            problems.append(f"file {findings.file!r} is in no tool result")
    if isinstance(findings, BlastRadiusFindings):
        problems += [f"service {s!r} is in no tool result" for s in findings.services if not evidence.has_text(s)]
    if isinstance(findings, MitigationFindings) and engine_recommendation is not None \
            and findings.recommendation != engine_recommendation:
        problems.append(f"recommendation {findings.recommendation} is not the engine's ({engine_recommendation}); "
                        "the decision is evaluate_rollback_criteria's, explain it instead")
    return list(dict.fromkeys(problems))


# Fields checked one by one above; the rest (summary, deploys) are read as text for the facts in them.
NAMED_FIELDS = {"primary_service", "onset", "signatures", "commit", "file", "confidence", "services", "recommendation"}


def _texts(findings: Findings) -> list[tuple[str, str]]:
    out = []
    for name, value in findings:
        if name in NAMED_FIELDS:
            continue
        if isinstance(value, str):
            out.append((name, value))
        elif isinstance(value, list):
            out += [(name, v) for v in value if isinstance(v, str)]
    return out


def _text_problems(field: str, text: str, evidence: Evidence) -> list[str]:
    problems = []
    for token in SHA.findall(text):
        if _is_sha(token) and not evidence.has_sha(token):
            problems.append(f"{field}: commit {token} is not a commit any tool returned")
    for stamp in ISO_TIME.findall(text):
        if not evidence.has_text(stamp.replace(" ", "T")):
            problems.append(f"{field}: time {stamp} is in no tool result")
    for path in PATH.findall(text):
        if not evidence.has_text(path):
            problems.append(f"{field}: file {path} is in no tool result")
    plain = PATH.sub(" ", ISO_TIME.sub(" ", SHA.sub(" ", text)))
    for raw, percent in NUMBER.findall(plain):
        value = float(raw.replace(",", ""))
        if not percent and value < 10:  # small counts ("3 services", "5 minutes") are language, not data
            continue
        if not evidence.has_number(value, bool(percent)):
            problems.append(f"{field}: {raw}{percent} is in no tool result")
    return problems
