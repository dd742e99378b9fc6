"""A self-contained HTML report of a result.json, for analysts to download and share.

Everything from the data is HTML-escaped; charts are drawn by plotly.js embedded once in
the file, so the report opens offline. Plotly is imported only when a report is built.
"""

from __future__ import annotations

import html
from typing import Any

from client.geo import assets_script
from client.view import ResultView, build_view, chart_title

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #0f172a; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; }
.kpi { border: 1px solid #cbd5e1; border-radius: 8px; padding: 10px 14px; min-width: 140px; }
.kpi b { display: block; font-size: 1.4em; }
.notice { border-left: 4px solid #d97706; background: #fffbeb; padding: 8px 12px; }
.insight { border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; margin: 12px 0; }
.answer { border-left: 4px solid #2563eb; background: #eff6ff; padding: 8px 12px; }
table { border-collapse: collapse; font-size: .9em; }
td, th { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p><em>None.</em></p>"
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Charts:
    """Turns figure JSON into <div>s; the first one carries plotly.js."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, figure: dict[str, Any] | None) -> str:
        if not figure:
            return ""
        import plotly.graph_objects as go

        try:
            fig = go.Figure(figure)
        except ValueError:
            return "<p><em>This chart could not be drawn.</em></p>"
        out = fig.to_html(full_html=False, include_plotlyjs="inline" if self.first else False)
        self.first = False
        return str(out)


def _narrative(view: ResultView) -> str:
    n = view.narrative
    parts = [f'<p class="notice"><b>Fallback narrative.</b> {_e(n.notice())}</p>'] if n.is_fallback else []
    if n.headline:
        parts.append(f"<p><b>{_e(n.headline)}</b></p>")
    parts.append("<ul>" + "".join(f"<li>{_e(b)}</li>" for b in n.bullets) + "</ul>")
    parts += [f"<p>{_e(p)}</p>" for p in n.paragraphs]
    parts += [f"<p><em>Keep in mind: {_e(c)}</em></p>" for c in n.caveats]
    return "".join(parts)


def _answer(view: ResultView) -> str:
    goal = view.goal
    if goal is None:
        return ""
    cited = f" <small>[{_e(', '.join(goal.answer.insight_ids))}]</small>" if goal.answer else ""
    return (
        f'<div class="answer"><p><b>Your goal:</b> {_e(goal.text)}</p>'
        f"<p><b>{_e(goal.headline())}:</b> {_e(goal.answer_text())}{cited}</p></div>"
    )


def build_report_html(doc: dict[str, Any], job_id: str = "") -> str:
    """The whole report as one HTML string (`ResultSchemaError` for a document off its schema)."""
    view = build_view(doc)
    old = view.old_version_notice()
    notice = f'<p class="notice">{_e(old)}</p>' if old else ""
    if any(c.kind == "map" for c in view.charts.values()):
        notice = assets_script() + notice  # before plotly.js: maps draw offline
    chart = _Charts()
    name = view.file_info.get("name", job_id)
    kpis = "".join(f'<div class="kpi">{_e(k.label)}<b>{_e(k.value)}</b></div>' for k in view.kpi_cards())
    insights = "".join(
        f'<div class="insight"><h3>{rank}. {_e(i.title)}</h3><p>{_e(view.sentence(i))}</p>'
        f"<small>{_e(i.type)} · {_e(i.about())} · score {i.score:.2f}</small>{chart(view.chart_for(i))}</div>"
        for rank, i in enumerate(view.insights, start=1)
    )
    overview = "".join(
        f"<h3>{_e(chart_title(fig, cid))}</h3>{chart(fig)}" for cid, fig in view.overview_charts().items()
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sightline: {_e(name)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>Sightline report: {_e(name)}</h1>"
        f"<p>{_e(view.file_info.get('rows'))} rows × {_e(view.file_info.get('columns'))} columns · "
        f"job {_e(job_id)} · processed {_e(doc.get('processedAt'))}</p>"
        f'{notice}{_answer(view)}<div class="kpis">{kpis}</div><h2>Summary</h2>{_narrative(view)}'
        f"<h2>Insights</h2>{insights}<h2>Overview</h2>{overview}"
        f"<h2>Column profile</h2>{_table(view.profile)}<h2>Data preview</h2>{_table(view.preview)}"
        "</body></html>"
    )
