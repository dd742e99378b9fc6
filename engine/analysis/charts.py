"""Plotly figures as plain JSON dicts ({"data": [...], "layout": {...}}).

Figures are built as dicts rather than through `plotly.graph_objects`, which
costs ~90 ms for the first figure of a process; any plotly front end renders
them (`go.Figure(fig)` in Python, `Plotly.newPlot` in JS), and the tests check
that plotly accepts every one.
"""

from __future__ import annotations

from typing import Any

from engine.analysis.candidates import ChartSpec
from engine.analysis.jsonsafe import json_safe

ACCENT, MUTED, ALERT, GOOD = "#2563eb", "#94a3b8", "#dc2626", "#16a34a"


def figure(spec: ChartSpec) -> dict[str, Any]:
    """The plotly figure for a chart spec."""
    builder = _BUILDERS[spec.kind]
    data, layout = builder(spec.data)
    base = {
        "title": {"text": spec.title},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "showlegend": False,
    }
    return json_safe({"data": data, "layout": {**base, **layout}})


def _line(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    x = d["x"]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": d["y"],
            "name": d["name"],
            "line": {"color": ACCENT},
        }
    ]
    layout: dict[str, Any] = {
        "xaxis": {"title": {"text": d["grain"]}},
        "yaxis": {"title": {"text": d["name"]}},
    }
    if "trend" in d:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [x[0], x[-1]],
                "y": d["trend"],
                "name": "trend",
                "line": {"color": ALERT, "dash": "dash"},
            }
        )
        start, end = d["trend"]
        change = f"{(end - start) / abs(start) * 100:+.0f}%" if start else ""
        layout["annotations"] = [
            {"x": x[-1], "y": end, "text": f"trend {change}".strip(), "showarrow": True, "ax": -40, "ay": -30}
        ]
    if "changePoint" in d:
        cp = d["changePoint"]
        data += [
            {
                "type": "scatter",
                "mode": "lines",
                "x": [cp["start"], cp["x"]],
                "y": [cp["before"]] * 2,
                "name": "mean before",
                "line": {"color": MUTED, "dash": "dot"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": [cp["x"], cp["end"]],
                "y": [cp["after"]] * 2,
                "name": "mean after",
                "line": {"color": ALERT, "dash": "dot"},
            },
        ]
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": cp["x"],
                "x1": cp["x"],
                "y0": 0,
                "y1": 1,
                "line": {"color": ALERT, "dash": "dash"},
            }
        ]
        layout["annotations"] = [{"x": cp["x"], "y": 1, "yref": "paper", "text": "shift", "showarrow": False}]
    if "anomalies" in d:
        pts = d["anomalies"]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [p["x"] for p in pts],
                "y": [p["y"] for p in pts],
                "name": "unusual",
                "marker": {"color": ALERT, "size": 12, "symbol": "circle-open"},
            }
        )
        layout["annotations"] = [
            {"x": p["x"], "y": p["y"], "text": "unusual", "showarrow": True} for p in pts
        ]
    return data, layout


def _bar(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    colors = [ACCENT if c == d.get("highlight") or "highlight" not in d else MUTED for c in d["categories"]]
    data = [
        {
            "type": "bar",
            "x": d["categories"],
            "y": d["values"],
            "name": d["name"],
            "marker": {"color": colors},
        }
    ]
    return data, {"yaxis": {"title": {"text": d["name"]}}}


def _pareto(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = [
        {
            "type": "bar",
            "x": d["categories"],
            "y": d["values"],
            "name": d["name"],
            "marker": {"color": ACCENT},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": d["categories"],
            "y": [100 * c for c in d["cumulative"]],
            "name": "cumulative %",
            "yaxis": "y2",
            "line": {"color": ALERT},
        },
    ]
    layout = {
        "yaxis": {"title": {"text": d["name"]}},
        "yaxis2": {"title": {"text": "cumulative %"}, "overlaying": "y", "side": "right", "range": [0, 105]},
        "xaxis": {"categoryorder": "array", "categoryarray": d["categories"]},
    }
    return data, layout


def _waterfall(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    labels = [d["startLabel"], *d["categories"]]
    values = [d["start"], *d["deltas"]]
    measure = ["absolute"] + ["relative"] * len(d["deltas"])
    if abs(d.get("other", 0.0)) > 1e-9:
        labels.append("other")
        values.append(d["other"])
        measure.append("relative")
    labels.append(d["endLabel"])
    values.append(0)
    measure.append("total")
    data = [
        {
            "type": "waterfall",
            "x": labels,
            "y": values,
            "measure": measure,
            "name": d["name"],
            "increasing": {"marker": {"color": GOOD}},
            "decreasing": {"marker": {"color": ALERT}},
            "totals": {"marker": {"color": ACCENT}},
        }
    ]
    return data, {"yaxis": {"title": {"text": d["name"]}}}


def _box(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = [
        {
            "type": "box",
            "name": d["name"],
            "x": d["categories"],
            "q1": d["q1"],
            "median": d["median"],
            "q3": d["q3"],
            "lowerfence": d["min"],
            "upperfence": d["max"],
            "mean": d["mean"],
            "marker": {"color": ACCENT},
        }
    ]
    return data, {"yaxis": {"title": {"text": d["name"]}}}


def _scatter(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    slope, intercept = d["fit"]
    lo, hi = (min(d["x"]), max(d["x"])) if d["x"] else (0.0, 0.0)
    data = [
        {
            "type": "scattergl" if len(d["x"]) > 500 else "scatter",
            "mode": "markers",
            "x": d["x"],
            "y": d["y"],
            "name": "rows",
            "marker": {"color": ACCENT, "opacity": 0.5, "size": 5},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": [lo, hi],
            "y": [intercept + slope * lo, intercept + slope * hi],
            "name": "linear fit",
            "line": {"color": ALERT},
        },
    ]
    return data, {"xaxis": {"title": {"text": d["xName"]}}, "yaxis": {"title": {"text": d["yName"]}}}


def _histogram(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = [
        {
            "type": "bar",
            "x": d["centers"],
            "y": d["counts"],
            "width": d["width"],
            "name": d["name"],
            "marker": {"color": ACCENT},
        }
    ]
    return data, {
        "xaxis": {"title": {"text": d["name"]}},
        "yaxis": {"title": {"text": "rows"}},
        "bargap": 0.02,
    }


_BUILDERS = {
    "line": _line,
    "bar": _bar,
    "pareto": _pareto,
    "waterfall": _waterfall,
    "box": _box,
    "scatter": _scatter,
    "histogram": _histogram,
}
