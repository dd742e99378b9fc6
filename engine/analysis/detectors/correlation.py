"""Correlations that mean something.

- Cross-sections and event tables: Pearson on rows (above 200k rows, on every
  k-th row), basis `rows`. When both columns drift slowly down the file (rows
  in time order with no date column: quarterly GDP beside the population), the
  test counts effective rows, n (1 - ρ) / (1 + ρ) with ρ the product of their
  lag-1 autocorrelations, so two trends never pass for a relation.
- Series (one row per period): on period-to-period **changes**, never on
  levels: two trending series always "correlate" (basis `changes`).
- Panels: on changes within each entity, pooled (basis `changes`).
- Event tables over time: volume against duration (or another averaged
  measure) per period: on levels when neither series trends, else on changes
  (basis `periods` or `changes`).

Pairs tied by arithmetic or by being part of one another (`semantics.relations`)
and a duration with its own source dates are never tested; nor, in a cross-section,
a flow beside a headcount of the same units (murders and population: the size).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, evidence
from engine.analysis.fmt import fmt_p, upper_first
from engine.analysis.semantics.model import TIME, Measure, TableModel
from engine.analysis.semantics.vocabulary import same_variable_years_apart
from engine.analysis.series import TimeSeries
from engine.analysis.stats import effective_n, lag1, ols, pearson

SAMPLE_ROWS = 50_000
SCATTER_POINTS = 800
MIN_ABS_R = 0.3
MAX_MEASURES = 8
MAX_MEASURES_SMALL = 14  # tables of up to SMALL_ROWS rows: every pair is cheap
SMALL_ROWS = 20_000
CLUSTER_R = 0.95
ONE_QUANTITY_R = 0.98  # across rows, two columns this close are one quantity (or one made from the other)


def correlations(
    model: TableModel, series: dict[str, TimeSeries]
) -> tuple[list[Candidate], dict[str, object]]:
    """Correlation candidates with |r| >= 0.3, plus what was skipped or sampled."""
    cap = MAX_MEASURES_SMALL if model.frame.height <= SMALL_ROWS else MAX_MEASURES
    measures = [m for m in model.measures if m.kind != "count" and not m.tied_to_time][:cap]
    skipped = [
        sorted((a.name, b.name)) for a, b in combinations(measures, 2) if model.related(a.name, b.name)
    ]
    info: dict[str, object] = {"skippedDerivedPairs": skipped}
    pairs = [(a, b) for a, b in combinations(measures, 2) if not model.related(a.name, b.name)]
    if model.table_kind == "cross_section":  # states' murders and populations: the size of each state
        sized = [sorted((a.name, b.name)) for a, b in pairs if _sizes(a, b)]
        info["skippedSizePairs"] = sized
        pairs = [(a, b) for a, b in pairs if not _sizes(a, b)]
    out: list[Candidate] = []
    if model.table_kind in ("series", "panel"):
        out += _on_changes(model, pairs)
    elif pairs:
        out += _on_rows(model, pairs, info)
    if model.table_kind == "events":
        out += _per_period(model, series)
    _one_per_cluster(out, model)
    return out, info


def _sizes(a: Measure, b: Measure) -> bool:
    """A flow or a headcount beside a headcount of the same units (murders and population,
    population and houses): across units of different sizes both grow with the size, so
    their correlation says only that big districts are big. A rate per head is the finding."""
    headcount = [m.kind == "level" and m.additive_across for m in (a, b)]
    return any(headcount) and all(h or m.kind == "flow" for h, m in zip(headcount, (a, b), strict=True))


def _one_per_cluster(found: list[Candidate], model: TableModel) -> None:
    """Measures moving as one (|r| >= 0.95: carat with x, y, z) form a cluster: one pair per cluster pair.

    Otherwise the near-identical size columns of a table fill every slot and
    the correlation an analyst wants (carat with price) is crowded out. A measure
    and its exact transform (experience and experience²) are one cluster too.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for rel in model.relations:
        if rel.kind == "transform_of":
            ra, rb = sorted((root(rel.target), root(rel.parts[0])))
            if ra != rb:
                parent[rb] = ra

    for c in found:
        a, b = c.evidence["measures"]
        if abs(c.evidence["aggregates"]["pearsonR"]) >= CLUSTER_R:
            ra, rb = sorted((root(a), root(b)))
            parent[rb] = ra
    for c in found:
        a, b = c.evidence["measures"]
        c.key = ("correlation", *sorted((root(a), root(b))))


def _on_rows(
    model: TableModel, pairs: list[tuple[Measure, Measure]], info: dict[str, object]
) -> list[Candidate]:
    names = sorted({m.name for pair in pairs for m in pair})
    data = model.frame.select(names)
    if data.height > 2 * SAMPLE_ROWS:
        data = data.gather_every(data.height // SAMPLE_ROWS)  # systematic sample: every k-th row
        info["sampledRows"] = data.height
    out = []
    sorted_by = _sorted_by(data, names)  # on the sample: a sorted column stays sorted in it
    cols = {n: data[n].cast(pl.Float64).fill_null(np.nan).to_numpy() for n in names}  # once per column
    drift = {n: lag1(v[~np.isnan(v)]) for n, v in cols.items()}
    one: list[list[str]] = []
    for a, b in pairs:
        keep = ~(np.isnan(cols[a.name]) | np.isnan(cols[b.name]))
        x, y = cols[a.name][keep], cols[b.name][keep]
        if len(x) < 8:
            continue
        if same_variable_years_apart(a.name, b.name):  # density in 2016 and in 2021: one variable
            one.append(sorted((a.name, b.name)))
            continue
        rx, ry = drift[a.name], drift[b.name]
        n_eff = effective_n(len(x), rx * ry) if rx > 0 and ry > 0 and not sorted_by else None
        c = _candidate(a, b, x, y, "rows", f"{len(x):,} rows", "sampledRows" in info, n_eff=n_eff)
        if c and abs(float(c.evidence["aggregates"]["pearsonR"])) >= ONE_QUANTITY_R and len(x) >= 30:
            # a credit limit and the rating computed from it, career at-bats and hits, a pitch's speed at
            # release and at the plate: so close a tie is how the columns were made, not a finding
            one.append(sorted((a.name, b.name)))
            continue
        if c:
            out.append(c)
    info["skippedOneQuantityPairs"] = one
    return out


BLOCK_RESETS = 0.05  # at most this share of rows start a new block of a sorted column


def _sorted_by(frame: pl.DataFrame, names: list[str]) -> bool:
    """Whether the rows are sorted by one of these columns (women by height, cars by speed).

    Their order is then the analyst's, not time's: neighbours are alike because of
    the sort, each row is still its own observation, and no correction applies.
    """
    if not names:
        return False
    return any(_sorted_in_blocks(frame[n].drop_nulls().cast(pl.Float64).to_numpy()) for n in names)


def _sorted_in_blocks(values: np.ndarray) -> bool:
    """Sorted, or sorted within a few blocks that each start again near the bottom (education 0 to
    20 for men, then 0 to 20 for women): a drifting series steps back often and by little."""
    steps = np.diff(values)
    if steps.size == 0:
        return False
    for signed in (steps, -steps):
        back = signed[signed < 0]
        if back.size == 0:
            return True
        extent = float(np.ptp(values))
        if (
            back.size <= max(1, BLOCK_RESETS * values.size)
            and extent > 0
            and bool((-back >= 0.5 * extent).all())
        ):
            return True
    return False


def _on_changes(model: TableModel, pairs: list[tuple[Measure, Measure]]) -> list[Candidate]:
    if not pairs:
        return []
    keys = (model.panel or {}).get("keys") or []
    names = sorted({m.name for pair in pairs for m in pair})
    if TIME in model.frame.columns:
        data = model.frame.filter(pl.col(TIME).is_not_null()).sort([*keys, TIME])
    else:
        data = model.frame  # rows already in time order (no time column)
    diffs = data.select(
        [
            pl.col(n).cast(pl.Float64).diff().over(keys).alias(n)
            if keys
            else pl.col(n).cast(pl.Float64).diff().alias(n)
            for n in names
        ]
    )
    out = []
    for a, b in pairs:
        both = diffs.select(a.name, b.name).drop_nulls()
        x, y = both[a.name].to_numpy(), both[b.name].to_numpy()
        if len(x) < 8:
            continue
        c = _candidate(a, b, x, y, "changes", f"{len(x):,} period-to-period changes", False)
        if c:
            out.append(c)
    return out


def _per_period(model: TableModel, series: dict[str, TimeSeries]) -> list[Candidate]:
    """Volume (row count) against each averaged measure, per period."""
    count = series.get(model.count.name)
    if count is None:
        return []
    out = []
    for m in model.measures:
        ts = series.get(m.name)
        if ts is None or m.kind not in ("duration", "level") or ts.grain != count.grain:
            continue
        index = {d: i for i, d in enumerate(count.x)}
        pairs = [(count.y[index[d]], v) for d, v in zip(ts.x, ts.y, strict=True) if d in index]
        if len(pairs) < 8:
            continue
        x, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        t = np.arange(len(x), dtype=float)
        trending = ols(t, x)[3] < 0.05 or ols(t, y)[3] < 0.05
        basis = "changes" if trending else "periods"
        if trending:
            x, y = np.diff(x), np.diff(y)
        c = _candidate(model.count, m, x, y, basis, f"{len(x)} {count.grain}s", False, grain=count.grain)
        if c:
            out.append(c)
    return out


def _candidate(
    a: Measure,
    b: Measure,
    x: np.ndarray,
    y: np.ndarray,
    basis: str,
    over: str,
    sampled: bool,
    grain: str | None = None,
    n_eff: float | None = None,
) -> Candidate | None:
    if np.std(x) == 0 or np.std(y) == 0:
        return None
    r, p = pearson(x, y, n_eff)
    if abs(r) < MIN_ABS_R:
        return None
    slope = r * float(np.std(y) / np.std(x))
    intercept = float(y.mean() - slope * x.mean())
    la, lb = a.label, b.label
    what = {"rows": "", "changes": " (changes from one period to the next)", "periods": f" per {grain}"}[
        basis
    ]
    text = (
        f"{upper_first(la)} and {lb} move {'together' if r > 0 else 'in opposite directions'}{what}: "
        f"r={r:.2f} over {over} ({fmt_p(p)})."
    )
    pick = np.linspace(0, len(x) - 1, min(SCATTER_POINTS, len(x))).astype(int)
    ev = evidence(
        a,
        columns=[*a.columns, *b.columns],
        direction="up" if r > 0 else "down",
        grain=grain,
        aggregation={"rows": "row level", "changes": "period-to-period changes", "periods": f"per {grain}"}[
            basis
        ],
        pearsonR=r,
        n=len(x),
        slope=slope,
        intercept=intercept,
        sampled=sampled,
        other=b.name,
        test="Pearson correlation t-test",
    )
    ev["basis"] = basis
    ev["measures"] = [a.name, b.name]
    if n_eff is not None:
        ev["aggregates"]["effectiveN"] = round(n_eff, 1)
    return Candidate(
        "correlation",
        f"{upper_first(la)} and {lb} are {'positively' if r > 0 else 'negatively'} correlated",
        text,
        abs(r),
        p,
        ev,
        ("correlation", *sorted((a.name, b.name))),
        ChartSpec(
            "scatter",
            f"{upper_first(la)} vs {lb}" + (" (changes)" if basis == "changes" else ""),
            {
                "x": x[pick].tolist(),
                "y": y[pick].tolist(),
                "xName": la,
                "yName": lb,
                "fit": [slope, intercept],
            },
        ),
    )
