"""The worst route: a significant rise, ranked by the lower confidence bound of its error rate."""

from __future__ import annotations

import pytest
from scipy import stats

from wicked_platform.tools.analysis.exact_tests import proportion_lower_bound
from wicked_platform.tools.analysis.route_rates import MAX_REPORTED_ROUTES, reported_routes, worst_route
from wicked_platform.tools.report import RouteErrorRate


def _route(route, failed_after, requests_after, p_value=1e-9, failed_before=0, requests_before=100):
    return RouteErrorRate(service="api", route=route, requests_before=requests_before, failed_before=failed_before,
                          requests_after=requests_after, failed_after=failed_after,
                          error_rate=failed_after / requests_after, baseline_error_rate=failed_before / requests_before,
                          p_value=p_value)


@pytest.mark.parametrize(("k", "n"), [(3, 3), (600, 1000), (1, 50), (50, 50)])
def test_the_lower_bound_is_scipys_clopper_pearson(k, n):
    assert proportion_lower_bound(k, n, 0.95) == pytest.approx(stats.beta.ppf(0.05, k, n - k + 1), rel=1e-9)
    assert proportion_lower_bound(0, n, 0.95) == 0.0


def test_a_handful_of_failures_does_not_outrank_hundreds():
    handful, hundreds = _route("/admin/:id", 3, 3), _route("/cart/:id/items", 600, 1000)
    assert worst_route([handful, hundreds]) == hundreds
    # With enough requests, the higher rate is the worse.
    assert worst_route([_route("/a", 95, 100), hundreds]).route == "/a"


def test_no_worst_without_a_significant_rise():
    assert worst_route([_route("/checkout", 20, 1000, p_value=0.4)]) is None
    assert worst_route([_route("/checkout", 20, 1000, p_value=None)]) is None


def test_the_worst_is_always_listed_and_the_list_is_bounded():
    many = [_route(f"/r{i}", 100 - i, 1000, p_value=0.5) for i in range(10)]
    rare = _route("/rare", 40, 40)
    shown = reported_routes([*many, rare], rare)
    assert len(shown) == MAX_REPORTED_ROUTES and shown[-1] == rare
