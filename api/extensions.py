"""The engine context shared by every request of one app."""

from __future__ import annotations

from flask import Flask, current_app

from engine import metrics
from engine.config import Settings
from engine.context import EngineContext

_KEY = "sightline.engine"


def init_app(app: Flask, settings: Settings) -> None:
    ctx = EngineContext.create(settings)
    app.extensions[_KEY] = ctx
    if settings.redis_url:
        metrics.bind(ctx.redis)


def engine() -> EngineContext:
    """The current app's engine context."""
    ctx: EngineContext = current_app.extensions[_KEY]
    return ctx
