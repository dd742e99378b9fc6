"""The tests behind findings hold their level on patternless data (a finding on noise is a defect).

Each check runs one detector's test on many simulated null series with a fixed seed and
asks that p < 0.01 come up about 1% of the time, not several times as often.
"""

from __future__ import annotations

import numpy as np

from engine.analysis.detectors.patterns import TAIL_DF, _neighbour_median
from engine.analysis.detectors.seasonal import _WEEKDAYS, _anova_cycle
from engine.analysis.stats import t_sf

RUNS = 1500


def test_the_weekly_cycle_test_holds_its_level_on_white_noise_and_under_a_trend() -> None:
    rng = np.random.default_rng(11)
    pos = np.arange(120) % 7
    for bend in (0.0, 60.0):  # flat, and an accelerating level
        ps = []
        for _ in range(RUNS):
            y = rng.normal(100, 15, 120) + bend * np.linspace(0, 1, 120) ** 2
            cycle = _anova_cycle("weekly", _WEEKDAYS, y, pos, 7, 120 / 7, "days")
            assert cycle is not None
            ps.append(cycle.p_value)
        assert np.mean(np.array(ps) < 0.01) <= 0.02, bend


def test_anomaly_p_values_hold_their_level_on_skewed_daily_sums() -> None:
    """The largest robust z of a year of Poisson or lognormal days, Bonferroni over the days."""
    rng = np.random.default_rng(12)
    false = 0
    for k in range(RUNS // 3):
        y = rng.poisson(5, 365).astype(float) + 1 if k % 2 else rng.lognormal(0, 0.6, 365)
        v = np.log(y)
        r = v - _neighbour_median(v, 3)
        mad = float(np.median(np.abs(r - np.median(r))))
        z = float(np.max(np.abs(0.6745 * (r - np.median(r)) / mad)))
        false += min(1.0, 2 * t_sf(z, TAIL_DF) * 365) < 0.01
    assert false / (RUNS // 3) <= 0.01


def test_the_ends_of_a_steep_trend_are_not_anomalies() -> None:
    """Neighbours on one side only: a climbing series' first point is not 'unusually low'."""
    y = 100 * 1.2 ** np.arange(20)
    v = np.log(y)
    resid = v - _neighbour_median(v, 3)
    assert np.allclose(resid, 0, atol=1e-9)
