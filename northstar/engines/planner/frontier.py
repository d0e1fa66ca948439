"""Trade-off views: best value per budget level, and what changes between two plans."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .model import Budget, Problem, SolveOptions
from .results import FrontierPoint, Move, Plan, PlanComparison
from .solve import solve


def efficient_frontier(
    problem: Problem, budget_levels: Sequence[float], options: SolveOptions | None = None
) -> list[FrontierPoint]:
    """Solve once per level with an extra portfolio-wide budget of that amount (on top of the others).

    Each point carries its own proven bound, so the curve shows both what was found and what is possible.
    """
    points = []
    for level in budget_levels:
        capped = dataclasses.replace(
            problem, budgets=(*problem.budgets, Budget(amount=float(level), id=f"frontier budget {level:g}"))
        )
        plan = solve(capped, options)
        points.append(FrontierPoint(float(level), plan.value, plan.best_bound, plan.gap, plan))
    return points


def compare_plans(a: Plan, b: Plan) -> PlanComparison:
    """Items added, removed and moved from `a` to `b`, the value change and utilisation change per cell."""
    before = {x.item: x for x in a.assignments}
    after = {x.item: x for x in b.assignments}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    moved = tuple(
        Move(x, before[x], after[x]) for x in sorted(before.keys() & after.keys()) if before[x] != after[x]
    )
    used_a = {(u.kind, u.key): u.used for u in a.utilisation}
    used_b = {(u.kind, u.key): u.used for u in b.utilisation}
    delta = {
        f"{kind}: {key}": used_b.get((kind, key), 0.0) - used_a.get((kind, key), 0.0)
        for kind, key in sorted(used_a.keys() | used_b.keys())
    }
    return PlanComparison(added, removed, moved, b.value - a.value, {k: v for k, v in delta.items() if v})
