"""The Next Release Problem (Bagnall et al. 2001) as a planner problem, plus its textbook baseline.

The NRP is the public yardstick of release planning. A requirement becomes an Item (cost = budget
use, no value of its own), a customer's request set a Bundle worth the customer's weight, and each
prerequisite a Requires rule; the engine then takes its selection fast path. `solve_nrp_plain` is the
textbook integer program handed to the same HiGHS, and `check_nrp_selection` re-checks any answer
against the original instance, sharing nothing with either model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np

from northstar.engines.planner.highs import new_highs

from .model import Budget, Bundle, Item, Period, PlannerInputError, Problem, Requires

INF = highspy.kHighsInf


@dataclass(frozen=True)
class NrpInstance:
    """Costs of requirements 1..n, prerequisite pairs (a needed for b), customers (weight, requests)."""

    costs: tuple[int, ...]
    prerequisites: tuple[tuple[int, int], ...]
    customers: tuple[tuple[int, tuple[int, ...]], ...]

    @property
    def total_cost(self) -> int:
        return sum(self.costs)


@dataclass(frozen=True)
class NrpResult:
    """Selected requirement ids (1-based), satisfied customers (0-based), value, proven bound, status."""

    requirements: tuple[int, ...]
    customers: tuple[int, ...]
    value: float
    best_bound: float
    status: str
    seconds: float


def parse_nrp(text: str) -> NrpInstance:
    """Parse the Xuan et al. text format; lines starting with '^' are annotations and ignored."""
    tokens: list[int] = []
    for line in text.splitlines():
        if line.lstrip().startswith("^"):
            continue
        try:
            tokens.extend(int(t) for t in line.split())
        except ValueError as e:
            raise PlannerInputError([f"NRP file: not a whole number in line {line.strip()!r}"]) from e
    pos = 0

    def take(n: int = 1) -> list[int]:
        nonlocal pos
        if pos + n > len(tokens):
            raise PlannerInputError(["NRP file ends early"])
        out = tokens[pos : pos + n]
        pos += n
        return out

    costs: list[int] = []
    for _ in range(take()[0]):
        costs.extend(take(take()[0]))
    n = len(costs)
    prereq = []
    for _ in range(take()[0]):
        a, b = take(2)
        prereq.append((a, b))
    customers = []
    for _ in range(take()[0]):
        w, q = take(2)
        customers.append((w, tuple(take(q))))
    errors = [f"requirement id {r} out of range" for pair in prereq for r in pair if not 1 <= r <= n]
    errors += [f"requested id {r} out of range" for _, rs in customers for r in rs if not 1 <= r <= n]
    if pos != len(tokens):
        errors.append(f"{len(tokens) - pos} unexpected numbers at the end of the NRP file")
    if errors:
        raise PlannerInputError(errors)
    return NrpInstance(tuple(costs), tuple(prereq), tuple(customers))


def nrp_budget(instance: NrpInstance, ratio: float) -> int:
    """Ratio times total cost, rounded to the nearest integer with halves up (exact arithmetic)."""
    exact = Fraction(str(ratio)) * instance.total_cost
    return int(exact + Fraction(1, 2)) if exact >= 0 else -int(-exact + Fraction(1, 2))


def nrp_to_problem(instance: NrpInstance, budget: float) -> Problem:
    """Requirements as items, customers as bundles, prerequisites as requires, one budget row."""
    items = tuple(Item(id=f"r{k + 1}", value=0.0, cost=float(c)) for k, c in enumerate(instance.costs))
    bundles = tuple(
        Bundle(id=f"c{j + 1}", items=tuple(dict.fromkeys(f"r{r}" for r in rs)), value=float(w))
        for j, (w, rs) in enumerate(instance.customers)
        if rs
    )
    free = sum(w for w, rs in instance.customers if not rs)
    if free:  # a customer asking for nothing is always satisfied: a free item carries its weight
        items += (Item(id="r0", value=float(free)),)
    requires = tuple(Requires(item=f"r{b}", needs=f"r{a}") for a, b in instance.prerequisites if a != b)
    return Problem(
        periods=(Period("release"),),
        items=items,
        budgets=(Budget(amount=float(budget), id="release budget"),),
        requires=requires,
        bundles=bundles,
    )


def check_nrp_selection(
    instance: NrpInstance, budget: float, requirements: set[int]
) -> tuple[list[str], int]:
    """Violations of the original NRP rules and the true value (weights of fully served customers)."""
    problems = []
    cost = sum(instance.costs[r - 1] for r in requirements)
    if cost > budget:
        problems.append(f"cost {cost} exceeds budget {budget}")
    for a, b in instance.prerequisites:
        if b in requirements and a not in requirements:
            problems.append(f"requirement {b} selected without its prerequisite {a}")
    value = sum(w for w, rs in instance.customers if all(r in requirements for r in rs))
    return problems, value


def solve_nrp_plain(
    instance: NrpInstance,
    budget: float,
    *,
    time_limit: float = 60.0,
    threads: int = 1,
    seed: int = 0,
    mip_rel_gap: float = 0.0,
    verbose: bool = False,
) -> NrpResult:
    """The textbook model: x_b <= x_a per prerequisite, y_c <= x_r per request, one budget row."""
    t0 = time.perf_counter()
    n, m = len(instance.costs), len(instance.customers)
    h = new_highs(verbose=verbose)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    cost = np.concatenate([np.zeros(n), np.asarray([w for w, _ in instance.customers], dtype=float)])
    h.addVars(n + m, np.zeros(n + m), np.ones(n + m))
    h.changeColsIntegrality(n + m, np.arange(n + m), np.full(n + m, highspy.HighsVarType.kInteger))
    h.changeColsCost(n + m, np.arange(n + m), cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    starts: list[int] = []
    idx: list[int] = []
    val: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for a, b in instance.prerequisites:
        starts.append(len(idx))
        idx += [b - 1, a - 1]
        val += [1.0, -1.0]
        lo.append(-INF)
        hi.append(0.0)
    for j, (_, rs) in enumerate(instance.customers):
        for r in dict.fromkeys(rs):
            starts.append(len(idx))
            idx += [n + j, r - 1]
            val += [1.0, -1.0]
            lo.append(-INF)
            hi.append(0.0)
    starts.append(len(idx))
    idx += list(range(n))
    val += [float(c) for c in instance.costs]
    lo.append(-INF)
    hi.append(float(budget))
    h.addRows(
        len(lo),
        np.asarray(lo),
        np.asarray(hi),
        len(idx),
        np.asarray(starts),
        np.asarray(idx),
        np.asarray(val),
    )
    h.run()
    sol = np.asarray(h.getSolution().col_value)
    reqs = tuple(r + 1 for r in range(n) if sol.size and sol[r] > 0.5)
    custs = tuple(j for j in range(m) if sol.size and sol[n + j] > 0.5)
    info = h.getInfo()
    status = "optimal" if h.getModelStatus() == highspy.HighsModelStatus.kOptimal else "feasible"
    value = float(sum(instance.customers[j][0] for j in custs))
    return NrpResult(reqs, custs, value, float(info.mip_dual_bound), status, time.perf_counter() - t0)
