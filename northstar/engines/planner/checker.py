"""The independent feasibility checker: plain Python, shares no code with the solver.

Every plan the engine returns is re-checked here against the original problem, so a modelling bug in
the integer program shows up as a violation instead of as a roadmap that quietly breaks a rule.
"""

from __future__ import annotations

from collections import defaultdict

from .model import Problem
from .results import Plan, Violation

TOL = 1e-6


def _over(used: float, limit: float) -> bool:
    return used > limit + TOL * max(1.0, abs(limit))


def plan_value(problem: Problem, plan: Plan) -> float:
    """Recompute a plan's value from scratch: decayed item values plus completed bundles."""
    periods = [p.id for p in problem.periods]
    items = {i.id: i for i in problem.items}
    total = 0.0
    for a in plan.assignments:
        it = items.get(a.item)
        if it is None or a.end not in periods:
            continue
        d = problem.discount_per_period if it.discount is None else it.discount
        total += it.value * (1.0 - d) ** periods.index(a.end)
    chosen = {a.item for a in plan.assignments}
    for b in problem.bundles:
        if all(x in chosen for x in b.items):
            total += b.value
    return total


def check_plan(problem: Problem, plan: Plan) -> list[Violation]:
    """Every rule of `problem` that `plan` breaks (empty list = the plan is valid)."""
    out: list[Violation] = []
    periods = [p.id for p in problem.periods]
    pos = {p: k for k, p in enumerate(periods)}
    items = {i.id: i for i in problem.items}
    teams = {t.id: t for t in problem.teams}
    where: dict[str, tuple[int, int]] = {}

    def bad(kind: str, message: str, *ids: str) -> None:
        out.append(Violation(kind, message, tuple(ids)))

    for a in plan.assignments:
        it = items.get(a.item)
        if it is None:
            bad("unknown", f"plan contains unknown item {a.item}", a.item)
            continue
        if a.item in where:
            bad("duplicate", f"{a.item} is scheduled twice", a.item)
            continue
        if a.start not in pos or a.end not in pos:
            bad("period", f"{a.item} uses an unknown period", a.item)
            continue
        s, e = pos[a.start], pos[a.end]
        where[a.item] = (s, e)
        if e - s + 1 != it.duration:
            bad("duration", f"{a.item} runs {e - s + 1} periods, needs {it.duration}", a.item)
        if it.earliest_start is not None and s < pos[it.earliest_start]:
            bad("earliest_start", f"{a.item} starts before {it.earliest_start}", a.item)
        if it.deadline is not None and e > pos[it.deadline]:
            bad("deadline", f"{a.item} ends after its deadline {it.deadline}", a.item)
        if it.id in problem.excluded:
            bad("excluded", f"{a.item} was excluded but is in the plan", a.item)
        if sum(it.effort.values()) > 0:
            allowed = {it.team} if it.team else set(it.eligible_teams) if it.eligible_teams else set(teams)
            if a.team not in allowed:
                bad("team", f"{a.item} is given to {a.team}, not an eligible team", a.item)

    chosen = set(where)
    for m in problem.mandatory:
        if m not in chosen:
            bad("mandatory", f"mandatory item {m} is missing", m)
    for pin in problem.pins:
        placed = plan.assignment_of(pin.item)
        if placed is None or placed.start != pin.start or (pin.team is not None and placed.team != pin.team):
            bad("pin", f"{pin.item} is not at its pinned start {pin.start}", pin.item)
    for r in problem.requires:
        if r.item in chosen and r.needs not in chosen:
            bad("requires", f"{r.item} requires {r.needs}, which is not in the plan", r.item, r.needs)
    for ex in problem.exclusives:
        picked = [x for x in dict.fromkeys(ex.items) if x in chosen]
        if len(picked) > 1:
            bad("exclusive", f"alternatives selected together: {', '.join(picked)}", *picked)
    for pr in problem.precedences:
        if pr.before in where and pr.after in where and where[pr.after][0] <= where[pr.before][1]:
            bad("precedence", f"{pr.after} starts before {pr.before} has finished", pr.before, pr.after)

    cap_use: dict[tuple[str, str, str], float] = defaultdict(float)
    period_cost: dict[str, float] = defaultdict(float)
    for a in plan.assignments:
        it = items.get(a.item)
        if a.item not in where or it is None:
            continue
        s, e = where[a.item]
        span = periods[s : e + 1]
        if a.team is not None:
            for skill, eff in it.effort.items():
                for p in span:
                    cap_use[(a.team, skill, p)] += eff / it.duration
        for p in span:
            period_cost[p] += it.cost / it.duration
    for (team, skill, p), used in cap_use.items():
        t = teams.get(team)
        limit = t.capacity.get((skill, p), 0.0) if t else 0.0
        if used > 0 and _over(used, limit):
            bad("capacity", f"team {team} ({skill}) in {p}: {used:g} used > {limit:g} available")

    for b in problem.budgets:
        spent = 0.0
        for a in plan.assignments:
            it = items.get(a.item)
            if it is None or a.item not in where:
                continue
            if b.group is not None and b.group not in it.groups:
                continue
            s, e = where[a.item]
            n_in = e - s + 1 if b.period is None else int(s <= pos[b.period] <= e)
            spent += it.cost / it.duration * n_in
        if _over(spent, b.amount):
            bad("budget", f"{b.label}: {spent:g} spent > {b.amount:g}")

    for g in problem.guardrails:
        total = part = 0.0
        for x in chosen:
            it = items[x]
            amount = sum(it.effort.values()) if g.measure == "capacity" else it.cost
            total += amount
            if g.group in it.groups:
                part += amount
        if part + TOL * max(1.0, total) < g.min_share * total:
            bad("guardrail", f"{g.label}: {part:g} of {total:g} is below the minimum share")
        if _over(part, g.max_share * total):
            bad("guardrail", f"{g.label}: {part:g} of {total:g} is above the maximum share")

    if plan.status in ("optimal", "feasible", "heuristic"):
        v = plan_value(problem, plan)
        if abs(v - plan.value) > 1e-5 * max(1.0, abs(v)):
            bad("value", f"plan claims value {plan.value:g} but its items are worth {v:g}")
    return out
