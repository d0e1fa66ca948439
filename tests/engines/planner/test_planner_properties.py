"""Random small portfolios: every plan the engine returns passes the independent checker, forced items
are honoured, and the optimum is never below the greedy baseline."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.engines.planner import (
    Budget,
    Bundle,
    Exclusive,
    Guardrail,
    Item,
    Pin,
    Precedence,
    Problem,
    Requires,
    SolveOptions,
    Team,
    check_plan,
    greedy_plan,
    solve,
)

solve_module = importlib.import_module("northstar.engines.planner.solve")

OPTS = SolveOptions(time_limit=5.0, mip_rel_gap=0.0, threads=1, seed=1)
SKILLS = ("be", "fe")


@st.composite
def portfolios(draw: st.DrawFn) -> Problem:
    n_p = draw(st.integers(1, 4))
    periods = tuple(f"Q{k + 1}" for k in range(n_p))
    teams = tuple(
        Team(f"T{t}", {(s, p): float(draw(st.integers(0, 8))) for s in SKILLS for p in periods})
        for t in range(draw(st.integers(1, 3)))
    )
    n = draw(st.integers(1, 9))
    items = []
    for i in range(n):
        effort = {
            s: float(draw(st.integers(0, 6))) for s in draw(st.sets(st.sampled_from(SKILLS), max_size=2))
        }
        dur = draw(st.integers(1, min(2, n_p)))
        team_pick = draw(st.one_of(st.none(), st.sampled_from([t.id for t in teams])))
        items.append(
            Item(
                id=f"I{i}",
                value=float(draw(st.integers(0, 20))),
                effort=effort,
                duration=dur,
                cost=float(draw(st.integers(0, 10))),
                team=team_pick,
                earliest_start=draw(st.one_of(st.none(), st.sampled_from(periods))),
                deadline=draw(st.one_of(st.none(), st.sampled_from(periods))),
                groups=("g:a",) if draw(st.booleans()) else ("g:b",),
            )
        )
    ids = [it.id for it in items]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda t: t[0] != t[1])
    precedences = tuple(Precedence(a, b) for a, b in draw(st.lists(pair, max_size=2)) if a < b)
    requires = tuple(Requires(a, b) for a, b in draw(st.lists(pair, max_size=2)))
    exclusives = tuple(Exclusive((a, b)) for a, b in draw(st.lists(pair, max_size=1)))
    bundles = tuple(
        Bundle(f"B{k}", tuple(sorted(set(b))), float(draw(st.integers(1, 30))))
        for k, b in enumerate(
            draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3), max_size=2))
        )
    )
    budgets = tuple(
        Budget(float(draw(st.integers(0, 30))), period=draw(st.one_of(st.none(), st.sampled_from(periods))))
        for _ in range(draw(st.integers(0, 2)))
    )
    guardrails = (
        (Guardrail("g:a", draw(st.sampled_from(["capacity", "budget"])), min_share=0.2, max_share=0.8),)
        if draw(st.booleans())
        else ()
    )
    mandatory = frozenset(draw(st.sets(st.sampled_from(ids), max_size=1)))
    pins = tuple(
        Pin(x, draw(st.sampled_from(periods))) for x in draw(st.sets(st.sampled_from(ids), max_size=1))
    )
    return Problem(
        periods=tuple(
            __import__("northstar.engines.planner", fromlist=["Period"]).Period(p) for p in periods
        ),
        items=tuple(items),
        teams=teams,
        budgets=budgets,
        guardrails=guardrails,
        precedences=precedences,
        requires=requires,
        exclusives=exclusives,
        bundles=bundles,
        mandatory=mandatory,
        pins=pins,
        excluded=frozenset(draw(st.sets(st.sampled_from(ids), max_size=1))),
        discount_per_period=draw(st.sampled_from([0.0, 0.1])),
    )


def _assert_sound(problem: Problem, plan_opts: SolveOptions) -> None:
    plan = solve(problem, plan_opts)
    greedy = greedy_plan(problem)
    if greedy.status == "heuristic":
        assert check_plan(problem, greedy) == []
    if plan.status == "infeasible":
        assert plan.diagnosis and all(c.message for c in plan.diagnosis)
        assert greedy.status == "no_solution"
        return
    assert plan.status in ("optimal", "feasible")
    assert check_plan(problem, plan) == [] and plan.violations == ()
    assert problem.mandatory <= plan.selected
    for pin in problem.pins:
        a = plan.assignment_of(pin.item)
        assert a is not None and a.start == pin.start
    assert plan.best_bound >= plan.value - 1e-6
    if plan.status == "optimal" and greedy.status == "heuristic":
        assert plan.value >= greedy.value - 1e-6
    assert set(plan.exclusion_reasons) == {it.id for it in problem.items} - plan.selected


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=portfolios())
def test_every_plan_passes_the_checker(problem: Problem) -> None:
    _assert_sound(problem, OPTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=portfolios())
def test_price_and_branch_path_is_sound(problem: Problem) -> None:
    """The large-portfolio path (column generation + restricted MIP), forced on for small inputs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
        plan = solve(problem, OPTS)
    exact = solve(problem, OPTS)
    if exact.status == "infeasible":
        return
    assert check_plan(problem, plan) == []
    if exact.status == "optimal":
        assert plan.best_bound >= exact.value - 1e-6  # the LP bound is a valid bound
        assert plan.value <= exact.value + 1e-6
    _ = dataclasses.replace(problem)
