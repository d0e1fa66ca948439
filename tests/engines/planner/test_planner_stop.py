"""A cancel button: `should_stop` ends the search early with a valid plan, not an error."""

from __future__ import annotations

import random
import time

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
