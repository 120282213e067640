"""Statistics of the validation: intervals over seeds, and the heavy-tail test.

Rules:
- Every interval in the report is over seeds: a t interval of the mean of one value per seed
  (``mean_ci``), or a Wilson interval of the share of seeds in which something happens
  (``proportion_ci``). Runs of different arms use the same seeds (common random numbers), so
  differences and ratios are taken per seed, then averaged.
- ``point_estimates()`` is a context in which both intervals collapse onto their estimate. The
  robustness study (two seeds per point of a Latin hypercube: no useful interval) judges every
  pattern inside it, so that a criterion "lower CI > x" becomes "estimate > x" there, and only
  there.
- The heavy-tail test (``tail_test``) follows Clauset, Shalizi & Newman (2009, SIAM Review 51):
  the tail above a fixed ``xmin`` is fitted by maximum likelihood by a power law, a lognormal and
  an exponential (each truncated at ``xmin``, in the continuous approximation of a discrete
  sample, ``x >= xmin - 0.5``), and compared by Vuong's normalised log-likelihood ratio with its
  two-sided p-value. A sample is heavy-tailed when the power law beats the exponential
  significantly (R > 0, p < 0.05) and the tail spans at least 1.5 decades above ``xmin`` (a
  pure power-law sample of 5,000 with exponent 2.3 spans 1.9-2.4 decades). A
  geometric or Poisson sample fails (their tails are exponential or thinner); a power-law or a
  lognormal sample passes. The power-law-versus-lognormal ratio is reported, not judged: with
  samples of thousands the two are rarely distinguishable, and the brief claims a heavy tail,
  not a power law.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

_POINT_ESTIMATES = False


@contextlib.contextmanager
def point_estimates() -> Iterator[None]:
    """Within this context, ``mean_ci`` and ``proportion_ci`` return (estimate,) * 3."""
    global _POINT_ESTIMATES
    previous, _POINT_ESTIMATES = _POINT_ESTIMATES, True
    try:
        yield
    finally:
        _POINT_ESTIMATES = previous


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean over seeds and its t-based confidence interval."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    if len(x) == 1 or _POINT_ESTIMATES:
        return float(x.mean()), float(x.mean()), float(x.mean())
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def proportion_ci(successes: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share of seeds and its Wilson score interval."""
    from scipy import stats

    if n == 0:
        return math.nan, math.nan, math.nan
    p = successes / n
    if _POINT_ESTIMATES:
        return p, p, p
    z = stats.norm.ppf(0.5 + level / 2)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_ci(values: Sequence[float], level: float = 0.95, n_boot: int = 2000,
                 seed: int = 0) -> tuple[float, float, float]:
    """Mean over seeds and its percentile bootstrap interval (resampling seeds)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    if len(x) == 1 or _POINT_ESTIMATES:
        return float(x.mean()), float(x.mean()), float(x.mean())
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), (n_boot, len(x)))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(x.mean()), float(lo), float(hi)


# --------------------------------------------------------------------------------------------
# Heavy tails (Clauset, Shalizi & Newman 2009)


@dataclass(frozen=True)
class TailTest:
    """The result of :func:`tail_test` on one sample."""

    n_tail: int
    alpha: float  # power-law exponent of the tail
    decades: float  # log10(largest / xmin)
    lr_exponential: float  # normalised log-likelihood ratio, power law vs exponential
    p_exponential: float
    lr_lognormal: float  # normalised log-likelihood ratio, power law vs lognormal
    p_lognormal: float

    @property
    def heavy(self) -> bool:
        """Power law significantly better than exponential, over at least 1.5 decades."""
        return (self.lr_exponential > 0 and self.p_exponential < 0.05
                and self.decades >= 1.5)


def _vuong(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Normalised log-likelihood ratio of per-point log-likelihoods a vs b, two-sided p."""
    d = a - b
    n = len(d)
    sd = d.std(ddof=1)
    if not np.isfinite(sd) or sd == 0:
        return 0.0, 1.0
    z = d.sum() / (sd * math.sqrt(n))
    return float(z), float(math.erfc(abs(z) / math.sqrt(2)))


def tail_test(sizes: Sequence[float], xmin: int = 3) -> TailTest:
    """Fit and compare power law, lognormal and exponential tails above ``xmin``."""
    from scipy import optimize, stats

    x = np.asarray(sizes, dtype=float)
    t = x[x >= xmin]
    x0 = xmin - 0.5
    n = len(t)
    if n < 10:
        return TailTest(n, math.nan, 0.0, math.nan, 1.0, math.nan, 1.0)
    logs = np.log(t / x0)
    alpha = 1 + n / logs.sum()
    ll_pl = np.log((alpha - 1) / x0) - alpha * logs
    lam = 1 / max(float(np.mean(t - x0)), 1e-12)
    ll_exp = np.log(lam) - lam * (t - x0)
    lt = np.log(t)

    def nll(theta):
        mu, log_sigma = theta
        sigma = math.exp(log_sigma)
        tail_mass = stats.norm.sf((math.log(x0) - mu) / sigma)
        if tail_mass <= 1e-300:
            return 1e300
        return -np.sum(stats.norm.logpdf(lt, mu, sigma) - lt - math.log(tail_mass))

    start = np.array([lt.mean(), math.log(max(lt.std(), 0.1))])
    fit = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000})
    mu, sigma = fit.x[0], math.exp(fit.x[1])
    ll_ln = (stats.norm.logpdf(lt, mu, sigma) - lt
             - math.log(stats.norm.sf((math.log(x0) - mu) / sigma)))
    r_exp, p_exp = _vuong(ll_pl, ll_exp)
    r_ln, p_ln = _vuong(ll_pl, ll_ln)
    return TailTest(n, float(alpha), float(math.log10(t.max() / xmin)), r_exp, p_exp, r_ln,
                    p_ln)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (nan when either side is constant or too short)."""
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 4 or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
        return math.nan
    return float(stats.spearmanr(x[keep], y[keep]).statistic)
