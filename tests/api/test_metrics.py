"""/metrics speaks Prometheus and counts what the engine did."""

from __future__ import annotations

from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.stack import Stack, poll


def _samples(stack: Stack) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = requests.get(f"{stack.api_url}/metrics", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_metrics_count_jobs_durations_fallbacks_and_gauges(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(env={"BLOB_FAULT_FAILURES": "1", "RETRY_INITIAL_DELAY": "0.01"}, workers=1)  # type: ignore[operator]
    done = live.upload(sales_demo)
    assert live.wait_for(done)["status"] == "completed"
    samples = poll(lambda: _samples(live), lambda s: ("sightline_jobs_created_total", ()) in s, 5)
    assert samples[("sightline_jobs_created_total", ())] == 1
    assert samples[("sightline_jobs_finished_total", (("error", ""), ("status", "completed")))] == 1
    assert samples[("sightline_job_duration_seconds_count", (("status", "completed"),))] == 1
    assert samples[("sightline_job_duration_seconds_bucket", (("le", "+Inf"), ("status", "completed")))] == 1
    assert samples[("sightline_llm_fallbacks_total", (("reason", "missing_api_key"),))] == 1
    assert samples[("sightline_blob_retries_total", (("op", "upload"),))] == 1
    assert samples[("sightline_blob_retries_total", (("op", "result"),))] == 1
    assert samples[("sightline_queue_length", ())] == 0
    assert samples[("sightline_workers", ())] == 1
    assert samples[("sightline_llm_circuit_state", ())] == 0
