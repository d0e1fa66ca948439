"""Prioritisation demo data (scores, estimates, dependencies, decisions), loaded after the portfolio."""

from __future__ import annotations


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    return {}
