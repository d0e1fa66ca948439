"""Input validation and the lookup tables that the solver, the greedy baseline and the explanations share.

The independent checker deliberately does not use this module, so a bug here cannot hide itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .model import Item, PlannerInputError, Problem

EPS = 1e-6


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def validate(problem: Problem) -> None:
    """Raise PlannerInputError naming every malformed part of the input (not infeasibility)."""
    errors: list[str] = []
    if not problem.periods:
        errors.append("the problem has no planning periods")
    period_ids = [p.id for p in problem.periods]
    item_ids = [i.id for i in problem.items]
    team_ids = [t.id for t in problem.teams]
    for kind, ids in (("period", period_ids), ("item", item_ids), ("team", team_ids)):
        seen: set[str] = set()
        for x in ids:
            if x in seen:
                errors.append(f"duplicate {kind} id {x!r}")
            seen.add(x)
    periods, items, teams = set(period_ids), set(item_ids), set(team_ids)

    def need(kind: str, known: set[str], x: str | None, where: str) -> None:
        if x is not None and x not in known:
            errors.append(f"unknown {kind} {x!r} in {where}")

    for t in problem.teams:
        for (skill, period), cap in t.capacity.items():
            need("period", periods, period, f"capacity of team {t.id}")
            if not _finite(cap) or cap < 0:
                errors.append(f"capacity of team {t.id} for {skill} in {period} must be >= 0, got {cap}")
    for it in problem.items:
        where = f"item {it.id}"
        if not _finite(it.value) or it.value < 0:
            errors.append(f"value of {where} must be a number >= 0, got {it.value}")
        if not _finite(it.cost) or it.cost < 0:
            errors.append(f"cost of {where} must be >= 0, got {it.cost}")
        if not isinstance(it.duration, int) or it.duration < 1:
            errors.append(f"duration of {where} must be a whole number of periods >= 1, got {it.duration}")
        for skill, eff in it.effort.items():
            if not _finite(eff) or eff < 0:
                errors.append(f"effort of {where} for {skill} must be >= 0, got {eff}")
        need("period", periods, it.earliest_start, f"earliest start of {where}")
        need("period", periods, it.deadline, f"deadline of {where}")
        need("team", teams, it.team, where)
        for t_id in it.eligible_teams:
            need("team", teams, t_id, f"eligible teams of {where}")
        if it.discount is not None and not (0 <= it.discount < 1):
            errors.append(f"discount of {where} must be in [0, 1), got {it.discount}")
    if not (0 <= problem.discount_per_period < 1):
        errors.append(f"discount per period must be in [0, 1), got {problem.discount_per_period}")
    for b in problem.budgets:
        need("period", periods, b.period, b.label)
        if not _finite(b.amount) or b.amount < 0:
            errors.append(f"{b.label} must be >= 0, got {b.amount}")
    for g in problem.guardrails:
        if g.measure not in ("capacity", "budget"):
            errors.append(f"guardrail on {g.group}: measure must be 'capacity' or 'budget'")
        if not (0 <= g.min_share <= g.max_share <= 1):
            errors.append(f"guardrail on {g.group}: need 0 <= min_share <= max_share <= 1")
    for p in problem.precedences:
        need("item", items, p.before, "a precedence")
        need("item", items, p.after, "a precedence")
    for r in problem.requires:
        need("item", items, r.item, "a requires rule")
        need("item", items, r.needs, "a requires rule")
    for e in problem.exclusives:
        for x in e.items:
            need("item", items, x, "a mutually exclusive set")
    bundle_ids: set[str] = set()
    for bu in problem.bundles:
        if bu.id in bundle_ids:
            errors.append(f"duplicate bundle id {bu.id!r}")
        bundle_ids.add(bu.id)
        if not bu.items:
            errors.append(f"bundle {bu.id} has no items")
        if not _finite(bu.value) or bu.value < 0:
            errors.append(f"value of bundle {bu.id} must be >= 0")
        for x in bu.items:
            need("item", items, x, f"bundle {bu.id}")
    for x in problem.mandatory:
        need("item", items, x, "the mandatory items")
    for x in problem.excluded:
        need("item", items, x, "the excluded items")
    pinned: set[str] = set()
    for pin in problem.pins:
        need("item", items, pin.item, "a pin")
        need("period", periods, pin.start, f"the pin of {pin.item}")
        need("team", teams, pin.team, f"the pin of {pin.item}")
        if pin.item in pinned:
            errors.append(f"item {pin.item} is pinned twice")
        pinned.add(pin.item)
    if errors:
        raise PlannerInputError(errors)


@dataclass
class Index:
    """Positions and per-item scheduling options, computed once per solve."""

    problem: Problem
    pidx: dict[str, int] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    caps: dict[tuple[str, str, int], float] = field(default_factory=dict)
    options: dict[str, list[tuple[str | None, int]]] = field(default_factory=dict)
    pins: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    teams_of: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_periods(self) -> int:
        return len(self.problem.periods)

    def period_id(self, k: int) -> str:
        return self.problem.periods[k].id

    def factor(self, item: Item, end: int) -> float:
        """Share of an item's value left when it ends in period index `end` (decay)."""
        d = self.problem.discount_per_period if item.discount is None else item.discount
        return (1.0 - d) ** end if d else 1.0

    def window(self, item: Item) -> tuple[int, int]:
        """First and last feasible start index (last < first when nothing fits the horizon)."""
        lo = self.pidx[item.earliest_start] if item.earliest_start else 0
        hi_end = self.pidx[item.deadline] if item.deadline else self.n_periods - 1
        return lo, hi_end - item.duration + 1

    def fits_alone(self, item: Item, team: str | None, start: int) -> bool:
        """Whether the item, alone, fits every capacity cell it touches from this start."""
        if team is None:
            return True
        for skill, eff in item.effort.items():
            if eff <= 0:
                continue
            per = eff / item.duration
            for q in range(start, start + item.duration):
                if self.caps.get((team, skill, q), 0.0) + EPS < per:
                    return False
        return True


def build_index(problem: Problem) -> Index:
    """Precompute scheduling options: pruned by window, eligible team and single-item fit."""
    ix = Index(problem=problem)
    ix.pidx = {p.id: k for k, p in enumerate(problem.periods)}
    ix.items = {it.id: it for it in problem.items}
    for t in problem.teams:
        for (skill, period), cap in t.capacity.items():
            ix.caps[(t.id, skill, ix.pidx[period])] = float(cap)
    all_teams = tuple(t.id for t in problem.teams)
    for pin in problem.pins:
        ix.pins[pin.item] = (pin.team, ix.pidx[pin.start])
    for it in problem.items:
        if it.total_effort <= 0:
            teams: tuple[str | None, ...] = (None,)
        elif it.team:
            teams = (it.team,)
        elif it.eligible_teams:
            teams = it.eligible_teams
        else:
            teams = all_teams
        ix.teams_of[it.id] = tuple(t for t in teams if t is not None)
        if it.id in problem.excluded:
            ix.options[it.id] = []
            continue
        lo, hi = ix.window(it)
        starts = range(max(lo, 0), min(hi, ix.n_periods - it.duration) + 1)
        pinned = ix.pins.get(it.id)
        opts: list[tuple[str | None, int]] = []
        for team in teams:
            if pinned is not None and pinned[0] is not None and team is not None and team != pinned[0]:
                continue
            for s in starts:
                if pinned is not None and s != pinned[1]:
                    continue
                if ix.fits_alone(it, team, s):
                    opts.append((team, s))
        ix.options[it.id] = opts
    return ix


def item_value(ix: Index, item: Item, start: int) -> float:
    """Value an item brings when it starts at `start` (after decay)."""
    return item.value * ix.factor(item, start + item.duration - 1)
