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


def test_a_nearly_unique_id_does_not_hide_repeated_rows(tmp_path: Path) -> None:
    """The shortcut (an id with no repeated value rules out repeated rows) only applies when the
    id really has none: one order filed twice among 500 unique ones is still found."""
    rows = [f"ORD-{i:05d},{i % 7},{i * 1.5}" for i in range(500)] + ["ORD-00042,0,63.0"]
    path = tmp_path / "orders.csv"
    path.write_text("order_id,store,amount\n" + "\n".join(rows) + "\n")
    codes = {d["code"]: d for d in analyze(path)["qualityScore"]["deductions"]}
    assert "1 row(s) repeat" in codes["duplicate_rows"]["message"]
    unique = tmp_path / "unique.csv"
    unique.write_text("order_id,store,amount\n" + "\n".join(rows[:-1]) + "\n")
    assert "duplicate_rows" not in {d["code"] for d in analyze(unique)["qualityScore"]["deductions"]}


def test_ids_in_order_rule_out_repeats_only_when_strictly_increasing(tmp_path: Path) -> None:
    """Ids numbered as rows were added prove no row repeats; a copy next to its original (equal,
    not greater) is still counted."""
    rows = [f"ORD-{i:05d},{i % 7},{i * 1.5}" for i in range(500)]
    copied = [*rows[:43], rows[42], *rows[43:]]
    for name, body, repeats in (("in_order.csv", rows, 0), ("copied.csv", copied, 1)):
        path = tmp_path / name
        path.write_text("order_id,store,amount\n" + "\n".join(body) + "\n")
        codes = {d["code"]: d for d in analyze(path)["qualityScore"]["deductions"]}
        if repeats:
            assert f"{repeats} row(s) repeat" in codes["duplicate_rows"]["message"]
        else:
            assert "duplicate_rows" not in codes
