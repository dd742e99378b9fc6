"""The Flask app factory: defaults, then settings, then test overrides."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api import auth, errors, extensions, openapi
from api.blueprints import health, jobs, metrics, uploads
from engine.config import Settings, get_settings
from engine.logs import setup_logging

# Multipart framing around the file itself; the file limit is MAX_UPLOAD_MB.
_MULTIPART_SLACK_BYTES = 64 * 1024


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Build the API app. `test_config` overrides Flask config keys."""
    settings = settings or get_settings()
    setup_logging(settings)
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + _MULTIPART_SLACK_BYTES,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    extensions.init_app(app, settings)
    errors.init_app(app)
    auth.init_app(app)
    for blueprint in (uploads.bp, jobs.bp, health.bp, metrics.bp, openapi.bp):
        app.register_blueprint(blueprint)
    return app
