"""OpenMetrics text for tests and the bundled scenarios' metrics.om: counters, gauges and histograms of a few services over a window, as exporters write them.

Each series is a function of the minute (so a test says "p95 jumps at 14:20" as a function, not as 600 lines),
sampled every `step` seconds; counters are accumulated, so the server's rate() recovers the per-second rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

Labels = dict[str, str]


def _labels(labels: Labels) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else ""


@dataclass
class OpenMetrics:
    start: datetime
    end: datetime
    step: int = 60
    _families: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def times(self) -> list[float]:
        t, end, out = self.start.timestamp(), self.end.timestamp(), []
        while t <= end:
            out.append(t)
            t += self.step
        return out

    def _family(self, name: str, kind: str) -> list[str]:
        return self._families.setdefault(name, (kind, []))[1]

    def gauge(self, name: str, labels: Labels, value: Callable[[float], float]) -> OpenMetrics:
        lines = self._family(name, "gauge")
        lines += [f"{name}{_labels(labels)} {value(t):.12g} {t:.0f}" for t in self.times()]
        return self

    def counter(self, name: str, labels: Labels, per_second: Callable[[float], float]) -> OpenMetrics:
        """`name` without `_total`; the sample is `name_total`, accumulated from the per-second rate."""
        lines, total, previous = self._family(name, "counter"), 0.0, None
        for t in self.times():
            if previous is not None:
                total += per_second(t) * (t - previous)
            previous = t
            lines.append(f"{name}_total{_labels(labels)} {total:.6f} {t:.0f}")
        return self

    def histogram(self, name: str, labels: Labels, per_second: Callable[[float], float],
                  typical: Callable[[float], float], buckets: tuple[float, ...] = (
                      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)) -> OpenMetrics:
        """Durations spread log-normally around `typical(t)` seconds (sigma 0.3): p95 is about 1.64 × typical."""
        lines = self._family(name, "histogram")
        cumulative = [0.0] * (len(buckets) + 1)
        total_sum, previous = 0.0, None
        series: dict[str, list[str]] = {}
        for t in self.times():
            if previous is not None:
                n = per_second(t) * (t - previous)
                mu = math.log(typical(t))
                for i, le in enumerate(buckets):
                    cumulative[i] += n * 0.5 * (1 + math.erf((math.log(le) - mu) / (0.3 * math.sqrt(2))))
                cumulative[-1] += n
                total_sum += n * typical(t)
            previous = t
            for i, le in enumerate(buckets):
                series.setdefault(f"{le:g}", []).append(
                    f"{name}_bucket{_labels({**labels, 'le': f'{le:g}'})} {cumulative[i]:.6f} {t:.0f}")
            series.setdefault("+Inf", []).append(
                f"{name}_bucket{_labels({**labels, 'le': '+Inf'})} {cumulative[-1]:.6f} {t:.0f}")
            series.setdefault("count", []).append(f"{name}_count{_labels(labels)} {cumulative[-1]:.6f} {t:.0f}")
            series.setdefault("sum", []).append(f"{name}_sum{_labels(labels)} {total_sum:.6f} {t:.0f}")
        for lines_of_one in series.values():
            lines += lines_of_one
        return self

    def text(self) -> str:
        out = []
        for name, (kind, lines) in self._families.items():
            out.append(f"# TYPE {name} {kind}")
            out += lines
        return "\n".join(out) + "\n# EOF\n"
