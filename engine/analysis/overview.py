"""Overview charts that do not belong to one insight: the main measure over time, its distribution,
the top categories of the first dimension, and a map of the rows when the table has coordinates."""

from __future__ import annotations

import numpy as np
import polars as pl

from engine.analysis.candidates import ChartSpec
from engine.analysis.detectors.segment_stats import SegmentStats
from engine.analysis.detectors.temporal import line_chart
from engine.analysis.fmt import label, upper_first
from engine.analysis.semantics.model import TableModel
from engine.analysis.series import TimeSeries

HIST_SAMPLE = 200_000
MAP_POINTS = 2000


def overview_specs(
    model: TableModel, main_series: TimeSeries | None, stats: list[SegmentStats] | None = None
) -> list[tuple[str, ChartSpec]]:
    """(chart id, spec) pairs for the overview charts that apply to this table.

    `stats`, the segment aggregates the insights were read from, give the top
    categories without another pass over the rows when they hold the one wanted.
    """
    df = model.frame
    out: list[tuple[str, ChartSpec]] = []
    if main_series is not None:
        m = model.measure(main_series.measure)
        out.append(
            (
                "overview_over_time",
                line_chart(main_series, f"{upper_first(m.label)} per {main_series.grain}", m.label),
            )
        )
    main = next((m for m in model.measures if m.kind != "count"), None)
    if main:
        values = df[main.name].drop_nulls().cast(pl.Float64)
        if values.len() > 2 * HIST_SAMPLE:
            values = values.gather_every(values.len() // HIST_SAMPLE)
        arr = values.to_numpy()
        arr = arr[np.isfinite(arr)]
        if arr.size:
            counts, edges = np.histogram(arr, bins=min(40, max(5, int(np.sqrt(arr.size)))))
            centers = ((edges[:-1] + edges[1:]) / 2).tolist()
            out.append(
                (
                    "overview_distribution",
                    ChartSpec(
                        "histogram",
                        f"Distribution of {main.label}",
                        {
                            "centers": centers,
                            "counts": counts.tolist(),
                            "width": float(edges[1] - edges[0]),
                            "name": main.label,
                        },
                    ),
                )
            )
    if model.dimensions:
        dim = model.dimensions[0]
        summable = main if main and main.summable else None
        value = pl.col(summable.name).cast(pl.Float64).sum() if summable else pl.len()
        what = summable.label if summable else model.count.label
        wanted = summable or model.count
        known = next((x for x in stats or [] if x.dimension == dim and x.measure.name == wanted.name), None)
        top = (
            pl.DataFrame({dim: known.names, "\x00value": known.total}).head(15)
            if known is not None
            else df.lazy()
            .group_by(dim)
            .agg(value.alias("\x00value"))
            .drop_nulls(dim)
            .with_columns(pl.col(dim).cast(pl.String))
            .sort("\x00value", descending=True)
            .head(15)
            .collect()
        )
        if summable is None:
            top = top.with_columns(pl.col("\x00value").cast(pl.Int64))
        out.append(
            (
                "overview_top_categories",
                ChartSpec(
                    "bar",
                    f"Top {label(dim)} by {what}",
                    {"categories": top[dim].to_list(), "values": top["\x00value"].to_list(), "name": what},
                ),
            )
        )
    if model.geography:
        out.append(("overview_map", _map(model)))
    return out


def _map(model: TableModel) -> ChartSpec:
    geo = model.geography or {}
    lat, lon = geo["latitude"], geo["longitude"]
    main = next((m for m in model.measures if m.kind != "count"), None)
    cols = [lat, lon] + ([main.name] if main else [])
    points = model.frame.select(cols).drop_nulls([lat, lon])
    if points.height > MAP_POINTS:
        points = points.gather_every(points.height // MAP_POINTS)
    return ChartSpec(
        "map",
        f"Where the {model.count.label} are" + (f", by {main.label}" if main else ""),
        {
            "lat": points[lat].to_list(),
            "lon": points[lon].to_list(),
            "values": points[main.name].to_list() if main else None,
            "valueName": main.label if main else "",
            "name": model.count.label,
        },
    )
