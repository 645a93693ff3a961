"""How a rate reads in a report: one formatter, so the summary, the criteria and the notes say the same figure."""

from __future__ import annotations


def percent(rate: float | None) -> str:
    """`0.4%`, `12%`, `unknown`: a fraction as a percentage to one decimal, a whole one without its `.0`."""
    if rate is None:
        return "unknown"
    return f"{rate * 100:.1f}%".replace(".0%", "%")
