"""The in-process incomplete beta and gamma functions agree with scipy.special."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import pytest
import scipy.special

from engine.analysis import special, stats

SHAPES = [
    1e-9,
    1e-3,
    0.05,
    0.5,
    1.0,
    1.5,
    2.0,
    3.5,
    10.0,
    47.5,
    250.0,
    1_999.0,
    3_000.0,
    9_999.0,
    80_000.0,
    500_000.0,
]
POINTS = [1e-12, 1e-6, 0.001, 0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98, 0.999, 1 - 1e-9]


def close(ours: float, theirs: float) -> bool:
    """Agreement to 1e-12 absolute and 1e-9 relative (what a p-value needs many times over)."""
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(SHAPES, SHAPES)))
def test_betainc_matches_scipy(a: float, b: float) -> None:
    for x in POINTS:
        assert close(special.betainc(a, b, x), float(scipy.special.betainc(a, b, x))), (a, b, x)


@pytest.mark.parametrize("a", SHAPES)
def test_incomplete_gamma_matches_scipy(a: float) -> None:
    for x in [1e-9, 1e-3, 0.1, 0.5, 0.9 * a, a, 1.1 * a, a + 1, 2 * a + 5, 10 * a + 30, 1e4, 1e6]:
        assert close(special.gammainc(a, x), float(scipy.special.gammainc(a, x))), (a, x)
        assert close(special.gammaincc(a, x), float(scipy.special.gammaincc(a, x))), (a, x)


def test_the_edges() -> None:
    assert special.betainc(2.0, 3.0, 0.0) == 0.0 and special.betainc(2.0, 3.0, 1.0) == 1.0
    assert special.gammainc(2.0, 0.0) == 0.0 and special.gammaincc(2.0, 0.0) == 1.0


def test_tails_of_the_usual_tests() -> None:
    """Textbook values: t(10) at 2.228 is the two-sided 5% point, chi-square(1) at 3.841 and F(2, 30)
    at 3.316 the 5% points."""
    assert stats.t_two_sided(2.228, 10) == pytest.approx(0.05, abs=1e-4)
    assert stats.chi2_sf(3.841, 1) == pytest.approx(0.05, abs=1e-4)
    assert stats.f_sf(3.316, 2, 30) == pytest.approx(0.05, abs=1e-4)
    assert stats.binom_sf(8, 10, 0.5) == pytest.approx(56 / 1024)
    assert stats.poisson_sf(3, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5))


def test_a_small_table_is_analysed_without_importing_scipy(tmp_path: object) -> None:
    """The point of the module: tests on a small table never load scipy (a third of start-up)."""
    code = (
        "import sys, numpy as np\n"
        "from engine.analysis import stats\n"
        "stats.t_two_sided(2.5, 12); stats.f_sf(4.0, 3, 40); stats.chi2_sf(9.0, 4)\n"
        "stats.binom_sf(30, 100, 0.2); stats.poisson_sf(12, 4.0)\n"
        "stats.f_oneway([np.arange(5.0), np.arange(5.0) + 3, np.arange(6.0)])\n"
        "print('scipy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
