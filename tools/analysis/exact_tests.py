"""The exact tests the rates use, from scipy, at the cost of importing `scipy.special` only.

`scipy.stats` takes about a second to import (1.2 s here), more than the rest of an offline
investigation's start-up together; `scipy.special` takes 0.3 s. The binomial tail is
`scipy.stats.binom.sf`, which evaluates Boost's binomial survival function, the ufunc
`scipy.special._ufuncs._binom_sf`, on the distribution's support. `binomial_sf` evaluates the same
ufunc on the same support, so its values are `binom.sf`'s to the bit (a test holds them equal); where
a scipy release no longer has that ufunc, it calls `binom.sf` itself. Fisher's one-sided test is the
hypergeometric cdf, `scipy.special._ufuncs._hypergeom_cdf`, the same way. The rank tests of latency import
`scipy.stats` when first asked.
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


@cache
def _boost_hypergeom_cdf():
    """The ufunc under `hypergeom.cdf`, or None where this scipy has none of that name."""
    _special()
    try:
        from scipy.special._ufuncs import _hypergeom_cdf
    except ImportError:
        return None
    return _hypergeom_cdf


def fisher_greater(table: list[list[int]]) -> float:
    """One-sided Fisher exact test that the first row's odds exceed the second's: `scipy.stats.fisher_exact(table,
    alternative="greater").pvalue`, bit for bit.

    As fisher_exact does: 1 where a row or a column sums to 0; else the hypergeometric cdf of the second column
    (`hypergeom.cdf(c01, n1 + n2, n1, c01 + c11)`), 1 at or past the end of its support, 0 below it, and inside it
    Boost's cdf, the ufunc `hypergeom.cdf` evaluates, on the same int64 arguments.
    """
    c = np.asarray(table, dtype=np.int64)
    ufunc = _boost_hypergeom_cdf()
    if ufunc is None or c.shape != (2, 2) or (c < 0).any():
        return float(_stats().fisher_exact(table, alternative="greater").pvalue)
    if 0 in c.sum(axis=0) or 0 in c.sum(axis=1):
        return 1.0
    n1, n2 = c[0, 0] + c[0, 1], c[1, 0] + c[1, 1]
    k, total, drawn = c[0, 1], n1 + n2, c[0, 1] + c[1, 1]
    if k >= min(n1, drawn):
        return 1.0
    if k < max(drawn - (total - n1), 0):
        return 0.0
    return float(np.clip(ufunc(k, n1, drawn, total), 0, 1))


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
    """One-sided Mann-Whitney U test that `after` tends to exceed `before`: `scipy.stats.mannwhitneyu(after, before,
    alternative="greater").pvalue`, bit for bit.

    As mannwhitneyu does with its default method: where both samples have more than eight values, or any value
    ties, the normal approximation with its tie and continuity corrections, whose every term is an exact sum
    (ranks are halves, tie counts integers) and whose tail is `scipy.special.ndtr`; otherwise its exact
    distribution, which is left to scipy.stats.
    """
    x, y = np.asarray(after, dtype=np.float64).ravel(), np.asarray(before, dtype=np.float64).ravel()
    n1, n2 = x.size, y.size
    if n1 == 0 or n2 == 0 or np.isnan(x).any() or np.isnan(y).any():  # what mannwhitneyu refuses, refused alike
        return float(_stats().mannwhitneyu(after, before, alternative="greater").pvalue)
    ranks, ties = _ranks_and_ties(np.concatenate([x, y]))
    if n1 <= 8 or n2 <= 8:
        if not (ties > 1).any():
            return float(_stats().mannwhitneyu(after, before, alternative="greater").pvalue)
    u = np.sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    n = n1 + n2
    spread = np.sqrt(n1 * n2 / 12 * ((n + 1) - np.sum(ties**3 - ties) / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - n1 * n2 / 2 - 0.5) / spread
    return float(np.clip(_special().ndtr(-z), 0.0, 1.0))


def average_ranks(values) -> np.ndarray:
    """Ranks of `values`, ties given their average rank (as the rank test ranks them): `scipy.stats.rankdata`."""
    given = np.asarray(values, dtype=np.float64)
    if given.ndim != 1 or np.isnan(given).any():  # rankdata's own reading of these
        return _stats().rankdata(values)
    return _ranks_and_ties(given)[0]


def _ranks_and_ties(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks (1-based, in the values' order) and, in sorted order, each distinct value's count at its
    first place (0 elsewhere): scipy.stats' own `_rankdata(values, "average", return_ties=True)`."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.concatenate([[True], ordered[:-1] != ordered[1:]])
    starts = np.flatnonzero(first)
    counts = np.diff(starts, append=values.size)
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.repeat((starts + 1) + (counts.astype(np.float64) - 1) / 2, counts)
    ties = np.zeros(values.size, dtype=np.float64)
    ties[first] = counts
    return ranks, ties
