"""The planner's front door: validate, diagnose, pick a formulation, solve, check, explain."""

from __future__ import annotations

import math
import time

import highspy
import numpy as np

from .checker import check_plan
from .diagnose import diagnose_infeasibility, quick_conflicts
from .explain import explain
from .greedy import greedy_fill, ledger_plan
from .index import Index, build_index, validate
from .milp import build_model, set_start, to_highs
from .model import Problem, SolveOptions
from .results import Assignment, Plan
from .selection import is_selection_problem, reduce_selection, solve_reduced


def _gap(value: float, bound: float) -> float:
    """(bound - value) / bound: how much better any plan could possibly be, as a share of the bound."""
    if not math.isfinite(bound):
        return float("inf")
    if bound <= 1e-9:
        return 0.0
    return max(0.0, bound - value) / abs(bound)


def _integral_objective(ix: Index) -> bool:
    p = ix.problem
    if p.discount_per_period or any(it.discount for it in p.items):
        return False
    return all(float(it.value).is_integer() for it in p.items) and all(
        float(b.value).is_integer() for b in p.bundles
    )


def _finish(ix: Index, plan: Plan, options: SolveOptions, t0: float) -> Plan:
    """Attach explanations and the independent checker's verdict."""
    problem = ix.problem
    extra = explain(ix, plan) if options.explain else {}
    plan = Plan(
        status=plan.status,
        assignments=plan.assignments,
        value=plan.value,
        best_bound=plan.best_bound,
        gap=plan.gap,
        delivered_bundles=plan.delivered_bundles,
        method=plan.method,
        stats=plan.stats,
        seconds=time.perf_counter() - t0,
        **extra,
    )
    violations = tuple(check_plan(problem, plan))
    if violations:
        plan = Plan(**{**plan.__dict__, "violations": violations})
    return plan


def _infeasible(problem: Problem, options: SolveOptions, t0: float, method: str) -> Plan:
    return Plan(
        status="infeasible",
        diagnosis=tuple(diagnose_infeasibility(problem, options)),
        seconds=time.perf_counter() - t0,
        method=method,
        best_bound=float("nan"),
        gap=float("nan"),
    )


def solve(problem: Problem, options: SolveOptions | None = None) -> Plan:
    """The best plan HiGHS can prove within the options' limits, with its bound, gap and explanations.

    Raises PlannerInputError for malformed input; returns status "infeasible" with a diagnosis when
    the rules cannot all hold. Deterministic for a given problem and options.
    """
    options = options or SolveOptions()
    t0 = time.perf_counter()
    validate(problem)
    ix = build_index(problem)
    if quick_conflicts(ix):
        return _infeasible(problem, options, t0, "rules")
    if options.reductions and is_selection_problem(problem):
        return _finish(ix, _solve_selection(ix, options), options, t0)
    return _finish(ix, _solve_milp(ix, options, t0), options, t0)


def _solve_selection(ix: Index, options: SolveOptions) -> Plan:
    red = reduce_selection(ix)
    chosen, bound, status = solve_reduced(
        red, options.time_limit, options.mip_rel_gap, options.threads, options.seed, options.verbose, True
    )
    items = sorted(set().union(*(red.closures[c] for c in chosen)) if chosen else set())
    period = ix.period_id(0)
    assigns = tuple(Assignment(x, None, period, period) for x in items)
    plan = Plan(status="heuristic", assignments=assigns)
    from .checker import plan_value

    value = plan_value(ix.problem, plan)
    delivered = tuple(b.id for b in ix.problem.bundles if all(x in items for x in b.items))
    bound = max(bound, value)
    return Plan(
        status=status,  # type: ignore[arg-type]
        assignments=assigns,
        value=value,
        best_bound=bound,
        gap=_gap(value, bound),
        delivered_bundles=delivered,
        method="selection",
        stats=red.stats,
    )


def _solve_milp(ix: Index, options: SolveOptions, t0: float) -> Plan:
    stats: dict[str, float] = {}
    led = None
    if options.warm_start:
        led, ok = greedy_fill(ix)
        led = led if ok else None
        stats["greedy_seconds"] = time.perf_counter() - t0
    m = build_model(ix)
    stats.update(columns=float(m.n_cols), rows=float(len(m.row_lo)), nonzeros=float(len(m.ent_val)))
    stats["build_seconds"] = time.perf_counter() - t0
    remaining = options.time_limit - (time.perf_counter() - t0)
    h = to_highs(m, remaining, options.mip_rel_gap, options.threads, options.seed, options.verbose)
    integral = _integral_objective(ix)
    if integral:
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
    if led is not None and led.placed:
        set_start(h, m, led.placed)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return _infeasible(ix.problem, options, t0, "milp")
    x = np.asarray(h.getSolution().col_value)
    has_solution = (
        x.size == m.n_cols and h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible
    )
    if not has_solution:
        if led is not None:
            return ledger_plan(ix, led, "heuristic", time.perf_counter() - t0, "greedy")
        return Plan(
            status="no_solution", best_bound=float("nan"), gap=float("nan"), method="milp", stats=stats
        )
    chosen: dict[str, tuple[str | None, int]] = {}
    for c, (item, team, start) in enumerate(m.cols):
        if x[c] > 0.5:
            chosen[item] = (team, start)
    from .ledger import Ledger

    out = Ledger(ix)
    for item, (team, start) in chosen.items():
        out.place(ix.items[item], team, start)
    plan = ledger_plan(ix, out, "optimal", 0.0, "milp")
    bound = float(h.getInfo().mip_dual_bound)
    if integral:
        bound = math.floor(bound + 1e-6)
    bound = max(bound, plan.value)
    name = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    stats["mip_nodes"] = float(h.getInfo().mip_node_count)
    return Plan(
        status=name,
        assignments=plan.assignments,
        value=plan.value,
        best_bound=bound,
        gap=_gap(plan.value, bound),
        delivered_bundles=plan.delivered_bundles,
        method="milp",
        stats=stats,
    )
