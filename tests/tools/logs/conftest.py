"""Log files written into tmp_path from a few readable lines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest


class LogWriter:
    def __init__(self, root: Path) -> None:
        self.root = root

    def text(self, name: str, text: str, *, newline: str = "\n") -> Path:
        return self.raw(name, text.replace("\n", newline).encode("utf-8"))

    def raw(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def gz(self, name: str, text: str) -> Path:
        return self.raw(name, gzip.compress(text.encode("utf-8"), mtime=0))


@pytest.fixture
def logs(tmp_path: Path) -> LogWriter:
    return LogWriter(tmp_path)
