"""Every path a client names must resolve, symlinks included, inside the server's roots."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path


class OutsideRoots(ValueError):
    """A path escapes the roots; the message names the argument and the rule."""


class Roots:
    def __init__(self, roots: Iterable[Path]) -> None:
        resolved = [Path(r).resolve() for r in roots]
        if not resolved:
            raise ValueError("at least one root is needed")
        self.paths = list(dict.fromkeys(resolved))

    @property
    def primary(self) -> Path:
        return self.paths[0]

    def add(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved not in self.paths:
            self.paths.append(resolved)

    def _inside(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.paths)

    def resolve(self, value: str, argument: str, *, must_exist: bool = True) -> Path:
        """`value` made absolute (relative to the first root) and checked to stay inside the roots."""
        if not value or "\x00" in value:
            raise OutsideRoots(f"{argument}: empty or invalid path")
        raw = Path(value).expanduser()
        candidate = raw if raw.is_absolute() else self.primary / raw
        resolved = candidate.resolve()  # follows symlinks: a link pointing out is out
        if not self._inside(resolved):
            roots = ", ".join(str(r) for r in self.paths)
            raise OutsideRoots(f"{argument} {value!r}: outside the server's roots ({roots}); pass a path inside them")
        if must_exist and not resolved.exists():
            raise OutsideRoots(f"{argument} {value!r}: no such file or directory")
        return resolved

    def resolve_logs(self, values: list[str], argument: str = "logs") -> list[str]:
        """Log arguments (files, directories, globs) checked one by one; globs expand inside the roots."""
        checked: list[str] = []
        for value in values:
            if glob.has_magic(value):
                pattern = value if Path(value).is_absolute() else str(self.primary / value)
                matches = sorted(glob.glob(pattern, recursive=True))
                if not matches:
                    raise OutsideRoots(f"{argument} {value!r}: the glob matches nothing")
                checked += [str(self.resolve(m, argument)) for m in matches]
            else:
                checked.append(str(self.resolve(value, argument)))
        return checked
