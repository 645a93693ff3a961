"""The exact tests the rates use, from scipy, at the cost of importing `scipy.special` only.

`scipy.stats` takes about a second to import (1.2 s here), more than the rest of an offline
investigation's start-up together; `scipy.special` takes 0.3 s. The binomial tail is
`scipy.stats.binom.sf`, which evaluates Boost's binomial survival function, the ufunc
`scipy.special._ufuncs._binom_sf`, on the distribution's support. `binomial_sf` evaluates the same
ufunc on the same support, so its values are `binom.sf`'s to the bit (a test holds them equal); where
a scipy release no longer has that ufunc, it calls `binom.sf` itself. Fisher's test, for access logs
only, imports `scipy.stats` when first asked.
"""

from __future__ import annotations

import threading
from functools import cache

import numpy as np


@cache
def _special():
    from scipy import special

    return special


@cache
def _stats():
    from scipy import stats

    return stats


@cache
def _boost_binomial_sf():
    """The ufunc under `binom.sf`, or None where this scipy has none of that name."""
    _special()
    try:
        from scipy.special._ufuncs import _binom_sf
    except ImportError:
        return None
    return _binom_sf


def load() -> None:
    """Import scipy.special now rather than at the first test."""
    _boost_binomial_sf()


def import_meanwhile() -> None:
    """Start importing scipy.special on a thread of its own, for a caller about to scan logs.

    A scan of large logs runs in C and DuckDB without the GIL, so the import fits in beside it. Python's
    import lock makes a later first use wait for the thread's import rather than run a second one.
    """
    threading.Thread(target=load, name="import-scipy-special").start()


def binomial_sf(k, n, p) -> np.ndarray | np.float64:
    """P(X > k) for X ~ Binomial(n, p), elementwise: `scipy.stats.binom.sf(k, n, p)`, bit for bit.

    As `binom.sf` does: k is floored; 1 below the support (k < 0), 0 at or past its end (k ≥ n); NaN
    where n is not a non-negative integer or p is outside [0, 1].
    """
    ufunc = _boost_binomial_sf()
    given = [np.asarray(value) for value in (k, n, p)]
    # Booleans, integers and doubles are read exactly as binom.sf reads them; anything else (a long
    # double, an object array of huge ints, None) is left to binom.sf, which decides what it means.
    if ufunc is None or any(value.dtype.kind not in "biuf" or value.dtype.itemsize > 8 for value in given):
        return _stats().binom.sf(k, n, p)
    k, n, p = np.broadcast_arrays(*(np.asarray(value, dtype=float) for value in given))
    k = np.floor(k)
    valid = (n >= 0) & (n == np.floor(n)) & (p >= 0) & (p <= 1)
    inside = valid & (k >= 0) & (k < n)
    out = np.where(valid & ((k < 0) | np.isneginf(k)), 1.0, 0.0)
    out[~valid | np.isnan(k)] = np.nan
    if inside.any():
        out[inside] = np.clip(ufunc(k[inside], n[inside], p[inside]), 0, 1)
    return out[()] if out.ndim == 0 else out


def fisher_greater(table: list[list[int]]) -> float:
    """One-sided Fisher exact test that the first row's odds exceed the second's."""
    return float(_stats().fisher_exact(table, alternative="greater").pvalue)


def proportion_lower_bound(successes: int, trials: int, confidence: float) -> float:
    """The one-sided lower confidence bound of a proportion (Clopper-Pearson, exact): the `1 - confidence`
    quantile of Beta(successes, trials - successes + 1), `scipy.stats.beta.ppf`'s value from `scipy.special`."""
    if successes <= 0 or trials <= 0:
        return 0.0
    return float(_special().betaincinv(successes, trials - successes + 1, 1 - confidence))


def chi2_sf_1(statistic: float) -> float:
    """P(X > statistic) for X ~ chi-square with one degree of freedom: `scipy.stats.chi2.sf(statistic, 1)`, from
    `scipy.special` (its `chdtrc`, which that evaluates)."""
    return float(_special().chdtrc(1, statistic))


def xlogy(x, y):
    """x·log(y), 0 where x is 0."""
    return _special().xlogy(x, y)


def rank_sum_greater(after, before) -> float:
    """One-sided Mann-Whitney U test that `after` tends to exceed `before` (scipy's own choice of exact or
    asymptotic method, ties corrected)."""
    return float(_stats().mannwhitneyu(after, before, alternative="greater").pvalue)


def average_ranks(values) -> np.ndarray:
    """Ranks of `values`, ties given their average rank (as the rank test ranks them)."""
    return _stats().rankdata(values)
