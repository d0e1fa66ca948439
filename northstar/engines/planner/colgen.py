"""Price-and-branch for large portfolios: the exact LP bound by column generation, then a restricted MIP.

At 10,000 items the time-indexed model has ~170k columns and its LP alone takes about a minute. Most
(item, team, start) columns never matter, so we solve the LP over a small column set, price every
other column against the duals (one sparse matrix-vector product) and add the attractive ones until
none is left: the LP value is then the LP optimum of the full model, a valid upper bound on any plan.
The integer program is then solved over the generated columns only (warm-started from the greedy);
its plans are feasible for the full model, and the gap is reported against the full LP bound, so the
proof stays honest even though the search was restricted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import highspy
import numpy as np
from scipy import sparse

from northstar.engines.planner.highs import new_highs

from .milp import Model

INF = highspy.kHighsInf
# The neighbourhood MIP is there to find better plans (the proof comes from the LP), so lean on heuristics.
HEURISTIC_EFFORT = 0.3


def _highs(options_time: float, threads: int, seed: int, verbose: bool) -> highspy.Highs:
    h = new_highs(verbose=verbose)
    h.setOptionValue("time_limit", float(max(options_time, 0.01)))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    return h


def _pass(h: highspy.Highs, m: Model, a: sparse.csc_matrix, cols: np.ndarray, integer: bool) -> None:
    sub = a[:, cols].tocsc()
    sub.sort_indices()
    lp = highspy.HighsLp()
    n = len(cols)
    obj = np.asarray(m.obj)[cols]
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_ = obj
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.asarray(m.row_lo, dtype=np.float64)
    lp.row_upper_ = np.asarray(m.row_hi, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    if integer:
        n_int = len(m.cols)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if c < n_int else highspy.HighsVarType.kContinuous for c in cols
        ]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = sub.indptr.astype(np.int32)
    lp.a_matrix_.index_ = sub.indices.astype(np.int32)
    lp.a_matrix_.value_ = sub.data.astype(np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, a.shape[0]
    h.passModel(lp)


def matrix(m: Model) -> sparse.csc_matrix:
    """The constraint matrix of the full model (rows x columns)."""
    return sparse.csc_matrix(
        (np.asarray(m.ent_val), (np.asarray(m.ent_row), np.asarray(m.ent_col))),
        shape=(len(m.row_lo), m.n_cols),
    )


def lp_bound(
    m: Model,
    a: sparse.csc_matrix,
    initial: np.ndarray,
    deadline: float,
    threads: int,
    seed: int,
    verbose: bool,
    per_item: int = 3,
    rel_tol: float = 1e-6,
    report: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[float, np.ndarray, np.ndarray, highspy.Highs]:
    """Column generation: a valid LP bound, the generated columns, the LP solution and the LP itself.

    The bound is the restricted LP value plus, for every column not in it, its positive reduced cost
    (the dual of its x <= 1 bound): a feasible dual solution of the full LP, so it is valid even when
    the time runs out before pricing ends, and equals the LP optimum once nothing prices out. It is
    passed to `report` after every round (a user sees a true gap long before pricing ends). Pricing
    stops once the bound is within `rel_tol` of the restricted LP (the last rounds of a 10,000-item
    portfolio take seconds to move the bound by a few millionths), and
    `should_stop` is polled during the simplex runs (a cancel keeps the best bound so far).
    """
    obj = np.asarray(m.obj)
    index: dict[str, int] = {}
    item_of = np.asarray(
        [index.setdefault(c[0], len(index)) for c in m.cols] + [-1 - k for k in range(len(m.bundle_cols))]
    )
    active = np.zeros(m.n_cols, dtype=bool)
    active[initial] = True
    cols = np.flatnonzero(active)
    h = _highs(deadline - time.perf_counter(), threads, seed, verbose)
    _pass(h, m, a, cols, integer=False)
    if should_stop is not None:

        def poll(e: highspy.HighsCallbackEvent) -> None:
            if should_stop() and e.data_in is not None:
                e.data_in.user_interrupt = True

        h.cbSimplexInterrupt.subscribe(poll)
    bound, value = float("inf"), float("-inf")
    x = np.zeros(m.n_cols)
    scale = max(1.0, float(np.abs(obj).max(initial=1.0)))
    while True:
        h.setOptionValue("time_limit", h.getRunTime() + float(max(deadline - time.perf_counter(), 0.01)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        value = float(h.getInfo().objective_function_value)
        x = np.zeros(m.n_cols)
        x[cols] = np.asarray(h.getSolution().col_value)
        y = np.asarray(h.getSolution().row_dual)
        rc = obj - a.T @ y
        rc[active] = -np.inf
        positive = rc > 1e-9 * scale
        bound = min(bound, value + float(rc[positive].sum()))
        if report is not None:
            report(bound)
        cand = np.flatnonzero(rc > 1e-6 * scale)
        close = bound - value <= rel_tol * max(1.0, abs(value))
        if cand.size == 0 or close or time.perf_counter() > deadline:
            break
        if should_stop is not None and should_stop():
            break
        # The few most attractive columns of each item, so one item cannot flood the LP.
        order = cand[np.lexsort((-rc[cand], item_of[cand]))]
        keys = item_of[order]
        first = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
        new = np.sort(order[rank < per_item])
        active[new] = True
        sub = a[:, new].tocsc()
        sub.sort_indices()
        h.addCols(
            len(new),
            obj[new],
            np.zeros(len(new)),
            np.ones(len(new)),
            sub.nnz,
            sub.indptr[:-1].astype(np.int32),
            sub.indices.astype(np.int32),
            sub.data.astype(np.float64),
        )
        cols = np.concatenate([cols, new])
    return bound, cols, x, h


def restricted_mip(
    m: Model,
    a: sparse.csc_matrix,
    cols: np.ndarray,
    start: Mapping[str, tuple[str | None, int]],
    time_limit: float,
    gap: float,
    threads: int,
    seed: int,
    verbose: bool,
    on_event: Callable[[highspy.HighsCallbackEvent], None] | None,
    fixed: np.ndarray | None = None,
    on_solution: Callable[[np.ndarray], None] | None = None,
) -> np.ndarray | None:
    """Best integer solution over the given columns (full-length vector), or None if none found.

    `fixed` columns are forced to 1: the LP-integral part the start solution agrees with, so that the
    search concentrates on the fractional rest (a RINS-style neighbourhood). `on_solution` sees each
    improving solution (full-length) as HiGHS finds it, e.g. to polish it while the search goes on.
    """
    h = _highs(time_limit, threads, seed, verbose)
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("mip_heuristic_effort", HEURISTIC_EFFORT)
    _pass(h, m, a, cols, integer=True)
    if fixed is not None and fixed.size:
        pos = np.searchsorted(cols, fixed).astype(np.int32)
        h.changeColsBounds(len(pos), pos, np.ones(len(pos)), np.ones(len(pos)))
    x0 = np.zeros(len(cols))
    placed = set(start)
    for k, c in enumerate(cols):
        if c < len(m.cols):
            item, team, s = m.cols[c]
            x0[k] = float(start.get(item) == (team, s))
        else:
            bid = m.bundle_cols[c - len(m.cols)]
            x0[k] = float(all(i in placed for i in m.bundle_items[bid]))
    sol = highspy.HighsSolution()
    sol.col_value = list(x0)
    sol.value_valid = True
    h.setSolution(sol)
    if on_event is not None:
        h.cbMipInterrupt.subscribe(on_event)
    if on_solution is not None:

        def improving(e: highspy.HighsCallbackEvent) -> None:
            full = np.zeros(m.n_cols)
            full[cols] = np.asarray(e.data_out.mip_solution)
            on_solution(full)

        h.cbMipImprovingSolution.subscribe(improving)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != highspy.kSolutionStatusFeasible:
        return None
    x = np.zeros(m.n_cols)
    x[cols] = np.asarray(h.getSolution().col_value)
    return x
