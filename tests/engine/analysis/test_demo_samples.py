"""The shipped demo files keep showing what Sightline finds."""

from __future__ import annotations

from pathlib import Path

from engine.analysis import analyze

SAMPLES = Path(__file__).resolve().parents[3] / "dev-samples"


def test_retail_orders_sample_shows_the_main_insight_types() -> None:
    doc = analyze(SAMPLES / "retail_orders.csv")
    types = {insight["type"] for insight in doc["insights"]}
    assert {"trend", "seasonality", "top_contributor", "concentration"} <= types, types
    assert doc["fileInfo"]["rows"] == 3681
    assert doc["insights"][0]["title"] == "Revenue is rising"
