"""Run every insight detector over the roles found, then rank the candidates.

Which series and segments are examined is bounded (three measures over time,
five dimensions × two measures), so the run stays fast on wide files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from engine.analysis.attribution import attribute_change
from engine.analysis.candidates import Candidate
from engine.analysis.correlation import correlations
from engine.analysis.patterns import anomalies, seasonality
from engine.analysis.ranking import apply_fdr, select
from engine.analysis.roles import Roles
from engine.analysis.segments import (
    category_outliers,
    concentration,
    segment_comparison,
    segment_stats,
    top_contributor,
)
from engine.analysis.series import TimeSeries, build_series, choose_grain, coarser
from engine.analysis.temporal import change_point, period_change, trend

TIME_MEASURES = 3
SEGMENT_MEASURES = 2


def find_insights(
    df: pl.DataFrame, roles: Roles, quality_candidates: list[Candidate], tick: Callable[[float], None]
) -> tuple[list[Candidate], dict[str, Any], TimeSeries | None]:
    """Ranked insights, selection facts, and the main measure's series (for overview charts)."""
    candidates = list(quality_candidates)
    main_series: TimeSeries | None = None
    pops: list[Candidate] = []
    if roles.time and roles.measures:
        main_series = _temporal(df, roles, candidates, pops)
    tick(0.6)
    for dim in roles.dimensions:
        for measure in roles.measures[:SEGMENT_MEASURES]:
            s = segment_stats(df, dim, measure, roles.agg(measure))
            if s is None:
                continue
            candidates += [c for c in (top_contributor(s), concentration(s), segment_comparison(s)) if c]
            candidates += category_outliers(s)
    tick(0.68)
    found, corr_info = correlations(df, roles)
    candidates += found
    apply_fdr(candidates)
    for pop in pops:
        if roles.dimensions and pop.evidence["columns"][1] == roles.main:
            extra = attribute_change(df, roles, pop)
            if extra:
                candidates.append(extra)
    kept, selection = select(candidates)
    return kept, {**selection, "correlation": corr_info}, main_series


def _temporal(df: pl.DataFrame, roles: Roles, candidates: list[Candidate], pops: list[Candidate]) -> TimeSeries | None:
    assert roles.time is not None
    grain = choose_grain(df[roles.time])
    if grain is None:
        return None
    main_series = None
    for measure in roles.measures[:TIME_MEASURES]:
        agg = roles.agg(measure)
        ts = build_series(df, roles.time, measure, agg, grain)
        if ts is None:
            continue
        main_series = main_series or ts
        candidates += [c for c in (trend(ts, roles.time), change_point(ts, roles.time)) if c]
        candidates += anomalies(ts, roles.time)
        daily = ts if grain == "day" else None
        if grain == "day" or (grain == "week" and _dense_days(df, roles.time)):
            daily = daily or build_series(df, roles.time, measure, agg, "day")
        seasonal = seasonality(daily, roles.time) if daily else None
        if grain == "month":
            seasonal = seasonality(ts, roles.time)
        if seasonal:
            candidates.append(seasonal)
        pop_grain = coarser(grain) or grain
        pop_ts = build_series(df, roles.time, measure, agg, pop_grain) if pop_grain != grain else ts
        if pop_ts is None or len(pop_ts) < 5:
            pop_ts = ts
        pop = period_change(pop_ts, roles.time)
        if pop:
            candidates.append(pop)
            pops.append(pop)
    return main_series


def _dense_days(df: pl.DataFrame, time: str) -> bool:
    days = df[time].drop_nulls().cast(pl.Date)
    span = (days.max() - days.min()).days + 1  # type: ignore[operator]
    return days.n_unique() >= 0.8 * span
