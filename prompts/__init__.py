"""Templates are files: one small loader, and a missing variable fails loudly (StrictUndefined)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from wicked_platform.tools.figures import percent


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("wicked_platform.prompts", "."),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # markdown and prompts, not HTML
    )
    env.filters.update(hms=_hms, pct=percent, money=_money, checkbox=_checkbox, duration=_duration, cell=_cell)
    return env


def _hms(value: Any) -> str:
    return value.strftime("%H:%M:%S") if value is not None else "—"


def _money(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"${value / 1000:,.0f}K" if value >= 10_000 else f"${value:,.0f}"


def _checkbox(met: bool | None) -> str:
    return {True: "[x]", False: "[ ]", None: "[?]"}[met]


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "unknown"
    minutes, secs = divmod(int(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _cell(text: Any) -> str:
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(name: str, **variables: Any) -> str:
    return environment().get_template(name).render(**variables)
