"""The code the errors name, and the shipped commit that changed it.

Where no changed value explains the errors, what they name in the code is the next-best evidence of which of a
release's commits caused them: a release commit that only bumps versions ships the change committed before it.
Two kinds of naming, the more specific first:
- an identifier the error message quotes, `Missing required creator property 'reasonCode'`, `column
  "discount_code" does not exist`, `has no attribute 'total_cents'`, found on a line the commit added or removed;
- the topmost application stack frame, `(/app/src/totals.js:4:11)`, `File "/app/orders/views.py"`, matched to a
  changed file by as much of its path as both share (`/app/src/totals.js` is `services/cart-api/src/totals.js`);
  dependency and runtime frames are passed over.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from wicked_platform.tools.changes.inert_files import inert_kind
from wicked_platform.tools.changes.models import Commit, CommitDiff

# A source file as a stack frame or a traceback names it: `(/app/src/totals.js:4:11)`, `(PointsCalculator.java:42)`,
# `File "/app/orders/views.py", line 12`, `/app/internal/quote/cache.go:88`; with the path before it where written.
_FRAME_FILE = re.compile(r"[\w./-]*?[\w.-]+\.(?:py|js|mjs|cjs|ts|tsx|jsx|go|java|kt|scala|rb|php|cs|rs|ex|exs|swift|cpp|cc|c)\b")
# Frames of code the team did not write: dependencies, the runtime, the standard library.
_VENDOR_FRAME = re.compile(r"node_modules/|site-packages/|dist-packages/|/usr/lib/|/usr/local/lib/|node:internal|"
                           r"/go/pkg/mod/|/runtime/|/vendor/|\bjava\.base/|\bat (?:java|javax|jdk|sun|kotlin|scala|"
                           r"org\.springframework|org\.apache|io\.netty|reactor)\.")
# A quoted name in a message: 'reasonCode', "discount_code", `total_cents`, 'Order.items'.
_QUOTED = re.compile(r"""(?<![\w'"`])['"`]([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)['"`](?![\w'"`])""")
# A name is specific when it is written as code: a hump, an underscore, a dot or a digit. A plain word ('timeout',
# 'index') says no more than the words of the message, which the change's own key is already read against.
_CODE_SHAPED = re.compile(r"[a-z][A-Z]|_|\.|\d")
_DIFF_FILE = re.compile(r"^\+\+\+ b/(.+)$|^--- a/(.+)$")


@dataclass(frozen=True)
class CodeTie:
    """A shipped commit the errors tie to by naming its code."""

    commit: Commit
    file: str
    how: Literal["identifier", "frame"]
    name: str

    def describe(self) -> str:
        if self.how == "identifier":
            return f"the errors name {self.name}, which commit {self.commit.short} changed ({self.file})"
        return (f"the errors' stack frames name {self.file.rsplit('/', 1)[-1]}, which commit {self.commit.short} "
                f"changed ({self.file})")


def quoted_identifiers(signatures: list[str]) -> list[str]:
    """The code-shaped names the messages quote, in order of first appearance, each once."""
    names: dict[str, None] = {}
    for text in signatures:
        for line in text.splitlines():
            if _VENDOR_FRAME.search(line) or line.lstrip().startswith("at "):
                continue
            for match in _QUOTED.finditer(line):
                if _CODE_SHAPED.search(match.group(1)):
                    names.setdefault(match.group(1))
    return list(names)


def named_identifier(commits: list[Commit], diffs: Mapping[str, CommitDiff], signatures: list[str]) -> CodeTie | None:
    """The newest shipped commit that added or removed a line holding a name the errors quote, and of its files the
    one that spells the name as the message does, in quotes (a serialized property, a column in SQL, a config key:
    the declaration the error comes from, where the other files only use it), else the one with most such lines."""
    names = quoted_identifiers(signatures)
    if not names:
        return None
    for commit in commits:
        diff = diffs.get(commit.sha)
        if diff is None:
            continue
        for name in names:
            bare = re.escape(name.rsplit(".", 1)[-1])
            anywhere = re.compile(rf"(?<![\w$]){bare}(?![\w$])")
            quoted = re.compile(rf"['\"`]{bare}['\"`]")
            weight: dict[str, tuple[int, int]] = {}
            for path, line in _changed_lines(diff.diff):
                if inert_kind(path) is None and anywhere.search(line):
                    spelled, lines = weight.get(path, (0, 0))
                    weight[path] = (max(spelled, bool(quoted.search(line))), lines + 1)
            if weight:
                best = max(weight, key=lambda path: weight[path])  # the first in the diff on ties
                return CodeTie(commit=commit, file=best, how="identifier", name=name)
    return None


def named_in_frames(commits: list[Commit], signatures: list[str]) -> CodeTie | None:
    """The shipped commit that changed the file of the topmost application frame the errors name."""
    for text in signatures:
        for line in text.splitlines():
            if _VENDOR_FRAME.search(line):
                continue
            for frame in _FRAME_FILE.finditer(line):
                found = _changed_by(commits, frame.group(0))
                if found is not None:
                    return CodeTie(commit=found[0], file=found[1], how="frame", name=frame.group(0))
    return None


def _changed_lines(diff: str):
    """(file, text) of each added or removed line of a unified diff."""
    path = ""
    for line in diff.splitlines():
        if header := _DIFF_FILE.match(line):
            path = header.group(1) or header.group(2) or path
        elif line[:1] in "+-" and not line.startswith(("+++", "---")):
            yield path, line[1:]


def _changed_by(commits: list[Commit], frame_path: str) -> tuple[Commit, str] | None:
    """The commit (newest first) whose changed file shares the longest path tail with the frame's, at least its name."""
    parts = [p for p in frame_path.split("/") if p]
    best: tuple[int, Commit, str] | None = None
    for commit in commits:
        for path in commit.files:
            if inert_kind(path) is not None:
                continue
            file_parts = path.split("/")
            shared = 0
            while shared < min(len(parts), len(file_parts)) and parts[-1 - shared] == file_parts[-1 - shared]:
                shared += 1
            if shared and (best is None or shared > best[0]):
                best = (shared, commit, path)
    return (best[1], best[2]) if best else None
