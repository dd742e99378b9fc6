"""Result documents for tests: the JSON Schema validators of both versions, and a v2 → v1 downgrade.

Every test that gets a result.json from the engine, the API or a UI stack checks it with
`assert_valid` (schema v2, or v1 when the document says so).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

DOCS = Path(__file__).resolve().parents[2] / "docs"
V2_ONLY_TYPES = {"count_distribution", "drill_down", "text_terms", "segment_trend", "entity_trend", "repeats"}
V2_ONLY_TYPES |= {"bracket"}
V2_ONLY_KINDS = {"nested_bar", "multiline", "map"}
V1_EVIDENCE = ("columns", "filters", "aggregates")


@cache
def validator(version: int) -> jsonschema.Draft202012Validator:
    schema = json.loads((DOCS / f"result-schema.v{version}.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def problems(doc: dict[str, Any], version: int | None = None) -> list[str]:
    """What is wrong with `doc` against its schema version (or `version`); [] when valid."""
    v = version or doc.get("schemaVersion")
    if v not in (1, 2):
        return [f"schemaVersion {v!r} is not 1 or 2"]
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(v).iter_errors(doc)]


def assert_valid(doc: dict[str, Any], version: int | None = 2) -> None:
    """Fail with the schema's complaints unless `doc` validates (against v2 by default)."""
    found = problems(doc, version)
    assert not found, "result.json does not validate:\n" + "\n".join(found[:20])


def downgrade_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """The document an earlier Sightline (schema version 1) would have written for the same table."""
    old = copy.deepcopy(doc)
    old["schemaVersion"] = 1
    for key in ("semantics", "goal"):
        old.pop(key, None)
    old["narrative"].pop("answer", None)
    kept = [i for i in old["insights"] if i["type"] not in V2_ONLY_TYPES]
    for ins in kept:
        ins.pop("goalMatch", None)
        ins["evidence"] = {k: ins["evidence"][k] for k in V1_EVIDENCE}
    ids = {i["id"] for i in kept}
    old["insights"] = kept
    old["charts"] = [
        c
        for c in old["charts"]
        if c["kind"] not in V2_ONLY_KINDS and (c["insightId"] is None or c["insightId"] in ids)
    ]
    charts = {c["id"] for c in old["charts"]}
    for ins in kept:
        if ins["chartId"] not in charts:
            ins["chartId"] = None
    texts = old["narrative"].get("insightTexts", [])
    old["narrative"]["insightTexts"] = [t for t in texts if t["insightId"] in ids]
    for kpi in old["kpis"]:
        kpi.pop("measure", None)
        if kpi.get("column") is None:
            kpi.pop("column", None)
    return old
