"""The API app plus one constant-JSON route: bench_status's baseline on the same server.

`gunicorn -c python:api.gunicorn_conf bench.status_app:app` serves everything the
API serves and GET /bench/constant, which answers a fixed body shaped like a job
status (same fields, same JSON encoder) without touching Redis. The difference
between the two endpoints is then the status lookup itself.
"""

from __future__ import annotations

from flask import Response, jsonify

from api import create_app

CONSTANT_PATH = "/bench/constant"

_BODY = {
    "jobId": "job_benchconstant000",
    "status": "completed",
    "progress": 1.0,
    "stage": None,
    "resultUrl": "file:///tmp/results/job_benchconstant000/result.json",
    "error": None,
    "errorMessage": None,
    "createdAt": "2026-01-01T00:00:00.000Z",
    "updatedAt": "2026-01-01T00:00:00.100Z",
    "cancelledAt": None,
    "timeoutAt": "2026-01-01T00:10:00.000Z",
    "startedAt": "2026-01-01T00:00:00.010Z",
    "finishedAt": "2026-01-01T00:00:00.100Z",
    "fileName": "sales_demo.csv",
}


def constant() -> Response:
    """A job-status-shaped body that never changes."""
    return jsonify(_BODY)


app = create_app()
app.add_url_rule(CONSTANT_PATH, "bench_constant", constant, methods=["GET"])
