"""Arithmetic ties between measures, and dimensions that follow from a measure.

- product / sum / difference: c = a × b, a + b or a − b on 95% of a sample of rows;
- sum_of: a total equals the sum of three or more other measures;
- component_of: a part is at most its total on every row, a steady share of it,
  and moves with it (private employment within nonfarm, consumption within GDP);
- proportional: two flows of the same events in different units (the number of
  homes sold and their dollar volume): one is a steady multiple of the other.

Their correlation is arithmetic, not a finding. A dimension is circular with a
measure when the measure's ranges per category do not overlap (status
"Completed" ⇔ 100% complete, a bracket of an amount): "Completed stands out on
percent complete" says nothing.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import polars as pl

from engine.analysis.semantics.model import Measure, Relation

SAMPLE = 20_000
MATCH = 0.95
MAX_PARTS = 4


def find_relations(
    df: pl.DataFrame, measures: list[Measure], keys: list[str] | None = None, over_time: bool = False
) -> list[Relation]:
    """Relations among column measures (derived ones are related to their sources by construction).

    `keys` are a panel's entity columns: proportionality is then judged within each entity.
    """
    names = [m.name for m in measures if m.kind in ("flow", "level") and not m.derived][:12]
    if len(names) < 2:
        return []
    sample = df.select(names).head(SAMPLE).drop_nulls()
    if sample.height < 5:
        return []
    cols = {m: sample[m].cast(pl.Float64).to_numpy() for m in names}
    found: list[Relation] = []
    tied: set[str] = set()
    for c in names:
        rel = _binary(c, names, cols)
        if rel:
            found.append(rel)
            tied.add(c)
    for c in names:
        if c not in tied:
            rel = _sum_of(c, names, cols)
            if rel:
                found.append(rel)
                tied.add(c)
    additive = {m.name for m in measures if m.kind == "flow" or (m.kind == "level" and m.additive_across)}
    # parts of a total add up: a penguin's flipper is not part of its mass, though it is smaller; over
    # time, aggregates and their parts (GDP and consumption) often carry names that say nothing
    found += _components([n for n in names if over_time or n in additive], cols, found)
    flows = [m.name for m in measures if m.kind in ("flow", "count") and not m.derived and m.name in cols]
    if keys:
        data = df.select([*keys, *flows]).drop_nulls()
        groups = [g for _, g in data.group_by(keys, maintain_order=True)][:20]
        votes: dict[tuple[str, str], list[Relation]] = {}
        for g in groups:
            gc = {m: g[m].cast(pl.Float64).to_numpy() for m in flows}
            for rel in _proportional(flows, gc, found):
                votes.setdefault((rel.target, rel.parts[0]), []).append(rel)
        found += [rels[0] for rels in votes.values() if len(rels) >= 0.5 * len(groups)]
    else:
        found += _proportional(flows, cols, found)
    return found


def _proportional(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """Flows where one is a steady multiple of the other (r >= 0.8, the ratio's spread under 30% of its mean)."""
    out = []
    for a, b in combinations(names, 2):
        x, y = cols[a], cols[b]
        keep = (x > 0) & (y > 0)
        if keep.sum() < 5 or any({a, b} <= {r.target, *r.parts} for r in found):
            continue
        ratio = y[keep] / x[keep]
        if np.std(x) > 0 and np.std(y) > 0 and float(np.corrcoef(x, y)[0, 1]) >= 0.8:
            if float(np.std(ratio)) <= 0.3 * float(np.mean(ratio)):
                big, small = (b, a) if float(np.mean(y)) >= float(np.mean(x)) else (a, b)
                out.append(Relation("proportional", big, [small]))
    return out


def _close(target: np.ndarray, value: np.ndarray) -> bool:
    tol = 0.01 * np.abs(target) + 0.011
    return bool(np.mean(np.abs(target - value) <= tol) >= MATCH)


def _binary(c: str, names: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    t = cols[c]
    for a, b in combinations([m for m in names if m != c], 2):
        for kind, value in (
            ("product", cols[a] * cols[b]),
            ("sum_of", cols[a] + cols[b]),
            ("difference", cols[a] - cols[b]),
            ("difference", cols[b] - cols[a]),
        ):
            if _close(t, value):
                return Relation(kind, c, [a, b])
    return None


def _sum_of(c: str, names: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    t = cols[c]
    parts = [m for m in names if m != c and bool(np.all(cols[m] <= t + 1e-9)) and bool(np.all(cols[m] >= 0))]
    if len(parts) < 3:
        return None
    for size in range(3, min(MAX_PARTS, len(parts)) + 1):
        for combo in combinations(parts[:8], size):
            if _close(t, sum(cols[m] for m in combo)):
                return Relation("sum_of", c, list(combo))
    if len(parts) > MAX_PARTS and _close(t, sum(cols[m] for m in parts)):
        return Relation("sum_of", c, parts)
    return None


def _components(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """A part below its total on every row, a steady share of it, moving with it (r ≥ 0.95)."""
    out = []
    for total, part in combinations(names, 2):
        for t, p in ((total, part), (part, total)):
            a, b = cols[t], cols[p]
            if not (np.all(b >= 0) and np.all(b <= a + 1e-9) and np.std(a) > 0 and np.std(b) > 0):
                continue
            share = float(np.mean(b) / np.mean(a)) if np.mean(a) else 0.0
            r = float(np.corrcoef(a, b)[0, 1])
            ratio = b[a > 0] / a[a > 0]
            steady = ratio.size > 0 and float(np.std(ratio)) <= 0.3 * float(np.mean(ratio))
            if 0.03 <= share <= 0.995 and r >= 0.85 and steady and not any({t, p} <= {x.target, *x.parts} for x in found):
                out.append(Relation("component_of", t, [p]))
    return out


def find_circular(df: pl.DataFrame, dimensions: list[str], measures: list[Measure]) -> list[tuple[str, str]]:
    """(dimension, measure) pairs where the measure's values per category barely overlap."""
    out = []
    names = [m.name for m in measures if m.kind != "count"]
    for dim in dimensions:
        for m in names:
            if m in (dim,):
                continue
            ranges = (
                df.lazy()
                .filter(pl.col(dim).is_not_null() & pl.col(m).is_not_null())
                .group_by(pl.col(dim).cast(pl.String))
                .agg(pl.col(m).cast(pl.Float64).min().alias("lo"), pl.col(m).cast(pl.Float64).max().alias("hi"),
                     pl.len().alias("n"))
                .sort("lo")
                .collect()
            )  # fmt: skip
            if ranges.height < 2:
                continue
            lo, hi, n = ranges["lo"].to_numpy(), ranges["hi"].to_numpy(), ranges["n"].to_numpy()
            brackets = bool(np.all(lo[1:] > np.maximum.accumulate(hi)[:-1])) and float(np.ptp(hi)) > 0
            if brackets or _pinned(lo, hi, n) or _defined(df, dim, m, ranges):
                out.append((dim, m))
    return out


def _defined(df: pl.DataFrame, dim: str, m: str, ranges: pl.DataFrame) -> bool:
    """A large category whose range of the measure holds almost no row of any other category.

    "hurricane" is defined as wind of 64 kt or more: hardly any other storm
    reaches it, so "hurricanes stand out on wind" restates the definition.
    """
    total = int(ranges["n"].sum())
    span = float(ranges["hi"].max() - ranges["lo"].min())  # type: ignore[operator]
    for name, lo, hi, n in ranges.iter_rows():
        if n < max(5, 0.05 * total) or lo == hi or span <= 0 or (hi - lo) >= 0.9 * span:
            continue
        others = ranges.filter(pl.col(ranges.columns[0]) != name)
        # a threshold: another category's range ends where this one begins (tropical storm at 63 kt,
        # hurricane from 64), not a company far above the rest
        gap = 0.05 * span
        touching = bool(((others["hi"] - lo).abs() <= gap).any() or ((others["lo"] - hi).abs() <= gap).any())
        if not touching:
            continue
        inside = df.select(
            ((pl.col(dim).cast(pl.String) != name) & pl.col(m).cast(pl.Float64).is_between(lo, hi)).sum()
        ).item()
        if inside <= 0.01 * (total - n):
            return True
    return False


def _pinned(lo: np.ndarray, hi: np.ndarray, n: np.ndarray) -> bool:
    """One category sits alone at the measure's extreme value ("Completed" at 100%)."""
    top, bottom = float(hi.max()), float(lo.min())
    for i in range(len(lo)):
        others = np.delete(np.arange(len(lo)), i)
        if n[i] < max(3, 0.05 * n.sum()) or lo[i] != hi[i]:
            continue
        if lo[i] == top and float(hi[others].max()) < top:
            return True
        if lo[i] == bottom and float(lo[others].min()) > bottom:
            return True
    return False
