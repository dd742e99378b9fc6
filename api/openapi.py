"""The OpenAPI 3.0 document of the API, served at /api/openapi.json.

Kept beside the blueprints and checked against the live server by schemathesis
in the test suite (no 500s, every answer matches this document).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from engine.jobs.goal import MAX_GOAL_CHARS

bp = Blueprint("openapi", __name__, url_prefix="/api")

_NULLABLE_STR = {"type": "string", "nullable": True}
_TIME = {"type": "string", "nullable": True, "description": "ISO 8601, UTC"}
_GOAL = {
    "type": "string",
    "nullable": True,
    "maxLength": MAX_GOAL_CHARS,
    "description": f"What the analyst asks of the table (free text, at most {MAX_GOAL_CHARS} characters); "
    "findings about what it names are ranked first. Data, never instructions.",
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
    "Submitted": {
        "type": "object",
        "required": ["jobId", "status"],
        "properties": {"jobId": {"type": "string"}, "status": {"type": "string", "enum": ["submitted"]}},
    },
    "UploadFailed": {
        "type": "object",
        "required": ["jobId", "status", "error", "message"],
        "properties": {
            "jobId": {"type": "string"},
            "status": {"type": "string", "enum": ["failed"]},
            "error": {"type": "string", "enum": ["blob_upload_failed"]},
            "message": {"type": "string"},
        },
    },
    "JobStatus": {
        "type": "object",
        "required": ["jobId", "status", "progress", "createdAt", "updatedAt", "timeoutAt"],
        "properties": {
            "jobId": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["submitted", "processing", "completed", "failed", "cancelled"],
            },
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "stage": {
                "type": "string",
                "nullable": True,
                "enum": ["queued", "parsing", "profiling", "insights", "narrative", "saving", None],
            },
            "resultUrl": _NULLABLE_STR,
            "error": {
                "type": "string",
                "nullable": True,
                "enum": ["timeout", "processing_error", "blob_upload_failed", "worker_shutdown", None],
            },
            "errorMessage": _NULLABLE_STR,
            "createdAt": _TIME,
            "updatedAt": _TIME,
            "cancelledAt": _TIME,
            "timeoutAt": _TIME,
            "startedAt": _TIME,
            "finishedAt": _TIME,
            "fileName": _NULLABLE_STR,
            "goal": _GOAL,
        },
    },
    "Cancelled": {
        "type": "object",
        "required": ["jobId", "status", "cancelledAt"],
        "properties": {
            "jobId": {"type": "string"},
            "status": {"type": "string", "enum": ["cancelled"]},
            "cancelledAt": _TIME,
            "message": {"type": "string"},
        },
    },
    "CannotCancel": {
        "type": "object",
        "required": ["error", "jobId", "status"],
        "properties": {
            "error": {"type": "string"},
            "jobId": {"type": "string"},
            "status": {"type": "string"},
        },
    },
    "JobList": {
        "type": "object",
        "required": ["jobs"],
        "properties": {"jobs": {"type": "array", "items": {"$ref": "#/components/schemas/JobStatus"}}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "redis"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "degraded", "down"]},
            "redis": {"type": "boolean"},
            "workers": {"type": "integer"},
            "queueLength": {"type": "integer", "nullable": True},
            "llmCircuit": {"type": "object"},
            "storage": {
                "type": "object",
                "required": ["backend", "url", "reachable"],
                "properties": {
                    "backend": {"type": "string", "enum": ["file", "s3"]},
                    "url": {"type": "string"},
                    "reachable": {"type": "boolean"},
                    "message": {"type": "string"},
                },
            },
            "message": {"type": "string"},
        },
    },
}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _answer(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, **_json(ref)}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _answer("Error", "Error") for code in codes}


_JOB_ID = {"name": "jobId", "in": "path", "required": True, "schema": {"type": "string"}}

_PATHS: dict[str, Any] = {
    "/api/upload": {
        "post": {
            "summary": "Upload a table (multipart `file`) or a URL to fetch, and an optional `goal`",
            "description": "Answers at once. A `goal` longer than "
            f"{MAX_GOAL_CHARS} characters, or not text, is refused with 400 `invalid_goal`.",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}, "goal": _GOAL},
                        }
                    },
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["fileUrl"],
                            "properties": {
                                "fileUrl": {"type": "string", "pattern": "^https?://"},
                                "filename": {"type": "string"},
                                "goal": _GOAL,
                            },
                        }
                    },
                },
            },
            "responses": {
                "202": _answer("Job created and queued", "Submitted"),
                "503": {
                    "description": "Storage or Redis failed",
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/UploadFailed"},
                                    {"$ref": "#/components/schemas/Error"},
                                ]
                            }
                        }
                    },
                },
                **_errors(400, 401, 413, 415, 429),
            },
        }
    },
    "/api/job-status/{jobId}": {
        "get": {
            "summary": "The job's status, progress and outcome",
            "parameters": [_JOB_ID],
            "responses": {"200": _answer("The job", "JobStatus"), **_errors(401, 404)},
        }
    },
    "/api/cancel": {
        "post": {
            "summary": "Cancel a job",
            "description": "The job id goes in the query (`?jobId=`) or, instead, in a JSON body `{jobId}`.",
            "parameters": [
                {
                    "name": "jobId",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1},
                }
            ],
            "responses": {
                "200": _answer("Cancelled now, or already cancelled (with `message`)", "Cancelled"),
                "409": _answer("The job already completed or failed", "CannotCancel"),
                **_errors(400, 401, 404),
            },
        }
    },
    "/api/jobs": {
        "get": {
            "summary": "Recent jobs, newest first",
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "default": 20},
                }
            ],
            "responses": {"200": _answer("Jobs", "JobList"), **_errors(400, 401)},
        }
    },
    "/api/jobs/{jobId}/result": {
        "get": {
            "summary": "result.json of a completed job, error.json of a failed or cancelled one",
            "parameters": [_JOB_ID],
            "responses": {
                "200": {
                    "description": "The document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_errors(401, 404, 409, 503),
            },
        }
    },
    "/api/health": {
        "get": {
            "summary": "Redis, workers, queue length, LLM circuit, storage backend and reachability",
            "responses": {
                "200": _answer("Up (status ok, or degraded without workers)", "Health"),
                "503": _answer("Redis or the storage is unreachable", "Health"),
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "OpenAPI 3.0",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "responses": {
                "200": {
                    "description": "Prometheus text format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Sightline API",
        "version": "1",
        "description": "Upload a table, follow the job, read its profile, insights and narrative.",
    },
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "bearer": {"type": "http", "scheme": "bearer"},
        },
    },
}


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(DOCUMENT)
