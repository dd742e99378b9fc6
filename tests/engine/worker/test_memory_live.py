"""MAX_JOB_MEMORY_MB: a job that outgrows it fails with processing_error; the worker and other jobs go on."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.support.stack import Stack


def _big_csv(path: Path, rows: int = 600_000) -> Path:
    """~26 MB of orders: its analysis needs well over 100 MB."""
    rng = random.Random(1)
    with path.open("w") as out:
        out.write("date,region,product,units,price,revenue,note\n")
        for i in range(rows):
            out.write(
                f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},R{i % 7},P{i % 300},{i % 50},"
                f"{(i % 977) / 7:.2f},{(i % 1234) * 1.5:.2f},n{rng.random():.6f}\n"
            )
    return path


@pytest.mark.slow
def test_a_job_over_the_memory_cap_fails_and_the_worker_lives_on(
    make_stack: object, sales_demo: Path, tmp_path: Path
) -> None:
    live: Stack = make_stack(env={"MAX_JOB_MEMORY_MB": "100"}, workers=2)  # type: ignore[operator]
    big = _big_csv(tmp_path / "big.csv")
    size_text = f"{big.stat().st_size / 1024 / 1024:.1f} MB"
    heavy = live.upload(big)
    light = live.upload(sales_demo)  # runs on the other worker meanwhile
    final = live.wait_for(heavy, timeout_s=120)
    assert final["status"] == "failed" and final["error"] == "processing_error", final
    message = final["errorMessage"]
    assert "MAX_JOB_MEMORY_MB=100" in message and size_text in message, message
    assert live.wait_for(light, timeout_s=60)["status"] == "completed"
    assert all(worker.poll() is None for worker in live.workers), "both workers are alive"
    after = [live.upload(sales_demo) for _ in range(4)]  # both workers take jobs again
    assert [live.wait_for(j, timeout_s=60)["status"] for j in after] == ["completed"] * 4
    assert (live.results_dir / heavy / "error.json").exists()
