"""Friction as reach: the people a linked friction issue hurt count toward an initiative's RICE reach,
beside the customers asking for it in feedback.

Duck-typed to the scoring engine's `ReachSource` (`resolve()`, `describe()`), so prioritisation takes it
like any other reach without knowing where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class _Source(Protocol):
    def resolve(self) -> float | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class FrictionReach:
    """Reach = the other evidence's reach (customers asking; None when there is none) + `people`, the
    people hurt by the `issues` friction issues linked to the initiative (each counted as linked:
    someone hit by two linked issues counts twice, an upper bound the description says)."""

    people: int
    issues: int
    evidence: _Source | None = None

    def __post_init__(self) -> None:
        if self.people < 0 or self.issues < 0:
            raise ValueError("people and issues cannot be negative")

    def resolve(self) -> float | None:
        base = self.evidence.resolve() if self.evidence is not None else None
        if base is None and not self.issues:
            return None
        return float(base or 0.0) + float(self.people)

    def describe(self) -> str:
        hurt = f"{self.people:,} people hit {self.issues} friction issue{'s' if self.issues != 1 else ''}"
        if self.evidence is None or self.evidence.resolve() is None:
            return hurt
        return f"{self.evidence.describe()}; {hurt}"
