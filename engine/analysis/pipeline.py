"""`analyze()`: one file in, the complete result.json document (schema v2, docs/result-schema.md) out.

A pure function of the file and the settings: no Redis, no network, no
writes. The caller's progress callback is called as each stage starts and may
raise (cancellation); that exception propagates untouched.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.analysis.charts import figure
from engine.analysis.goal import goal_block, read_goal
from engine.analysis.insights import find_insights
from engine.analysis.jsonsafe import json_safe
from engine.analysis.kpis import compute_kpis
from engine.analysis.narrative import template_narrative
from engine.analysis.overview import overview_specs
from engine.analysis.profile import profile_columns
from engine.analysis.quality import quality, quality_insights
from engine.analysis.ranking import score_of
from engine.analysis.report import caveats_and_issues, cleaned_preview, file_info, insight_dict
from engine.analysis.semantics import read_semantics
from engine.config import Settings, get_settings
from engine.errors import AnalysisError, InputError, SightlineError
from engine.ingest import Table, load_table

SCHEMA_VERSION = 2
ProgressFn = Callable[[str, float], None]


class _Progress:
    """Forwards progress and remembers an exception the caller raised from it."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self.fn = fn
        self.raised: BaseException | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        if self.fn is None:
            return
        try:
            self.fn(stage, fraction)
        except BaseException as exc:
            self.raised = exc
            raise


def analyze(
    path: str | Path,
    *,
    file_name: str | None = None,
    job_id: str | None = None,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
    sheet: str | None = None,
    goal: str | None = None,
) -> dict[str, Any]:
    """Read, profile and analyse the file at `path`; return the result.json document.

    `goal` (free text, at most 500 characters) is what the analyst asks of the
    table: findings about what it names are sought first and ranked first, and
    the result says what it matched (`goal`). It is data, never instructions.

    Raises InputError when the file cannot be read as a table (the message names
    the problem) and AnalysisError for any other failure of the analysis.
    """
    settings = settings or get_settings()
    report = _Progress(progress)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    report("parsing", 0.05)
    try:
        table = load_table(path, settings, file_name=file_name, sheet=sheet)
    except SightlineError as exc:
        exc.job_id = exc.job_id or job_id
        raise
    except Exception as exc:
        if exc is report.raised:
            raise
        name = file_name or Path(path).name
        raise InputError(
            f"'{name}' could not be read as a table: {exc}", job_id=job_id, original_error=exc
        ) from exc
    timings["parsingMs"] = _ms(started)
    try:
        return _analyse(table, Path(path), file_name, job_id, report, timings, started, goal)
    except SightlineError:
        raise
    except Exception as exc:
        if exc is report.raised:
            raise
        raise AnalysisError(
            f"The analysis failed: {type(exc).__name__}: {exc}", job_id=job_id, original_error=exc
        ) from exc


def _analyse(
    table: Table,
    path: Path,
    file_name: str | None,
    job_id: str | None,
    report: _Progress,
    timings: dict[str, float],
    started: float,
    goal: str | None = None,
) -> dict[str, Any]:
    report("profiling", 0.3)
    mark = time.perf_counter()
    df = table.df
    profiles = profile_columns(table)
    model = read_semantics(df, profiles, file_name or path.name)
    quality_score, _ = quality(table, profiles, model.quality)
    kpis = compute_kpis(model, profiles, quality_score["score"])
    timings["profilingMs"] = _ms(mark)
    report("insights", 0.5)
    mark = time.perf_counter()
    dq = quality_insights(quality_score, profiles, df.height)
    focus = read_goal(
        goal, model, {p.name: [t["value"] for t in p.top] for p in profiles if p.name in model.dimensions}
    )
    found = find_insights(model, dq, lambda f: report("insights", f), focus)
    selection = found.selection
    timings["insightsMs"] = _ms(mark)
    mark = time.perf_counter()
    insights, charts = [], []
    for n, c in enumerate(found.kept, start=1):
        ins_id = f"ins_{n}"
        chart_id = f"chart_{ins_id}" if c.chart else None
        insights.append(insight_dict(c, ins_id, chart_id, score_of(c)))
        if c.chart:
            charts.append(
                {
                    "id": chart_id,
                    "kind": c.chart.kind,
                    "title": c.chart.title,
                    "insightId": ins_id,
                    "figure": figure(c.chart),
                }
            )
    for chart_id, spec in overview_specs(model, found.main_series, found.stats):
        charts.append(
            {
                "id": chart_id,
                "kind": spec.kind,
                "title": spec.title,
                "insightId": None,
                "figure": figure(spec),
            }
        )
    timings["chartsMs"] = _ms(mark)
    info = file_info(table, path, file_name)
    caveats, issues = caveats_and_issues(table, model, selection)
    goal_doc = goal_block(focus, insights)
    measures = {m.name: {**m.to_dict(), "symbol": m.symbol, "noun": m.noun} for m in model.measures}
    narrative = template_narrative(
        info, kpis, insights, quality_score, caveats, selection, goal_doc, measures
    )
    timings["totalMs"] = _ms(started)
    doc = {
        "schemaVersion": SCHEMA_VERSION,
        "jobId": job_id,
        "fileInfo": info,
        "schema": [p.to_dict(df.height, i) for i, p in enumerate(profiles)],
        "semantics": model.to_dict(),
        "goal": goal_doc,
        "kpis": kpis,
        "insights": insights,
        "charts": charts,
        "narrative": narrative,
        "qualityScore": quality_score,
        "cleanedPreview": cleaned_preview(df),
        "issues": issues,
        "selection": selection,
        "timings": timings,
        "processedAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    return json_safe(doc)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
