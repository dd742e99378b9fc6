"""The analyze() contract the job pipeline relies on: result shape, progress, errors, speed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import plotly.graph_objects as go
import pytest

import engine.analysis.pipeline as pipeline
from engine.analysis import analyze
from engine.errors import AnalysisError, InputError
from tests.engine.analysis import planted

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "dev-samples" / "sales_demo.csv"
SCHEMA = json.loads((ROOT / "docs" / "result-schema.v2.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_schema_file_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("make", [planted.level_shift, planted.correlated_pair, planted.pareto_mix])
def test_results_validate_and_dump_strictly(tmp_path: Path, make: object) -> None:
    path = tmp_path / "x.csv"
    make().write_csv(path)  # type: ignore[operator]
    result = analyze(path, job_id="job_abc123456789", file_name="upload.csv")
    VALIDATOR.validate(result)
    json.dumps(result, allow_nan=False)
    assert result["jobId"] == "job_abc123456789" and result["fileInfo"]["name"] == "upload.csv"
    for chart in result["charts"]:
        go.Figure(chart["figure"])  # plotly accepts every figure


def test_sales_demo_result() -> None:
    result = analyze(DEMO)
    VALIDATOR.validate(result)
    info = result["fileInfo"]
    assert (info["rows"], info["columns"], info["delimiter"], info["encoding"]) == (7, 8, ",", "utf-8")
    columns = {c["name"]: c for c in result["schema"]}
    assert columns["date"]["semanticType"] == "datetime"
    assert columns["units"]["semanticType"] == "integer" and columns["units"]["missing"] == 1
    assert columns["price"]["semanticType"] == "numeric"
    missing = {i["column"] for i in result["issues"] if i["code"] == "missing_values"}
    assert missing == {"units", "revenue", "customer", "notes"}
    preview = result["cleanedPreview"]
    assert preview["rows"][2][0] == "2024-01-19" and preview["rows"][1][6] == "Globex, Inc."
    assert preview["rows"][0][3] == 12 and preview["rows"][2][3] is None
    assert result["narrative"]["source"] == "template" and result["narrative"]["summary"]
    assert result["qualityScore"]["deductions"][0]["code"] == "missing_cells"


def test_progress_stages_in_order() -> None:
    calls: list[tuple[str, float]] = []
    analyze(DEMO, progress=lambda stage, fraction: calls.append((stage, fraction)))
    stages = [s for s, _ in calls]
    assert stages[0] == "parsing" and "profiling" in stages and stages[-1] == "insights"
    assert stages.index("parsing") < stages.index("profiling") < stages.index("insights")
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions)
    assert fractions[0] > 0 and fractions[-1] <= 0.75


class Cancelled(Exception):
    pass


@pytest.mark.parametrize("stage", ["parsing", "profiling", "insights"])
def test_progress_exception_propagates(stage: str) -> None:
    def progress(name: str, fraction: float) -> None:
        if name == stage:
            raise Cancelled(name)

    with pytest.raises(Cancelled):
        analyze(DEMO, progress=progress)


def test_input_error_carries_job_id(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        analyze(path, job_id="job_x")
    assert info.value.job_id == "job_x" and "empty" in info.value.message


def test_unexpected_failure_is_an_analysis_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise ValueError("kaput")

    monkeypatch.setattr(pipeline, "profile_columns", boom)
    with pytest.raises(AnalysisError, match="kaput") as info:
        analyze(DEMO)
    assert isinstance(info.value.original_error, ValueError)


def test_other_formats_validate(tmp_path: Path) -> None:
    df = planted.rising_trend()
    df.write_parquet(tmp_path / "t.parquet")
    df.write_ndjson(tmp_path / "t.jsonl")
    df.write_csv(tmp_path / "t_eu.csv", separator=";", decimal_comma=True, date_format="%d.%m.%Y")
    df.write_csv(tmp_path / "t.tsv", separator="\t")
    for name in ("t.parquet", "t.jsonl", "t_eu.csv", "t.tsv"):
        result = analyze(tmp_path / name)
        VALIDATOR.validate(result)
        assert any(i["type"] == "trend" for i in result["insights"])


def test_excel_result_validates(tmp_path: Path) -> None:
    from tests.engine.ingest.test_formats import make_workbook

    result = analyze(make_workbook(tmp_path / "book.xlsx"), sheet="Detail")
    VALIDATOR.validate(result)
    info = result["fileInfo"]
    assert (info["type"], info["sheet"], info["encoding"], info["delimiter"]) == (
        "xlsx",
        "Detail",
        None,
        None,
    )
