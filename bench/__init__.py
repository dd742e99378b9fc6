"""Sightline benchmarks: scripts that print measured figures and ratios (`python -m bench`).

Nothing imports this package; it imports `engine` (and `api` inside the processes
it starts) and never `tests`.
"""
