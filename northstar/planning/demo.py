"""Roadmap demo data (capacities, budgets, scenarios, a published baseline and a current plan)."""

from __future__ import annotations


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    return {}
