"""NRP parser, budget rounding, and proof that the reductions keep the optimum."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import highspy
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.engines.planner import SolveOptions, check_plan, selection, solve
from northstar.engines.planner.index import build_index
from northstar.engines.planner.nrp import (
    NrpInstance,
    check_nrp_selection,
    nrp_budget,
    nrp_to_problem,
    parse_nrp,
    solve_nrp_plain,
)
from northstar.engines.planner.selection import reduce_selection

from ._factories import FAST

TINY = (Path(__file__).parent / "data" / "tiny_nrp.txt").read_text()


def test_parse_tiny_instance_with_annotations() -> None:
    inst = parse_nrp(TINY)
    assert inst.costs == (3, 2, 4, 1, 5, 2)
    assert inst.prerequisites == ((1, 5), (2, 5), (3, 6))
    assert inst.customers == ((10, (5,)), (6, (3, 4)), (4, (4,)), (7, (6, 4)))


def test_budget_rounds_half_up() -> None:
    inst = parse_nrp(TINY)  # total cost 17
    assert [nrp_budget(inst, r) for r in (0.3, 0.5, 0.7)] == [5, 9, 12]  # 5.1, 8.5, 11.9


def test_tiny_optima_engine_and_plain() -> None:
    inst = parse_nrp(TINY)
    for ratio, optimum in ((0.3, 10), (0.5, 17), (0.7, 17)):
        budget = nrp_budget(inst, ratio)
        problem = nrp_to_problem(inst, budget)
        plan = solve(problem, FAST)
        assert plan.method == "selection" and plan.status == "optimal"
        assert plan.value == optimum == plan.best_bound
        assert check_plan(problem, plan) == []
        chosen = {int(a.item[1:]) for a in plan.assignments}
        assert check_nrp_selection(inst, budget, chosen) == ([], optimum)
        assert solve_nrp_plain(inst, budget, time_limit=10).value == optimum


def test_reductions_on_tiny_instance() -> None:
    inst = parse_nrp(TINY)
    red = reduce_selection(build_index(nrp_to_problem(inst, nrp_budget(inst, 0.5))))
    # Customer 1's closure {1, 2, 5} costs 10 > 9: dropped; requirements 1, 2, 5 are then unneeded.
    assert red.stats["customers_kept"] == 3
    assert sorted(x for xs in red.class_items for x in xs) == ["r3", "r4", "r6"]
    # {r4} inside {r3, r4} inside {r3, r4, r6}: dominance cuts between the three customers.
    assert len(red.dominance) == 3


def _brute_force(inst: NrpInstance, budget: int) -> int:
    n = len(inst.costs)
    best = 0
    for bits in itertools.product((0, 1), repeat=n):
        chosen = {r + 1 for r in range(n) if bits[r]}
        problems, value = check_nrp_selection(inst, budget, chosen)
        if not problems:
            best = max(best, value)
    return best


@st.composite
def nrp_instances(draw: st.DrawFn) -> NrpInstance:
    n = draw(st.integers(2, 9))
    costs = tuple(draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)))
    pairs = draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)), max_size=n))
    prereq = tuple((a, b) for a, b in pairs if a != b)
    customers = tuple(
        draw(
            st.lists(
                st.tuples(st.integers(1, 30), st.lists(st.integers(1, n), min_size=1, max_size=3).map(tuple)),
                min_size=1,
                max_size=6,
            )
        )
    )
    return NrpInstance(costs, prereq, customers)


@settings(max_examples=40, deadline=None)
@given(inst=nrp_instances(), ratio=st.sampled_from([0.2, 0.3, 0.5, 0.7]))
def test_reduced_model_keeps_the_optimum(inst: NrpInstance, ratio: float) -> None:
    budget = nrp_budget(inst, ratio)
    problem = nrp_to_problem(inst, budget)
    plan = solve(problem, FAST)
    plain = solve_nrp_plain(inst, budget, time_limit=10)
    exact = _brute_force(inst, budget)
    assert plan.value == plain.value == exact
    assert plan.gap == 0 and plan.status == "optimal"
    chosen = {int(a.item[1:]) for a in plan.assignments if a.item != "r0"}
    assert check_nrp_selection(inst, budget, chosen) == ([], exact)
    assert check_plan(problem, plan) == []


def _run_harness(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(__file__).resolve().parents[3] / "benchmarks" / "nrp.py"
    return subprocess.run(  # noqa: S603 - our own interpreter on our own benchmark script
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_harness_writes_one_record_per_instance_ratio_and_method(tmp_path: Path) -> None:
    """Any directory of instance files works; the proof floor starts from the engine's own plan."""
    (tmp_path / "inst").mkdir()
    (tmp_path / "inst" / "tiny.txt").write_text(TINY)
    out = tmp_path / "nrp.json"
    run = _run_harness(
        "--instances", str(tmp_path / "inst"), "--methods", "engine,plain,proof", "--json", str(out)
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    stamp, *records = json.loads(out.read_text())  # the first record says where it was measured
    assert stamp["measure"] == "machine" and stamp["commit"]
    keys = {"instance", "bound_ratio", "method", "value", "best_bound", "gap", "seconds", "greedy_value"}
    assert all(keys | {"status"} <= r.keys() for r in records)
    got = {(r["bound_ratio"], r["method"]): (r["value"], r["best_bound"], r["status"]) for r in records}
    optima = {0.3: 10, 0.5: 17, 0.7: 17}
    assert got == {
        (ratio, method): (optimum, optimum, "optimal")
        for ratio, optimum in optima.items()
        for method in ("engine", "plain", "proof")
    }
    assert "proof / plain total time" in run.stdout


def test_harness_rejects_unknown_method(tmp_path: Path) -> None:
    run = _run_harness("--instances", str(tmp_path), "--methods", "engine,cplex")
    assert run.returncode == 2
    assert "unknown method 'cplex'" in run.stderr


def _random_nrp(seed: int, n_requirements: int = 90, n_customers: int = 150) -> NrpInstance:
    """Layered prerequisites and overlapping requests, like the classic instances but smaller."""
    rng = random.Random(seed)
    costs = tuple(rng.randint(1, 9) for _ in range(n_requirements))
    prereq = tuple(
        (rng.randint(1, b - 1), b)
        for b in range(n_requirements // 4, n_requirements + 1)
        if rng.random() < 0.6
    )
    customers = tuple(
        (rng.randint(10, 40), tuple(rng.sample(range(1, n_requirements + 1), rng.randint(1, 4))))
        for _ in range(n_customers)
    )
    return NrpInstance(costs, prereq, customers)


def _spy_on_search(monkeypatch) -> list[tuple]:
    """Record (reduced model, start, result, HiGHS options after the search) of each search.

    The short branch and bound before it is turned off: it is cut by the clock, so on a busy machine
    it proves a case in one run and not in the next, and the search would run only sometimes."""
    seen: list[tuple] = []
    real = selection._fix_and_optimise
    monkeypatch.setattr(selection, "PROBE_NODES", 0)

    def spy(h, red, start, *args):
        out = real(h, red, start, *args)
        options = {k: h.getOptionValue(k)[1] for k in ("mip_max_nodes", "output_flag")}
        seen.append((red, start, out, options))
        return out

    monkeypatch.setattr(selection, "_fix_and_optimise", spy)
    return seen


def test_search_before_the_proof_only_ever_improves_the_start(monkeypatch) -> None:
    inst = _random_nrp(7)
    budget = nrp_budget(inst, 0.3)
    seen = _spy_on_search(monkeypatch)
    plan = solve(nrp_to_problem(inst, budget), SolveOptions(time_limit=30, mip_rel_gap=0.0))
    [(red, start, found, options)] = seen

    def worth(customers: list[int]) -> float:
        return sum(red.weights[c] for c in customers)

    assert worth(found) > worth(start)  # the greedy start is beaten on this instance
    requirements = {int(x[1:]) for c in found for x in red.closures[c]}
    problems, value = check_nrp_selection(inst, budget, requirements)
    assert problems == [] and value >= worth(found)
    assert plan.status == "optimal" and plan.value >= value
    # The proof is not left with the sub-MIPs' node cap.
    assert options == {"mip_max_nodes": highspy.kHighsIInf, "output_flag": False}


def test_selection_search_and_plan_repeat_for_a_seed(monkeypatch) -> None:
    problem = nrp_to_problem(inst := _random_nrp(7), nrp_budget(inst, 0.3))
    seen = _spy_on_search(monkeypatch)
    opts = SolveOptions(time_limit=30, mip_rel_gap=0.0, seed=3)
    first, second = solve(problem, opts), solve(problem, opts)
    assert first.assignments == second.assignments and first.value == second.value
    (_, start_1, found_1, _), (_, start_2, found_2, _) = seen
    assert start_1 == start_2
    assert found_1 == found_2
    assert found_1 != start_1


def test_selection_solve_can_be_cancelled() -> None:
    inst = _random_nrp(5, n_requirements=300, n_customers=400)
    budget = nrp_budget(inst, 0.3)
    asked: list[float] = []

    def stop() -> bool:
        asked.append(time.perf_counter())
        return len(asked) > 3

    plan = solve(nrp_to_problem(inst, budget), SolveOptions(time_limit=60, should_stop=stop))
    assert len(asked) > 3, "the solver stopped asking before it was told to stop"
    assert time.perf_counter() - asked[3] < 5  # returns soon after the answer changed
    assert plan.status in ("feasible", "optimal") and plan.assignments and not plan.violations
    chosen = {int(a.item[1:]) for a in plan.assignments}
    assert check_nrp_selection(inst, budget, chosen) == ([], plan.value)
