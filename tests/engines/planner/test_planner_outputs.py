"""Explanations and trade-off views: reasons, utilisation, frontier, comparison, determinism."""

from __future__ import annotations

import dataclasses

from northstar.engines.planner import Budget, compare_plans, efficient_frontier, solve

from ._factories import FAST, item, problem


def test_exclusion_reason_names_capacity_and_rival() -> None:
    p = problem([item("Big", 10, 8), item("Small", 3, 8)], cap=10)
    plan = solve(p, FAST)
    assert plan.selected == {"Big"}
    reason = plan.exclusion_reasons["Small"]
    assert "lower value than Big" in reason and "capacity of team T (dev) in Q1" in reason, reason


def test_requires_reason_and_utilisation() -> None:
    from northstar.engines.planner import Requires

    p = problem([item("Base", 1, 20), item("Top", 5, 1)], cap=10, requires=(Requires("Top", "Base"),))
    plan = solve(p, FAST)
    assert plan.selected == frozenset()
    assert plan.exclusion_reasons["Top"].startswith("requires Base")
    assert plan.utilisation[0].used == 0 and plan.utilisation[0].available == 10


def test_frontier_is_monotone_and_proven() -> None:
    items = [item(f"I{k}", 3 + k, 0, cost=2 + k) for k in range(6)]
    p = problem(items)
    points = efficient_frontier(p, [0, 5, 10, 20, 100], FAST)
    values = [pt.value for pt in points]
    assert values == sorted(values)
    assert values[0] == 0 and values[-1] == sum(3 + k for k in range(6))
    assert all(pt.gap == 0 for pt in points)


def test_compare_plans() -> None:
    items = [item("A", 5, 0, cost=5), item("B", 4, 0, cost=4), item("C", 3, 0, cost=3)]
    small = solve(problem(items, budgets=(Budget(5),)), FAST)
    large = solve(problem(items, budgets=(Budget(9),)), FAST)
    diff = compare_plans(small, large)
    assert diff.value_delta == large.value - small.value == 4
    assert set(diff.added) == {"B"} and diff.removed == ()
    assert any(v == 4 for v in diff.utilisation_delta.values())


def test_same_input_same_plan() -> None:
    items = [item(f"I{k}", (k * 7) % 11 + 1, (k * 5) % 7 + 1) for k in range(25)]
    p = problem(items, n_periods=3, cap=9)
    a, b = solve(p, FAST), solve(dataclasses.replace(p), FAST)
    assert a.assignments == b.assignments and a.value == b.value
