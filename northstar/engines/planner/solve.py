"""The planner's front door: validate, diagnose, pick a formulation, solve, check, explain."""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Callable
from typing import cast

import highspy
import numpy as np
from scipy import sparse

from .checker import check_plan
from .colgen import lp_bound, matrix, restricted_mip
from .diagnose import diagnose_infeasibility, quick_conflicts
from .explain import explain
from .greedy import greedy_fill, ledger_plan
from .improve import SWAP_SECONDS, improve
from .index import Index, build_index, validate
from .ledger import Ledger
from .milp import Model, build_model, set_start, to_highs
from .model import Problem, SolveOptions
from .results import Assignment, Plan, PlanStatus
from .selection import greedy_customers, is_selection_problem, reduce_selection, solve_reduced

LARGE_MODEL_COLUMNS = 30_000
# Checking and explaining the plan after the search costs about 0.13 ms per item, and the search's
# last polish can run ~0.7 s past its deadline (10,000 items: 1.3 s + 0.8 s). The search gets the
# time limit less this reserve (at most a tenth of it), so the whole solve keeps to the limit.
FINISH_SECONDS_PER_ITEM = 2.5e-4
FINISH_MAX_SHARE = 0.1
# From this many slot columns the MIP first gets LP rounding + a neighbourhood search, and its plan is
# polished by the local search at the end. 300 items (2,031 columns, generator shape, 30 s, loaded
# machine) reached 3,134 this way against 3,069 by branch and bound alone; in the demo's shape
# (3,792 columns) 3,079 against 2,870. Below, HiGHS alone proves small models faster.
NEIGHBOURHOOD_MIN_COLUMNS = 1_000
# From this many columns branch and bound runs without HiGHS's presolve: at 1,000 items (14,657
# columns, load ~11) its probing took most of the minute and did not stop on time (81 s for a 60 s
# limit, no cut bound); without it the root cuts gave a bound of 6,173 (LP 6,188), 60 s, 2.7% gap.
NO_PRESOLVE_COLUMNS = 5_000
# Neighbourhood rounds: at most this many, each ended when the MIP has not improved for
# max(STALL_SECONDS, STALL_SHARE * time limit); LOCAL_SEARCH_SHARE of the time is kept for the polish.
MAX_ROUNDS = 8
STALL_SECONDS = 5.0
STALL_SHARE = 0.1
LOCAL_SEARCH_SHARE = 0.05
# Column generation stops when its bound is this share of the requested gap above the LP value. Not
# more: stopping at half the gap saved ~3 s at 10,000 items but the less converged LP solution gave
# a worse rounding and neighbourhood (35,481 vs 35,533 after the first polished MIP plan).
COLGEN_TOL_SHARE = 0.01
# Fix-and-optimise inside a neighbourhood: each sub-MIP also fixes this share of the incumbent's slots
# at random, so HiGHS solves it in about a second instead of spending the whole round on root cuts
# (10,000 items: 35,488 after one 1-s sub-MIP vs 35,421 after 12 s on the whole neighbourhood).
LNS_FIX_SHARE = 0.5
LNS_SUB_SECONDS = 3.0
LNS_PATIENCE = 4  # sub-MIPs in a row without a better plan end the round
# Plans found by the sub-MIPs are polished (~2-3 s each at 10,000 items) only once the MIP has had
# as long as the last polish took, so at most about half the time goes to polishing; the first plan
# and each round's final plan are always polished. (A fixed 5 s spacing reached 1% ~2-4 s later.)


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
    if plan.status == "infeasible":
        return plan
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
    the rules cannot all hold. Deterministic for a given problem and options unless the time limit
    (or a share of it, for the search before a selection problem's proof) cuts a step short; on
    large portfolios (over LARGE_MODEL_COLUMNS slot columns) the search rounds are paced by the clock.
    """
    options = options or SolveOptions()
    t0 = time.perf_counter()
    validate(problem)
    ix = build_index(problem)
    if quick_conflicts(ix):
        return _infeasible(problem, options, t0, "rules")
    search = _search_options(ix, options)
    if options.reductions and is_selection_problem(problem):
        return _finish(ix, _solve_selection(ix, search, t0), options, t0)
    return _finish(ix, _solve_milp(ix, search, t0), options, t0)


def _search_options(ix: Index, options: SolveOptions) -> SolveOptions:
    """The options with the time limit less what checking and explaining the plan will take."""
    reserve = min(FINISH_MAX_SHARE * options.time_limit, FINISH_SECONDS_PER_ITEM * len(ix.problem.items))
    return dataclasses.replace(options, time_limit=options.time_limit - reserve)


def _solve_selection(ix: Index, options: SolveOptions, t0: float) -> Plan:
    red = reduce_selection(ix)
    start = greedy_customers(red)
    chosen, bound, status = solve_reduced(
        red,
        options.time_limit - (time.perf_counter() - t0),  # what validation and reductions left
        options.mip_rel_gap,
        options.threads,
        options.seed,
        options.verbose,
        start,
        should_stop=options.should_stop,
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
    led_value = ledger_plan(ix, led, "heuristic", 0.0, "greedy").value if led is not None else float("-inf")
    stats["greedy_value"] = led_value
    if options.progress is not None:
        options.progress(time.perf_counter() - t0, led_value, float("inf"))
    if m.n_cols > LARGE_MODEL_COLUMNS:
        x, bound, status_name = _price_and_branch(ix, m, options, t0, led, led_value, stats)
        integral = False
        stopped = options.should_stop is not None and options.should_stop()
        if x is None and not stopped and time.perf_counter() - t0 < options.time_limit - 0.5:
            # No plan anywhere (not even the greedy's): only branch and bound on the whole model can
            # tell "infeasible" (then diagnosed) from "hard", with the time that is left.
            lp_bound_value = bound
            x, bound, status_name = _full_mip(ix, m, options, t0, None, float("-inf"), stats)
            bound = min(bound, lp_bound_value) if status_name != "infeasible" else bound
    else:
        lp_bound_value = float("inf")
        if m.n_cols >= NEIGHBOURHOOD_MIN_COLUMNS and led is not None:
            # Medium models: a quarter of the time on LP rounding + neighbourhood search finds far
            # better plans than HiGHS's own root heuristics; branch and bound then proves from there.
            share = (time.perf_counter() - t0) + 0.25 * (options.time_limit - (time.perf_counter() - t0))
            sub = dataclasses.replace(options, time_limit=share)
            x0, lp_bound_value, _ = _price_and_branch(ix, m, sub, t0, led, led_value, stats, lns=False)
            if x0 is not None:
                better = _ledger_from_x(ix, m, x0)
                if _ledger_value(ix, better) > led_value:
                    led, led_value = better, _ledger_value(ix, better)
        medium = m.n_cols >= NEIGHBOURHOOD_MIN_COLUMNS
        reserve = LOCAL_SEARCH_SHARE * options.time_limit if medium else 0.0
        x, bound, status_name = _full_mip(ix, m, options, t0, led, led_value, stats, reserve)
        if medium and status_name == "feasible" and x is not None:
            # Branch and bound stopped on time: the local search may still add or move items.
            end = t0 + options.time_limit
            polished = improve(ix, _ledger_from_x(ix, m, x).placed, end, options.should_stop, SWAP_SECONDS)
            x = _ledger_x(m, polished)
        bound = min(bound, lp_bound_value)
        integral = _integral_objective(ix)
    if status_name == "infeasible":
        return _infeasible(ix.problem, options, t0, "milp")
    if x is None:
        if led is not None:
            return ledger_plan(ix, led, "heuristic", time.perf_counter() - t0, "greedy")
        return Plan(
            status="no_solution", best_bound=float("nan"), gap=float("nan"), method="milp", stats=stats
        )
    chosen: dict[str, tuple[str | None, int]] = {}
    for c, (item, team, start) in enumerate(m.cols):
        if x[c] > 0.5:
            chosen[item] = (team, start)
    out = Ledger(ix)
    for item, (team, start) in chosen.items():
        out.place(ix.items[item], team, start)
    plan = ledger_plan(ix, out, "optimal", 0.0, "milp")
    if integral and math.isfinite(bound):
        bound = math.floor(bound + 1e-6)
    bound = max(bound, plan.value)
    name = cast(PlanStatus, status_name)  # the MIP's outcome is named as a plan status
    if name == "feasible" and _gap(plan.value, bound) <= options.mip_rel_gap:
        name = "optimal"  # within the requested gap of a valid bound, as HiGHS itself would say
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


def _full_mip(
    ix: Index,
    m: Model,
    options: SolveOptions,
    t0: float,
    led: Ledger | None,
    led_value: float,
    stats: dict[str, float],
    reserve: float = 0.0,
) -> tuple[np.ndarray | None, float, str]:
    """Branch and bound on the whole time-indexed model (small and medium portfolios).

    `reserve` seconds of the time limit are left for polishing the plan afterwards.
    """
    if m.n_cols == 0:  # nothing can be scheduled; forced items without a slot were caught earlier
        return np.zeros(0), 0.0, "optimal"
    remaining = max(options.time_limit - (time.perf_counter() - t0) - reserve, 0.5)
    h = to_highs(m, remaining, options.mip_rel_gap, options.threads, options.seed, options.verbose)
    if m.n_cols >= NO_PRESOLVE_COLUMNS:
        h.setOptionValue("presolve", "off")
    if _integral_objective(ix):
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
    if led is not None and led.placed:
        set_start(h, m, led.placed)
    report, should_stop = options.progress, options.should_stop
    if report is not None or should_stop is not None:

        def on_event(e: highspy.HighsCallbackEvent) -> None:
            out = e.data_out
            if report is not None:
                report(time.perf_counter() - t0, float(out.mip_primal_bound), float(out.mip_dual_bound))
            if (should_stop is not None and should_stop()) and e.data_in is not None:
                e.data_in.user_interrupt = True

        h.cbMipInterrupt.subscribe(on_event)
    if report is not None:
        report(time.perf_counter() - t0, led_value, float("inf"))
    h.run()
    status = h.getModelStatus()
    stats["mip_nodes"] = float(h.getInfo().mip_node_count)
    if status == highspy.HighsModelStatus.kInfeasible:
        return None, float("nan"), "infeasible"
    x = np.asarray(h.getSolution().col_value)
    if x.size != m.n_cols or h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
        return None, float("nan"), "no_solution"
    name = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return x, float(h.getInfo().mip_dual_bound), name


def _price_and_branch(
    ix: Index,
    m: Model,
    options: SolveOptions,
    t0: float,
    led: Ledger | None,
    led_value: float,
    stats: dict[str, float],
    lns: bool = True,
) -> tuple[np.ndarray | None, float, str]:
    """Large portfolios: exact LP bound by column generation, then neighbourhood MIPs + local search.

    With `lns` each neighbourhood is searched by fix-and-optimise sub-MIPs; without, as one MIP (the
    better choice for medium portfolios, whose whole neighbourhood HiGHS searches quickly: at 1,000
    items the sub-MIPs settle on 5,996 within 4 s, the whole neighbourhood reaches 6,020).

    The first neighbourhood is built around the plain LP rounding: polishing it first would move
    items off the LP's slots, fix fewer columns and leave the MIP a harder, worse neighbourhood
    (35,454 vs 35,498 at 10,000 items). Every plan the MIP finds is polished by the local search,
    which adds or moves items using columns the MIP never saw; the best polished plan is the answer.
    """
    a = matrix(m)
    deadline = t0 + options.time_limit
    report, should_stop = options.progress, options.should_stop
    best: list = [led, led_value]

    def report_bound(b: float) -> None:
        if report is not None:
            report(time.perf_counter() - t0, best[1], b)

    bound, cols, x_lp, h_lp = lp_bound(
        m, a, _initial_columns(ix, m, led), t0 + 0.6 * options.time_limit, options.threads,
        options.seed, options.verbose, rel_tol=max(1e-6, COLGEN_TOL_SHARE * options.mip_rel_gap),
        report=report_bound, should_stop=should_stop,
    )  # fmt: skip
    stats.update(lp_bound=bound, lp_value=float(np.dot(m.obj, x_lp)), lp_seconds=time.perf_counter() - t0)
    stats["generated_columns"] = float(len(cols))
    del h_lp
    rounded, ok = _lp_rounding(ix, m, x_lp)
    stats["lp_rounding_value"] = _ledger_value(ix, rounded)
    if ok and (led is None or _ledger_value(ix, rounded) > _ledger_value(ix, led)):
        led = rounded

    def polish(placed: dict[str, tuple[str | None, int]]) -> None:
        cand = improve(ix, placed, deadline, should_stop)
        value = _ledger_value(ix, cand)
        if best[0] is None or value > best[1] + 1e-9 * max(1.0, abs(best[1])):
            best[:] = [cand, value]
            report_bound(bound)

    if led is not None and lns:
        # The sub-MIPs start from the plain rounding and polish the first plan they find; polishing
        # the rounding first would cost ~3 s at 10,000 items for a plan they soon beat.
        rounded_value = _ledger_value(ix, led)
        if rounded_value > best[1]:
            best[:] = [led, rounded_value]
            report_bound(bound)
    elif led is not None:
        polish(led.placed)
        stats["local_search_value"] = best[1]
    start = led
    for rnd in range(MAX_ROUNDS):
        if best[0] is not None and _gap(best[1], bound) <= options.mip_rel_gap:
            return _ledger_x(m, best[0]), bound, "optimal"
        if time.perf_counter() > deadline - 0.5 or (should_stop is not None and should_stop()):
            break
        before = best[1]
        x = _neighbourhood_mip(ix, m, a, x_lp, start, bound, options, t0, best, polish, rnd == 0, lns)
        stats["rounds"] = float(rnd + 1)
        if x is None:
            break
        polish(_ledger_from_x(ix, m, x).placed)
        if best[1] <= before + 1e-9 * max(1.0, abs(before)):
            break
        start = best[0]
    if best[0] is None:
        return None, bound, "no_solution"
    final = improve(ix, best[0].placed, deadline, should_stop, SWAP_SECONDS)
    if _ledger_value(ix, final) > best[1]:
        best[:] = [final, _ledger_value(ix, final)]
        report_bound(bound)
    return _ledger_x(m, best[0]), bound, "feasible"


def _initial_columns(ix: Index, m: Model, led: Ledger | None) -> np.ndarray:
    """Bundles, the warm start's slots, every slot of a forced item and each item's best slot."""
    start = dict(led.placed) if led is not None else {}
    forced = set(ix.problem.mandatory) | {p.item for p in ix.problem.pins}
    init = list(range(len(m.cols), m.n_cols))
    best: dict[str, int] = {}
    for c, (item, team, s) in enumerate(m.cols):
        if start.get(item) == (team, s) or item in forced:
            init.append(c)
        if item not in best or m.obj[c] > m.obj[best[item]]:
            best[item] = c
    init += list(best.values())
    return np.asarray(sorted(set(init)), dtype=np.int64)


def _neighbourhood_mip(
    ix: Index,
    m: Model,
    a: sparse.csc_matrix,
    x_lp: np.ndarray,
    led: Ledger | None,
    bound: float,
    options: SolveOptions,
    t0: float,
    best: list,
    polish: Callable[[dict[str, tuple[str | None, int]]], None],
    first: bool,
    lns: bool,
) -> np.ndarray | None:
    """The MIP over the LP's support and the start plan, with the slots both agree on fixed (RINS).

    Each plan it finds is polished on the spot (`best` holds the best polished plan and its value).
    It stops at the target gap, on a cancel, or when it has found nothing better for a while. The
    first round falls back to every column when the neighbourhood holds no plan (e.g. forced items
    need slots the LP left at 0).
    """
    deadline = t0 + options.time_limit
    start = dict(led.placed) if led is not None else {}
    x_start = _ledger_x(m, led)
    cols = np.union1d(np.flatnonzero(x_lp > 1e-6), np.flatnonzero(x_start))
    n_slots = len(m.cols)  # only slots are fixed; bundle columns follow their items
    fixed = np.flatnonzero((x_lp[:n_slots] >= 1 - 1e-6) & (x_start[:n_slots] > 0.5))
    target, report, should_stop = options.mip_rel_gap, options.progress, options.should_stop
    stall = max(STALL_SECONDS, STALL_SHARE * options.time_limit)
    # When the value last rose, and the best value held: polished plans, and the MIP's own plans
    # (recomputed from the solution: HiGHS may report its objective in the presolved space). The
    # best MIP plan of a round is polished at its end, so no value shown is ever lost.
    last = [time.perf_counter(), best[1]]

    def seen(value: float) -> None:
        if value > last[1] + 1e-9 * max(1.0, abs(value)):
            last[:] = [time.perf_counter(), value]
            if report is not None:
                report(last[0] - t0, value, bound)

    def done() -> bool:
        seen(best[1])
        return (
            _gap(last[1], bound) <= target
            or time.perf_counter() - last[0] > stall
            or (should_stop is not None and should_stop())
        )

    def on_event(e: highspy.HighsCallbackEvent) -> None:
        if done() and e.data_in is not None:
            e.data_in.user_interrupt = True
        if report is not None:  # keeps the caller's clock moving while the value stands still
            report(time.perf_counter() - t0, last[1], bound)

    obj = np.asarray(m.obj)
    polished = [_ledger_value(ix, led) if led is not None else float("-inf"), float("-inf")]
    interval = [0.0]  # how long the MIP runs before the next polish (see the note at the top)

    def on_solution(x: np.ndarray) -> None:
        value, now = float(np.dot(obj, x)), time.perf_counter()
        seen(value)
        if value > polished[0] + 1e-9 * max(1.0, abs(value)) and now - polished[1] >= interval[0]:
            polished[0] = value
            polish(_ledger_from_x(ix, m, x).placed)
            polished[1] = last[0] = time.perf_counter()  # polishing time is not the MIP stalling
            if lns:  # at most about half the time goes to polishing
                interval[0] = polished[1] - now

    # Leave the local search a moment to polish the MIP's last plan before the time limit.
    end = deadline - LOCAL_SEARCH_SHARE * options.time_limit
    if not lns or led is None or not led.placed:
        x = restricted_mip(
            m, a, cols, start, max(end - time.perf_counter(), 0.5), target, options.threads, options.seed,
            options.verbose, on_event, fixed, on_solution,
        )  # fmt: skip
    else:
        x = _fix_and_optimise(m, a, cols, x_start, fixed, end, options, on_event, on_solution, done)
    if x is None and first:
        remaining = deadline - time.perf_counter()
        x = restricted_mip(
            m, a, np.arange(m.n_cols), start, remaining, target, options.threads, options.seed, False,
            on_event, None, on_solution,
        )  # fmt: skip
    return x


def _fix_and_optimise(
    m: Model,
    a: sparse.csc_matrix,
    cols: np.ndarray,
    x_start: np.ndarray,
    fixed: np.ndarray,
    end: float,
    options: SolveOptions,
    on_event: Callable[[highspy.HighsCallbackEvent], None],
    on_solution: Callable[[np.ndarray], None],
    done: Callable[[], bool],
) -> np.ndarray:
    """Repeated sub-MIPs over the neighbourhood, each with a random half of the incumbent fixed.

    The whole neighbourhood at 10,000 items is a MIP whose root cut loop alone outlasts the round;
    with half the incumbent's slots fixed, HiGHS proves each sub-MIP optimal in about a second and
    the incumbent climbs step by step. Random draws come from the seed, so a run is repeatable up to
    the time limits. Ends after LNS_PATIENCE fruitless sub-MIPs, or when `done()` says so.
    """
    obj = np.asarray(m.obj)
    rng = np.random.default_rng(options.seed)
    x_inc, inc_value = x_start, float(obj @ x_start)
    misses = 0
    while misses < LNS_PATIENCE and not done():
        remaining = end - time.perf_counter()
        if remaining < 0.5:
            break
        ones = np.flatnonzero(x_inc[: len(m.cols)] > 0.5)
        free = np.setdiff1d(ones, fixed, assume_unique=True)
        extra = free[rng.random(free.size) < LNS_FIX_SHARE]
        start = {m.cols[c][0]: (m.cols[c][1], m.cols[c][2]) for c in ones}
        x = restricted_mip(
            m, a, cols, start, min(remaining, LNS_SUB_SECONDS), options.mip_rel_gap, options.threads,
            options.seed, options.verbose, on_event, np.union1d(fixed, extra), on_solution,
        )  # fmt: skip
        value = float(obj @ x) if x is not None else float("-inf")
        if x is not None and value > inc_value + 1e-9 * max(1.0, abs(inc_value)):
            x_inc, inc_value, misses = x, value, 0
        else:
            misses += 1
    return x_inc


def _ledger_value(ix: Index, led: Ledger) -> float:
    return ledger_plan(ix, led, "heuristic", 0.0, "").value


def _ledger_x(m: Model, led: Ledger | None) -> np.ndarray:
    x = np.zeros(m.n_cols)
    placed = led.placed if led is not None else {}
    for c, (item, team, s) in enumerate(m.cols):
        x[c] = float(placed.get(item) == (team, s))
    for k, bid in enumerate(m.bundle_cols):  # a bundle column is 1 when all its items are placed
        x[len(m.cols) + k] = float(all(i in placed for i in m.bundle_items[bid]))
    return x


def _lp_rounding(ix: Index, m: Model, x: np.ndarray) -> tuple[Ledger, bool]:
    """Greedy guided by the LP: items the LP selects most, at the slots it favours, go first."""
    share: dict[str, float] = defaultdict(float)
    slots: dict[str, list[tuple[float, tuple[str | None, int]]]] = defaultdict(list)
    for c in np.flatnonzero(x[: len(m.cols)] > 1e-6):
        item, team, s = m.cols[c]
        share[item] += float(x[c])
        slots[item].append((-float(x[c]), (team, s)))
    for k, bid in enumerate(m.bundle_cols):
        share["bundle:" + bid] = float(x[len(m.cols) + k])
    prefer = {
        item: [slot for _, slot in sorted(v, key=lambda t: (t[0], t[1][1]))] for item, v in slots.items()
    }
    return greedy_fill(ix, guide=share, prefer=prefer)


def _ledger_from_x(ix: Index, m: Model, x: np.ndarray) -> Ledger:
    led = Ledger(ix)
    for c, (item, team, start) in enumerate(m.cols):
        if x[c] > 0.5 and item not in led.placed:
            led.place(ix.items[item], team, start)
    return led
