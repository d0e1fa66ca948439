"""A cancel button: `should_stop` ends the search early with a valid plan, not an error."""

from __future__ import annotations

import importlib
import random
import time

import pytest

from northstar.engines.planner import SolveOptions, check_plan, solve
from tests.engines.planner._factories import item, problem


def _hard_portfolio():
    """120 items over 4 periods: HiGHS does not close this gap within 30 s on this machine."""
    rng = random.Random(3)
    items = [item(f"I{i}", rng.randint(10, 99), rng.randint(5, 40) / 10) for i in range(120)]
    return problem(items, n_periods=4, cap=17.3)


def test_should_stop_ends_the_search_with_a_valid_plan():
    p = _hard_portfolio()
    asked = []

    def stop() -> bool:
        asked.append(time.perf_counter())
        return True

    started = time.perf_counter()
    plan = solve(p, SolveOptions(time_limit=30, should_stop=stop))
    assert asked, "the solver never asked whether to stop"
    assert time.perf_counter() - started < 10  # far inside the 30 s it would otherwise use
    assert plan.status == "feasible" and plan.assignments
    assert check_plan(p, plan) == []


def test_search_leaves_time_to_check_and_explain_the_plan(monkeypatch):
    """The search's own limit is shorter than the caller's by a reserve that grows with the portfolio."""
    solve_module = importlib.import_module("northstar.engines.planner.solve")
    limits: list[float] = []
    real = solve_module._solve_milp

    def spy(ix, options, t0):
        limits.append(options.time_limit)
        return real(ix, options, t0)

    monkeypatch.setattr(solve_module, "_solve_milp", spy)
    for n in (4, 400):
        rng = random.Random(n)
        items = [item(f"I{i}", rng.randint(10, 99), rng.randint(5, 40) / 10) for i in range(n)]
        plan = solve(problem(items, n_periods=2, cap=n / 2), SolveOptions(time_limit=20))
        assert plan.status in ("optimal", "feasible") and plan.seconds < 20
    small, large = limits
    assert 20 - small < 0.01  # a handful of items: next to nothing is held back
    assert 20 - large == pytest.approx(400 * solve_module.FINISH_SECONDS_PER_ITEM)
    # However large the portfolio, the search keeps most of the time.
    limits.clear()
    items = [item(f"I{i}", 10, 1) for i in range(400)]
    solve(problem(items, cap=500), SolveOptions(time_limit=0.5))
    assert limits == [pytest.approx(0.5 * (1 - solve_module.FINISH_MAX_SHARE))]
