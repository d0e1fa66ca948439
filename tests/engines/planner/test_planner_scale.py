"""The large-portfolio machinery on small random portfolios, where the exact optimum is known: the local
search keeps plans valid and never loses value, and every bound column generation reports is >= the
optimum."""

from __future__ import annotations

import importlib
import itertools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.engines.planner import (
    Budget,
    Bundle,
    Exclusive,
    Guardrail,
    Item,
    Period,
    Precedence,
    Problem,
    Requires,
    SolveOptions,
    Team,
    check_plan,
    greedy_plan,
    solve,
)
from northstar.engines.planner.colgen import lp_bound, matrix
from northstar.engines.planner.greedy import greedy_fill, ledger_plan
from northstar.engines.planner.improve import copy_ledger, improve, shift_earlier, swap_in
from northstar.engines.planner.index import build_index
from northstar.engines.planner.milp import build_model
from tests.engines.planner._factories import item, periods, problem
from tests.engines.planner._factories import team as make_team
from tests.engines.planner.test_planner_properties import OPTS, portfolios

solve_module = importlib.import_module("northstar.engines.planner.solve")
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _partial(placed: dict, seed: int) -> dict:
    """A valid plan minus a random part of it (valid when no requires, forced items or guardrails)."""
    rng = random.Random(seed)
    return {x: slot for x, slot in sorted(placed.items()) if rng.random() < 0.5}


@SLOW
@given(problem=portfolios(), seed=st.integers(0, 3))
def test_local_search_keeps_plans_valid_and_never_loses_value(problem: Problem, seed: int) -> None:
    ix = build_index(problem)
    led, ok = greedy_fill(ix)
    if not ok:
        return
    base = ledger_plan(ix, led, "heuristic", 0.0, "greedy")
    out = ledger_plan(ix, improve(ix, led.placed, float("inf"), None, 5.0), "heuristic", 0.0, "x")
    assert check_plan(problem, out) == []
    assert out.value >= base.value - 1e-9
    assert problem.mandatory <= out.selected and {p.item for p in problem.pins} <= out.selected
    if problem.requires or problem.mandatory or problem.pins or problem.guardrails:
        return  # dropping items could break those rules; the partial-plan case needs none of them
    part = _partial(led.placed, seed)
    start = ledger_plan(ix, improve(ix, part, 0.0), "heuristic", 0.0, "x")  # out of time: unchanged
    assert {a.item for a in start.assignments} == set(part)
    grown = ledger_plan(ix, improve(ix, part, float("inf"), None, 5.0), "heuristic", 0.0, "x")
    assert check_plan(problem, grown) == []
    assert grown.value >= start.value - 1e-9


def test_shift_earlier_moves_an_item_into_freed_capacity() -> None:
    p = problem([item("A", 10, 5), item("B", 10, 5)], n_periods=3, cap=5, discount_per_period=0.1)
    ix = build_index(p)
    led, _ = greedy_fill(ix)  # A in Q1, B in Q2
    led.remove(ix.items["A"])
    assert shift_earlier(ix, led, float("inf")) == 1
    assert led.placed["B"] == (p.teams[0].id, 0)


def test_swap_in_trades_a_placed_item_for_a_more_valuable_one() -> None:
    p = problem([item("A", 3, 5), item("B", 10, 5), item("C", 1, 5)], n_periods=1, cap=5)
    ix = build_index(p)
    led = copy_ledger(ix, {"A": ("T", 0)})
    assert swap_in(ix, led, float("inf")) == 1
    assert set(led.placed) == {"B"}


def _rich_portfolio(seed: int) -> Problem:
    """40 items, two teams, requires, precedences, exclusives, a bundle, budgets and guardrails."""
    rng = random.Random(seed)
    ids = [f"I{i:02d}" for i in range(40)]
    items = [
        Item(
            id=x,
            value=float(rng.randint(1, 30)),
            effort={rng.choice(["be", "fe"]): float(rng.randint(1, 6))},
            duration=rng.choice([1, 1, 2]),
            cost=float(rng.randint(0, 9)),
            eligible_teams=tuple(rng.sample(["T1", "T2"], rng.randint(1, 2))),
            groups=(rng.choice(["g:a", "g:b"]),),
        )
        for x in ids
    ]
    pairs = [tuple(sorted(rng.sample(ids, 2))) for _ in range(8)]
    caps = {(s, f"Q{k}"): 8.0 for s in ("be", "fe") for k in range(3)}
    return Problem(
        periods=tuple(Period(f"Q{k}") for k in range(3)),
        items=tuple(items),
        teams=(Team("T1", caps), Team("T2", caps)),
        budgets=(Budget(120.0), Budget(40.0, period="Q0")),
        guardrails=(Guardrail("g:a", "capacity", min_share=0.3, max_share=0.7),),
        precedences=tuple(Precedence(a, b) for a, b in pairs[:3]),
        requires=tuple(Requires(b, a) for a, b in pairs[3:6]),
        exclusives=tuple(Exclusive((a, b)) for a, b in pairs[6:]),
        bundles=(Bundle("B", tuple(rng.sample(ids, 3)), 25.0),),
        discount_per_period=0.05,
    )


@pytest.mark.parametrize("seed", range(12))
def test_local_search_with_swaps_on_richer_portfolios(seed: int) -> None:
    p = _rich_portfolio(seed)
    ix = build_index(p)
    led, ok = greedy_fill(ix)
    if not ok:
        return
    base = ledger_plan(ix, led, "heuristic", 0.0, "greedy")
    out = ledger_plan(ix, improve(ix, led.placed, float("inf"), None, 5.0), "heuristic", 0.0, "x")
    assert check_plan(p, out) == []
    assert out.value >= base.value - 1e-9
    exact = solve(p, SolveOptions(time_limit=20, threads=1, mip_rel_gap=0.0))
    if exact.status == "optimal":
        assert out.value <= exact.value + 1e-6


@SLOW
@given(problem=portfolios(), rel_tol=st.sampled_from([1e-6, 0.05]))
def test_every_reported_colgen_bound_is_at_least_the_optimum(problem: Problem, rel_tol: float) -> None:
    """Also when pricing stops early (a loose `rel_tol`): the bound is a dual bound at every round."""
    exact = solve(problem, OPTS)
    if exact.status != "optimal":
        return
    ix = build_index(problem)
    m = build_model(ix)
    if m.n_cols == 0:
        return
    seen: list[float] = []
    first = np.asarray([0, *range(len(m.cols), m.n_cols)], dtype=np.int64)
    a = matrix(m)
    bound, *_ = lp_bound(m, a, np.unique(first), float("inf"), 1, 0, False, 1, rel_tol, seen.append)
    assert all(b >= exact.value - 1e-6 for b in seen)
    assert bound >= exact.value - 1e-6


@SLOW
@pytest.mark.parametrize(
    "threshold",
    [
        "NEIGHBOURHOOD_MIN_COLUMNS",  # LP rounding, one neighbourhood MIP, full MIP, final polish
        "LARGE_MODEL_COLUMNS",  # column generation, fix-and-optimise sub-MIPs, polish
        "NO_PRESOLVE_COLUMNS",  # branch and bound without HiGHS's presolve
    ],
)
@given(problem=portfolios())
def test_medium_and_large_paths_are_sound(threshold: str, problem: Problem) -> None:
    """The medium and the large machinery (and branch and bound without presolve), each forced on for
    small inputs, against the exact solve."""
    exact = solve(problem, OPTS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solve_module, threshold, 0)
        plan = solve(problem, OPTS)
    if exact.status == "infeasible":
        assert plan.status == "infeasible"
        return
    assert check_plan(problem, plan) == []
    greedy = greedy_plan(problem)
    if greedy.status == "heuristic":
        assert plan.value >= greedy.value - 1e-6
    if exact.status == "optimal":
        assert plan.best_bound >= exact.value - 1e-6
        assert plan.value <= exact.value + 1e-6


def test_fix_and_optimise_progress_only_shows_values_the_plan_keeps() -> None:
    """The value a user watches rises step by step and the returned plan is worth at least the last."""
    rng = random.Random(0)
    teams = tuple(make_team(f"T{k}", 6, 6.0) for k in range(4))
    items = [
        item(
            f"I{i}", rng.randint(5, 60), rng.randint(5, 60) / 10, duration=rng.choice([1, 2]),
            eligible_teams=tuple(rng.sample([t.id for t in teams], rng.choice([1, 2]))),
        )
        for i in range(150)
    ]  # fmt: skip
    p = Problem(periods=periods(6), items=tuple(items), teams=teams, discount_per_period=0.05)
    shown: list[float] = []
    steps: list[tuple[float, float]] = []  # objective of each fix-and-optimise call's start and result
    inner = solve_module._fix_and_optimise

    def progress(seconds: float, value: float, bound: float) -> None:
        if value > float("-inf"):
            shown.append(value)

    def recorded(m, a, cols, x_start, *args):  # type: ignore[no-untyped-def]
        x = inner(m, a, cols, x_start, *args)
        steps.append((float(np.dot(m.obj, x_start)), float(np.dot(m.obj, x))))
        return x

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
        mp.setattr(solve_module, "LNS_PATIENCE", 2)
        mp.setattr(solve_module, "_fix_and_optimise", recorded)
        plan = solve(p, SolveOptions(time_limit=20, threads=1, mip_rel_gap=0.0, progress=progress))
    assert check_plan(p, plan) == []
    assert steps and steps[0][1] > steps[0][0] + 1e-6  # the sub-MIPs improved on their start
    assert all(after >= before - 1e-6 for before, after in steps)
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(shown))
    assert plan.value >= max(shown) - 1e-6


def test_large_path_is_never_below_greedy() -> None:
    rng = random.Random(5)
    items = [item(f"I{i}", rng.randint(5, 60), rng.randint(5, 40) / 10) for i in range(60)]
    p = problem(items, n_periods=4, cap=9.5, discount_per_period=0.05)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
        plan = solve(p, SolveOptions(time_limit=10, threads=1))
    assert check_plan(p, plan) == []
    assert plan.value >= greedy_plan(p).value - 1e-6
    exact = solve(p, SolveOptions(time_limit=20, threads=1, mip_rel_gap=0.0))
    if exact.status == "optimal":
        assert plan.best_bound >= exact.value - 1e-6


@SLOW
@given(problem=portfolios(), seed=st.integers(0, 3))
def test_fits_agrees_with_blockers(problem: Problem, seed: int) -> None:
    """The fast check used by the greedy and the local search says exactly what `blockers` says."""
    ix = build_index(problem)
    led, _ = greedy_fill(ix)
    for x in _partial(led.placed, seed):
        led.remove(ix.items[x])
    for it in problem.items:
        if it.id in led.placed:
            continue
        for team, start in ix.options[it.id]:
            assert led.fits(it, team, start) == (not led.blockers(it, team, start))


def test_cancel_during_price_and_branch_returns_a_valid_plan() -> None:
    """should_stop is honoured in the LP phase and the local search too, not only in the MIP."""
    rng = random.Random(7)
    items = [item(f"I{i}", rng.randint(5, 60), rng.randint(5, 40) / 10) for i in range(80)]
    p = problem(items, n_periods=4, cap=9.5, discount_per_period=0.05)
    asked: list[float] = []

    def stop() -> bool:
        asked.append(1.0)
        return True

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solve_module, "LARGE_MODEL_COLUMNS", 0)
        plan = solve(p, SolveOptions(time_limit=30, threads=1, should_stop=stop))
    assert asked
    assert plan.assignments and check_plan(p, plan) == []
    assert plan.value >= greedy_plan(p).value - 1e-6
    assert plan.best_bound >= plan.value
