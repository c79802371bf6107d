"""Figures tests report about themselves (inputs tried, faults injected, what got through),
printed at the end of the session by `tests/conftest.py`."""

from __future__ import annotations

FIGURES: dict[str, int] = {}


def record(name: str, value: int) -> None:
    """Add `value` to the figure `name` (tests that run several times add up)."""
    FIGURES[name] = FIGURES.get(name, 0) + value
