"""Why there is no plan at all, in words a product leader can act on.

Only forced items (mandatory, pinned, and what they require) can make a problem infeasible: the empty
plan satisfies every other rule. So the diagnosis first runs cheap rule checks on the forced items,
then, if those find nothing, shrinks the forced set to a minimal conflicting one with small
feasibility solves and names the constraint families whose removal would resolve it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import highspy

from .index import EPS, Index, build_index, validate
from .ledger import requires_closure
from .milp import build_model, to_highs
from .model import Problem, SolveOptions
from .results import Conflict


def precedence_cycle(problem: Problem) -> list[str] | None:
    """One cycle in the precedence graph, as a list of item ids, or None."""
    succ: dict[str, list[str]] = defaultdict(list)
    for pr in problem.precedences:
        succ[pr.before].append(pr.after)
    colour: dict[str, int] = {}
    for root in sorted(succ):
        if colour.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, k = stack.pop()
            if k == 0:
                colour[node] = 1
                path.append(node)
            nxt = succ.get(node, [])
            if k < len(nxt):
                stack.append((node, k + 1))
                child = nxt[k]
                if colour.get(child) == 1:
                    return path[path.index(child) :]
                if not colour.get(child):
                    stack.append((child, 0))
            else:
                colour[node] = 2
                path.pop()
    return None


def forced_items(ix: Index) -> set[str]:
    """Mandatory and pinned items plus everything they (transitively) require."""
    closure = requires_closure(ix)
    roots = set(ix.problem.mandatory) | {p.item for p in ix.problem.pins}
    return set().union(*(closure[r] for r in roots)) if roots else set()


def quick_conflicts(ix: Index) -> list[Conflict]:
    """Cheap, certain reasons for infeasibility; empty when none of them applies."""
    from .explain import _no_option_reason

    p = ix.problem
    out: list[Conflict] = []
    cycle = precedence_cycle(p)
    if cycle:
        names = " -> ".join([*cycle, cycle[0]])
        out.append(
            Conflict("cycle", f"precedence cycle: {names}; none of these can start first", tuple(cycle))
        )
    forced = forced_items(ix)
    why = {r.needs: r.item for r in p.requires}
    for x in sorted(forced):
        label = "mandatory" if x in p.mandatory else "pinned" if x in ix.pins else f"required by {why.get(x)}"
        if x in p.excluded:
            out.append(Conflict("excluded", f"{x} is {label} but also excluded", (x,), ("excluded",)))
        elif not ix.options[x]:
            out.append(Conflict("no_slot", f"{x} is {label} but {_no_option_reason(ix, x)}", (x,)))
    for ex in p.exclusives:
        both = sorted(set(ex.items) & forced)
        if len(both) > 1:
            out.append(
                Conflict("exclusive", f"{', '.join(both)} are all forced but mutually exclusive", tuple(both))
            )
    if not out:  # aggregate checks only when no single item already explains it
        out += _budget_conflicts(ix, forced)
        out += _capacity_conflicts(ix, forced)
    return out


def _budget_conflicts(ix: Index, forced: set[str]) -> list[Conflict]:
    out = []
    for b in ix.problem.budgets:
        if b.period is not None:
            continue
        users = [x for x in sorted(forced) if b.group is None or b.group in ix.items[x].groups]
        need = sum(ix.items[x].cost for x in users)
        if need > b.amount + EPS * max(1.0, b.amount):
            msg = f"forced items cost {need:g} but the {b.label} is {b.amount:g}"
            out.append(Conflict("budget", msg, tuple(users), (b.label,)))
    return out


def _capacity_conflicts(ix: Index, forced: set[str]) -> list[Conflict]:
    """Forced effort per skill against all capacity their eligible teams have in the horizon."""
    out = []
    need: dict[str, float] = defaultdict(float)
    who: dict[str, list[str]] = defaultdict(list)
    teams: dict[str, set[str]] = defaultdict(set)
    for x in sorted(forced):
        for skill, eff in ix.items[x].effort.items():
            if eff > 0:
                need[skill] += eff
                who[skill].append(x)
                teams[skill].update(ix.teams_of[x])
    for skill, total in need.items():
        have = sum(c for (t, s, _q), c in ix.caps.items() if s == skill and t in teams[skill])
        if total > have + EPS * max(1.0, have):
            msg = f"forced items need {total:g} of {skill} but their teams have {have:g} in the whole horizon"
            out.append(Conflict("capacity", msg, tuple(who[skill]), (f"capacity ({skill})",)))
    return out


def is_feasible(problem: Problem, options: SolveOptions) -> bool:
    """Whether any plan satisfies every rule (a zero-objective solve)."""
    validate(problem)
    ix = build_index(problem)
    if quick_conflicts(ix):
        return False
    m = build_model(ix)
    m.obj = [0.0] * len(m.obj)
    h = to_highs(m, max(1.0, options.time_limit / 10), 0.0, options.threads, options.seed, False)
    if m.n_cols == 0:
        return all(lo <= 0 <= hi for lo, hi in zip(m.row_lo, m.row_hi, strict=True))
    h.run()
    return h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible


def _with_forced(problem: Problem, keep: set[str]) -> Problem:
    return dataclasses.replace(
        problem,
        mandatory=frozenset(x for x in problem.mandatory if x in keep),
        pins=tuple(p for p in problem.pins if p.item in keep),
    )


def _relaxations(problem: Problem) -> list[tuple[str, Problem]]:
    """The problem with one family of constraints lifted, named as a product leader would."""
    out = []
    big = 1e12
    for t in problem.teams:
        teams = tuple(
            dataclasses.replace(u, capacity=dict.fromkeys(u.capacity, big)) if u.id == t.id else u
            for u in problem.teams
        )
        out.append((f"capacity of team {t.label}", dataclasses.replace(problem, teams=teams)))
    for k, b in enumerate(problem.budgets):
        budgets = tuple(
            dataclasses.replace(c, amount=big) if j == k else c for j, c in enumerate(problem.budgets)
        )
        out.append((b.label, dataclasses.replace(problem, budgets=budgets)))
    for k, g in enumerate(problem.guardrails):
        out.append(
            (
                g.label,
                dataclasses.replace(problem, guardrails=problem.guardrails[:k] + problem.guardrails[k + 1 :]),
            )
        )
    if problem.precedences:
        out.append(("the precedence rules", dataclasses.replace(problem, precedences=())))
    if problem.exclusives:
        out.append(("the mutually exclusive sets", dataclasses.replace(problem, exclusives=())))
    deadlines = tuple(dataclasses.replace(it, deadline=None, earliest_start=None) for it in problem.items)
    out.append(("earliest starts and deadlines", dataclasses.replace(problem, items=deadlines)))
    return out


def diagnose_infeasibility(problem: Problem, options: SolveOptions | None = None) -> list[Conflict]:
    """Name the items and constraints in conflict; empty list if the problem is in fact feasible."""
    options = options or SolveOptions(time_limit=10.0)
    validate(problem)
    ix = build_index(problem)
    quick = quick_conflicts(ix)
    if quick:
        return quick
    if is_feasible(problem, options):
        return []
    roots = sorted(set(problem.mandatory) | {p.item for p in problem.pins})
    keep = set(roots)
    for x in roots:  # deletion filter: drop each forced item whose absence keeps the conflict
        trial = keep - {x}
        if not is_feasible(_with_forced(problem, trial), options):
            keep = trial
    core = _with_forced(problem, keep)
    culprits = [name for name, relaxed in _relaxations(core) if is_feasible(relaxed, options)]
    items = tuple(sorted(keep))
    what = ", ".join(culprits) if culprits else "several constraints together"
    msg = f"the forced items {', '.join(items)} cannot all be scheduled: blocked by {what}"
    return [Conflict("forced", msg, items, tuple(culprits))]
