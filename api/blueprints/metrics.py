"""GET /metrics: Prometheus text, built at scrape time from Redis.

Counters (jobs created and finished by status and error, LLM calls and
fallbacks, blob retries) and the job-duration histogram come from the shared
`sightline:metrics` hash; gauges (queue length, open jobs, live workers, circuit
state) are read live.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

from flask import Blueprint, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from api.extensions import engine
from engine.constants import JOBS_ACTIVE_KEY, METRICS_KEY
from engine.jobs import queue
from engine.metrics import DURATION_BUCKETS_S
from engine.resilience.circuit import CircuitBreaker

bp = Blueprint("metrics", __name__)

CIRCUIT_STATES = {"closed": 0, "half_open": 1, "open": 2}
COUNTERS = {
    "jobs_created_total": "Jobs accepted by the API",
    "jobs_finished_total": "Jobs that reached a terminal state, by status and error code",
    "llm_calls_total": "LLM call attempts, by outcome",
    "llm_fallbacks_total": "Narratives that fell back to templates, by reason",
    "blob_retries_total": "Storage write attempts after the first, by operation",
}


def _parse(raw: dict[bytes, bytes]) -> dict[str, list[tuple[dict[str, str], float]]]:
    series: dict[str, list[tuple[dict[str, str], float]]] = defaultdict(list)
    for key, value in raw.items():
        name, *pairs = key.decode().split("|")
        labels = dict(pair.split("=", 1) for pair in pairs)
        series[name].append((labels, float(value)))
    return series


class _SightlineCollector:
    def collect(self) -> Iterator[Metric]:
        ctx = engine()
        series = _parse(cast(dict[bytes, bytes], ctx.redis.hgetall(METRICS_KEY)))
        for name, help_text in COUNTERS.items():
            samples = series.get(name, [])
            label_names = sorted({k for labels, _ in samples for k in labels})
            family = CounterMetricFamily(f"sightline_{name[: -len('_total')]}", help_text, labels=label_names)
            for labels, value in samples:
                family.add_metric([labels.get(k, "") for k in label_names], value)
            yield family
        yield from _histogram(series, "job_duration_seconds", "Upload-to-end time of jobs, by status")
        job_queue = queue.job_queue(ctx.redis)
        yield _gauge("sightline_queue_length", "Jobs waiting in rq:queue:data_jobs", job_queue.count)
        yield _gauge("sightline_jobs_open", "Jobs submitted or processing", ctx.redis.zcard(JOBS_ACTIVE_KEY))
        yield _gauge("sightline_workers", "Live workers", queue.live_workers(ctx.redis))
        state = CircuitBreaker(ctx.redis, ctx.settings).snapshot()["state"]
        yield _gauge("sightline_llm_circuit_state", "LLM circuit: 0 closed, 1 half-open, 2 open",
                     CIRCUIT_STATES.get(state, 2))  # fmt: skip


def _gauge(name: str, help_text: str, value: Any) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, value=float(value))


def _histogram(
    series: dict[str, list[tuple[dict[str, str], float]]], name: str, help_text: str
) -> Iterator[Metric]:
    family = HistogramMetricFamily(f"sightline_{name}", help_text, labels=["status"])
    by_status: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for labels, value in series.get(f"{name}_bucket", []):
        by_status[labels.get("status", "")].append((labels["le"], value))
    sums = {labels.get("status", ""): value for labels, value in series.get(f"{name}_sum", [])}
    for status, buckets in sorted(by_status.items()):
        counts = dict(buckets)
        running, cumulative = 0.0, []
        for bound in DURATION_BUCKETS_S:  # every bound, in order, summed up to it
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            running += counts.get(le, 0.0)
            cumulative.append((le, running))
        family.add_metric([status], cumulative, sum_value=sums.get(status, 0.0))
    yield family


@bp.get("/metrics")
def prometheus_metrics() -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SightlineCollector())
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4; charset=utf-8")
