"""metrics.om of this scenario: every orders-api request counted (http_requests_total, 2 a second), 0.2% 5xx before
v5.1.0's pods take traffic at 09:59:30 and 8% after; payments-api's counters flat beside it.
Run `python generate_metrics.py` here to write it again."""

from datetime import UTC, datetime
from pathlib import Path

from wicked_platform.scenarios.openmetrics import OpenMetrics

START, END = datetime(2024, 6, 4, 8, 30, tzinfo=UTC), datetime(2024, 6, 4, 10, 45, tzinfo=UTC)
FAILING = datetime(2024, 6, 4, 9, 59, 30, tzinfo=UTC).timestamp()


def series() -> str:
    om = OpenMetrics(START, END, step=60)
    share = {"orders-api": lambda t: 0.08 if t >= FAILING else 0.002, "payments-api": lambda t: 0.001}
    for app, failing in share.items():
        om.counter("http_requests", {"app": app, "code": "200"}, lambda t, f=failing: 2.0 * (1 - f(t)))
        om.counter("http_requests", {"app": app, "code": "503"}, lambda t, f=failing: 2.0 * f(t))
    return om.text()


if __name__ == "__main__":
    (Path(__file__).parent / "metrics.om").write_text(series())
