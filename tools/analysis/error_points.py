"""A scan's error and alert points as numpy columns: what the rates, the blast radius and the symptoms count.

A busy gigabyte of logs has hundreds of thousands of points (one per second, service, signature and
level class). Made into a Python object each and filtered per question, they took longer than the
scan itself; as columns, each question is a mask and a sum. Times stay integers (epoch seconds and
microseconds), so every comparison is the exact one the datetimes would have made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from wicked_platform.tools.logs.models import LevelClass, LogScan
from wicked_platform.tools.timeutil import epoch_us, from_epoch_us

ERROR_CLASSES = frozenset({LevelClass.ERROR, LevelClass.ALERT})


def at_second(second: int) -> datetime:
    return from_epoch_us(int(second) * 1_000_000)


@dataclass(frozen=True)
class ErrorPoints:
    """Points in (second, series) order: `keys` index `services` and `signatures`."""

    seconds: np.ndarray  # epoch seconds, ascending
    keys: np.ndarray
    counts: np.ndarray
    services: tuple[str, ...]  # by key
    signatures: tuple[str, ...]

    def _where(self, mask: np.ndarray) -> ErrorPoints:
        return ErrorPoints(self.seconds[mask], self.keys[mask], self.counts[mask], self.services, self.signatures)

    def since(self, at: datetime) -> ErrorPoints:
        """The points at or after `at`."""
        return self._where(self.seconds * 1_000_000 >= epoch_us(at))

    def except_services(self, services: set[str]) -> ErrorPoints:
        unwanted = np.array([service in services for service in self.services] or [False], dtype=bool)
        return self._where(~unwanted[self.keys]) if len(self.keys) else self

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def per_second(self) -> tuple[np.ndarray, np.ndarray]:
        """The seconds with errors, ascending, and the errors in each."""
        if not len(self.seconds):
            return self.seconds, self.counts
        seconds, starts = np.unique(self.seconds, return_index=True)
        return seconds, np.add.reduceat(self.counts, starts)

    def per_key(self) -> np.ndarray:
        """Errors by key (0 for a key without points here)."""
        totals = np.zeros(len(self.services), dtype=np.int64)
        np.add.at(totals, self.keys, self.counts)
        return totals

    def by_service(self) -> dict[str, int]:
        """Errors by service, of the services with any."""
        totals: dict[str, int] = {}
        for key, n in enumerate(self.per_key().tolist()):
            if n:
                totals[self.services[key]] = totals.get(self.services[key], 0) + n
        return totals

    def keys_present(self) -> list[int]:
        """The keys with points here, ascending."""
        return np.unique(self.keys).tolist()

    def services_with_points(self) -> set[str]:
        return {self.services[key] for key in self.keys_present()}

    def first_second_by_signature(self) -> dict[str, int]:
        """The first second each signature was seen in, of any service."""
        keys, first = np.unique(self.keys, return_index=True)  # seconds ascend, so a key's first point is its earliest
        seen: dict[str, int] = {}
        for key, second in zip(keys.tolist(), self.seconds[first].tolist(), strict=True):
            signature = self.signatures[key]
            seen[signature] = min(second, seen.get(signature, second))
        return seen


def error_points(scan: LogScan, services: Iterable[str] | None = None) -> ErrorPoints:
    """The error and alert points of `services` (all when None)."""
    columns = scan.point_columns
    seconds, keys, counts = columns.seconds, columns.keys, columns.counts
    series = scan.series_columns
    keep = series.is_error
    if services is not None and len(keep):
        wanted = np.zeros(len(series.services), dtype=bool)
        wanted[[series.position[name] for name in set(services) if name in series.position]] = True
        keep = keep & wanted[series.service_of]
    mask = keep[keys] if len(keys) else np.zeros(0, dtype=bool)
    return ErrorPoints(seconds[mask], keys[mask], counts[mask], series.series_services, series.series_signatures)
