"""Job status, cancel, recent jobs, and a job's document over HTTP."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from api.auth import current_owner, may_see
from api.errors import ApiError, not_found
from api.extensions import engine
from engine.constants import ERROR_DOC, RESULT_DOC
from engine.jobs import JobStatus, is_valid_job_id, public_view, queue
from engine.jobs.store import JobRecord

bp = Blueprint("jobs", __name__, url_prefix="/api")

MAX_LIST = 200


def _load(job_id: str, *, for_reading: bool = False) -> JobRecord:
    """The job's record; `for_reading`: as readers see it (ended only once its document is in place)."""
    if not is_valid_job_id(job_id):
        raise not_found(job_id)
    ctx = engine()
    record = ctx.reader.status(job_id) if for_reading else ctx.store.get(job_id)
    if record is None or not may_see(record):
        raise not_found(job_id)
    return record


@bp.get("/job-status/<path:job_id>")
def job_status(job_id: str) -> Response:
    return jsonify(public_view(_load(job_id, for_reading=True)))


@bp.post("/cancel")
def cancel() -> tuple[Response, int]:
    """Cancel by `?jobId=` or JSON `{"jobId"}`: the card's three answers."""
    body = request.get_json(silent=True) if request.is_json else None
    job_id = request.args.get("jobId") or (body.get("jobId") if isinstance(body, dict) else None)
    if not job_id or not isinstance(job_id, str):
        raise ApiError(400, "missing_job_id", 'Give the job id as ?jobId=... or JSON {"jobId": ...}')
    record = _load(job_id)
    ctx = engine()
    won, found = ctx.lifecycle.cancel(job_id)
    if won and found is not None:
        if found.get("startedAt"):
            queue.stop_running(ctx.redis, job_id)
        return jsonify({"jobId": job_id, "status": "cancelled", "cancelledAt": found["cancelledAt"]}), 200
    current = found or record
    status = current["status"]
    if status == JobStatus.CANCELLED.value:
        body_out = {
            "jobId": job_id,
            "status": "cancelled",
            "message": "Job was already cancelled",
            "cancelledAt": current.get("cancelledAt"),
        }
        return jsonify(body_out), 200
    conflict = {"error": f"Cannot cancel job with status '{status}'", "jobId": job_id, "status": status}
    return jsonify(conflict), 409


@bp.get("/jobs")
def recent_jobs() -> Response:
    try:
        limit = max(1, min(int(request.args.get("limit", 20)), MAX_LIST))
    except ValueError as exc:
        raise ApiError(400, "invalid_limit", "limit must be a whole number") from exc
    records = engine().reader.recent(limit, owner=current_owner())
    return jsonify({"jobs": [public_view(r) for r in records]})


@bp.get("/jobs/<path:job_id>/result")
def job_document(job_id: str) -> Response:
    """result.json of a completed job, error.json of a failed or cancelled one."""
    record = _load(job_id, for_reading=True)  # an ended job is sealed before it is shown as ended
    status = record["status"]
    if status in (JobStatus.SUBMITTED.value, JobStatus.PROCESSING.value):
        raise ApiError(409, "not_finished", f"Job {job_id} is still {status}", status=status)
    name = RESULT_DOC if status == JobStatus.COMPLETED.value else ERROR_DOC
    doc: dict[str, Any] | None = engine().blobs.read_doc(job_id, name)
    if doc is None:
        raise ApiError(404, "document_missing", f"{name} of job {job_id} is not in storage", status=status)
    return jsonify(doc)
