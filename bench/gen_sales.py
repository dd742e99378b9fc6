"""Generate the benchmark's sales CSV: date, region, product, channel, units, price, revenue,
discount (with gaps), rating (with gaps) and an order id; about 60 bytes per row."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

REGIONS = ["North", "South", "East", "West", "Central"]
CHANNELS = ["Online", "Retail", "Partner"]
PRICES = {f"SKU-{i:03d}": round(5 + 7.5 * i, 2) for i in range(40)}


def generate(rows: int, out: Path, seed: int = 42, chunk: int = 2_000_000) -> Path:
    """Write `rows` rows to `out` in chunks (bounded memory), return the path."""
    rng = np.random.default_rng(seed)
    products = np.array(list(PRICES))
    price_of = np.array(list(PRICES.values()))
    weights = 1 / np.arange(1, len(products) + 1) ** 1.1
    weights /= weights.sum()
    start = dt.date(2022, 1, 1)
    calendar = pl.Series([start + dt.timedelta(days=d) for d in range(730)])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            day = rng.integers(0, 730, n)
            prod = rng.choice(len(products), n, p=weights)
            units = rng.integers(1, 25, n)
            price = price_of[prod]
            discount = np.round(rng.uniform(0, 0.3, n), 3)
            rating = np.round(rng.uniform(1, 5, n), 1)
            frame = pl.DataFrame(
                {
                    "order_id": "ORD-"
                    + pl.Series(np.arange(offset, offset + n)).cast(pl.String).str.zfill(9),
                    "date": calendar[day],
                    "region": np.array(REGIONS)[rng.integers(0, len(REGIONS), n)],
                    "product": products[prod],
                    "channel": np.array(CHANNELS)[rng.integers(0, len(CHANNELS), n)],
                    "units": units,
                    "price": price,
                    "revenue": np.round(units * price, 2),
                    "discount": pl.Series(discount).scatter(np.nonzero(rng.random(n) < 0.08)[0], None),
                    "rating": pl.Series(rating).scatter(np.nonzero(rng.random(n) < 0.3)[0], None),
                }
            )
            frame.write_csv(handle, include_header=offset == 0)
    return out


def main() -> None:
    """Write the CSV named by --out with --rows rows."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/sales_1000000.csv"))
    args = parser.parse_args()
    print(generate(args.rows, args.out))


if __name__ == "__main__":
    main()
