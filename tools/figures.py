"""How a rate reads in a report: one formatter, so the summary, the criteria and the notes say the same figure."""

from __future__ import annotations


def percent(rate: float | None) -> str:
    """`12%`, `84.6%`, `0.4%`, `0.04%`, `unknown`: a fraction as a percentage to one decimal (a whole one without
    its `.0`), and under a tenth of a percent to one significant figure, so a rate that is not zero never reads 0%."""
    if rate is None:
        return "unknown"
    if 0 < rate < 0.001:
        return f"{rate * 100:.1g}%"
    return f"{rate * 100:.1f}%".replace(".0%", "%")
