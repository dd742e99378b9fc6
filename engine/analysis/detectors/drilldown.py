"""Drill-down: which second dimension explains a standout segment.

For a segment that stood out (the category holding most rows, or the one
with the highest mean), each other dimension is compared inside and outside
the segment:

- by rows: the value whose share inside the segment most exceeds its share
  elsewhere ("Hardware incidents: 72% in Australia vs 20% elsewhere"), a
  two-proportion z-test;
- by a measure: the value inside the segment with the highest mean against the
  rest of the segment ("Hardware incidents in Australia take 3× longer"),
  Welch t-test.

Both are Bonferroni-corrected for the values tried.

Segments that did not stand out on their own can still hide a concentration
(Hardware, a fifth of the tickets, has most of its tickets at one site):
`strongest_pair` scans every pair of small dimensions for the cell most
over-represented against the rest, corrected for every cell scanned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from engine.analysis.candidates import Candidate, ChartSpec, direction_of, evidence
from engine.analysis.fmt import category, fmt_num, fmt_p, fmt_pct, label, upper_first
from engine.analysis.semantics.model import Measure
from engine.analysis.semantics.vocabulary import YES, YES_NO, same_stem
from engine.analysis.stats import two_proportions, welch

PAIR_ROWS = "\x00rows"  # the pair counts' own column: never a table column's name ("n", a count)
MIN_LIFT = 1.5
INTERACTION = 1.25  # inside the segment, a value's lift over the one it has elsewhere
MIN_GAP = 0.15
# A yes/no column's share inside a segment is a rate (callbacks, defaults, churn), often a rare
# one: 9.7% against 6.4% is a finding an analyst reports, though 3 points apart.
RATE_LIFT = 1.25
RATE_GAP = 0.02
RATE_RULE = 0.01  # a rate this near 0 or 1 reads as a rule (nearc4a implies nearc4), not a tendency
MIN_ROWS = 5
NESTED_SAMPLE = 100_000
PAIR_SCAN_VALUES = 12  # dimensions of at most this many values are scanned pairwise


def drill_rows(
    df: pl.DataFrame,
    count: Measure,
    dim: str,
    value: str,
    others: list[str],
    nesting: Nesting,
    scanned: int = 1,
    *,
    rates: bool = False,
) -> Candidate | None:
    """The other dimension's value most over- (or under-) represented inside the segment `dim = value`
    (`nesting` knows the hierarchies of `df`; `scanned` is how many segments were searched to find
    this one: their tests count too; `rates`: a yes/no column's shares are judged as rates, as
    `strongest_rate` chose them)."""
    inside = pl.col(dim).cast(pl.String) == value
    flagged = _truthy(pl.col(dim))
    best: tuple[float, float, str, str, float, float, float, float, float, float, bool] | None = None
    tried = 0
    queries = [
        df.lazy()
        .filter(pl.col(dim).is_not_null() & pl.col(b).is_not_null())
        .group_by(pl.col(b).alias("v"))
        .agg(inside.sum().alias("in"), (~inside).sum().alias("out"), flagged.sum().alias("flagged"))
        .with_columns(pl.col("v").cast(pl.String))
        for b in others
    ]
    flags: list[str] | None = None  # the segment column's values, read once and only beside a yes/no column
    for b, t in zip(others, pl.collect_all(queries), strict=True):
        if t.height < 2 or same_stem(b, dim) or nesting.nested(b, dim) or nesting.nested(dim, b):
            continue
        if t.height == 2:
            flags = (
                flags
                if flags is not None
                else df[dim].drop_nulls().cast(pl.String).str.to_lowercase().unique().to_list()
            )
            if _one_hot(flags, t):
                continue
        n_in, n_out = float(t["in"].sum()), float(t["out"].sum())
        if n_in < MIN_ROWS or n_out < MIN_ROWS:
            continue
        as_rates = rates and _yes_no(t["v"].to_list())
        tried += 1 if as_rates else 0  # its yes and its no are one test
        for v, k_in, k_out in t.select("v", "in", "out").iter_rows():
            tried += 0 if as_rates else 1
            s_in, s_out = k_in / n_in, k_out / n_out
            if not _apart(k_in, k_out, s_in, s_out, rates=as_rates):
                continue
            p = two_proportions(k_in, n_in, k_out, n_out)
            if best is None or p < best[0]:
                best = (p, s_in - s_out, b, v, s_in, s_out, n_in, k_in, k_out, n_out, as_rates)
    if best is None:
        return None
    p_raw, _, b, v, s_in, s_out, n_in, k_in, k_out, n_out, rated_b = best
    p = min(1.0, p_raw * max(tried, 1) * scanned)
    what = count.noun
    up = s_in > s_out
    segment, found = category(dim, value), category(b, v)
    if str(v).lower() == str(value).lower():  # mother's and father's education: name both columns
        segment, found = f"{upper_first(label(dim))} = {value}", f"{label(b)} = {v}"
    rate, rated, who = _rated(df, dim, value, b, str(v), (k_in, n_in, k_out, n_out), found, segment)
    title, text = _wording(segment, who, found, what, b, v, rate, up, s_in, s_out, fmt_p(p), label(rated))
    # a yes/no found column's rates inside and outside: judged by how many times apart (2×: 1), not points
    times = max(s_in, s_out) / max(min(s_in, s_out), 1e-9)
    found_ = Candidate(
        "drill_down",
        title,
        text,
        min(1.0, math.log(times) / math.log(2)) if rated_b else min(1.0, abs(s_in - s_out) / 0.5),
        p,
        {
            **evidence(
                count,
                dimension=dim,
                entity=value,
                direction="up" if up else "down",
                columns=[b],
                filters=[{"column": dim, "equals": value}, {"column": b, "equals": v}],
                aggregation=f"share of {what} by {b}, inside {dim} = {value} vs elsewhere",
                share=s_in,
                shareElsewhere=s_out,
                rows=n_in,
                test="two-proportion z-test, Bonferroni over the values tried",
            ),
            "drillDown": {"dimension": b, "value": v, "share": s_in, "shareElsewhere": s_out},
        },
        ("drill_down", dim, value, count.name),
        ChartSpec(
            "nested_bar",
            f"{upper_first(label(b))} of {value} {what} vs the rest",
            {
                "categories": [v, f"other {label(b)}"],
                "groups": [value, "elsewhere"],
                "values": [[s_in, 1 - s_in], [s_out, 1 - s_out]],
                "name": f"share of {what}",
                "percent": True,
            },
        ),
    )
    if rate is not None:
        found_.evidence["aggregates"].update(
            rateOf=f"{rated} = {rate[0]}".lower(), rate=rate[1], rateElsewhere=rate[2]
        )
    return found_


def _apart(k_in: float, k_out: float, s_in: float, s_out: float, *, rates: bool = False) -> bool:
    """Whether a value's share inside the segment and elsewhere differ enough to be worth a test
    (`rates`: the shares are a yes/no column's rates, judged by RATE_GAP and RATE_LIFT)."""
    gap, lift = (RATE_GAP, RATE_LIFT) if rates else (MIN_GAP, MIN_LIFT)
    over = k_in >= MIN_ROWS and s_in - s_out >= gap and s_in >= lift * s_out
    under = k_out >= MIN_ROWS and s_out - s_in >= gap and s_out >= lift * s_in
    return over or under


def _yes_no(values: Sequence[object]) -> bool:
    """Two values, both words of yes or no (late/on time is not: it has no yes)."""
    return len(values) == 2 and {str(v).lower() for v in values} <= YES_NO


def _wording(
    segment: str,
    who: str,
    found: str,
    what: str,
    b: str,
    v: str,
    rate: tuple[str, float, float] | None,
    up: bool,
    s_in: float,
    s_out: float,
    p: str,
    dim_label: str,
) -> tuple[str, str]:
    """Title and text: the yes rate per value for a yes/no segment column (`who` has it), else the
    shares of the `found` value inside the segment."""
    if rate is not None:  # late or not, resolved or not: the rate per carrier or agent is the finding
        shown, r_in, r_out = rate
        return (
            f"{upper_first(who)} {what}: {fmt_pct(r_in)} {dim_label} = {shown} vs {fmt_pct(r_out)} others",
            f"{fmt_pct(r_in)} of {who} {what} have {dim_label} = {shown}, against {fmt_pct(r_out)} of "
            f"other {what} ({p}).",
        )
    return (
        f"{segment} {what}: {fmt_pct(s_in)} in {found} vs {fmt_pct(s_out)} elsewhere",
        f"{segment} {what} are {'concentrated in' if up else 'rarely in'} {label(b)} {v}: "
        f"{fmt_pct(s_in)} of them against {fmt_pct(s_out)} of other {what} ({p}).",
    )


def _rated(
    df: pl.DataFrame,
    dim: str,
    value: str,
    b: str,
    v: str,
    counts: tuple[float, float, float, float],
    found: str,
    segment: str,
) -> tuple[tuple[str, float, float] | None, str, str]:
    """(the yes rate, the yes/no column it is of, whom it is about): the segment column's rate per
    found value, or the found column's rate inside the segment; no rate when neither is yes/no."""
    k_in, n_in, k_out, n_out = counts
    rate = _outcome_rate(df, dim, value, k_in, n_in, k_out, n_out)
    if rate is not None:
        return rate, dim, found
    return _as_yes(df, b, v, k_in / n_in, k_out / n_out), b, segment


def _as_yes(
    df: pl.DataFrame, column: str, value: str, share_in: float, share_out: float
) -> tuple[str, float, float] | None:
    """For a yes/no column: (its yes value as written, the shares of yes inside and elsewhere),
    given the shares of `value`; None for any other column."""
    values = [str(x) for x in df[column].drop_nulls().unique().to_list()]
    if not _yes_no(values):
        return None
    if value.lower() in YES:
        return next(x for x in values if x.lower() == value.lower()), share_in, share_out
    return next(x for x in values if x.lower() != value.lower()), 1 - share_in, 1 - share_out


def _outcome_rate(
    df: pl.DataFrame, dim: str, value: str, k_in: float, n_in: float, k_out: float, n_out: float
) -> tuple[str, float, float] | None:
    """For a yes/no segment column (late, resolved, churned): (its yes value, the share of yes among
    the found value's rows, among the others' rows); None for other columns."""
    r_in = k_in / (k_in + k_out) if k_in + k_out else 0.0
    rest_in, rest_out = n_in - k_in, n_out - k_out
    r_out = rest_in / (rest_in + rest_out) if rest_in + rest_out else 0.0
    return _as_yes(df, dim, value, r_in, r_out)


def _truthy(col: pl.Expr) -> pl.Expr:
    return col.cast(pl.String).str.to_lowercase().is_in(YES)


def _one_hot(flags: list[str], table: pl.DataFrame) -> bool:
    """Two yes/no columns never both yes (spring, summer, fall beside a winter baseline): one
    variable spread over flags, so one says the other by construction, not by any tendency."""
    values = {str(v).lower() for v in table["v"].to_list()}
    if not (_yes_no(flags) and _yes_no(list(values))):
        return False
    yes = table.filter(pl.col("v").str.to_lowercase().is_in(YES))
    return yes.height == 1 and int(yes["flagged"].item()) == 0


class Nesting:
    """Whether each value of one column belongs to one value of another (job titles within departments).

    Drilling from a department into its own job titles only restates the hierarchy.
    Every drill-down into a frame asks this of the same pairs of columns, both
    ways round; the rows of each pair of values are counted once per frame and
    serve both directions.
    """

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df
        self._pairs: dict[frozenset[str], pl.DataFrame] = {}
        self._nested: dict[tuple[str, str], bool] = {}

    def nested(self, inner: str, outer: str) -> bool:
        """Whether `inner` nests inside `outer` (95% of its rows in its most common `outer` value)."""
        if (inner, outer) not in self._nested:
            top = (
                self.pair_counts(inner, outer)
                .group_by(inner)
                .agg(pl.col(PAIR_ROWS).max().alias("\x00top"), pl.col(PAIR_ROWS).sum().alias("\x00all"))
            )
            self._nested[inner, outer] = top.height > 1 and float(top["\x00top"].sum()) >= 0.95 * float(
                top["\x00all"].sum()
            )
        return self._nested[inner, outer]

    def pair_counts(self, a: str, b: str) -> pl.DataFrame:
        """Rows per pair of values of `a` and `b` (on a sample of NESTED_SAMPLE rows), counted once."""
        key = frozenset((a, b))
        if key not in self._pairs:
            rows = self.df.select(a, b)
            rows = rows if rows.height <= NESTED_SAMPLE else rows.gather_every(rows.height // NESTED_SAMPLE)
            self._pairs[key] = (
                rows.lazy()
                .filter(pl.col(a).is_not_null() & pl.col(b).is_not_null())
                .group_by(a, b)
                .agg(pl.len().alias(PAIR_ROWS))
                .collect()
            )
        return self._pairs[key]


def _lifts(cells: pl.DataFrame) -> dict[str, float]:
    """Each value's mean over the mean of the other values, among rows outside the segment."""
    cells = cells.filter(pl.col("n") > 0)
    n_all, s_all = float(cells["n"].sum()), float(cells["sum"].sum())
    out = {}
    for name, n, s in cells.select("v", "n", "sum").iter_rows():
        rest_n = n_all - n
        if n >= MIN_ROWS and rest_n >= MIN_ROWS and s_all - s > 0:
            out[name] = (s / n) / ((s_all - s) / rest_n)
    return out


def drill_measure(
    df: pl.DataFrame, m: Measure, dim: str, value: str, others: list[str], nesting: Nesting
) -> Candidate | None:
    """Inside the segment `dim = value`, the other dimension's value with a far higher mean of `m`
    (`nesting` knows the hierarchies of `df`)."""
    v = pl.col(m.name).cast(pl.Float64)
    queries = [
        df.lazy()
        .filter(pl.col(b).is_not_null())
        .group_by(pl.col(b).alias("v"), (pl.col(dim).cast(pl.String) == value).fill_null(False).alias("in"))
        .agg(
            v.mean().alias("mean"),
            v.var().alias("var"),
            v.count().alias("n"),
            v.sum().alias("sum"),
            (v * v).sum().alias("sq"),
        )
        .with_columns(pl.col("v").cast(pl.String))
        for b in others
    ]
    best: tuple[float, str, str, float, float, float] | None = None
    tried = 0
    for b, cells in zip(others, pl.collect_all(queries), strict=True):
        t = cells.filter(pl.col("in") & (pl.col("n") >= 2))
        if nesting.nested(b, dim):
            continue
        if t.height < 2:
            continue
        elsewhere = _lifts(cells.filter(~pl.col("in")))
        n_all, s_all, q_all = float(t["n"].sum()), float(t["sum"].sum()), float(t["sq"].sum())
        for name, mean, var, n, s, q in t.select("v", "mean", "var", "n", "sum", "sq").iter_rows():
            tried += 1
            n_rest = n_all - n
            if n < MIN_ROWS or n_rest < MIN_ROWS:
                continue
            mean_rest = (s_all - s) / n_rest
            var_rest = max((q_all - q - n_rest * mean_rest**2) / (n_rest - 1), 0.0)
            rel = (mean - mean_rest) / abs(mean_rest) if mean_rest else 0.0
            if rel < MIN_LIFT - 1:
                continue
            lift_out = elsewhere.get(name)
            if lift_out is not None and mean_rest > 0 and mean / mean_rest < INTERACTION * lift_out:
                continue  # as high outside the segment: the value's own effect, not the segment's
            _, p = welch(mean, var or 0.0, n, mean_rest, var_rest, n_rest)
            if best is None or p < best[0]:
                best = (p, b, name, mean, mean_rest, rel)
    if best is None:
        return None
    p_raw, b, name, mean, mean_rest, rel = best
    p = min(1.0, p_raw * max(tried, 1))
    text = (
        f"Within {label(dim)} {value}, {label(b)} {name} averages {fmt_num(mean, m.unit, m.symbol)} "
        f"{m.label}, {mean / mean_rest:.1f}× the {fmt_num(mean_rest, m.unit, m.symbol)} of the rest of "
        f"{value} ({fmt_p(p)})."
        if mean_rest > 0
        else f"Within {label(dim)} {value}, {label(b)} {name} averages {fmt_num(mean)} {m.label} "
        f"({fmt_p(p)})."
    )
    return Candidate(
        "drill_down",
        f"{category(dim, value)}: {m.label} highest in {category(b, name)}",
        text,
        min(1.0, abs(rel) / 1.0),
        p,
        {
            **evidence(
                m,
                dimension=dim,
                entity=value,
                direction=direction_of(rel),
                columns=[b],
                filters=[{"column": dim, "equals": value}, {"column": b, "equals": name}],
                aggregation=f"mean of {m.label} by {b}, inside {dim} = {value}",
                mean=mean,
                meanElsewhere=mean_rest,
                relativeDifference=rel,
                test="Welch t-test inside the segment, Bonferroni over the values tried",
            ),
            "drillDown": {"dimension": b, "value": name, "mean": mean, "meanElsewhere": mean_rest},
        },
        ("drill_down", dim, value, m.name),
        ChartSpec(
            "nested_bar",
            f"{upper_first(m.label)} within {value}: {name} vs the rest",
            {
                "categories": [m.label],
                "groups": [name, f"rest of {value}"],
                "values": [[mean], [mean_rest]],
                "name": m.label,
                "percent": False,
            },
        ),
    )


def strongest_pair(
    small: list[str], nesting: Nesting, apart: frozenset[frozenset[str]] = frozenset()
) -> tuple[str, str, str, int] | None:
    """(dimension, value, other dimension, segments scanned) of the most over-represented cell of any
    pair of the `small` dimensions (2 to PAIR_SCAN_VALUES values each; never a pair in `apart`), or
    None when no cell is both larger (MIN_LIFT, MIN_GAP) and tested."""
    pairs = [
        (a, b)
        for i, a in enumerate(small)
        for b in small[i + 1 :]
        if not (same_stem(a, b) or nesting.nested(a, b) or nesting.nested(b, a) or frozenset((a, b)) in apart)
    ]
    if not pairs:
        return None
    best: tuple[float, str, str, str] | None = None
    scanned = 0
    for a, b in pairs:
        # the hierarchy check's counts of value pairs (a sample of rows): enough to find the cell;
        # drill_rows then measures and tests it on the detection rows
        t = nesting.pair_counts(a, b).select(
            pl.col(a).cast(pl.String).alias("a"),
            pl.col(b).cast(pl.String).alias("b"),
            pl.col(PAIR_ROWS).alias("n"),
        )
        total = float(t["n"].sum())
        rows_a = dict(t.group_by("a").agg(pl.col("n").sum()).iter_rows())
        rows_b = dict(t.group_by("b").agg(pl.col("n").sum()).iter_rows())
        scanned += len(rows_a) + len(rows_b)
        for va, vb, k in t.iter_rows():
            for seg, n_seg, n_other, col, other_col in (
                (va, rows_a[va], rows_b[vb], a, b),
                (vb, rows_b[vb], rows_a[va], b, a),
            ):
                s_in, s_out = k / n_seg, (n_other - k) / max(total - n_seg, 1.0)
                if (
                    k >= MIN_ROWS
                    and total - n_seg >= MIN_ROWS
                    and s_in - s_out >= MIN_GAP
                    and s_in >= MIN_LIFT * s_out
                ):
                    p = two_proportions(k, n_seg, n_other - k, total - n_seg)
                    if best is None or p < best[0]:
                        best = (p, col, seg, other_col)
    return None if best is None else (best[1], best[2], best[3], scanned)


def strongest_rate(
    small: list[str], nesting: Nesting, apart: frozenset[frozenset[str]] = frozenset()
) -> tuple[str, str, str, int] | None:
    """(dimension, value, yes/no column, tests) of the value of a small dimension whose rate of a
    yes/no column (callbacks, defaults, churn) differs most from the other values' (RATE_LIFT,
    RATE_GAP), or None. One test per value of each dimension against each yes/no column (one for
    a two-valued dimension, whose two values are one comparison)."""
    best: tuple[float, str, str, str] | None = None
    tests = 0
    for y in small:
        for d in small:
            if d == y or same_stem(d, y) or nesting.nested(d, y) or nesting.nested(y, d):
                continue
            if frozenset((d, y)) in apart:
                continue
            t = nesting.pair_counts(d, y).select(
                pl.col(d).cast(pl.String).alias("d"), pl.col(y).cast(pl.String).alias("y"), pl.col(PAIR_ROWS)
            )
            values = t["y"].unique().to_list()
            if not _yes_no(values):
                break  # `y` is not a yes/no column
            yes = pl.col("y").str.to_lowercase().is_in(YES)
            cells = t.group_by("d").agg(
                pl.col(PAIR_ROWS).filter(yes).sum().alias("k"), pl.col(PAIR_ROWS).sum().alias("n")
            )
            if cells.height < 2:
                continue
            tests += cells.height if cells.height > 2 else 1
            total_k, total_n = float(cells["k"].sum()), float(cells["n"].sum())
            # highest rate first: of a two-valued dimension's two equal tests, the one above the other
            for v, k, n in cells.sort(pl.col("k") / pl.col("n"), "d", descending=True).iter_rows():
                k_out, n_out = total_k - k, total_n - n
                if n < MIN_ROWS or n_out < MIN_ROWS:
                    continue
                r_in, r_out = k / n, k_out / n_out
                if min(r_in, r_out, 1 - r_in, 1 - r_out) <= RATE_RULE:
                    continue
                if _apart(k, k_out, r_in, r_out, rates=True):
                    p = two_proportions(k, n, k_out, n_out)
                    if best is None or p < best[0]:
                        best = (p, d, v, y)
    return None if best is None else (best[1], best[2], best[3], tests)
