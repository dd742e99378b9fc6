"""A small realistic result.json document (the insight engine's shape), for narrative tests."""

from __future__ import annotations

from typing import Any

RESULT_DOC: dict[str, Any] = {
    "schemaVersion": 1,
    "jobId": "job_narrativetest01",
    "fileInfo": {
        "name": "sales_demo.csv",
        "type": "csv",
        "size": 512,
        "rows": 7,
        "columns": 8,
        "encoding": "utf-8",
        "delimiter": ",",
    },
    "schema": {
        "rows": 7,
        "columns": [
            {
                "name": "revenue",
                "semanticType": "numeric",
                "missing": 1,
                "distinct": 6,
                "stats": {"mean": 190.13, "median": 159.25, "min": 89.91, "max": 367.5},
            },
            {
                "name": "region",
                "semanticType": "categorical",
                "missing": 0,
                "distinct": 4,
                "topValues": [{"value": "North", "count": 2}, {"value": "South", "count": 2}],
            },
            {
                "name": "customer",
                "semanticType": "categorical",
                "missing": 1,
                "distinct": 4,
                "topValues": [{"value": "Acme Corp", "count": 2}, {"value": "Initech", "count": 2}],
            },
        ],
    },
    "kpis": [
        {"id": "revenue_total", "label": "Total revenue", "value": 1140.79, "unit": "USD"},
        {"id": "units_total", "label": "Units sold", "value": 51},
    ],
    "insights": [
        {
            "id": "ins_1",
            "type": "outstanding_top",
            "title": "North leads revenue",
            "text": "North brought in $487.38 of revenue, 42.7% of the total 1,140.79.",
            "score": 0.82,
            "evidence": {
                "columns": ["region", "revenue"],
                "aggregates": {"North": 487.38, "total": 1140.79, "share": 0.427},
            },
            "chart": "chart_1",
        },
        {
            "id": "ins_2",
            "type": "trend",
            "title": "Revenue is rising",
            "text": "Revenue rose 18.4% from January to February 2024 (p = 0.03).",
            "score": 0.64,
            "evidence": {"columns": ["date", "revenue"], "change": 0.184, "pValue": 0.03},
            "chart": "chart_2",
        },
        {
            "id": "ins_3",
            "type": "data_quality",
            "title": "A few values are missing",
            "text": "2 of 56 cells are missing (3.6%).",
            "score": 0.31,
            "evidence": {"missingCells": 2, "cells": 56, "share": 0.036},
            "chart": None,
        },
    ],
    "charts": [{"id": "chart_1", "figure": {"data": [], "layout": {}}}],
    "narrative": {"source": "template", "summary": ["North leads revenue with 42.7% of the total."]},
    "issues": [{"code": "missing_values", "message": "2 cells are missing."}],
    "qualityScore": 0.93,
}
