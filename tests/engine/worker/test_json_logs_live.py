"""LOG_FORMAT=json: every worker line is one JSON object, and the card's messages are kept."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.stack import Stack, poll


def test_json_logs_keep_the_cards_messages(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(  # type: ignore[operator]
        env={"LOG_FORMAT": "json", "JOB_TIMEOUT_SECONDS": "2", "SIMULATED_SLOW_PROCESSING_SECONDS": "30"},
        workers=1,
    )
    job_id = live.upload(sales_demo)
    assert live.wait_for(job_id, timeout_s=15)["error"] == "timeout"
    text = poll(live.worker_logs, lambda t: "timed out during parsing" in t, 5)
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    messages = {e["message"] for e in entries}
    assert f"Job {job_id} has timed out" in messages
    assert f"Job {job_id} timed out during parsing." in messages
