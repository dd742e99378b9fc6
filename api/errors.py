"""Every error leaves the API as JSON: `{"error": code, "message": text}`."""

from __future__ import annotations

import logging
from typing import Any

import redis
from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import StorageError

log = logging.getLogger("sightline.api")


class ApiError(Exception):
    """An error answer with a status code, a short code and a human message."""

    def __init__(
        self,
        http_status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.headers = headers or {}
        self.code = code
        self.message = message
        self.extra = extra


def not_found(job_id: str) -> ApiError:
    shown = job_id if len(job_id) <= 80 else job_id[:80] + "..."
    return ApiError(404, "not_found", f"No job with id {shown!r}")


def _answer(status: int, body: dict[str, Any]) -> tuple[Response, int]:
    return jsonify(body), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        response, status = _answer(exc.http_status, {"error": exc.code, "message": exc.message, **exc.extra})
        response.headers.update(exc.headers)
        return response, status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            code = "file_too_large"
            limit = current_app.extensions["sightline.engine"].settings.max_upload_mb
            message = f"The upload is larger than MAX_UPLOAD_MB ({limit:g} MB)"
        response, status = _answer(status, {"error": code, "message": message})
        for name, value in exc.get_headers():  # e.g. `Allow` on 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(redis.RedisError)
    def _redis_down(exc: redis.RedisError) -> tuple[Response, int]:
        log.error("Redis unavailable: %s", exc)
        return _answer(503, {"error": "redis_unavailable", "message": "The job store (Redis) is unavailable"})

    @app.errorhandler(StorageError)
    def _storage_down(exc: StorageError) -> tuple[Response, int]:
        log.error("Storage unavailable: %s", exc.message)
        return _answer(503, {"error": "storage_unavailable", "message": exc.message})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("Unhandled error")
        return _answer(500, {"error": "internal_error", "message": "Unexpected server error"})
