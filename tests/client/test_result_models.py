"""The client's typed result models agree with the JSON Schemas in docs/: same documents, keys, enums."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from client import ResultSchemaError, read_result
from client.result import (
    Answer,
    ChartV1,
    ChartV2,
    CleanedPreview,
    Column,
    EvidenceV1,
    EvidenceV2,
    FileInfo,
    Goal,
    InsightV1,
    InsightV2,
    Issue,
    Kpi,
    Measure,
    NarrativeV1,
    NarrativeV2,
    QualityScore,
    ResultV1,
    ResultV2,
    Semantics,
)
from tests.support.results import assert_valid, problems, validator


def _schema(version: int) -> dict[str, Any]:
    return validator(version).schema  # type: ignore[no-any-return]


def _at(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The sub-schema at a slash path ('$defs/insight', 'properties/goal/oneOf/1'), $refs followed."""
    node: Any = schema
    for part in path.split("/") if path else []:
        node = node[int(part)] if isinstance(node, list) else node[part]
    while "$ref" in node:
        node = _at(schema, node["$ref"].removeprefix("#/"))
    return node  # type: ignore[no-any-return]


PAIRS_V2: list[tuple[type[BaseModel], str]] = [
    (ResultV2, ""),
    (FileInfo, "properties/fileInfo"),
    (Column, "$defs/column"),
    (Kpi, "$defs/kpi"),
    (InsightV2, "$defs/insight"),
    (EvidenceV2, "$defs/insight/properties/evidence"),
    (ChartV2, "$defs/chart"),
    (NarrativeV2, "$defs/narrative"),
    (Answer, "$defs/narrative/properties/answer/oneOf/1"),
    (QualityScore, "properties/qualityScore"),
    (CleanedPreview, "properties/cleanedPreview"),
    (Issue, "$defs/issue"),
    (Semantics, "$defs/semantics"),
    (Measure, "$defs/measure"),
    (Goal, "properties/goal/oneOf/1"),
]
PAIRS_V1: list[tuple[type[BaseModel], str]] = [
    (ResultV1, ""),
    (InsightV1, "$defs/insight"),
    (EvidenceV1, "$defs/insight/properties/evidence"),
    (ChartV1, "$defs/chart"),
    (NarrativeV1, "$defs/narrative"),
]


def _enums(prop: dict[str, Any]) -> set[Any] | None:
    """The values a property schema allows when it is an enumeration (null left out), else None."""
    if "enum" in prop:
        return {v for v in prop["enum"] if v is not None}
    if "const" in prop:
        return {prop["const"]}
    for key in ("anyOf", "oneOf"):
        for option in prop.get(key, []):
            found = _enums(option)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize(
    ("version", "model", "path"),
    [(2, m, p) for m, p in PAIRS_V2] + [(1, m, p) for m, p in PAIRS_V1],
    ids=lambda x: getattr(x, "__name__", str(x)),
)
def test_models_name_the_schemas_required_keys_and_enums(
    version: int, model: type[BaseModel], path: str
) -> None:
    schema = _at(_schema(version), path)
    mine = model.model_json_schema(by_alias=True, mode="validation")
    assert set(mine.get("required", [])) == set(schema.get("required", [])), model.__name__
    for key, prop in schema.get("properties", {}).items():
        assert key in mine["properties"], f"{model.__name__} has no field for {key!r}"
        theirs = _enums(prop)
        if theirs is not None:
            assert _enums(mine["properties"][key]) == theirs, f"{model.__name__}.{key}"


def test_engine_results_validate_both_ways(docs: dict[str, dict[str, Any]]) -> None:
    for name, doc in docs.items():
        version = doc["schemaVersion"]
        assert_valid(doc, version)
        result = read_result(doc)
        assert isinstance(result, ResultV2 if version == 2 else ResultV1), name
        assert result.schema_version == version


Mutation = Callable[[dict[str, Any]], None]


def _drop(*path: str | int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


def _set(value: Any, *path: str | int) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


MUTATIONS: dict[str, Mutation] = {
    "no semantics": _drop("semantics"),
    "no fileInfo rows": _drop("fileInfo", "rows"),
    "unknown insight type": _set("hunch", "insights", 0, "type"),
    "score above 1": _set(1.5, "insights", 0, "score"),
    "bad insight id": _set("insight-1", "insights", 0, "id"),
    "no evidence measure": _drop("insights", 0, "evidence", "measure"),
    "unknown measure kind": _set("stock", "insights", 0, "evidence", "measureKind"),
    "unknown grain": _set("fortnight", "insights", 0, "evidence", "grain"),
    "filter without column": _set([{"equals": 1}], "insights", 0, "evidence", "filters"),
    "unknown chart kind": _set("pie", "charts", 0, "kind"),
    "trace without type": _set({"data": [{"x": [1]}], "layout": {}}, "charts", 0, "figure"),
    "narrative source": _set("oracle", "narrative", "source"),
    "answer without text": _drop("narrative", "answer", "text"),
    "goal too long": _set("x" * 501, "goal", "text"),
    "goal without answer": _drop("goal", "answer"),
    "quality grade": _set("F", "qualityScore", "grade"),
    "unknown table kind": _set("cube", "semantics", "tableKind"),
    "no measures": _set([], "semantics", "measures"),
    "negative timing": _set(-1, "timings", "totalMs"),
    "processedAt not a time": _set("yesterday", "processedAt"),
    "schema version 3": _set(3, "schemaVersion"),
    "no jobId key": _drop("jobId"),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_the_models_refuse_what_the_schema_refuses(name: str, docs: dict[str, dict[str, Any]]) -> None:
    doc = copy.deepcopy(docs["goal"])
    MUTATIONS[name](doc)
    assert problems(doc, 2), f"the JSON Schema accepts {name}"
    with pytest.raises(ResultSchemaError) as caught:
        read_result(doc)
    assert caught.value.problems and str(caught.value).startswith("The result document does not follow")


def test_a_v1_document_is_read_as_version_1(docs: dict[str, dict[str, Any]]) -> None:
    old = read_result(docs["v1"])
    assert type(old) is ResultV1 and not hasattr(old, "semantics")
    v1_with_v2_kind = copy.deepcopy(docs["v1"])
    v1_with_v2_kind["insights"][0]["type"] = "drill_down"
    assert problems(v1_with_v2_kind, 1)
    with pytest.raises(ResultSchemaError):
        read_result(v1_with_v2_kind)


def test_not_a_document() -> None:
    for junk in (None, [], "result", {"schemaVersion": True}):
        with pytest.raises(ResultSchemaError):
            read_result(junk)
