"""What every replayed scenario must show: no error, every expectation met, and some expectations at all."""

from support.prometheus_server import require_prometheus


def assert_replayed(result) -> None:
    if result.skipped:  # a scenario with metrics where Prometheus is not installed: never in CI
        require_prometheus()
    assert result.error is None
    failed = [f"{c.field} {c.check} {c.expected!r}: got {c.actual!r}" for c in result.checks if not c.passed]
    assert not failed, "\n".join(failed)
    assert result.checks, "a scenario without expectations proves nothing"
