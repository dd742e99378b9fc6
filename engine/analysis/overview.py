"""Overview charts that do not belong to one insight: the main measure over time, its distribution,
and the top categories of the first dimension."""

from __future__ import annotations

import numpy as np
import polars as pl

from engine.analysis.candidates import ChartSpec
from engine.analysis.fmt import label
from engine.analysis.roles import Roles
from engine.analysis.series import TimeSeries
from engine.analysis.temporal import line_chart

HIST_SAMPLE = 200_000


def overview_specs(
    df: pl.DataFrame, roles: Roles, main_series: TimeSeries | None
) -> list[tuple[str, ChartSpec]]:
    """(chart id, spec) pairs for the overview charts that apply to this table."""
    out: list[tuple[str, ChartSpec]] = []
    main = roles.main
    if main_series is not None:
        m = label(main_series.measure)
        out.append(
            ("overview_over_time", line_chart(main_series, f"{m.capitalize()} per {main_series.grain}"))
        )
    if main:
        values = df[main].drop_nulls().cast(pl.Float64)
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
                        f"Distribution of {label(main)}",
                        {
                            "centers": centers,
                            "counts": counts.tolist(),
                            "width": float(edges[1] - edges[0]),
                            "name": main,
                        },
                    ),
                )
            )
    if roles.dimensions:
        dim = roles.dimensions[0]
        value = pl.col(main).cast(pl.Float64).sum() if main else pl.len()
        top = (
            df.lazy()
            .group_by(pl.col(dim).cast(pl.String))
            .agg(value.alias("\x00value"))
            .drop_nulls(dim)
            .sort("\x00value", descending=True)
            .head(15)
            .collect()
        )
        what = label(main) if main else "rows"
        out.append(
            (
                "overview_top_categories",
                ChartSpec(
                    "bar",
                    f"Top {label(dim)} by {what}",
                    {
                        "categories": top[dim].to_list(),
                        "values": top["\x00value"].to_list(),
                        "name": main or "rows",
                    },
                ),
            )
        )
    return out
