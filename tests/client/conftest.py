"""Result documents written by the real engine, shared by the client's model and view tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from engine.analysis import analyze
from tests.engine.analysis.corpus.generators import tickets
from tests.support.results import downgrade_to_v1

TICKET_GOAL = "resolution time by agent"


@pytest.fixture(scope="session")
def engine_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Ticket-table results: without a goal, with one, with one that names nothing; and a v1 one."""
    path = tmp_path_factory.mktemp("client_docs") / "tickets.csv"
    tickets(n=900).write_csv(path)
    docs = {
        "plain": analyze(path, job_id="job_clienttest00001"),
        "goal": analyze(path, job_id="job_clienttest00002", goal=TICKET_GOAL),
        "nothing": analyze(path, goal="weather on mars"),
        "sales": analyze(Path(__file__).resolve().parents[2] / "dev-samples" / "sales_demo.csv"),
    }
    docs["v1"] = downgrade_to_v1(docs["goal"])
    return docs


@pytest.fixture
def docs(engine_docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A copy a test may change."""
    return copy.deepcopy(engine_docs)
