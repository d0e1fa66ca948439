"""Infeasible and invalid inputs get a diagnosis naming items and constraints, never a bare 'infeasible'."""

from __future__ import annotations

import pytest

from northstar.engines.planner import (
    Budget,
    Exclusive,
    Item,
    Pin,
    PlannerInputError,
    Precedence,
    Requires,
    diagnose_infeasibility,
    solve,
)

from ._factories import FAST, item, problem


def _conflicts(p):
    plan = solve(p, FAST)
    assert plan.status == "infeasible"
    assert plan.diagnosis
    return plan.diagnosis


def test_precedence_cycle_is_named() -> None:
    p = problem(
        [item("A", 1), item("B", 1), item("C", 1)],
        n_periods=3,
        precedences=(Precedence("A", "B"), Precedence("B", "C"), Precedence("C", "A")),
    )
    (c,) = _conflicts(p)
    assert c.kind == "cycle" and set(c.items) == {"A", "B", "C"}
    assert (
        "A -> B -> C -> A" in c.message or "B -> C -> A -> B" in c.message or "C -> A -> B -> C" in c.message
    )


def test_mandatory_too_big_for_any_team() -> None:
    (c,) = _conflicts(problem([item("Huge", 1, 50)], cap=10, mandatory=frozenset({"Huge"})))
    assert c.items == ("Huge",) and "dev" in c.message


def test_mandatory_but_excluded() -> None:
    p = problem([item("X", 1)], mandatory=frozenset({"X"}), excluded=frozenset({"X"}))
    assert any(c.kind == "excluded" and c.items == ("X",) for c in _conflicts(p))


def test_mandatory_alternatives_conflict() -> None:
    p = problem(
        [item("X", 1), item("Y", 1)], mandatory=frozenset({"X", "Y"}), exclusives=(Exclusive(("X", "Y")),)
    )
    assert any(c.kind == "exclusive" and set(c.items) == {"X", "Y"} for c in _conflicts(p))


def test_required_item_of_mandatory_missing_deadline() -> None:
    p = problem(
        [item("Must", 1), item("Dep", 1, duration=3)],
        n_periods=2,
        mandatory=frozenset({"Must"}),
        requires=(Requires("Must", "Dep"),),
    )
    (c,) = _conflicts(p)
    assert c.items == ("Dep",) and "required by Must" in c.message


def test_mandatory_over_budget() -> None:
    p = problem([item("M1", 1, 0, cost=60), item("M2", 1, 0, cost=60)], mandatory=frozenset({"M1", "M2"}))
    p = problem(list(p.items), mandatory=p.mandatory, budgets=(Budget(100, id="2027 budget"),))
    (c,) = _conflicts(p)
    assert c.kind == "budget" and set(c.items) == {"M1", "M2"} and "2027 budget" in c.constraints


def test_minimal_conflict_set_and_constraint_named() -> None:
    # Each mandatory item fits alone; A and B together cannot (both due in Q1, 12 > 10).
    p = problem(
        [item("A", 1, 6, deadline="Q1"), item("B", 1, 6, deadline="Q1"), item("C", 1, 1)],
        n_periods=2,
        cap=10,
        mandatory=frozenset({"A", "B", "C"}),
    )
    (c,) = diagnose_infeasibility(p)
    assert set(c.items) == {"A", "B"}
    assert any("capacity of team T" in k for k in c.constraints)
    assert any("deadline" in k for k in c.constraints)


def test_pin_outside_window() -> None:
    p = problem([Item("P", 1, {"dev": 1}, deadline="Q1")], n_periods=2, pins=(Pin("P", "Q2"),))
    (c,) = _conflicts(p)
    assert c.items == ("P",) and "pinned" in c.message


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"items": [Item("A", 1, {"dev": -1})]}, "effort of item A"),
        ({"items": [Item("A", 1, team="Ghost")]}, "unknown team 'Ghost'"),
        ({"items": [item("A", 1)], "requires": (Requires("A", "Nope"),)}, "unknown item 'Nope'"),
        ({"items": [item("A", 1), item("A", 2)]}, "duplicate item id 'A'"),
        ({"items": [Item("A", 1, duration=0)]}, "duration of item A"),
    ],
)
def test_invalid_input_raises_clear_error(kwargs: dict, fragment: str) -> None:
    items = kwargs.pop("items")
    with pytest.raises(PlannerInputError) as err:
        solve(problem(items, **kwargs), FAST)
    assert fragment in str(err.value)
