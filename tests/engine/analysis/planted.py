"""Generators of sales tables with one planted pattern each (and a pure-noise control)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

START = dt.date(2024, 1, 1)
DAYS = 120
ROWS_PER_DAY = 20
REGIONS = ["North", "South", "East", "West"]
PRODUCTS = [f"P{i:02d}" for i in range(10)]
CHANNELS = ["Online", "Retail", "Partner"]
SHIFT_DAY = 70  # day index of the planted level shift


def base(seed: int) -> dict[str, np.ndarray]:
    """Columns of a patternless sales log: uniform categories, noisy units and prices."""
    rng = np.random.default_rng(seed)
    n = DAYS * ROWS_PER_DAY
    day = np.repeat(np.arange(DAYS), ROWS_PER_DAY)
    return {
        "day": day,
        "region": rng.choice(REGIONS, n),
        "product": rng.choice(PRODUCTS, n),
        "channel": rng.choice(CHANNELS, n),
        "units": rng.integers(1, 20, n).astype(float),
        "price": rng.choice([9.99, 14.5, 24.0, 49.0], n),
        "rating": np.round(rng.uniform(1, 5, n), 1),
    }


def frame(cols: dict[str, np.ndarray], factor: np.ndarray | None = None) -> pl.DataFrame:
    """The table, with units scaled by `factor` per row (the planted pattern) and revenue = units × price."""
    units = cols["units"] * (factor if factor is not None else 1.0)
    units = np.maximum(1, np.round(units))
    dates = [START + dt.timedelta(days=int(d)) for d in cols["day"]]
    return pl.DataFrame(
        {
            "order_date": dates,
            "region": cols["region"],
            "product": cols["product"],
            "channel": cols["channel"],
            "units": units.astype(int),
            "price": cols["price"],
            "revenue": np.round(units * cols["price"], 2),
            "rating": cols["rating"],
        }
    )


def noise(seed: int = 1) -> pl.DataFrame:
    return frame(base(seed))


def rising_trend(seed: int = 2) -> pl.DataFrame:
    cols = base(seed)
    return frame(cols, 1 + 1.5 * cols["day"] / DAYS)


def region_far_above(seed: int = 3) -> pl.DataFrame:
    cols = base(seed)
    return frame(cols, np.where(cols["region"] == "North", 3.0, 1.0))


def pareto_mix(seed: int = 4) -> pl.DataFrame:
    cols = base(seed)
    rng = np.random.default_rng(seed)
    weights = np.array([0.45, 0.33, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01])
    cols["product"] = rng.choice(PRODUCTS, len(cols["day"]), p=weights)
    return frame(cols)


def weekly_seasonality(seed: int = 5) -> pl.DataFrame:
    cols = base(seed)
    weekday = np.array([(START + dt.timedelta(days=int(d))).weekday() for d in cols["day"]])
    return frame(cols, np.where(weekday >= 5, 2.2, 1.0))


def level_shift(seed: int = 6) -> pl.DataFrame:
    cols = base(seed)
    return frame(cols, np.where(cols["day"] >= SHIFT_DAY, 1.8, 1.0))


def correlated_pair(seed: int = 7) -> pl.DataFrame:
    cols = base(seed)
    rng = np.random.default_rng(seed + 100)
    df = frame(cols)
    ad_spend = rng.gamma(4, 25, df.height)
    visits = 3 * ad_spend + rng.normal(0, 60, df.height)
    return df.with_columns(
        pl.Series("ad_spend", np.round(ad_spend, 2)), pl.Series("visits", np.round(visits))
    )


def shift_date() -> dt.date:
    return START + dt.timedelta(days=SHIFT_DAY)


def write_csv(df: pl.DataFrame, path: Path) -> Path:
    df.write_csv(path)
    return path
