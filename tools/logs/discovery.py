"""Which files `--log` arguments name: files, directories (recursively) and globs, plain or gzip.

An argument that names nothing readable is an error naming the argument, never a silent skip. A
directory contributes its text and gzip files; hidden entries (.git, .wicked-platform, dotfiles)
and binary files are passed over, since they are not logs.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from wicked_platform.tools.logs.sniff import GZIP_MAGIC

BINARY_PROBE_BYTES = 8192  # a NUL byte in the first 8 KiB marks a binary file (what git and grep check)
DEFAULT_PATTERNS = ("*.log", "*.log.gz")
DEFAULT_DIRECTORY = "logs"


class LogInputError(ValueError):
    """A --log argument names nothing readable; the one-line message names it and says why."""


def expand_log_args(args: list[str], repo: Path) -> list[Path]:
    """The log files the arguments name, deduplicated, in sorted order.

    Each argument is a file, a directory (every regular text or gzip file beneath it), or a glob
    (`*`, `?`, `[...]`, `**`), relative to the working directory. With no arguments: `*.log` and
    `*.log.gz` at the repo root and every log file under `<repo>/logs/`.
    """
    found: list[Path] = []
    if not args:
        for pattern in DEFAULT_PATTERNS:
            found += [p for p in sorted(repo.glob(pattern)) if p.is_file() and not _hidden(p.name)]
        if (repo / DEFAULT_DIRECTORY).is_dir():
            found += _files_beneath(repo / DEFAULT_DIRECTORY)
    for arg in args:
        found += _expand(arg)
    return _unique_sorted(found)


def _expand(arg: str) -> list[Path]:
    if glob.has_magic(arg):
        matches = sorted(glob.glob(os.path.expanduser(arg), recursive=True))
        if not matches:
            raise LogInputError(f"--log {arg}: the glob matches no file")
        files = [f for match in matches for f in _expand_path(Path(match), arg)]
        if not files:
            raise LogInputError(f"--log {arg}: the glob matches no log file")
        return files
    return _expand_path(Path(os.path.expanduser(arg)), arg)


def _expand_path(path: Path, arg: str) -> list[Path]:
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            raise LogInputError(f"--log {arg}: permission denied")
        files = _files_beneath(path)
        if not files and not glob.has_magic(arg):
            raise LogInputError(f"--log {arg}: the directory holds no text or gzip file")
        return files
    if path.is_file():
        if not os.access(path, os.R_OK):
            raise LogInputError(f"--log {arg}: permission denied")
        return [path]
    if path.exists():
        raise LogInputError(f"--log {arg}: not a regular file or directory")
    if path.is_symlink():
        raise LogInputError(f"--log {arg}: a broken symbolic link")
    raise LogInputError(f"--log {arg}: no such file or directory")


def _files_beneath(directory: Path) -> list[Path]:
    """Every log-like file under a directory, recursively, in sorted order."""
    files = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))  # pruned in place: os.walk skips them
        for name in sorted(names):
            path = Path(root) / name
            if not _hidden(name) and path.is_file() and _is_text_or_gzip(path):
                files.append(path)
    return files


def _hidden(name: str) -> bool:
    return name.startswith(".")  # .git, .wicked-platform (our state), editors' swap files


def _is_text_or_gzip(path: Path) -> bool:
    """Gzip, or no NUL byte in the first 8 KiB. An unreadable file is kept: the scan reports why."""
    try:
        with path.open("rb") as stream:
            head = stream.read(BINARY_PROBE_BYTES)
    except OSError:
        return True
    return head.startswith(GZIP_MAGIC) or b"\x00" not in head


def _unique_sorted(paths: list[Path]) -> list[Path]:
    """One entry per file however it was named (the first name given), sorted by that name."""
    seen: dict[Path, Path] = {}
    for path in paths:
        seen.setdefault(path.resolve(), path)
    return sorted(seen.values(), key=str)
