"""Helpers for tests: a live Sightline stack of real processes."""
