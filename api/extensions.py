"""The engine context shared by every request of one app."""

from __future__ import annotations

from flask import Flask, current_app

from engine.config import Settings
from engine.context import EngineContext

_KEY = "sightline.engine"


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions[_KEY] = EngineContext.create(settings)


def engine() -> EngineContext:
    """The current app's engine context."""
    ctx: EngineContext = current_app.extensions[_KEY]
    return ctx
