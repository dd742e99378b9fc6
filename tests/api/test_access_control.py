"""Opt-in API keys: jobs belong to their key; others see 404; uploads are rate limited."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.support.stack import Stack

ALICE, BOB = "key-alice-0123456789", "key-bob-9876543210"


def test_keys_own_their_jobs_and_uploads_are_rate_limited(make_stack: object, sales_demo: Path) -> None:
    live: Stack = make_stack(  # type: ignore[operator]
        env={"API_KEYS": f"{ALICE},{BOB}", "RATE_LIMIT_UPLOADS_PER_MINUTE": "3"}, workers=1
    )
    api = live.api_url
    files = {"file": ("s.csv", sales_demo.read_bytes())}
    anonymous = requests.post(f"{api}/api/upload", files=files, timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    wrong = requests.get(f"{api}/api/jobs", headers={"X-API-Key": "nope"}, timeout=10)
    assert wrong.status_code == 401
    assert requests.get(f"{api}/api/health", timeout=10).status_code == 200, "health stays open"

    alice = {"X-API-Key": ALICE}
    bob = {"Authorization": f"Bearer {BOB}"}
    job_id = requests.post(f"{api}/api/upload", files=files, headers=alice, timeout=10).json()["jobId"]
    assert requests.get(f"{api}/api/job-status/{job_id}", headers=alice, timeout=10).status_code == 200
    for method, url in [
        ("GET", f"{api}/api/job-status/{job_id}"),
        ("GET", f"{api}/api/jobs/{job_id}/result"),
        ("POST", f"{api}/api/cancel?jobId={job_id}"),
    ]:
        response = requests.request(method, url, headers=bob, timeout=10)
        assert response.status_code == 404, url
    assert requests.get(f"{api}/api/jobs", headers=bob, timeout=10).json()["jobs"] == []
    assert [
        j["jobId"] for j in requests.get(f"{api}/api/jobs", headers=alice, timeout=10).json()["jobs"]
    ] == [job_id]
    record = live.redis.get(f"job:{job_id}")
    assert record is not None and ALICE.encode() not in record, "the key itself is never stored"

    codes = [requests.post(f"{api}/api/upload", files=files, headers=alice, timeout=10) for _ in range(3)]
    limited = codes[-1]
    assert [c.status_code for c in codes] == [202, 202, 429]
    assert limited.json()["error"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    assert requests.post(f"{api}/api/upload", files=files, headers=bob, timeout=10).status_code == 202
