"""Trends within a segment: one category's or person's share, duration or mean rising while others stay flat.

For each segment of a dimension (or one of the busiest values of an entity
column) the measure is aggregated per period inside and outside the segment:

- a count is read as the segment's share of all rows per period (so a rise in
  total volume does not make every segment "rise");
- any other measure as the gap between the segment's mean and the rest's mean.

The slope of that series is tested (least squares, autocorrelation-corrected,
Bonferroni over the segments tried), and a finding needs the segment to move
by at least 30% while the rest moves by less than half as much.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.fmt import fmt_p, fmt_pct, label, upper_first
from engine.analysis.semantics.model import TIME, Measure
from engine.analysis.series import GRAINS
from engine.analysis.stats import ols

MIN_PERIODS = 6
MIN_SEGMENT_ROWS = 30
MAX_SEGMENTS = 12
MIN_MOVE = 0.3
MIN_CELL_ROWS = 8  # typical rows per segment and period: fewer, and a mean per period is mostly noise


def segment_grain(span_days: float, rows: int, grain: str, distinct: int) -> str | None:
    """The finest grain (no finer than `grain`) with enough rows per segment and period, and 6+ periods."""
    segments = max(1, min(distinct, MAX_SEGMENTS))
    order = ["day", "week", "month", "quarter", "year"]
    for g in order[order.index(grain) :]:
        periods = span_days / GRAINS[g][1]
        if periods < MIN_PERIODS:
            return None
        if rows / segments / max(periods, 1) >= MIN_CELL_ROWS:
            return g
    return None


@dataclass
class Cells:
    """Rows, sums and counts of every measure per period and segment of one dimension (one pass)."""

    grain: str
    top: list[str]
    frame: pl.DataFrame  # period, seg, rows, "<measure>\x00sum", "<measure>\x00n"

    @cached_property
    def totals(self) -> pl.DataFrame:
        """Each column summed over all segments per period, whole periods only: the same for every measure."""
        values = [c for c in self.frame.columns if c not in ("period", "seg")]
        return _whole_periods(self.frame.group_by("period").agg(pl.col(values).sum()).sort("period"))

    @cached_property
    def aligned(self) -> dict[str, np.ndarray]:
        """Each column of each top segment (matrix row) in each period of `totals` (matrix column), 0 where
        the segment has no rows: one join for all segments and measures instead of one per segment."""
        at = self.totals.select("period").with_row_index("\x00at")
        order = pl.DataFrame({"seg": self.top, "\x00seg": np.arange(len(self.top))})
        found = self.frame.join(at, on="period").join(order, on="seg")
        where = (found["\x00seg"].to_numpy(), found["\x00at"].to_numpy())
        out = {}
        for name in found.columns:
            if name in ("period", "seg", "\x00at", "\x00seg"):
                continue
            values = found[name].to_numpy()
            matrix = np.zeros((len(self.top), self.totals.height), dtype=values.dtype)
            matrix[where] = values
            out[name] = matrix
        return out


def segment_cells(
    df: pl.DataFrame, dims: list[str], measures: list[Measure], grain: str, distinct: dict[str, int]
) -> dict[str, Cells]:
    """Per dimension, the per-period, per-segment aggregates that every measure's segment trend reads.

    Each grain's period column is computed once and every dimension is grouped
    in one parallel pass; a dimension with too few rows per cell is left out.
    """
    span = df.select((pl.col(TIME).max() - pl.col(TIME).min()).dt.total_days()).item() or 0
    grains = {d: segment_grain(span, df.height, grain, distinct.get(d, 0)) for d in dims}
    wanted = {g for g in grains.values() if g is not None}
    if not wanted:
        return {}
    periods = df.with_columns(
        pl.col(TIME).cast(pl.Date).dt.truncate(GRAINS[g][0]).alias(f"\x00period {g}") for g in sorted(wanted)
    ).lazy()
    aggs = [pl.len().alias("rows")]
    for m in measures:
        if m.kind != "count":
            aggs += [m.value().sum().alias(f"{m.name}\x00sum"), m.value().count().alias(f"{m.name}\x00n")]
    timed = [(d, g) for d, g in grains.items() if g is not None]
    queries = [  # rows without a time or a segment form groups of their own, dropped after
        periods.group_by(pl.col(f"\x00period {g}").alias("period"), pl.col(d).alias("seg"))
        .agg(aggs)
        .drop_nulls(["period", "seg"])
        .with_columns(pl.col("seg").cast(pl.String))
        for d, g in timed
    ]
    out = {}
    for (dim, g), frame in zip(timed, pl.collect_all(queries), strict=True):
        top = (
            frame.group_by("seg")
            .agg(pl.col("rows").sum())
            .filter(pl.col("rows") >= MIN_SEGMENT_ROWS)
            .sort(["rows", "seg"], descending=[True, False])
            .head(MAX_SEGMENTS)["seg"]
            .to_list()
        )
        out[dim] = Cells(g, top, frame)
    return out


def segment_trends(cells: Cells, m: Measure, dim: str, time_columns: list[str]) -> Candidate | None:
    """The segment whose measure moves over time unlike the rest, or None."""
    grain = cells.grain
    if len(cells.top) < 2:
        return None
    value_sum, value_n = (f"{m.name}\x00sum", f"{m.name}\x00n") if m.kind != "count" else ("rows", "rows")
    totals = cells.totals
    if totals.height < MIN_PERIODS:
        return None
    periods = totals["period"].to_list()
    all_rows, all_sum, all_n = (totals[c].to_numpy() for c in ("rows", value_sum, value_n))
    aligned = {"rows": cells.aligned["rows"], "sum": cells.aligned[value_sum], "n": cells.aligned[value_n]}
    best: tuple[float, str, np.ndarray, np.ndarray, float, float, float] | None = None
    for i, seg in enumerate(cells.top):
        rows, total, count = aligned["rows"][i], aligned["sum"][i], aligned["n"][i]
        if m.kind == "count":
            y = rows / all_rows.astype(float)
            rest = (all_rows - rows) / all_rows.astype(float)
            ok = all_rows > 0
        else:
            n, rn = count.astype(float), (all_n - count).astype(float)
            ok = (n > 0) & (rn > 0)
            y = np.where(ok, total / np.maximum(n, 1), np.nan)
            rest = np.where(ok, (all_sum - total) / np.maximum(rn, 1), np.nan)
        if ok.sum() < MIN_PERIODS:
            continue
        t = np.arange(len(y), dtype=float)[ok]
        ys, yr = y[ok], rest[ok]
        s_seg = _rel(t, ys)
        s_rest = _rel(t, yr)
        if abs(s_seg) < MIN_MOVE or abs(s_rest) > 0.5 * abs(s_seg):
            continue  # told apart before the (costlier) test: most segments move as the rest do
        gap = ys - yr if m.kind != "count" else ys
        slope, _, _, p = ols(t, gap)
        p = min(1.0, p * len(cells.top))
        if best is None or p < best[0]:
            best = (p, seg, y, rest, s_seg, s_rest, slope)
    if best is None:
        return None
    p, seg, y, rest, s_seg, s_rest, _ = best
    what = "share of " + m.label if m.kind == "count" else m.label
    word = "rising" if s_seg > 0 else "falling"
    text = (
        f"{upper_first(label(dim))} {seg}: {what} is {word} ({fmt_pct(s_seg, signed=True)} over "
        f"{len(periods)} {grain}s) while the other {label(dim)} values stay nearly flat "
        f"({fmt_pct(s_rest, signed=True)}; {fmt_p(p)})."
    )
    return Candidate(
        "segment_trend",
        f"{seg}: {what} {word} while others stay flat",
        text,
        min(1.0, abs(s_seg) / 1.0),
        p,
        evidence(
            m,
            dimension=dim,
            entity=seg,
            direction=direction_of(s_seg),
            grain=grain,
            columns=time_columns,
            filters=[{"column": dim, "equals": seg}],
            aggregation=(
                f"share of {m.label} per {grain} for {dim} = {seg}"
                if m.kind == "count"
                else f"mean of {m.label} per {grain}, {dim} = {seg} vs the rest"
            ),
            relativeChange=s_seg,
            relativeChangeOthers=s_rest,
            periods=len(periods),
            test="least-squares slope of the segment vs the rest, autocorrelation-corrected, Bonferroni",
        ),
        ("segment_trend", dim, m.name),
        ChartSpec(
            "multiline",
            f"{upper_first(what)} per {grain}: {seg} vs other {label(dim)}",
            {
                "x": periods,
                "series": [
                    {"name": str(seg), "y": _clean(y), "highlight": True},
                    {"name": "others", "y": _clean(rest), "highlight": False},
                ],
                "name": what,
                "grain": grain,
                "percent": m.kind == "count",
            },
        ),
    )


def _whole_periods(totals: pl.DataFrame) -> pl.DataFrame:
    """Leave out a first or last period with far fewer rows than usual (a week cut short)."""
    if totals.height < 4:
        return totals
    rows = totals["rows"].to_numpy()
    typical = float(np.median(rows))
    start, end = (
        (1 if rows[0] < 0.6 * typical else 0),
        (totals.height - 1 if rows[-1] < 0.6 * typical else totals.height),
    )
    return totals.slice(start, end - start)


def _rel(t: np.ndarray, y: np.ndarray) -> float:
    """Relative change from the first quarter of the periods to the last quarter (what was seen, not a line
    that may run below zero)."""
    if len(y) < 3:
        return 0.0
    w = max(1, len(y) // 4)
    start, end = float(np.mean(y[:w])), float(np.mean(y[-w:]))
    level = float(np.mean(np.abs(y))) or 1.0
    return float((end - start) / max(abs(start), 0.25 * level))


def _clean(y: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in y]
