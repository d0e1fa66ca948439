"""Fast path for pure selection problems: one period, money only, items + bundles + "requires".

This is the Next Release Problem shape (pick requirements under a budget to satisfy customers). Every
reduction below keeps the optimum:

* closures - a bundle ("customer") needs the transitive prerequisite closure of its items;
* customers whose closure alone breaks a budget can never be satisfied and are dropped;
* items that no remaining customer needs are never worth buying and are dropped;
* items needed by exactly the same customers are merged (costs summed): in an optimal plan the bought
  items can be taken to be the union of the satisfied customers' closures, which holds all of a class
  or none of it;
* customers with identical closures are merged (weights summed);
* if closure(c1) is a strict subset of closure(c2) then y_c2 <= y_c1 (dominance), and c2's links to
  classes already implied through c1 are dropped.

An item's own value counts as a one-item customer. The reduced model has customer variables y,
class variables x, y_c <= x_k links and one knapsack row per budget. It is solved in up to three
steps: a short branch and bound that proves the easy cases outright (PROBE_NODES), fix-and-optimise
from the greedy plan, then branch and bound from the best plan found, with HiGHS settings that make
each node of the proof cheaper (see PROOF_OPTIONS).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from northstar.engines.planner.highs import new_highs

from .index import EPS, Index
from .ledger import requires_closure
from .model import Problem

INF = highspy.kHighsInf
# Before the proof, fix-and-optimise: each sub-MIP frees a random share of the customers (the rest
# keep the plan's choice) and stops after LNS_SUB_NODES nodes, so the search repeats exactly for a
# seed; it ends after LNS_PATIENCE sub-MIPs in a row without a better plan, or (then paced by the
# clock) at LNS_TIME_SHARE of the time limit. nrp2 at 30%: 4,962 after 1.6 s, where branch and
# bound alone took 22 s to pass 4,920; the proof then prunes with the better plan from the start
# (patience 10 / 300 nodes gave no better).
LNS_FREE_SHARE = 0.45
LNS_SUB_NODES = 100
LNS_PATIENCE = 5
LNS_TIME_SHARE = 0.25
# First a branch and bound of at most PROBE_NODES nodes and PROBE_TIME_SHARE of the time limit: most
# selection problems are proven there, and fix-and-optimise (at least LNS_PATIENCE sub-MIPs) only
# cost them time. All 18 classic NRP cases, one run, load 6-7: 190.4 s without it, 163.1 s with it
# (nrp3-5 and the examples 2-7x faster, nrp2 unchanged: its root alone outlasts the probe).
PROBE_NODES = 200
PROBE_TIME_SHARE = 0.05
# The proof: cuts at the root only, and pseudo-costs trusted after 2 strong-branching tries instead of
# 8. Proving nrp2's optimum when handed it: 18 s -> 12 s (30%) and 18 s -> 10 s (50%), 3 seeds each.
PROOF_OPTIONS = {"mip_allow_cut_separation_at_nodes": False, "mip_pscost_minreliable": 2}


def is_selection_problem(problem: Problem) -> bool:
    """Whether the fast path applies (otherwise the general time-indexed model is used)."""
    if len(problem.periods) != 1:
        return False
    if problem.guardrails or problem.precedences or problem.exclusives or problem.mandatory or problem.pins:
        return False
    return all(it.total_effort <= 0 and it.duration == 1 for it in problem.items)


@dataclass
class Reduced:
    """The reduced selection model and how it maps back to the original items."""

    weights: list[float] = field(default_factory=list)
    closures: list[frozenset[str]] = field(default_factory=list)
    class_items: list[tuple[str, ...]] = field(default_factory=list)
    class_cost: list[list[float]] = field(default_factory=list)
    cust_classes: list[tuple[int, ...]] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)
    class_edges: list[tuple[int, int]] = field(default_factory=list)
    dominance: list[tuple[int, int]] = field(default_factory=list)
    limits: list[float] = field(default_factory=list)
    stats: dict[str, float] = field(default_factory=dict)


def reduce_selection(ix: Index, dominance: bool = True) -> Reduced:
    """Apply the exact reductions listed in the module docstring."""
    p = ix.problem
    closure = requires_closure(ix)
    row_of_budget = list(range(len(p.budgets)))
    limits = [b.amount for b in p.budgets]

    def costs(items: frozenset[str]) -> list[float]:
        out = [0.0] * len(row_of_budget)
        for x in sorted(items):  # fixed order keeps float sums independent of hashing
            it = ix.items[x]
            for k, b in enumerate(p.budgets):
                if b.group is None or b.group in it.groups:
                    out[k] += it.cost
        return out

    raw: list[tuple[float, frozenset[str]]] = []
    for b in p.bundles:
        raw.append((b.value, frozenset().union(*(closure[x] for x in b.items))))
    for it in p.items:
        if it.value > 0:
            raw.append((it.value, closure[it.id]))
    red = Reduced(limits=limits)
    red.stats["customers"] = len(raw)
    red.stats["items"] = len(p.items)
    merged: dict[frozenset[str], float] = defaultdict(float)
    for w, cl in raw:
        if w <= 0 or cl & p.excluded:
            continue
        if any(c > lim + EPS * max(1.0, lim) for c, lim in zip(costs(cl), limits, strict=True)):
            continue
        merged[cl] += w
    keys = sorted(merged, key=lambda cl: (len(cl), sorted(cl)))
    red.closures = keys
    red.weights = [merged[k] for k in keys]
    red.stats["customers_kept"] = len(keys)

    needed_by: dict[str, list[int]] = defaultdict(list)
    for c, cl in enumerate(keys):
        for x in cl:
            needed_by[x].append(c)
    classes: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for x in sorted(needed_by):
        classes[tuple(needed_by[x])].append(x)
    class_list = sorted(classes.items())
    red.class_items = [tuple(xs) for _, xs in class_list]
    red.class_cost = [costs(frozenset(xs)) for xs in red.class_items]
    red.stats["items_needed"] = len(needed_by)
    red.stats["classes"] = len(class_list)

    class_of = {x: k for k, xs in enumerate(red.class_items) for x in xs}
    red.cust_classes = [tuple(sorted({class_of[x] for x in cl})) for cl in keys]
    # Prerequisites between classes: a DAG, since "a needs b" makes a's customers a subset of b's.
    edges = set()
    for r in p.requires:
        if r.item in class_of and r.needs in class_of and class_of[r.item] != class_of[r.needs]:
            edges.add((class_of[r.item], class_of[r.needs]))
    red.class_edges = sorted(edges)
    required_by: dict[int, set[int]] = defaultdict(set)
    for k, l_ in red.class_edges:
        required_by[l_].add(k)
    # A customer links only to the classes of its closure that nothing else in its closure requires;
    # the rest follow through the class edges (fewer rows, the same LP relaxation).
    for c, ks in enumerate(red.cust_classes):
        inside = set(ks)
        for k in ks:
            if not (required_by.get(k, set()) & inside):
                red.links.append((c, k))
    if dominance:
        bits = [sum(1 << k for k in ks) for ks in red.cust_classes]
        for c2 in range(len(keys)):
            for c1 in range(len(keys)):
                if c1 != c2 and bits[c1] | bits[c2] == bits[c2]:
                    red.dominance.append((c2, c1))
    red.stats["dominance_cuts"] = len(red.dominance)
    red.stats["links"] = len(red.links)
    red.stats["class_edges"] = len(red.class_edges)
    return red


def greedy_customers(red: Reduced) -> list[int]:
    """Customers by weight per (budget-normalised) cost of their classes; take each that still fits."""
    limits = [max(lim, EPS) for lim in red.limits]

    def size(ks: set[int]) -> float:
        return sum(red.class_cost[k][r] / limits[r] for k in ks for r in range(len(limits)))

    order = sorted(
        range(len(red.weights)), key=lambda c: (-red.weights[c] / max(size(set(red.cust_classes[c])), EPS), c)
    )
    bought: set[int] = set()
    used = [0.0] * len(red.limits)
    for c in order:
        need = set(red.cust_classes[c]) - bought
        add = [sum(red.class_cost[k][r] for k in need) for r in range(len(red.limits))]
        if all(u + a <= lim + EPS * max(1.0, lim) for u, a, lim in zip(used, add, red.limits, strict=True)):
            bought |= need
            used = [u + a for u, a in zip(used, add, strict=True)]
    return _served_by(red, bought)


def solve_reduced(
    red: Reduced,
    time_limit: float,
    gap: float,
    threads: int,
    seed: int,
    verbose: bool,
    start: list[int] | None,
    search: bool = True,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[list[int], float, str]:
    """Solve the reduced model: satisfied customers, proven bound, status ("optimal"/"feasible"/...).

    `start` lists customers of a known plan (their closures must fit the budgets). With `search`,
    fix-and-optimise improves it first; branch and bound then starts from the best plan found.
    `should_stop` is polled by both (a cancel button): the best plan so far is returned.
    """
    t0 = time.perf_counter()
    n_y, n_x = len(red.weights), len(red.class_items)
    if n_y == 0:
        return [], 0.0, "optimal"
    h = new_highs(verbose=verbose)
    for option, value in PROOF_OPTIONS.items():
        h.setOptionValue(option, value)
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    integral = all(float(w).is_integer() for w in red.weights)
    if integral:
        h.setOptionValue("mip_abs_gap", 1.0 - 1e-6)
        # With the default 1e-6 HiGHS 1.16 can stop one unit short on integral objectives (nrp4 at 50%
        # ended at 15984, bound 15985); a tighter tolerance makes it look for that last unit.
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
    n = n_y + n_x
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.col_cost_ = np.asarray(red.weights + [0.0] * n_x)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.sense_ = highspy.ObjSense.kMaximize
    # Branch on customers only: for integral y the cheapest x is integral (the union of closures).
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_y + [highspy.HighsVarType.kContinuous] * n_x
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for c, k in red.links:
        r = len(lo)
        rows += [r, r]
        cols += [c, n_y + k]
        vals += [1.0, -1.0]
        lo.append(-INF)
        hi.append(0.0)
    for k, l_ in red.class_edges:
        r = len(lo)
        rows += [r, r]
        cols += [n_y + k, n_y + l_]
        vals += [1.0, -1.0]
        lo.append(-INF)
        hi.append(0.0)
    for c2, c1 in red.dominance:
        r = len(lo)
        rows += [r, r]
        cols += [c2, c1]
        vals += [1.0, -1.0]
        lo.append(-INF)
        hi.append(0.0)
    for b, lim in enumerate(red.limits):
        r = len(lo)
        for k in range(n_x):
            if red.class_cost[k][b] > 0:
                rows.append(r)
                cols.append(n_y + k)
                vals.append(red.class_cost[k][b])
        lo.append(-INF)
        hi.append(lim)
    lp.num_row_ = len(lo)
    lp.row_lower_ = np.asarray(lo)
    lp.row_upper_ = np.asarray(hi)
    r_arr, c_arr, v_arr = np.asarray(rows), np.asarray(cols), np.asarray(vals, dtype=np.float64)
    order = np.lexsort((r_arr, c_arr))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(c_arr[order], np.arange(n + 1)).astype(np.int32)
    lp.a_matrix_.index_ = r_arr[order].astype(np.int32)
    lp.a_matrix_.value_ = v_arr[order]
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(lo)
    h.passModel(lp)
    if should_stop is not None:

        def poll(e: highspy.HighsCallbackEvent) -> None:
            if should_stop() and e.data_in is not None:
                e.data_in.user_interrupt = True

        h.cbMipInterrupt.subscribe(poll)
    if start is not None and search:
        proven = _probe(h, red, start, integral, time_limit) if PROBE_NODES else None
        if proven is not None:
            return proven
        h.setOptionValue("time_limit", float(max(time_limit - (time.perf_counter() - t0), 0.01)))
        end = t0 + LNS_TIME_SHARE * time_limit
        start = _fix_and_optimise(h, red, start, seed, end, verbose, should_stop)
        h.setOptionValue("time_limit", float(max(time_limit - (time.perf_counter() - t0), 0.01)))
    if start is not None:
        _set_start(h, red, start)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    vals_out = np.asarray(h.getSolution().col_value)
    # Customers whose classes were all bought for others are served too (HiGHS may leave them at 0).
    chosen = _served_by(red, _classes(red, [c for c in range(n_y) if vals_out.size and vals_out[c] > 0.5]))
    bound = float(info.mip_dual_bound)
    if integral:
        bound = float(np.floor(bound + 1e-6))
    name = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return chosen, bound, name


def _probe(
    h: highspy.Highs, red: Reduced, start: list[int], integral: bool, time_limit: float
) -> tuple[list[int], float, str] | None:
    """A short branch and bound from `start`; the proven answer, or None (and a cleared solver)."""
    _set_start(h, red, start)
    h.setOptionValue("mip_max_nodes", PROBE_NODES)
    h.setOptionValue("time_limit", float(max(PROBE_TIME_SHARE * time_limit, 0.01)))
    h.run()
    h.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        h.clearSolver()  # its tree is not kept: fix-and-optimise and the proof start afresh
        return None
    y = np.asarray(h.getSolution().col_value)[: len(red.weights)]
    bound = float(h.getInfo().mip_dual_bound)
    if integral:
        bound = float(np.floor(bound + 1e-6))
    return _served_by(red, _classes(red, [c for c in range(len(y)) if y[c] > 0.5])), bound, "optimal"


def _classes(red: Reduced, customers: list[int]) -> set[int]:
    """The classes bought to serve these customers: the union of their closures."""
    return {k for c in customers for k in red.cust_classes[c]}


def _served_by(red: Reduced, bought: set[int]) -> list[int]:
    """Every customer whose classes are all bought (those bought for others come for free)."""
    return [c for c, ks in enumerate(red.cust_classes) if bought.issuperset(ks)]


def _fits(red: Reduced, customers: list[int]) -> bool:
    bought = _classes(red, customers)
    return all(
        sum(red.class_cost[k][b] for k in bought) <= lim + EPS * max(1.0, lim)
        for b, lim in enumerate(red.limits)
    )


def _set_start(h: highspy.Highs, red: Reduced, customers: list[int]) -> None:
    n_y, n_x = len(red.weights), len(red.class_items)
    x = np.zeros(n_y + n_x)
    x[customers] = 1.0
    x[[n_y + k for k in _classes(red, customers)]] = 1.0
    sol = highspy.HighsSolution()
    sol.col_value = list(x)
    sol.value_valid = True
    h.setSolution(sol)


def _fix_and_optimise(
    h: highspy.Highs,
    red: Reduced,
    start: list[int],
    seed: int,
    end: float,
    verbose: bool,
    should_stop: Callable[[], bool] | None,
) -> list[int]:
    """Improve `start` by sub-MIPs that each free a random LNS_FREE_SHARE of the customers."""
    n_y = len(red.weights)
    rng = random.Random(seed)
    best = _served_by(red, _classes(red, start))
    value = sum(red.weights[c] for c in best)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_max_nodes", LNS_SUB_NODES)
    idle = 0
    while idle < LNS_PATIENCE and time.perf_counter() < end:
        if should_stop is not None and should_stop():
            break
        fixed = np.asarray([c for c in range(n_y) if rng.random() >= LNS_FREE_SHARE], dtype=np.int32)
        in_plan = set(best)
        at = np.asarray([1.0 if c in in_plan else 0.0 for c in fixed])
        h.changeColsBounds(len(fixed), fixed, at, at)
        h.setOptionValue("time_limit", float(max(end - time.perf_counter(), 0.01)))
        _set_start(h, red, best)
        h.run()
        has_plan = h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible
        y = np.asarray(h.getSolution().col_value)[:n_y] if has_plan else np.zeros(0)
        h.changeColsBounds(len(fixed), fixed, np.zeros(len(fixed)), np.ones(len(fixed)))
        h.clearSolver()
        found = _served_by(red, _classes(red, [c for c in range(n_y) if y.size and y[c] > 0.5]))
        found_value = sum(red.weights[c] for c in found)
        if found_value > value + 1e-9 * max(1.0, abs(value)) and _fits(red, found):
            best, value, idle = found, found_value, 0
        else:
            idle += 1
    h.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
    h.setOptionValue("output_flag", bool(verbose))
    return best
