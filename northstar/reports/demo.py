"""The demo company's reports records."""

from __future__ import annotations


def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add the demo records for this area (idempotent); returns {kind: number added}."""
    return {}
