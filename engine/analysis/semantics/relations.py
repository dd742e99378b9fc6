"""Arithmetic ties between measures, and dimensions that follow from a measure.

- product / sum / difference: c = a × b, a + b or a − b on 95% of a sample of rows;
- sum_of: a total equals the sum of three or more other measures (found among other
  sub-counts of the same whole by a least-squares fit);
- component_of: a part is at most its total on every row, a steady share of it,
  and moves with it (private employment within nonfarm, consumption within GDP);
- growth_of: a series that is the period-to-period growth of another
  (inflation and the price index it is computed from);
- proportional: two flows of the same events in different units (the number of
  homes sold and their dollar volume): one is a steady multiple of the other;
- transform_of: in a cross-section, a measure that is an exact monotone function of
  another (log wage of wage, experience² of experience, hours awake = 24 − hours asleep);
- linear_of: in a cross-section, a measure that is an exact linear combination of two
  others (experience = age − education − 6).

Their correlation is arithmetic, not a finding. A dimension is circular with a
measure when the measure's ranges per category do not overlap (status
"Completed" ⇔ 100% complete, a bracket of an amount): "Completed stands out on
percent complete" says nothing.
"""

from __future__ import annotations

import re
from itertools import combinations

import numpy as np
import polars as pl

from engine.analysis.semantics.model import Measure, Relation
from engine.analysis.semantics.vocabulary import words

SAMPLE = 20_000
EXACT = 12  # measures whose sums, products and formulas of two or three are read
PAIRED = 40  # measures read pair by pair for one being a function of another
CIRCULAR_SAMPLE = 50_000
MATCH = 0.95
MAX_PARTS = 4
EXACT_RANK = 0.999  # |Spearman| at which one column is a function of the other, not merely related
EXACT_R2 = 0.9995  # R² at which a column is built from two others
MIN_DISTINCT = 8  # below this many values a rank tie is a coincidence of coarse data
SCALE_ROWS = 2_000
INVERSE_SPREAD = 0.1  # spread of log(a × b) against that of log a, at which b is a's inverse
NEAR_R2 = 0.999  # a total of several parts, one of them (shipping, rounding) perhaps not a measure
MIN_SPLIT_ROWS = 20  # rows on each side of a threshold before a clean split says "defined by it"
ATTRIBUTE_SHARE = 0.95  # rows in categories of one value each, at which the measure is their attribute
BRACKET_MEET = 0.1  # brackets that define a status meet: the gap between them, as a share of the range
SPLIT_GAP = 2.0  # the widest gap at a threshold, in the mean spacing of the measure's values
MIN_EXACT_ROWS = 30  # below this many rows a perfect rank order can be a strong relation's chance


def find_relations(
    df: pl.DataFrame, measures: list[Measure], keys: list[str] | None = None, over_time: bool = False
) -> list[Relation]:
    """Relations among column measures (derived ones are related to their sources by construction).

    `keys` are a panel's entity columns: proportionality is then judged within each entity.
    """
    every = [m.name for m in measures if m.kind in ("flow", "level") and not m.derived]
    named = _named(every)  # ties the names spell: cheap, so over every measure
    names = every[:EXACT]
    if len(names) < 2:
        return named
    sample = df.select(names).head(SAMPLE).drop_nulls()
    if sample.height < 5:
        return named
    cols = {m: sample[m].cast(pl.Float64).to_numpy() for m in names}
    found = _arithmetic(names, cols)
    found += [r for r in named if not _tied(r.target, r.parts[0], found)]
    additive = {m.name for m in measures if m.kind == "flow" or (m.kind == "level" and m.additive_across)}
    # parts of a total add up: a penguin's flipper is not part of its mass, though it is smaller; over
    # time, aggregates and their parts (GDP and consumption) often carry names that say nothing
    found += _components([n for n in names if over_time or n in additive], cols, found)
    found += _sub_counts(names, cols, found)
    if over_time and keys is None:  # rows in time order: a rate and the level it is the growth of
        found += _growth_rates(names, cols, found)
    flows = [m.name for m in measures if m.kind in ("flow", "count") and not m.derived and m.name in cols]
    if keys:
        found += _proportional_within(df, keys, flows, found)
    elif over_time:  # rows are things in a cross-section: visits per ad dollar is a finding, not arithmetic
        found += _proportional(flows, cols, found)
    else:  # over time two trending series are monotone in each other without being built from it
        varied = [n for n in names if distinct_count(cols[n]) >= MIN_DISTINCT]
        found += _transforms(varied, cols, found, named_only=sample.height < MIN_EXACT_ROWS)
        if sample.height >= MIN_EXACT_ROWS:
            found += _linear(varied, cols, found)
            found += _signed_sums(varied, cols, found)
            found += _later_transforms(df, names, every[len(names) : PAIRED], found)
    return found


def _later_transforms(
    df: pl.DataFrame, first: list[str], later: list[str], found: list[Relation]
) -> list[Relation]:
    """Exact monotone ties of the measures past the first dozen (charge = minutes × rate at the end of a
    wide table): pairs are cheap to read, so each of them is read against every measure before it,
    on the sampled rows where both have a value."""
    if not later:
        return []
    head = df.select([*first, *later]).head(SAMPLE)
    cols = {m: head[m].cast(pl.Float64).to_numpy() for m in head.columns}
    out: list[Relation] = []
    for i, b in enumerate(later):
        for a in [*first, *later[:i]]:
            x, y = cols[a], cols[b]
            both = ~(np.isnan(x) | np.isnan(y))
            x, y = x[both], y[both]
            if x.size < MIN_EXACT_ROWS or _tied(a, b, found + out):
                continue
            if min(distinct_count(x), distinct_count(y)) < MIN_DISTINCT:
                continue
            if _exact_pair(x, y, _ranks(x), _ranks(y)):
                out.append(Relation("transform_of", b, [a]))
                break
    return out


def _named(names: list[str]) -> list[Relation]:
    """Ties the names spell out, whatever the values.

    - `applications_total` and `applications_men`: one word apart, one of them a total,
      so the other is its part;
    - `exper` and `expersq`, `wage` and `lwage`: a measure and its square or its log;
    - `Disease` and `Disease.rate`: a count and its rate;
    - `rawpoll_clinton` and `adjpoll_clinton`, `close` and `adj_close`: one quantity raw
      and adjusted (or seasonally adjusted): two versions of one number, a transform of
      each other.
    """
    out: list[Relation] = []
    for a, b in combinations(names, 2):
        squared = _squared_or_logged(a, b) or _squared_or_logged(b, a)  # exper and expersq, wage and lwage
        if squared:
            out.append(squared)
            continue
        wa, wb = words(a), words(b)
        longer, shorter = (wa, wb) if len(wa) > len(wb) else (wb, wa)
        if len(longer) == len(shorter) + 1 and longer[0] in _VERSIONS and longer[1:] == shorter:
            out.append(Relation("transform_of", a, [b]))  # close and adj_close: one price, adjusted
            continue
        if len(longer) == len(shorter) + 1 and longer[-1] in _RATES and longer[:-1] == shorter:
            rate, count = (a, b) if longer is wa else (b, a)  # Disease and Disease.rate: deaths, per head
            out.append(Relation("transform_of", rate, [count]))
            continue
        if len(wa) != len(wb) or len(wa) < 2:
            continue
        apart = [(x, y) for x, y in zip(wa, wb, strict=True) if x != y]
        if len(apart) != 1:
            continue
        x, y = apart[0]
        if x in _WHOLE or y in _WHOLE:
            out.append(Relation("component_of", a if x in _WHOLE else b, [b if x in _WHOLE else a]))
        elif _version(x) == _version(y):
            out.append(Relation("transform_of", a, [b]))
    return out


def _squared_or_logged(base: str, other: str) -> Relation | None:
    """`other` as `base` squared or logged, by its name (inc86sq, exper_squared, lwage, log_price)."""
    a, b = (re.sub(r"[^a-z0-9]", "", n.lower()) for n in (base, other))
    if len(a) >= 2 and b in {a + "sq", a + "squared", "l" + a, "ln" + a, "log" + a}:  # not a + "2": m1, m12
        return Relation("transform_of", other, [base])
    return None


_RATES = frozenset({"rate", "pct", "percent", "share", "ratio", "per", "percap", "pc"})
_WHOLE = frozenset({"total", "all", "overall", "combined"})
_VERSIONS = ("raw", "adjusted", "adj", "unadjusted", "nsa", "sa")


def _version(word: str) -> str:
    """A word without its raw/adjusted mark: rawpoll and adjpoll are both `poll`."""
    for mark in _VERSIONS:
        if word.startswith(mark) and len(word) > len(mark):
            return word[len(mark) :]
        if word == mark:
            return ""
    return word


def distinct_count(values: np.ndarray) -> int:
    """How many distinct numbers `values` holds, all NaNs counting as one, as np.unique counts them.

    Not `np.unique(values).size`: its first call imports numpy.ma (10-17 ms), a good part of
    what `python -m engine analyze` adds to polars and numpy on a small table.
    """
    ordered = np.sort(values)
    nan = np.isnan(ordered)
    finite = ordered[~nan]
    distinct = 1 + int(np.count_nonzero(finite[1:] != finite[:-1])) if finite.size else 0
    return distinct + int(bool(nan.any()))


def _arithmetic(names: list[str], cols: dict[str, np.ndarray]) -> list[Relation]:
    """Products, sums and differences of two measures, then sums of three or more."""
    found: list[Relation] = []
    for c in names:
        rel = _binary(c, names, cols)
        if rel:
            found.append(rel)
    tied = {
        r.target for r in found if r.kind != "product"
    }  # a population is its density × area and its groups' sum
    for c in names:
        if c not in tied:
            rel = _sum_of(c, names, cols)
            if rel:
                found.append(rel)
    return found


def _proportional_within(
    df: pl.DataFrame, keys: list[str], flows: list[str], found: list[Relation]
) -> list[Relation]:
    """Proportional flows within most of a panel's entities (homes sold and their dollar value, by city)."""
    data = df.select([*keys, *flows]).drop_nulls()
    groups = [g for _, g in data.group_by(keys, maintain_order=True)][:20]
    votes: dict[tuple[str, str], list[Relation]] = {}
    for g in groups:
        gc = {m: g[m].cast(pl.Float64).to_numpy() for m in flows}
        for rel in _proportional(flows, gc, found):
            votes.setdefault((rel.target, rel.parts[0]), []).append(rel)
    return [rels[0] for rels in votes.values() if len(rels) >= 0.5 * len(groups)]


def _growth_rates(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """A series that is another's growth rate (inflation of a price index): r >= 0.8 with its log steps."""
    out = []
    for a in names:
        level = cols[a]
        if len(level) < 8 or not bool((level > 0).all()):
            continue
        growth = np.diff(np.log(level))
        if np.std(growth) == 0:
            continue
        for b in names:
            rate = cols[b][1:]
            if b == a or np.std(rate) == 0 or any({a, b} <= {r.target, *r.parts} for r in found):
                continue
            if float(np.corrcoef(growth, rate)[0, 1]) >= 0.8:
                out.append(Relation("growth_of", b, [a]))
    return out


def _proportional(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """Flows where one is a steady multiple of the other (r >= 0.8, the ratio within 30% of its mean)."""
    out = []
    for a, b in combinations(names, 2):
        x, y = cols[a], cols[b]
        keep = (x > 0) & (y > 0)
        if keep.sum() < 5 or any({a, b} <= {r.target, *r.parts} for r in found):
            continue
        ratio = y[keep] / x[keep]
        moves = np.std(x) > 0 and np.std(y) > 0 and float(np.corrcoef(x, y)[0, 1]) >= 0.8
        if moves and float(np.std(ratio)) <= 0.3 * float(np.mean(ratio)):
            big, small = (b, a) if float(np.mean(y)) >= float(np.mean(x)) else (a, b)
            out.append(Relation("proportional", big, [small]))
    return out


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share theirs), so a step function of a column ranks like it."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(x.size)
    _, first, counts = np.unique(x[order], return_index=True, return_counts=True)
    mean_rank = first + (counts - 1) / 2.0
    ranks[order] = np.repeat(mean_rank, counts)
    return ranks


def _tied(a: str, b: str, found: list[Relation]) -> bool:
    return any({a, b} <= {r.target, *r.parts} for r in found)


def _transforms(
    names: list[str], cols: dict[str, np.ndarray], found: list[Relation], *, named_only: bool = False
) -> list[Relation]:
    """Pairs where one is an exact monotone function of the other (|Spearman| ≥ 0.999).

    In a small table (`named_only`: 15 women's heights and weights) a strong relation ranks
    perfectly by chance: only names that share a word (wage, log_wage) are read so then.
    """
    ranks = {n: _ranks(cols[n]) for n in names}
    out: list[Relation] = []
    for a, b in combinations(names, 2):
        if _tied(a, b, found + out):
            continue
        if named_only and not set(words(a)) & set(words(b)):
            continue
        if _exact_pair(cols[a], cols[b], ranks[a], ranks[b]):
            out.append(Relation("transform_of", b, [a]))  # the later column is usually the derived one
    return out


def _exact_pair(a: np.ndarray, b: np.ndarray, rank_a: np.ndarray, rank_b: np.ndarray) -> bool:
    """One column is an exact monotone function of the other, or its inverse up to the last digits."""
    if np.std(rank_a) == 0 or np.std(rank_b) == 0:
        return False
    return abs(float(np.corrcoef(rank_a, rank_b)[0, 1])) >= EXACT_RANK or _inverse(a, b)


def _inverse(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a × b is nearly the same on every row (a dose per kilo beside the weight: the dose
    given was one amount), so that each is the other's inverse up to noise in the last digits."""
    if not (bool((a > 0).all()) and bool((b > 0).all())):
        return False
    la, lb = np.log(a), np.log(b)
    spread = min(float(np.std(la)), float(np.std(lb)))
    product = la + lb
    off = np.abs(product - float(np.median(product)))
    return spread > 0.05 and float(np.mean(off < INVERSE_SPREAD * spread)) >= 0.9  # a slip or two aside


def _linear(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """A measure that two others give exactly by a linear formula (R² ≥ 0.9995)."""
    out: list[Relation] = []
    for c in names:
        t = cols[c]
        if np.std(t) == 0 or any(r.target == c for r in found + out):
            continue
        for a, b in combinations([m for m in names if m != c], 2):
            if _tied(c, a, found + out) or _tied(c, b, found + out):
                continue  # one of them alone already gives it
            design = np.column_stack([np.ones(t.size), cols[a], cols[b]])
            if _fit(design, t)[0] >= EXACT_R2:
                out.append(Relation("linear_of", c, [a, b]))
                break
    return out


def _signed_sums(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """Totals that the other measures give nearly exactly together, with signs (an invoice's total:
    subtotal − discount + tax, give or take its shipping)."""
    built = {r.target for r in found if r.kind in ("sum_of", "linear_of", "product", "difference")}
    out = []
    for c in names:
        if c not in built and np.std(cols[c]) > 0:
            whole = _signed_sum(c, [m for m in names if m != c], cols)
            out += [whole] if whole else []
            built |= {c, *(whole.parts if whole else [])}  # a part is not a total of the others too
    return out


def _signed_sum(c: str, others: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    """The total `c` by least squares on every other measure; the parts are those that weigh in."""
    t = cols[c]
    if len(others) < 3 or t.size < 10 * (len(others) + 1):
        return None  # too few rows to tell an identity from a fit
    r2, coef = _fit(np.column_stack([np.ones(t.size), *[cols[m] for m in others]]), t)
    if r2 < NEAR_R2:
        return None
    scale = float(np.std(t))
    parts = [
        m for m, w in zip(others, coef[1:], strict=True) if abs(w) * float(np.std(cols[m])) > 0.01 * scale
    ]
    parts = _needed(t, parts, cols)
    return Relation("linear_of", c, parts) if len(parts) >= 2 else None


def _needed(t: np.ndarray, parts: list[str], cols: dict[str, np.ndarray]) -> list[str]:
    """The parts the fit cannot do without: while one can go and the rest still give the total (R² ≥
    NEAR_R2), the one that matters least goes. A rating made from a limit, fitted beside two unrelated
    columns, keeps none of them: the limit alone gives it."""
    kept = list(parts)
    while len(kept) >= 2:
        fits = []
        for m in kept:
            rest = [x for x in kept if x != m]
            fits.append((_fit(np.column_stack([np.ones(t.size), *[cols[x] for x in rest]]), t)[0], m))
        best, dropped = max(fits)
        if best < NEAR_R2:
            break
        kept.remove(dropped)
    return kept


def _fit(design: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """(R², coefficients) of `t` by least squares on the design's columns."""
    coef, *_ = np.linalg.lstsq(design, t, rcond=None)
    residual = float(np.sum((t - design @ coef) ** 2))
    return 1 - residual / float(np.sum((t - t.mean()) ** 2)), coef


def _close(target: np.ndarray, value: np.ndarray) -> bool:
    tol = 0.01 * np.abs(target) + 0.011
    return bool(np.mean(np.abs(target - value) <= tol) >= MATCH)


def _binary(c: str, names: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    t = cols[c]
    for a, b in combinations([m for m in names if m != c], 2):
        for kind, value in (
            ("product", cols[a] * cols[b] * _decimal_scale(t, cols[a] * cols[b])),
            ("sum_of", cols[a] + cols[b]),
            ("difference", cols[a] - cols[b]),
            ("difference", cols[b] - cols[a]),
        ):
            if _close(t, value):
                return Relation(kind, c, [a, b])
    return None


def _decimal_scale(t: np.ndarray, value: np.ndarray) -> float:
    """The power of ten that turns a product into `t` (a rate in percent: exits = rate × headcount /
    100), or 1."""
    t, value = t[:SCALE_ROWS], value[:SCALE_ROWS]  # a median ratio: a few thousand rows tell it
    ok = (value != 0) & (t != 0)
    if not ok.any():
        return 1.0
    ratio = float(np.median(t[ok] / value[ok]))
    if ratio <= 0:
        return 1.0
    power = round(np.log10(ratio))
    return 10.0**power if abs(np.log10(ratio) - power) < 0.02 and abs(power) <= 6 else 1.0


def _sum_of(c: str, names: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    t = cols[c]
    parts = [m for m in names if m != c and bool(np.all(cols[m] <= t + 1e-9)) and bool(np.all(cols[m] >= 0))]
    if len(parts) < 3:
        return None
    for size in range(3, min(MAX_PARTS, len(parts)) + 1):
        for combo in combinations(parts[:8], size):
            if _close(t, np.sum([cols[m] for m in combo], axis=0)):
                return Relation("sum_of", c, list(combo))
    if len(parts) > MAX_PARTS and _close(t, np.sum([cols[m] for m in parts], axis=0)):
        return Relation("sum_of", c, parts)
    return _fitted_parts(c, t, parts, cols)


def _fitted_parts(c: str, t: np.ndarray, parts: list[str], cols: dict[str, np.ndarray]) -> Relation | None:
    """A total of more parts than the combinations try, among other sub-counts of the same whole
    (a county's population by race, beside its adults): a least-squares fit of the total on every
    candidate gives each true part a weight of 1 and the others 0, and the chosen sum must hold."""
    x = np.column_stack([cols[m] for m in parts])
    weights = np.linalg.lstsq(x, t, rcond=None)[0]
    chosen = [m for m, w in zip(parts, weights, strict=True) if abs(w - 1) < 0.05]
    if len(chosen) >= 3 and _close(t, np.sum([cols[m] for m in chosen], axis=0)):
        return Relation("sum_of", c, chosen)
    return None


def _sub_counts(names: list[str], cols: dict[str, np.ndarray], found: list[Relation]) -> list[Relation]:
    """Beside a total that is the sum of its parts, another count below it on every row that moves
    with it (a county's adults beside its population by race) is part of the same whole."""
    out: list[Relation] = []
    for whole in [r for r in found if r.kind == "sum_of" and len(r.parts) >= 3]:
        t = cols[whole.target]
        for m in names:
            if any({whole.target, m} <= {x.target, *x.parts} for x in found + out) or m == whole.target:
                continue
            b = cols[m]
            if np.all(b >= 0) and np.all(b <= t + 1e-9) and np.std(b) > 0 and np.corrcoef(t, b)[0, 1] >= 0.85:
                out.append(Relation("component_of", whole.target, [m]))
    return out


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
            if (
                0.03 <= share <= 0.995
                and r >= 0.85
                and steady
                and not any({t, p} <= {x.target, *x.parts} for x in found)
            ):
                out.append(Relation("component_of", t, [p]))
    return out


def find_circular(df: pl.DataFrame, dimensions: list[str], measures: list[Measure]) -> list[tuple[str, str]]:
    """(dimension, measure) pairs where the dimension follows from the measure.

    One pass per dimension, all measures at once; ranges per category are
    read on a systematic sample of about CIRCULAR_SAMPLE rows, with robust ends (1st and 99th
    percentiles) for the brackets test, so one mislabelled storm does not hide
    that storm status is defined by wind.
    """
    names = [m.name for m in measures if m.kind != "count"]
    if not names or not dimensions:
        return []
    yes_no = {m.name for m in measures if m.derived and m.censored and m.unit == "percent"}  # share ended
    read = list(dict.fromkeys([*dimensions, *names]))  # gather only these columns' values
    sample = (
        df.select(read).gather_every(df.height // CIRCULAR_SAMPLE) if df.height > 2 * CIRCULAR_SAMPLE else df
    )
    queries = []
    for dim in dimensions:
        aggs = []
        for m in names:
            v = pl.col(m).cast(pl.Float64)
            aggs += [
                v.min().alias(f"{m}\x00lo"),
                v.max().alias(f"{m}\x00hi"),
                v.count().alias(f"{m}\x00n"),
                v.quantile(0.01).alias(f"{m}\x00q01"),
                v.quantile(0.99).alias(f"{m}\x00q99"),
            ]
        queries.append(
            sample.lazy()
            .filter(pl.col(dim).is_not_null())
            .group_by(dim)
            .agg(aggs)
            .with_columns(pl.col(dim).cast(pl.String))
        )
    out = []
    for dim, table in zip(dimensions, pl.collect_all(queries), strict=True):
        cols = {c: table[c].to_numpy() for c in table.columns if c != dim}
        for m in names:
            if m == dim:
                continue
            n = cols[f"{m}\x00n"]
            keep = n > 0
            if int(keep.sum()) < 2:
                continue
            order = np.argsort(cols[f"{m}\x00lo"][keep], kind="stable")
            lo, hi = cols[f"{m}\x00lo"][keep][order], cols[f"{m}\x00hi"][keep][order]
            n = n[keep][order]
            q01, q99 = cols[f"{m}\x00q01"][keep][order], cols[f"{m}\x00q99"][keep][order]
            brackets = bool(np.all(lo[1:] > np.maximum.accumulate(hi)[:-1])) and float(np.ptp(hi)) > 0
            if (
                brackets
                or _attribute(lo, hi, n, q01, q99)
                or _pinned(lo, hi, n, q01, q99)
                or _defined(n, q01, q99)
                or _threshold(lo, hi, n)
                or (m in yes_no and _all_or_none(lo, hi, n))
            ):
                out.append((dim, m))
    return out


def _defined(n: np.ndarray, q01: np.ndarray, q99: np.ndarray) -> bool:
    """Three or more large categories that split the measure into brackets, one after another.

    Storm status is defined by wind: depression up to 33 kt, tropical storm 34–63,
    hurricane 64 and up, while other statuses overlap them all. A single
    category far from the rest (the largest firm) is not a definition.
    """
    big = n >= max(20, 0.05 * float(n.sum()))
    ends = sorted(zip(q99[big].tolist(), q01[big].tolist(), strict=True))
    if not ends:
        return False
    reach = max(h for h, _ in ends) - min(lo for _, lo in ends)
    # the most categories whose ranges do not overlap and follow each other: brackets meet at their
    # thresholds (34 and 64 kt), while causes of death far apart (heart disease at 106 and up, the
    # others under 50) are apart by nature, not by a rule
    chain, best, last = 0, 0, -np.inf
    for hi, lo in ends:
        if lo > last:
            chain = chain + 1 if lo - last <= BRACKET_MEET * reach else 1
            best, last = max(best, chain), hi
    return best >= 3


def _threshold(lo: np.ndarray, hi: np.ndarray, n: np.ndarray) -> bool:
    """One large category entirely on one side of a value and every other entirely on the other,
    meeting there ("Auto-Approved" up to 74.99, every other status from 75): a rule that sets the
    status from the measure. A strong effect parts groups with a gap between them (poor patients'
    14 visits and more against the others' 9 at most); a rule leaves none wider than the values'
    own spacing."""
    total = float(n.sum())
    spacing = (float(hi.max()) - float(lo.min())) / max(
        total, 1.0
    )  # the values' mean spacing, were all distinct
    for i in range(len(lo)):
        others = np.delete(np.arange(len(lo)), i)
        if n[i] < MIN_SPLIT_ROWS or total - n[i] < MIN_SPLIT_ROWS or lo[i] == hi[i]:
            continue
        below = float(lo[others].min()) - hi[i]
        above = lo[i] - float(hi[others].max())
        if 0 < below <= SPLIT_GAP * spacing or 0 < above <= SPLIT_GAP * spacing:
            return True
    return False


def _all_or_none(lo: np.ndarray, hi: np.ndarray, n: np.ndarray) -> bool:
    """A yes/no measure (a share with a closed date) that a large category never or always has:
    the workflow's rule ("New" tickets are never closed, "Closed" ones always are), not a finding."""
    return float(hi.max()) > float(lo.min()) and bool(((lo == hi) & (n >= MIN_SPLIT_ROWS)).any())


def _attribute(lo: np.ndarray, hi: np.ndarray, n: np.ndarray, q01: np.ndarray, q99: np.ndarray) -> bool:
    """The measure is one value per category (a plan's coinsurance rate, a count's balls): a property of
    each category that the table repeats on its rows, not something the categories differ on. Nearly
    every row (95%) sits in a category of two rows or more whose values are all one (1st to 99th
    percentile), and the categories' values differ."""
    several = n >= 2
    if int(several.sum()) < 2 or float(n[several].sum()) < ATTRIBUTE_SHARE * float(n.sum()):
        return False
    one_value = several & (q01 == q99)
    return float(n[one_value].sum()) >= ATTRIBUTE_SHARE * float(n.sum()) and float(np.ptp(lo[one_value])) > 0


def _pinned(lo: np.ndarray, hi: np.ndarray, n: np.ndarray, q01: np.ndarray, q99: np.ndarray) -> bool:
    """One category sits alone at the measure's extreme value ("Completed" at 100%, no voice-mail plan
    at 0 messages); the others reach it on under 1% of their rows at most (a slip or two)."""
    top, bottom = float(hi.max()), float(lo.min())
    for i in range(len(lo)):
        others = np.delete(np.arange(len(lo)), i)
        if n[i] < max(3, 0.05 * n.sum()) or lo[i] != hi[i]:
            continue
        if lo[i] == top and float(q99[others].max()) < top:
            return True
        if lo[i] == bottom and float(q01[others].min()) > bottom:
            return True
    return False
