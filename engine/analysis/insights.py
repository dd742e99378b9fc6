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
from engine.analysis.segment_stats import segment_stats
from engine.analysis.segments import category_outliers, concentration, segment_comparison, top_contributor
from engine.analysis.series import DailyCube, TimeSeries, build_series, choose_grain, daily_cube, dense_days
from engine.analysis.temporal import MIN_POP_POINTS, change_point, period_change, trend

TIME_MEASURES = 3
SEGMENT_MEASURES = 2
BOX_SAMPLE = 200_000  # rows used for box-plot quartiles; every other segment figure uses all rows


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
    sample = df.gather_every(df.height // BOX_SAMPLE) if df.height > 2 * BOX_SAMPLE else df
    measures = [(m, roles.agg(m)) for m in roles.measures[:SEGMENT_MEASURES]]
    for s in segment_stats(df, sample, roles.dimensions, measures):
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


def _temporal(
    df: pl.DataFrame, roles: Roles, candidates: list[Candidate], pops: list[Candidate]
) -> TimeSeries | None:
    assert roles.time is not None
    cube = daily_cube(df, roles.time, roles.measures[:TIME_MEASURES])
    grain = choose_grain(cube)
    if grain is None:
        return None
    main_series = None
    for measure in roles.measures[:TIME_MEASURES]:
        agg = roles.agg(measure)
        ts = build_series(cube, measure, agg, grain)
        if ts is None:
            continue
        main_series = main_series or ts
        candidates += [c for c in (trend(ts, roles.time), change_point(ts, roles.time)) if c]
        candidates += anomalies(ts, roles.time)
        daily = ts if grain == "day" else None
        if grain == "day" or (grain == "week" and dense_days(cube)):
            daily = daily or build_series(cube, measure, agg, "day")
        seasonal = seasonality(daily, roles.time) if daily else None
        if grain == "month":
            seasonal = seasonality(ts, roles.time)
        if seasonal:
            candidates.append(seasonal)
        pop = period_change(_pop_series(cube, ts, measure, agg), roles.time)
        if pop:
            candidates.append(pop)
            pops.append(pop)
    return main_series


def _pop_series(cube: DailyCube, ts: TimeSeries, measure: str, agg: str) -> TimeSeries:
    """The coarsest series with enough complete periods for a period-over-period comparison."""
    for grain in ("month", "week"):
        if grain == ts.grain:
            break
        coarse = build_series(cube, measure, agg, grain)
        if coarse is not None and len(coarse) >= MIN_POP_POINTS:
            return coarse
    return ts
