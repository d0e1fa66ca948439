"""What the planner answers: a plan with its proof of quality, and the explanations around it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PlanStatus = Literal["optimal", "feasible", "infeasible", "no_solution", "heuristic"]


@dataclass(frozen=True)
class Assignment:
    """One selected item: who does it and when (start and end periods inclusive)."""

    item: str
    team: str | None
    start: str
    end: str


@dataclass(frozen=True)
class Usage:
    """How full one capacity cell, budget or guardrail is in a plan."""

    kind: Literal["capacity", "budget"]
    key: str
    used: float
    available: float

    @property
    def share(self) -> float:
        return self.used / self.available if self.available > 0 else 0.0


@dataclass(frozen=True)
class Violation:
    """A rule a plan breaks, found by the independent checker."""

    kind: str
    message: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """Why a problem has no plan at all: the items and constraints that cannot hold together."""

    kind: str
    message: str
    items: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A roadmap with its proof of quality.

    `best_bound` is the solver's proven upper bound on any plan's value, so `gap` = (bound - value) /
    bound says how far from optimal this plan can be at most (0 = proven optimal).
    """

    status: PlanStatus
    assignments: tuple[Assignment, ...] = ()
    value: float = 0.0
    best_bound: float = 0.0
    gap: float = 0.0
    utilisation: tuple[Usage, ...] = ()
    binding: tuple[str, ...] = ()
    exclusion_reasons: Mapping[str, str] = field(default_factory=dict)
    delivered_bundles: tuple[str, ...] = ()
    diagnosis: tuple[Conflict, ...] = ()
    violations: tuple[Violation, ...] = ()
    seconds: float = 0.0
    method: str = ""
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def selected(self) -> frozenset[str]:
        return frozenset(a.item for a in self.assignments)

    def assignment_of(self, item: str) -> Assignment | None:
        for a in self.assignments:
            if a.item == item:
                return a
        return None


@dataclass(frozen=True)
class FrontierPoint:
    """Best value reachable at one budget level, with its proof."""

    budget: float
    value: float
    best_bound: float
    gap: float
    plan: Plan


@dataclass(frozen=True)
class Move:
    """An item kept in both plans but scheduled differently."""

    item: str
    before: Assignment
    after: Assignment


@dataclass(frozen=True)
class PlanComparison:
    """What changes from plan `a` to plan `b`."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    moved: tuple[Move, ...]
    value_delta: float
    utilisation_delta: Mapping[str, float]
