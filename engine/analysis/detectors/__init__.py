"""Detectors: one module per kind of finding; each takes the table model and returns candidates."""
