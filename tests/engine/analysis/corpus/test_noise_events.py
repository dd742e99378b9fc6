"""Noise control for event tables: a ticket log with no pattern yields no finding beyond data quality.

30 seeds of `generators.tickets_noise`: flat volume, i.i.d. durations, uniform categories,
agents, locations and priorities, descriptions from one shared pool. Any other finding is noise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.analysis import analyze
from tests.engine.analysis.corpus.generators import tickets_noise
from tests.engine.analysis.corpus.matchers import non_quality, report

pytestmark = pytest.mark.corpus

SEEDS = range(30)


@pytest.mark.parametrize("seed", SEEDS)
def test_patternless_tickets_yield_only_data_quality(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "incidents.csv"
    tickets_noise(seed).write_csv(path)
    result = analyze(path)
    found = non_quality(result)
    assert not found, f"seed {seed}: {[(i['type'], i['title']) for i in found]}\n{report(result)}"
