"""Demo data of the feedback area, loaded after the org and the portfolio (see northstar.demo)."""

from __future__ import annotations


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    return {}
