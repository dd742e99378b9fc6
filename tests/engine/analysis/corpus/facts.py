"""Small helpers to state facts of a table (shares, group means, correlations) in one line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl


def share(df: pl.DataFrame, col: str, value: object) -> float:
    """Share of rows where `col` equals `value`."""
    return float((df[col] == value).sum()) / df.height


def mean_by(df: pl.DataFrame, by: str | pl.Expr, col: str) -> dict:
    """Mean of `col` per group of `by`."""
    out = df.group_by(by).agg(pl.col(col).mean().alias("__mean"))
    return dict(zip(out[out.columns[0]].to_list(), out["__mean"].to_list(), strict=True))


def sum_share_by(df: pl.DataFrame, by: str, col: str) -> dict:
    """Share of the total of `col` held by each group of `by`."""
    out = df.group_by(by).agg(pl.col(col).sum().alias("__sum"))
    total = out["__sum"].sum()
    return dict(zip(out[by].to_list(), (out["__sum"] / total).to_list(), strict=True))


def top_share(df: pl.DataFrame, by: str, col: str | None, k: int) -> float:
    """Share of the total (of `col`, or of rows) held by the top `k` groups of `by`."""
    agg = pl.col(col).sum() if col else pl.len()
    sums = df.group_by(by).agg(agg.alias("__v"))["__v"].sort(descending=True)
    return float(sums.head(k).sum() / sums.sum())


def corr(df: pl.DataFrame, a: str, b: str, *, diff: bool = False) -> float:
    d = df.select(pl.col(a).cast(pl.Float64), pl.col(b).cast(pl.Float64))
    if diff:
        d = d.select(pl.all().diff())
    d = d.drop_nulls().drop_nans()
    return float(np.corrcoef(d[a].to_numpy(), d[b].to_numpy())[0, 1])


def slope(x: pl.Series | list, y: pl.Series | list) -> float:
    xs = np.asarray([v.toordinal() if isinstance(v, dt.date) else v for v in x], dtype=float)
    ys = np.asarray(y, dtype=float)
    ok = ~np.isnan(ys)
    return float(np.polyfit(xs[ok], ys[ok], 1)[0])


def dates(df: pl.DataFrame, col: str, fmt: str | None = None) -> pl.Series:
    """`col` as dates (text parsed with `fmt`, or ISO), whatever its type."""
    s = df[col]
    if s.dtype == pl.String:
        return s.str.slice(0, 10).str.to_date("%Y-%m-%d") if fmt is None else s.str.to_date(fmt)
    return s.cast(pl.Date)
