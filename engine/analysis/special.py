"""Regularized incomplete beta and gamma functions, for the tail probabilities in `stats`.

Every t, F, chi-square, binomial and Poisson tail comes down to these two. The
continued fractions (modified Lentz) and the series below converge in a few
dozen steps for the sample sizes of most tables, in well under a millisecond,
so `python -m engine analyze` on a small file never imports scipy (about a
third of its start-up). They agree with scipy.special to 1e-9 relative on the
grid of tests/engine/analysis/test_special.py. For shape parameters above
`LARGE_SHAPE` (a t test on some thousands of rows), where the log-gamma terms
cancel to fewer digits and the fractions need many steps, and wherever a
fraction has not converged in `MAX_STEPS`, scipy.special computes the value
instead: on such a table its import cost does not show.
"""

from __future__ import annotations

import math
from typing import Any

MAX_STEPS = 400
LARGE_SHAPE = 2_000.0
_EPS = 1e-15
_TINY = 1e-300


def betainc(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function (a, b > 0, 0 <= x <= 1)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if max(a, b) > LARGE_SHAPE:
        return float(_scipy_special().betainc(a, b, x))
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        fraction = _beta_fraction(a, b, x)
        if fraction is not None:
            return math.exp(log_front) * fraction / a
    else:  # the fraction converges on the other side: I_x(a, b) = 1 - I_(1-x)(b, a)
        fraction = _beta_fraction(b, a, 1.0 - x)
        if fraction is not None:
            return 1.0 - math.exp(log_front) * fraction / b
    return float(_scipy_special().betainc(a, b, x))


def gammainc(a: float, x: float) -> float:
    """P(a, x), the regularized lower incomplete gamma function (a > 0, x >= 0)."""
    return _gamma_pair(a, x)[0]


def gammaincc(a: float, x: float) -> float:
    """Q(a, x) = 1 - P(a, x), the regularized upper incomplete gamma function."""
    return _gamma_pair(a, x)[1]


def _beta_fraction(a: float, b: float, x: float) -> float | None:
    """The continued fraction of I_x(a, b) (None if it has not converged in MAX_STEPS)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / _nonzero(d)
    h = d
    for m in range(1, MAX_STEPS + 1):
        m2 = 2 * m
        even = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2))
        d = 1.0 / _nonzero(1.0 + even * d)
        c = _nonzero(1.0 + even / c)
        h *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2))
        d = 1.0 / _nonzero(1.0 + odd * d)
        c = _nonzero(1.0 + odd / c)
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            return h
    return None


def _gamma_pair(a: float, x: float) -> tuple[float, float]:
    """(P(a, x), Q(a, x)), each computed on the side where it is accurate."""
    if x <= 0.0:
        return 0.0, 1.0
    if a > LARGE_SHAPE:
        return _scipy_gamma_pair(a, x)
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:  # the series for P
        term = total = 1.0 / a
        shape = a
        for _ in range(MAX_STEPS):
            shape += 1.0
            term *= x / shape
            total += term
            if abs(term) < abs(total) * _EPS:
                lower = total * math.exp(log_front)
                return lower, 1.0 - lower
    else:  # the continued fraction for Q
        b = x + 1.0 - a
        c, d = 1.0 / _TINY, 1.0 / b
        h = d
        for i in range(1, MAX_STEPS + 1):
            an = -i * (i - a)
            b += 2.0
            d = 1.0 / _nonzero(an * d + b)
            c = _nonzero(b + an / c)
            step = d * c
            h *= step
            if abs(step - 1.0) < _EPS:
                upper = math.exp(log_front) * h
                return 1.0 - upper, upper
    return _scipy_gamma_pair(a, x)


def _scipy_gamma_pair(a: float, x: float) -> tuple[float, float]:
    special = _scipy_special()
    return float(special.gammainc(a, x)), float(special.gammaincc(a, x))


def _nonzero(v: float) -> float:
    return v if abs(v) >= _TINY else _TINY


def _scipy_special() -> Any:
    import scipy.special  # deferred: only very large shape parameters need it

    return scipy.special
