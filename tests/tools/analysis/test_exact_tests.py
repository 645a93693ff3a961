"""The binomial tail and Fisher's test without scipy.stats must be scipy.stats' own, to the bit."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from wicked_platform.tools.analysis import exact_tests
from wicked_platform.tools.analysis.exact_tests import binomial_sf, fisher_greater

SHARES = st.one_of(st.floats(0, 1), st.sampled_from([0.0, 1.0, 1e-12, 0.5, 1 - 1e-12]))


def _same(ours, theirs) -> bool:
    return np.array_equal(np.asarray(ours), np.asarray(theirs), equal_nan=True)


@settings(max_examples=400, deadline=None)
@given(n=st.integers(0, 10**7), k=st.integers(-3, 10**7 + 3), p=SHARES)
def test_a_scalar_tail_is_binom_sf_bit_for_bit(n, k, p):
    ours, theirs = binomial_sf(k, n, p), stats.binom.sf(k, n, p)
    assert _same(ours, theirs), (k, n, p, ours, theirs)
    assert np.ndim(ours) == 0 and isinstance(float(ours), float)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.integers(-2, 5002), SHARES), min_size=1, max_size=40))
def test_a_vector_of_tails_is_binom_sf_bit_for_bit(rows):
    n, k, p = (np.array(column) for column in zip(*rows, strict=True))
    assert _same(binomial_sf(k - 1, n, p), stats.binom.sf(k - 1, n, p))


def test_the_edges_of_the_support_and_bad_parameters_read_as_binom_sf_reads_them():
    k = np.array([-np.inf, -1, 0, 2.7, 3, 9, np.inf, np.nan, 1, 1, 1])
    n = np.array([3, 3, 3, 3, 3, 3, 3, 3, -1, 2.5, 3])
    p = np.array([0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 1.5])
    assert _same(binomial_sf(k, n, p), stats.binom.sf(k, n, p))
    assert binomial_sf(0, 3, 0.4) == stats.binom.sf(0, 3, 0.4) != 0  # a plain value, not a one-element array


def test_a_scipy_without_the_boost_ufunc_gets_binom_sf_itself(monkeypatch):
    monkeypatch.setattr(exact_tests, "_boost_binomial_sf", lambda: None)
    assert binomial_sf(5, 40, 0.1) == stats.binom.sf(5, 40, 0.1)


def test_fisher_is_scipys_one_sided_test():
    table = [[30, 970], [5, 995]]
    assert fisher_greater(table) == stats.fisher_exact(table, alternative="greater").pvalue


COUNTS = st.one_of(st.integers(0, 12), st.integers(0, 3000), st.integers(0, 10**7))


@settings(max_examples=600, deadline=None)
@given(st.lists(COUNTS, min_size=4, max_size=4))
def test_fisher_is_fisher_exact_bit_for_bit(counts):
    # Failed and good requests after a split, then before it: small, mixed and busy-service sizes.
    table = [counts[:2], counts[2:]]
    theirs = stats.fisher_exact(table, alternative="greater").pvalue
    assert _same(fisher_greater(table), theirs), (table, fisher_greater(table), theirs)
    assert isinstance(fisher_greater(table), float)


def test_fisher_at_the_edges_of_the_support_reads_as_fisher_exact():
    for table in ([[0, 0], [3, 4]], [[3, 0], [4, 0]], [[5, 0], [0, 5]], [[0, 5], [5, 0]], [[1, 1], [1, 1]], [[9, 1], [1, 0]]):
        assert fisher_greater(table) == stats.fisher_exact(table, alternative="greater").pvalue, table


def test_a_scipy_without_the_hypergeometric_ufunc_gets_fisher_exact_itself(monkeypatch):
    monkeypatch.setattr(exact_tests, "_boost_hypergeom_cdf", lambda: None)
    assert fisher_greater([[12, 88], [3, 97]]) == stats.fisher_exact([[12, 88], [3, 97]], alternative="greater").pvalue


def test_fisher_does_not_import_scipy_stats():
    code = ("import sys; from wicked_platform.tools.analysis.exact_tests import fisher_greater; "
            "fisher_greater([[30, 970], [5, 995]]); print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_binomial_tail_does_not_import_scipy_stats():
    code = ("import sys; from wicked_platform.tools.analysis.exact_tests import binomial_sf; "
            "binomial_sf(3, 10, 0.2); print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_inputs_binom_sf_reads_in_its_own_way_are_left_to_it():
    """A long double n a hair off an integer, or p a hair over 1, is NaN to binom.sf: not rounded to a value."""
    n_off = np.longdouble(3) + np.longdouble(2) ** -62
    p_over = np.longdouble(1) + np.longdouble(2) ** -63
    for k, n, p in ((2, n_off, 0.3), (2, 5, p_over)):
        assert _same(binomial_sf(k, n, p), stats.binom.sf(k, n, p))
    huge = np.array([1, 2**70], dtype=object)  # what binom.sf refuses, refused alike
    with pytest.raises(TypeError):
        stats.binom.sf(huge, 5, 0.3)
    with pytest.raises(TypeError):
        binomial_sf(huge, 5, 0.3)


def test_the_chi_square_tail_is_scipys_bit_for_bit():
    from wicked_platform.tools.analysis.exact_tests import chi2_sf_1

    for statistic in (0.0, 0.5, 6.63, 26.3, 300.0):
        assert chi2_sf_1(statistic) == stats.chi2.sf(statistic, 1)


def test_importing_the_engine_does_not_import_scipy_stats():
    """scipy.stats costs about a second to import; the engine asks scipy.special for what it needs up front."""
    code = "import sys, wicked_platform.tools.investigation; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


DURATIONS = st.one_of(st.floats(0, 5000, allow_nan=False), st.sampled_from([1.0, 2.0, 2.5, 40.0, 100.0]),
                      st.integers(0, 30).map(float))


@settings(max_examples=500, deadline=None)
@given(st.lists(DURATIONS, min_size=1, max_size=300), st.lists(DURATIONS, min_size=1, max_size=300))
def test_the_rank_sum_test_is_mannwhitneyu_bit_for_bit(after, before):
    # Durations after and before a split: ties (whole milliseconds), small samples and large.
    theirs = stats.mannwhitneyu(after, before, alternative="greater").pvalue
    ours = exact_tests.rank_sum_greater(np.array(after), np.array(before))
    assert _same(ours, theirs), (ours, theirs)
    assert _same(exact_tests.average_ranks(after + before), stats.rankdata(after + before))


def test_a_large_sample_of_tied_durations_is_mannwhitneyu_bit_for_bit():
    rng = np.random.default_rng(7)
    before, after = rng.integers(20, 90, 20_000).astype(float), rng.integers(25, 140, 5_000).astype(float)
    assert exact_tests.rank_sum_greater(after, before) == stats.mannwhitneyu(after, before, alternative="greater").pvalue
    same = np.full(50, 12.0)  # every value tied: no spread, NaN as mannwhitneyu gives
    assert _same(exact_tests.rank_sum_greater(same, same), stats.mannwhitneyu(same, same, alternative="greater").pvalue)


def test_the_latency_tests_do_not_import_scipy_stats():
    code = ("import sys, numpy as np; from wicked_platform.tools.analysis import exact_tests as e; "
            "e.rank_sum_greater(np.arange(40.0) + 3, np.arange(60.0)); e.average_ranks([3.0, 1.0, 3.0]); "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
