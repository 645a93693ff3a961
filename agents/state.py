"""Saved investigations: one JSON file per incident, written atomically, and a pointer to the latest.

Two investigations may run at once in the same repository: every write goes to a temp file in the
same directory and is renamed into place, so a reader sees the old file or the new, never half.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

if TYPE_CHECKING:  # imported where a report is read: the CLI makes a store before it loads the engine
    from wicked_platform.tools.report import IncidentReport

_ID = re.compile(r"^INC-[A-Za-z0-9._-]+$")


class StateError(ValueError):
    """The saved state cannot answer; the message says what to do."""


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def incidents(self) -> Path:
        return self.root / "incidents"

    def save(self, report: IncidentReport) -> Path:
        try:
            self.incidents.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(f"--state-dir {self.root}: cannot create ({exc.strerror})") from None
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            # Investigations hold log excerpts: keep them out of commits by accident.
            _atomic_write(ignore, "*\n")
        path = self.incidents / f"{report.incident_id}.json"
        _atomic_write(path, report.model_dump_json(indent=2) + "\n")
        _atomic_write(self.root / "latest", report.incident_id + "\n")
        return path

    def load(self, incident_id: str | None = None) -> IncidentReport:
        from wicked_platform.tools.report import IncidentReport

        if incident_id is None:
            try:
                incident_id = (self.root / "latest").read_text(encoding="utf-8").strip()
            except OSError:
                raise StateError(
                    f"no saved investigation in {self.root}: run `wicked-platform incident \"...\"` first"
                ) from None
        if not _ID.match(incident_id):
            raise StateError(f"--incident {incident_id!r}: not an incident id (expected INC-...)")
        path = self.incidents / f"{incident_id}.json"
        try:
            return IncidentReport.model_validate_json(path.read_text(encoding="utf-8"))
        except OSError:
            known = sorted(p.stem for p in self.incidents.glob("INC-*.json")) if self.incidents.is_dir() else []
            hint = f"; saved: {', '.join(known[-5:])}" if known else ""
            raise StateError(f"--incident {incident_id}: no such investigation in {self.root}{hint}") from None
        except ValidationError:
            raise StateError(f"{path}: saved investigation is not a valid report (schema changed?); re-run the investigation") from None
