"""Generate the benchmark's ticket table: number, opened_at, closed_at, category, priority, assigned_to,
location, state and a short description; about 110 bytes per row."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

CATEGORIES = ["Hardware", "Software", "Network", "Access", "Database", "Email", "Printing"]
LOCATIONS = ["Sydney", "London", "New York", "Bangalore", "Berlin", "Toronto", "Singapore", "Paris"]
PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"]
PHRASES = {
    "Hardware": ["laptop screen flickering", "docking station not detected", "keyboard keys stuck"],
    "Software": ["outlook crashes on start", "license expired for excel", "update failed with error"],
    "Network": ["vpn disconnects every hour", "wifi slow in the office", "cannot reach file server"],
    "Access": ["password reset request", "account locked after update", "need access to shared drive"],
    "Database": ["query timeout on reports", "backup job failed", "replication lag on replica"],
    "Email": ["mailbox full cannot send", "emails stuck in outbox", "spam filter blocks client"],
    "Printing": ["printer {code} jammed", "printer {code} not printing", "toner low on {code}"],
}


def generate(rows: int, out: Path, seed: int = 7, chunk: int = 1_000_000) -> Path:
    """Write `rows` tickets to `out` in chunks (bounded memory), return the path."""
    rng = np.random.default_rng(seed)
    agents = np.array([f"agent_{i:03d}" for i in range(200)])
    base = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp())
    span_s = 2 * 365 * 86400
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            opened_s = np.sort(rng.integers(0, span_s, n))
            category = rng.choice(CATEGORIES, n, p=[0.35, 0.15, 0.15, 0.1, 0.1, 0.1, 0.05])
            hours = rng.gamma(1.5, 20.0, n)
            codes = rng.integers(100, 999, n)
            desc = [
                PHRASES[c][int(k) % 3].format(code=f"Printer{code}")
                for c, k, code in zip(category, rng.integers(0, 3, n), codes, strict=True)
            ]
            frame = pl.DataFrame(
                {
                    "number": [f"INC{offset + i:08d}" for i in range(n)],
                    "opened_at": pl.Series((opened_s + base) * 1_000_000).cast(pl.Datetime("us")),
                    "closed_at": pl.Series(
                        ((opened_s + hours * 3600).astype(np.int64) + base) * 1_000_000
                    ).cast(pl.Datetime("us")),
                    "category": category,
                    "priority": rng.choice(PRIORITIES, n),
                    "assigned_to": rng.choice(agents, n),
                    "location": rng.choice(LOCATIONS, n),
                    "state": rng.choice(["Closed", "Resolved", "Closed"], n),
                    "short_description": desc,
                }
            )
            frame.write_csv(handle, include_header=offset == 0, datetime_format="%Y-%m-%d %H:%M:%S")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    generate(args.rows, args.out)


if __name__ == "__main__":
    main()
