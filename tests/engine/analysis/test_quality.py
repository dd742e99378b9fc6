"""The data-quality score and its explained deductions."""

from __future__ import annotations

from pathlib import Path

from engine.analysis import analyze


def test_clean_table_scores_100(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("k,v\n" + "".join(f"k{i},{i}\n" for i in range(30)))
    result = analyze(path)
    assert result["qualityScore"]["score"] == 100 and result["qualityScore"]["deductions"] == []


def test_duplicates_missing_and_unreadable_are_deducted(tmp_path: Path) -> None:
    rows = [f"k{i},{i}.5,x" for i in range(40)] + ["k1,1.5,x"] * 10 + ["k99,oops,"] + ["k98,,"] * 9
    path = tmp_path / "dirty.csv"
    path.write_text("key,amount,flag\n" + "\n".join(rows) + "\n")
    q = analyze(path)["qualityScore"]
    codes = {d["code"]: d for d in q["deductions"]}
    assert {"duplicate_rows", "missing_cells", "unparsed_values"} <= set(codes)
    assert "18 row(s) repeat" in codes["duplicate_rows"]["message"]  # 10 copies of k1 + 8 of k98
    assert q["score"] == round(100 - sum(d["points"] for d in q["deductions"]))
