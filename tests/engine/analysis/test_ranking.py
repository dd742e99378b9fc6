"""Benjamini-Hochberg, scoring and de-duplication."""

from __future__ import annotations

import pytest

from engine.analysis.candidates import Candidate
from engine.analysis.ranking import MAX_PER_TYPE, apply_fdr, benjamini_hochberg, select


def test_bh_matches_hand_computation() -> None:
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted: 0.005, 0.01, 0.03, 0.04 -> *4/rank: 0.02, 0.02, 0.04, 0.04
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]) == []


def cand(kind: str, key: str, impact: float, p: float | None) -> Candidate:
    return Candidate(
        kind, key, f"{key} 1", impact, p, {"columns": [], "filters": [], "aggregates": {}}, (kind, key)
    )


def test_noise_p_values_are_not_reported() -> None:
    cands = [cand("trend", f"m{i}", 0.9, p) for i, p in enumerate([0.02, 0.2, 0.4, 0.6, 0.8, 0.9, 0.5, 0.3])]
    apply_fdr(cands)
    kept, stats = select(cands)
    assert kept == [] and stats["passedFdr"] == 0


def test_duplicates_and_type_caps() -> None:
    cands = [cand("trend", "same", 0.9, 1e-9), cand("trend", "same", 0.8, 1e-9)]
    cands += [cand("anomaly", f"a{i}", 0.5 + i / 100, 1e-9) for i in range(6)]
    apply_fdr(cands)
    kept, _ = select(cands)
    assert [c.type for c in kept].count("trend") == 1
    assert [c.type for c in kept].count("anomaly") == MAX_PER_TYPE
    assert kept[0].impact == 0.9  # best first


def test_a_table_without_one_clear_pattern_reports_no_tested_finding() -> None:
    """BH alone passes a lone p=0.003 among ten tests; the table-wide gate (Simes at 0.001) does not."""
    weak = [cand("trend", f"m{i}", 0.9, p) for i, p in enumerate([0.003, *[0.5] * 9])]
    apply_fdr(weak)
    assert min(c.q_value or 1 for c in weak) <= 0.05
    assert select(weak)[0] == []
    clear = [cand("trend", "strong", 0.9, 1e-6), *[cand("trend", f"m{i}", 0.9, 0.004) for i in range(3)]]
    apply_fdr(clear)
    assert len(select(clear)[0]) == 4, "with one clear pattern the others are judged by BH as before"
