"""Sightline's HTTP API (Flask). Thin: validates input, calls the engine."""

from api.app import create_app

__all__ = ["create_app"]
