"""The few statistical tests and tail probabilities the detectors use.

Written on numpy and on the incomplete beta and gamma functions of
`engine.analysis.special`, so that `python -m engine analyze` starts fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.analysis.special import betainc, gammainc, gammaincc


def norm_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with `df` degrees of freedom."""
    if not math.isfinite(t):
        return 0.0 if t > 0 else 1.0
    df = max(df, 1e-9)
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return tail if t > 0 else 1 - tail


def t_two_sided(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic."""
    return min(1.0, 2 * t_sf(abs(t), df))


def f_sf(f: float, d1: float, d2: float) -> float:
    """P(F > f) for the F distribution."""
    if not math.isfinite(f):
        return 0.0
    if f <= 0:
        return 1.0
    return betainc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))


def chi2_sf(x: float, k: float) -> float:
    """P(X > x) for a chi-square with `k` degrees of freedom."""
    if x <= 0:
        return 1.0
    return gammaincc(k / 2, x / 2)


def poisson_sf(k: float, mu: float) -> float:
    """P(X >= k) for a Poisson X with mean `mu`."""
    if k <= 0:
        return 1.0
    return gammainc(k, mu)


def poisson_cdf(k: float, mu: float) -> float:
    """P(X <= k) for a Poisson X with mean `mu`."""
    if k < 0:
        return 0.0
    return gammaincc(float(np.floor(k)) + 1, mu)


def binom_sf(k: float, n: float, p: float) -> float:
    """P(X >= k) for a binomial X ~ B(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return betainc(k, n - k + 1, p)


def f_oneway(groups: Sequence[np.ndarray]) -> float:
    """p-value of one-way ANOVA across the groups."""
    k = len(groups)
    n = sum(len(g) for g in groups)
    if k < 2 or n <= k:
        return 1.0
    grand = sum(float(g.sum()) for g in groups) / n
    between = sum(len(g) * (float(g.mean()) - grand) ** 2 for g in groups) / (k - 1)
    within = sum(float(((g - g.mean()) ** 2).sum()) for g in groups) / (n - k)
    if within <= 0:
        return 0.0 if between > 0 else 1.0
    return f_sf(between / within, k - 1, n - k)


def welch(m1: float, v1: float, n1: float, m2: float, v2: float, n2: float) -> tuple[float, float]:
    """Welch's t statistic and two-sided p-value from group moments."""
    se2 = v1 / max(n1, 1) + v2 / max(n2, 1)
    if se2 <= 0:
        return 0.0, 1.0
    t = (m1 - m2) / math.sqrt(se2)
    df_den = (v1 / n1) ** 2 / max(n1 - 1, 1) + (v2 / n2) ** 2 / max(n2 - 1, 1)
    df = se2**2 / df_den if df_den > 0 else max(n1 + n2 - 2, 1)
    return t, t_two_sided(t, df)


def lag1(resid: np.ndarray) -> float:
    """Lag-1 autocorrelation of residuals (0 for short or constant series)."""
    if len(resid) < 4:
        return 0.0
    r = resid - resid.mean()
    den = float(np.sum(r * r))
    return float(np.sum(r[1:] * r[:-1]) / den) if den > 0 else 0.0


def effective_n(n: int, rho: float) -> float:
    """Sample size after AR(1) correlation: n (1 - ρ) / (1 + ρ), at least 3."""
    rho = min(max(rho, 0.0), 0.99)
    return max(3.0, n * (1 - rho) / (1 + rho))


def gls_ar1(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Least squares with AR(1) errors (Prais-Winsten): coefficients, their standard errors, residual df.

    The errors' lag-1 correlation is estimated from ordinary least squares
    and both sides are quasi-differenced by it, so that a smooth wave or a
    random walk does not pass for a trend or a step.
    """
    n, k = design.shape
    beta0, *_ = np.linalg.lstsq(design, y, rcond=None)
    rho = min(max(lag1(y - design @ beta0), 0.0), 0.95)
    scale = math.sqrt(1 - rho * rho)
    xs = np.vstack([design[:1] * scale, design[1:] - rho * design[:-1]])
    ys = np.concatenate([y[:1] * scale, y[1:] - rho * y[:-1]])
    beta, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    resid = ys - xs @ beta
    df = max(n - k - 1, 1)
    sigma2 = float(resid @ resid) / df
    try:
        cov = np.linalg.inv(xs.T @ xs) * sigma2
    except np.linalg.LinAlgError:
        return beta, np.full(k, np.inf), float(df)
    return beta, np.sqrt(np.maximum(np.diag(cov), 0.0)), float(df)


def ols(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Least-squares line: slope, intercept, R², and the slope's p-value corrected for AR(1) residuals.

    A random walk or a smooth wave has strongly correlated residuals: its
    effective sample size is small, so its "trend" is not significant by
    accident of autocorrelation.
    """
    n = len(x)
    xm, ym = float(x.mean()), float(y.mean())
    dx, dy = x - xm, y - ym
    sxx = float(np.sum(dx * dx))
    if sxx == 0 or n < 3:
        return 0.0, ym, 0.0, 1.0
    slope = float(np.sum(dx * dy)) / sxx
    intercept = ym - slope * xm
    resid = y - (intercept + slope * x)
    syy = float(np.sum(dy * dy))
    r2 = 1 - float(np.sum(resid * resid)) / syy if syy > 0 else 0.0
    if n < 8:  # too short to estimate the errors' correlation: inflate by it instead
        n_eff = effective_n(n, lag1(resid))
        se = math.sqrt(float(np.sum(resid * resid)) / max(n - 2, 1) / sxx) * math.sqrt(n / n_eff)
        return (
            slope,
            intercept,
            r2,
            t_two_sided(slope / se, max(n_eff - 2, 1.0)) if se > 0 else float(slope == 0),
        )
    beta, errors, df = gls_ar1(np.column_stack([np.ones(n), x]), y)
    if not errors[1] > 0:
        return slope, intercept, r2, 0.0 if slope else 1.0
    return slope, intercept, r2, t_two_sided(float(beta[1]) / float(errors[1]), df)


def drift(y: np.ndarray) -> float:
    """Two-sided p-value that the mean step of the series is not zero (a random walk's drift).

    The right test of a trend for a random walk: its steps are what is
    independent, not the deviations from a line.
    """
    d = np.diff(y)
    if len(d) < 3:
        return 1.0
    sd = float(np.std(d, ddof=1))
    if sd == 0:
        return 0.0 if float(np.mean(d)) != 0 else 1.0
    return t_two_sided(float(np.mean(d)) / (sd / math.sqrt(len(d))), len(d) - 1)


def poisson_trend(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Log-linear trend of counts (quasi-Poisson GLM): intercept, slope, and the slope's two-sided p-value.

    The right model for counts per period that start at or pass through zero,
    where a log of the counts does not exist and a straight line would cross
    zero. Overdispersion is estimated from the Pearson residuals.
    """
    n = len(y)
    if n < 3 or float(y.sum()) <= 0:
        return 0.0, 0.0, 1.0
    x = np.column_stack([np.ones(n), (t - t.mean()) / (t.std() or 1.0)])
    beta = np.array([math.log(max(float(y.mean()), 1e-9)), 0.0])
    for _ in range(50):
        mu = np.exp(np.clip(x @ beta, -30, 30))
        w = mu
        z = x @ beta + (y - mu) / mu
        xtw = x.T * w
        try:
            new = np.linalg.solve(xtw @ x, xtw @ z)
        except np.linalg.LinAlgError:
            return 0.0, 0.0, 1.0
        if np.max(np.abs(new - beta)) < 1e-8:
            beta = new
            break
        beta = new
    mu = np.exp(np.clip(x @ beta, -30, 30))
    phi = max(1.0, float(np.sum((y - mu) ** 2 / mu)) / max(n - 2, 1))
    cov = np.linalg.inv((x.T * mu) @ x) * phi
    se = math.sqrt(max(float(cov[1, 1]), 1e-300))
    scale = t.std() or 1.0
    slope = float(beta[1]) / scale
    intercept = float(beta[0]) - slope * float(t.mean())
    n_eff = effective_n(n, lag1((y - mu) / np.sqrt(mu)))
    return intercept, slope, t_two_sided(float(beta[1]) / se * math.sqrt(n_eff / n), max(n_eff - 2, 1))


def pearson(x: np.ndarray, y: np.ndarray, n_eff: float | None = None) -> tuple[float, float]:
    """Pearson r and its two-sided p-value (on `n_eff` observations when given)."""
    n = len(x)
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(np.sum(dx * dx)), float(np.sum(dy * dy))
    if sxx == 0 or syy == 0 or n < 4:
        return 0.0, 1.0
    r = max(-1.0, min(1.0, float(np.sum(dx * dy)) / math.sqrt(sxx * syy)))
    m = n if n_eff is None else n_eff
    t = r * math.sqrt(max(m - 2, 1) / max(1e-300, 1 - r * r))
    return r, t_two_sided(t, max(m - 2, 1))


def two_proportions(k1: float, n1: float, k2: float, n2: float) -> float:
    """Two-sided p-value that two shares k1/n1 and k2/n2 are equal (pooled z-test)."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return min(1.0, 2 * norm_sf(abs(z)))
