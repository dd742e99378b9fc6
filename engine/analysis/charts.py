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
    if "trendLine" in d:
        curve = d["trendLine"]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": curve,
                "name": "trend",
                "line": {"color": ALERT, "dash": "dash"},
            }
        )
        start, end = curve[0], curve[-1]
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
    if d.get("orientation") == "h":  # terms: longest bar on top
        bar = {
            "type": "bar",
            "orientation": "h",
            "y": d["categories"][::-1],
            "x": d["values"][::-1],
            "name": d["name"],
            "marker": {"color": colors[::-1]},
        }
        return [bar], {
            "xaxis": {"title": {"text": d["name"]}},
            "margin": {"l": 160, "r": 20, "t": 50, "b": 50},
        }
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


def _nested_bar(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Grouped bars: one group per segment (the standout first), one bar per value of the second dimension."""
    scale = 100 if d.get("percent") else 1
    data = [
        {
            "type": "bar",
            "name": group,
            "x": d["categories"],
            "y": [v * scale for v in values],
            "marker": {"color": ACCENT if i == 0 else MUTED},
        }
        for i, (group, values) in enumerate(zip(d["groups"], d["values"], strict=True))
    ]
    title = f"{d['name']} (%)" if d.get("percent") else d["name"]
    return data, {"barmode": "group", "yaxis": {"title": {"text": title}}, "showlegend": True}


def _multiline(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Several series on one time axis, the one the finding is about highlighted."""
    scale = 100 if d.get("percent") else 1
    data = []
    for s in d["series"]:
        y = [None if v is None else v * scale for v in s["y"]]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": s.get("x", d.get("x")),
                "y": y,
                "name": s["name"],
                "line": {
                    "color": ACCENT if s.get("highlight") else MUTED,
                    "width": 3 if s.get("highlight") else 1,
                },
            }
        )
    title = f"{d['name']} (%)" if d.get("percent") else d["name"]
    return data, {
        "xaxis": {"title": {"text": d["grain"]}},
        "yaxis": {"title": {"text": title}},
        "showlegend": True,
    }


def _map(d: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Points on a map (latitude/longitude), sized or coloured by a value when there is one."""
    marker: dict[str, Any] = {"color": ACCENT, "size": 6, "opacity": 0.7}
    if d.get("values") is not None:
        marker = {
            "color": d["values"],
            "colorscale": "Blues",
            "size": 7,
            "showscale": True,
            "colorbar": {"title": {"text": d.get("valueName", "")}},
        }
    data = [
        {
            "type": "scattergeo",
            "lat": d["lat"],
            "lon": d["lon"],
            "text": d.get("labels"),
            "mode": "markers",
            "marker": marker,
            "name": d.get("name", "points"),
        }
    ]
    return data, {"geo": {"showland": True, "showcountries": True, "fitbounds": "locations"}}


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
    "nested_bar": _nested_bar,
    "multiline": _multiline,
    "map": _map,
}
