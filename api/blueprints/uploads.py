"""POST /api/upload: a multipart `file`, or JSON `{"fileUrl", "filename"}`."""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request

from api.auth import check_upload_rate, current_owner
from api.errors import ApiError
from api.extensions import engine
from engine.download import check_url
from engine.errors import DownloadError, ErrorCode, GoalError, StorageError
from engine.jobs import new_job_id, queue
from engine.jobs.goal import clean_goal
from engine.storage import safe_file_name

log = logging.getLogger("sightline.api")
bp = Blueprint("uploads", __name__, url_prefix="/api")

SUPPORTED_SUFFIXES = (
    ".csv",
    ".tsv",
    ".tab",
    ".txt",
    ".xlsx",
    ".xlsm",
    ".json",
    ".jsonl",
    ".ndjson",
    ".parquet",
)


@bp.post("/upload")
def upload() -> tuple[Response, int]:
    """Store the table, create the job, queue it; answers at once.

    An optional `goal` (a form field, or a key of the JSON body) is stored on the job.
    """
    check_upload_rate()
    if request.files:
        return _from_file()
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and body.get("fileUrl"):
        return _from_url(body)
    raise ApiError(
        400,
        "missing_file",
        'Send the table as multipart form field \'file\', or JSON {"fileUrl": ..., "filename": ...}',
    )


def _from_file() -> tuple[Response, int]:
    storage = request.files.get("file")
    if storage is None:
        fields = ", ".join(sorted(request.files))
        raise ApiError(400, "missing_file", f"The form has no 'file' field (found: {fields})")
    name = _checked_name(storage.filename)
    goal = _checked_goal(request.form.get("goal"))
    ctx = engine()
    job_id = new_job_id()
    try:
        ctx.blobs.save_upload(job_id, name, storage.stream)
    except StorageError as exc:
        return _storage_failed(job_id, name, exc, goal=goal)
    return _submit(job_id, name, goal=goal)


def _from_url(body: dict[str, Any]) -> tuple[Response, int]:
    url = str(body["fileUrl"])
    goal = _checked_goal(body.get("goal"))  # before the URL's DNS lookup: the cheap refusal first
    try:
        check_url(url, engine().settings)
    except DownloadError as exc:
        raise ApiError(400, "invalid_url", exc.message) from exc
    name = _checked_name(body.get("filename") or PurePosixPath(urlsplit(url).path).name or "download.csv")
    return _submit(new_job_id(), name, sourceUrl=url, goal=goal)


def _checked_name(raw: str | None) -> str:
    name = safe_file_name(raw)
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise ApiError(
            415,
            "unsupported_file_type",
            f"{name!r} is not a supported table file; use one of {', '.join(SUPPORTED_SUFFIXES)}",
        )
    return name


def _checked_goal(raw: object) -> str | None:
    try:
        return clean_goal(raw)
    except GoalError as exc:
        raise ApiError(400, "invalid_goal", exc.message) from exc


def _submit(job_id: str, name: str, **extra: Any) -> tuple[Response, int]:
    ctx = engine()
    ctx.store.create(job_id, file_name=name, owner=current_owner(), **extra)
    queue.enqueue(ctx.redis, ctx.settings, job_id)
    response = jsonify({"jobId": job_id, "status": "submitted"})
    response.headers["Location"] = f"/api/job-status/{job_id}"
    return response, 202


def _storage_failed(job_id: str, name: str, exc: StorageError, **extra: Any) -> tuple[Response, int]:
    ctx = engine()
    ctx.store.create(job_id, file_name=name, owner=current_owner(), **extra)
    ctx.lifecycle.fail(job_id, ErrorCode.BLOB_UPLOAD_FAILED, exc.message)
    log.error("Upload of %s for job %s failed: %s", name, job_id, exc.message)
    body = {
        "jobId": job_id,
        "status": "failed",
        "error": ErrorCode.BLOB_UPLOAD_FAILED.value,
        "message": exc.message,
    }
    return jsonify(body), 503
