"""Durations derived from a start and an end date (opened/closed, hire/leave, order/ship).

A pair is two date columns whose names read as a start and an end ("opened_at"
and "closed_at" share everything but the start/end word; "order_date" and
"ship_date" too), where the end is on or after the start on most rows that
have both. The duration is in hours when the typical one is under two days
and the columns carry times, else in days. Rows where the end comes before
the start are impossible: they are counted as a data-quality finding and left
out of the duration.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from engine.analysis.fmt import indefinite
from engine.analysis.profile import ColumnProfile
from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.vocabulary import START_END, has, words

MIN_ORDERED = 0.8  # share of complete rows where end >= start
MIN_BOTH = 0.05  # share of rows with both dates (open tickets have no end yet)
OPEN_SHARE = (0.05, 0.95)  # rows started but not ended, between which the share ended is a measure
PAIR_SAMPLE = 200_000  # rows read to tell whether two dates form a pair (the counts use every row)
_FILLER = frozenset({"at", "on", "date", "time", "datetime", "dt", "ts", "timestamp", "day", "the"})


@dataclass
class Duration:
    """A derived duration measure, its column expression, and what was impossible about it."""

    measure: Measure
    expr: pl.Expr
    start: str
    end: str
    negative: int
    complete: int
    ended: Measure | None = None  # the share of started rows that have an end, when many have none

    def ended_expr(self) -> pl.Expr:
        """The `ended` column: 100 on a started row with an end, 0 without one, missing if not started."""
        assert self.ended is not None
        has_end = pl.col(self.end).is_not_null().cast(pl.Float64) * 100
        return pl.when(pl.col(self.start).is_null()).then(None).otherwise(has_end).alias(self.ended.name)


def find_durations(df: pl.DataFrame, profiles: list[ColumnProfile], limit: int = 2) -> list[Duration]:
    """Start/end pairs of date columns, best first (at most `limit`)."""
    dates = [p for p in profiles if p.semantic == "datetime"]
    starts, ends = START_END[0]
    pairs = []
    for a in dates:
        for b in dates:
            if a.name == b.name or not has(a.name, starts) or not has(b.name, ends):
                continue
            pairs.append((_shared(a.name, b.name), a, b))
    pairs.sort(key=lambda t: -t[0])
    out: list[Duration] = []
    used: set[str] = set()
    for _, a, b in pairs:
        if a.name in used or b.name in used:
            continue
        found = _duration(df, a, b)
        if found is not None:
            out.append(found)
            used |= {a.name, b.name}
        if len(out) >= limit:
            break
    return out


def _shared(a: str, b: str) -> int:
    """How many words two names share besides fillers (opened_at/closed_at share "at": 0)."""
    return len((set(words(a)) & set(words(b))) - _FILLER)


def _duration(df: pl.DataFrame, a: ColumnProfile, b: ColumnProfile) -> Duration | None:
    start, end = pl.col(a.name).cast(pl.Datetime("us")), pl.col(b.name).cast(pl.Datetime("us"))
    seconds = (end - start).dt.total_seconds(fractional=True)
    rows = df.select(a.name, b.name)
    rows = rows if rows.height <= PAIR_SAMPLE else rows.gather_every(rows.height // PAIR_SAMPLE)
    row = rows.select(
        pl.len().alias("rows"),
        seconds.is_not_null().sum().alias("both"),
        (seconds >= 0).sum().alias("ordered"),
        (seconds < 0).sum().alias("negative"),
        seconds.filter(seconds >= 0).median().alias("median"),
    ).row(0, named=True)
    both = int(row["both"])
    if both < max(3, MIN_BOTH * row["rows"]) or row["ordered"] < MIN_ORDERED * both:
        return None
    timed = df.schema[a.name] != pl.Date or df.schema[b.name] != pl.Date
    median = float(row["median"] or 0)
    unit, scale = ("hours", 3600.0) if timed and median < 2 * 86400 else ("days", 86400.0)
    name = f"{a.name}→{b.name}"
    label = f"time from {_stem(a.name)} to {_stem(b.name)} ({unit})"
    expr = pl.when(seconds >= 0).then(seconds / scale).otherwise(None).alias(name)
    measure = Measure(
        name,
        "duration",
        label,
        columns=[a.name, b.name],
        derived=True,
        unit=unit,
        definition=f"{b.name} − {a.name}, in {unit}",
        additive_across=False,
    )
    started, ended = pl.col(a.name).is_not_null(), pl.col(b.name).is_not_null()
    counts = df.select(  # on every row: data-quality figures, from comparisons (no column of seconds)
        (end < start).sum().alias("negative"),
        (started & ended).sum().alias("complete"),
        started.sum().alias("started"),
        (started & ~ended).sum().alias("open"),
    ).row(0, named=True)
    found = Duration(measure, expr, a.name, b.name, int(counts["negative"]), int(counts["complete"]))
    open_share = counts["open"] / counts["started"] if counts["started"] else 0.0
    if OPEN_SHARE[0] <= open_share <= OPEN_SHARE[1]:
        found.ended = Measure(
            f"share with {b.name}",
            "level",
            f"share with {indefinite(_stem(b.name))} date",
            columns=[b.name],
            derived=True,
            unit="percent",
            definition=(
                f"100 when {b.name} is set, else 0 (rows with {indefinite(a.name)}): "
                "averaged, the share ended"
            ),
            additive_across=False,
            censored=True,
        )
    return found


def _stem(name: str) -> str:
    kept = [w for w in words(name) if w not in _FILLER]
    return " ".join(kept) or name
