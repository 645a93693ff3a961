"""Signals as pictures: a one-line unicode sparkline per affected signal, the deploy and the onset marked under
it, its before and after figures beside it, so the shape is seen before it is read. JSON keeps the numbers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from wicked_platform.tools.analysis.signal_judgment import HEADLINE_RANK, figure, has_risen, p_text, signal_name
from wicked_platform.tools.report import Deploy, IncidentReport, Signal
from wicked_platform.tools.timeutil import epoch_us, hhmmss

BARS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a step with no data
DEPLOY_MARK, ONSET_MARK, BOTH_MARK = "D", "O", "*"
MAX_PICTURES = 6


class SignalPicture(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str  # `checkout-api p95 latency`, padded to the widest label
    spark: str  # one character per step of the series
    marks: str  # under the spark: D at the deploy's step, O at the onset's, * where they share one
    figures: str  # `99 ms → 1.61 s (16.3×, p < 1e-300)`


def sparkline(values: list[float | None]) -> str:
    """Each value as one of eight bars, from the series' least to its greatest; GAP where it has none."""
    present = [v for v in values if v is not None]
    if not present:
        return GAP * len(values)
    low, high = min(present), max(present)
    span = high - low
    return "".join(GAP if v is None else BARS[0] if span == 0 else BARS[min(7, int((v - low) / span * 8))] for v in values)


def _step_of(signal: Signal, at: datetime | None) -> int | None:
    if at is None or signal.series_start is None or not signal.series_step_seconds:
        return None
    index = (epoch_us(at) - epoch_us(signal.series_start)) // 1_000_000 // signal.series_step_seconds
    return int(index) if 0 <= index < len(signal.series) else None


def _marks(signal: Signal, deploys: list[Deploy]) -> str:
    row = [" "] * len(signal.series)
    for deploy in deploys:
        if (step := _step_of(signal, deploy.completed_at or deploy.at)) is not None:
            row[step] = DEPLOY_MARK
    if (step := _step_of(signal, signal.onset)) is not None:
        row[step] = BOTH_MARK if row[step] == DEPLOY_MARK else ONSET_MARK
    return "".join(row).rstrip()


def signal_pictures(report: IncidentReport) -> list[SignalPicture]:
    """The signals that rose (at most MAX_PICTURES, service-wide ones first, p95 first), each as a picture; the deploys marked
    are those of the signal's service, or the correlated one."""
    risen = [s for s in report.signals if has_risen(s) and s.series]
    risen.sort(key=lambda s: (s.route is not None, s.service, s.route or "", HEADLINE_RANK[s.kind]))
    risen = risen[:MAX_PICTURES]
    labels = [f"{s.service} {signal_name(s)}" for s in risen]
    width = max((len(label) for label in labels), default=0)
    correlated = report.correlation.deploy
    pictures = []
    for signal, label in zip(risen, labels, strict=True):
        deploys = [d for d in report.deploys if d.service == signal.service
                   or (correlated is not None and d.service == correlated.service and d.at == correlated.at)]
        ratio = f"{signal.ratio:g}×, " if signal.ratio is not None else ""
        pictures.append(SignalPicture(
            label=label.ljust(width), spark=sparkline(signal.series), marks=_marks(signal, deploys),
            figures=f"{figure(signal.before, signal.unit)} → {figure(signal.after, signal.unit)} ({ratio}{p_text(signal.p_value)})",
        ))
    return pictures


def picture_legend(report: IncidentReport) -> str:
    """What the marks and the steps stand for."""
    risen = [s for s in report.signals if has_risen(s) and s.series]
    if not risen:
        return ""
    first = risen[0]
    step = f"{first.series_step_seconds // 60} min" if first.series_step_seconds and first.series_step_seconds % 60 == 0 \
        else f"{first.series_step_seconds} s"
    start = hhmmss(first.series_start) if first.series_start else "—"
    deploy = report.correlation.deploy
    parts = [f"one bar per {step} from {start} UTC", f"{ONSET_MARK} onset"]
    if deploy is not None:
        done = next((d.completed_at for d in report.deploys if (d.service, d.at) == (deploy.service, deploy.at)), None)
        when = f"{hhmmss(deploy.at)}–{hhmmss(done)}" if done is not None and done != deploy.at else hhmmss(deploy.at)
        parts.append(f"{DEPLOY_MARK} deploy of {deploy.service} {deploy.version or ''}".rstrip() + f" ({when})")
    else:
        parts.append(f"{DEPLOY_MARK} a deploy of the service")
    parts.append(f"{BOTH_MARK} both in one bar; before → after the onset, from the "
                 f"{', '.join(sorted({s.source for s in risen}))}")
    return "; ".join(parts)
