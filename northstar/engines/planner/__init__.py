"""Northstar's planner: an optimal roadmap under capacity, budget, dependencies and strategy, with proof.

Pure engine (no Django, no I/O): frozen dataclasses in (`Problem`), frozen dataclasses out (`Plan`).
"""

from .checker import check_plan, plan_value
from .diagnose import diagnose_infeasibility
from .frontier import compare_plans, efficient_frontier
from .greedy import greedy_plan
from .model import (
    Budget,
    Bundle,
    Exclusive,
    Guardrail,
    Item,
    Period,
    Pin,
    PlannerInputError,
    Precedence,
    Problem,
    Requires,
    SolveOptions,
    Team,
)
from .results import Assignment, Conflict, FrontierPoint, Move, Plan, PlanComparison, Usage, Violation
from .solve import solve

__all__ = [
    "Assignment",
    "Budget",
    "Bundle",
    "Conflict",
    "Exclusive",
    "FrontierPoint",
    "Guardrail",
    "Item",
    "Move",
    "Period",
    "Pin",
    "Plan",
    "PlanComparison",
    "PlannerInputError",
    "Precedence",
    "Problem",
    "Requires",
    "SolveOptions",
    "Team",
    "Usage",
    "Violation",
    "check_plan",
    "compare_plans",
    "diagnose_infeasibility",
    "efficient_frontier",
    "greedy_plan",
    "plan_value",
    "solve",
]
