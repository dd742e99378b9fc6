"""POST /api/upload: a multipart `file`, or JSON `{"fileUrl", "filename"}`."""

from __future__ import annotations

import contextlib
import logging
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.multipart import File

from api.auth import check_upload_rate, current_owner
from api.errors import ApiError
from api.extensions import engine
from api.form_stream import FormError, FormStream
from engine.download import check_url
from engine.errors import DownloadError, ErrorCode, GoalError, StorageError
from engine.jobs import new_job_id, queue
from engine.jobs.goal import clean_goal
from engine.storage import inline as inline_inputs
from engine.storage import safe_file_name
from engine.storage.inline import SmallCopy, keeps_inline
from engine.storage.stream import SourceError

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


_NO_FILE = 'Send the table as multipart form field \'file\', or JSON {"fileUrl": ..., "filename": ...}'


@bp.post("/upload")
def upload() -> tuple[Response, int]:
    """Store the table, create the job, queue it; answers once the file is stored.

    An optional `goal` (a form field, or a key of the JSON body) is stored on the job.
    """
    check_upload_rate()
    if request.mimetype == "multipart/form-data":
        return _from_form()
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and body.get("fileUrl"):
        return _from_url(body)
    raise ApiError(400, "missing_file", _NO_FILE)


def _from_form() -> tuple[Response, int]:
    """Stream the form's `file` part into storage as it arrives (never whole in memory).

    A `goal` field sent before the file is checked before anything is stored; one
    sent after it is checked once the body is read, and the stored file removed if
    the goal is refused.
    """
    boundary = request.mimetype_params.get("boundary")
    if not boundary:
        raise ApiError(400, "missing_file", _NO_FILE)
    form = FormStream(request.stream, boundary, current_app.config["MAX_FORM_MEMORY_SIZE"])
    try:
        part = _file_part(form)
        name = _checked_name(part.filename)
        _checked_goal(form.fields.get("goal"))
        job_id = new_job_id()
        ctx = engine()
        copy = SmallCopy(form.file_stream(), ctx.settings.inline_upload_bytes)
        try:
            ctx.blobs.save_upload(job_id, name, copy)
        except StorageError as exc:
            _drain_quietly(form)
            return _storage_failed(job_id, name, exc, goal=_goal_or_none(form))
        form.drain()
    except ApiError:
        _drain_quietly(form)
        raise
    except (FormError, SourceError) as exc:
        raise ApiError(400, "invalid_form", f"The upload could not be read: {exc}") from exc
    try:
        goal = _checked_goal(form.fields.get("goal"))
    except ApiError:
        engine().blobs.delete_job(job_id)
        raise
    return _submit(job_id, name, goal=goal, inline=copy.data)


def _goal_or_none(form: FormStream) -> str | None:
    """The form's goal if it is a valid one (the job is failing anyway)."""
    try:
        return clean_goal(form.fields.get("goal"))
    except GoalError:
        return None


def _file_part(form: FormStream) -> File:
    """The form's first `file` part, positioned at its data."""
    others: list[str] = []
    while (part := form.next_file()) is not None:
        if part.name == "file":
            return part
        others.append(part.name)
        form.skip_part()
    if others:
        found = ", ".join(sorted(others))
        raise ApiError(400, "missing_file", f"The form has no 'file' field (found: {found})")
    raise ApiError(400, "missing_file", _NO_FILE)


def _drain_quietly(form: FormStream) -> None:
    """Read the rest of the body before an error answer, so the client sees the answer."""
    with contextlib.suppress(FormError, HTTPException, OSError):
        form.drain()


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


def _submit(job_id: str, name: str, *, inline: bytes | None = None, **extra: Any) -> tuple[Response, int]:
    """Create the job and queue it; `inline`: the upload's bytes, when small enough to keep in Redis too."""
    ctx = engine()
    if inline is not None and keeps_inline(ctx.settings, ctx.blobs.backend):
        inline_inputs.keep(ctx.redis, ctx.settings, job_id, inline)
    ctx.store.create(job_id, file_name=name, owner=current_owner(), **extra)
    queue.enqueue(ctx.redis, ctx.settings, job_id)
    response = jsonify({"jobId": job_id, "status": "submitted"})
    response.headers["Location"] = f"/api/job-status/{job_id}"
    return response, 202


def _storage_failed(job_id: str, name: str, exc: StorageError, **extra: Any) -> tuple[Response, int]:
    ctx = engine()
    ctx.store.create(job_id, file_name=name, owner=current_owner(), **extra)
    ctx.lifecycle.fail(job_id, ErrorCode.BLOB_UPLOAD_FAILED, exc.message, token=None)  # nobody holds it yet
    log.error("Upload of %s for job %s failed: %s", name, job_id, exc.message)
    body = {
        "jobId": job_id,
        "status": "failed",
        "error": ErrorCode.BLOB_UPLOAD_FAILED.value,
        "message": exc.message,
    }
    return jsonify(body), 503
