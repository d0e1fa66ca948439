"""Incremental bookkeeping of a plan under construction: what each placement uses and what it would break.

The greedy baseline builds plans with it, and the exclusion reasons ask it "what stops this item?".
"""

from __future__ import annotations

from collections import defaultdict

from .index import EPS, Index
from .model import Item


def requires_closure(ix: Index) -> dict[str, frozenset[str]]:
    """Every item together with everything it transitively requires."""
    needs: dict[str, list[str]] = defaultdict(list)
    for r in ix.problem.requires:
        needs[r.item].append(r.needs)
    out: dict[str, frozenset[str]] = {}
    for root in ix.items:
        seen = {root}
        stack = [root]
        while stack:
            for n in needs.get(stack.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        out[root] = frozenset(seen)
    return out


class Ledger:
    """Resource use of the placed items, with the checks needed to place one more."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        p = ix.problem
        self.cap_used: dict[tuple[str, str, int], float] = defaultdict(float)
        self.budget_used = [0.0] * len(p.budgets)
        self.placed: dict[str, tuple[str | None, int]] = {}
        self.preds: dict[str, list[str]] = defaultdict(list)
        self.succs: dict[str, list[str]] = defaultdict(list)
        for pr in p.precedences:
            self.preds[pr.after].append(pr.before)
            self.succs[pr.before].append(pr.after)
        self.rivals: dict[str, set[str]] = defaultdict(set)
        for ex in p.exclusives:
            for x in ex.items:
                self.rivals[x].update(y for y in ex.items if y != x)
        self.guard_total = {"capacity": 0.0, "budget": 0.0}
        self.guard_part = [0.0] * len(p.guardrails)
        self._uses: dict[tuple[str, int], list[tuple[int, float]]] = {}

    def _span(self, item: Item, start: int) -> range:
        return range(start, start + item.duration)

    def _budget_share(self, k: int, item: Item, start: int) -> float:
        b = self.ix.problem.budgets[k]
        if b.group is not None and b.group not in item.groups:
            return 0.0
        if b.period is None:
            return item.cost
        q = self.ix.pidx[b.period]
        return item.cost / item.duration if start <= q < start + item.duration else 0.0

    def blockers(self, item: Item, team: str | None, start: int) -> list[str]:
        """Why placing `item` with this team and start would break a rule (empty: it fits).

        Guardrails are not checked here: a share can only be judged for a whole set of additions.
        """
        ix, out = self.ix, []
        end = start + item.duration - 1
        for x in self.rivals.get(item.id, ()):
            if x in self.placed:
                out.append(f"mutually exclusive with {ix.items[x].label} (selected)")
        for a in self.preds.get(item.id, ()):
            if a in self.placed:
                pa = ix.items[a]
                if start <= self.placed[a][1] + pa.duration - 1:
                    out.append(f"must start after {pa.label} finishes")
        for b in self.succs.get(item.id, ()):
            if b in self.placed and self.placed[b][1] <= end:
                out.append(f"must finish before {ix.items[b].label} starts")
        if team is not None:
            for skill, eff in item.effort.items():
                per = eff / item.duration
                if per <= 0:
                    continue
                for q in self._span(item, start):
                    cap = ix.caps.get((team, skill, q), 0.0)
                    if self.cap_used[(team, skill, q)] + per > cap + EPS * max(1.0, cap):
                        out.append(cell_label(ix, team, skill, q, full=False))
        for k, budget in enumerate(ix.problem.budgets):
            use = self._budget_share(k, item, start)
            if use > 0 and self.budget_used[k] + use > budget.amount + EPS * max(1.0, budget.amount):
                out.append(f"{budget.label} is exhausted")
        return out

    def order_fits(self, item: Item, start: int) -> bool:
        """No selected alternative, and every placed predecessor and successor still in order at this
        start: what `fits` checks besides capacity and budgets."""
        ix, placed = self.ix, self.placed
        if any(x in placed for x in self.rivals.get(item.id, ())):
            return False
        end = start + item.duration - 1
        for a in self.preds.get(item.id, ()):
            pa = placed.get(a)
            if pa is not None and start <= pa[1] + ix.items[a].duration - 1:
                return False
        for b in self.succs.get(item.id, ()):
            pb = placed.get(b)
            if pb is not None and pb[1] <= end:
                return False
        return True

    def fits(self, item: Item, team: str | None, start: int) -> bool:
        """Same verdict as `not blockers(...)`, without building the messages: the hot path of the
        greedy and the local search, which try hundreds of thousands of slots at portfolio scale."""
        if not self.order_fits(item, start):
            return False
        ix, end = self.ix, start + item.duration - 1
        if team is not None:
            for skill, eff in item.effort.items():
                per = eff / item.duration
                if per <= 0:
                    continue
                for q in range(start, end + 1):
                    cap = ix.caps.get((team, skill, q), 0.0)
                    if self.cap_used.get((team, skill, q), 0.0) + per > cap + EPS * max(1.0, cap):
                        return False
        budgets = ix.problem.budgets
        for k, use in self.budget_uses(item, start):
            amount = budgets[k].amount
            if self.budget_used[k] + use > amount + EPS * max(1.0, amount):
                return False
        return True

    def budget_uses(self, item: Item, start: int) -> list[tuple[int, float]]:
        """(budget index, amount) for every budget this placement would draw on (cached)."""
        key = (item.id, start)
        uses = self._uses.get(key)
        if uses is None:
            shares = ((k, self._budget_share(k, item, start)) for k in range(len(self.budget_used)))
            uses = [(k, u) for k, u in shares if u > 0]
            self._uses[key] = uses
        return uses

    def place(self, item: Item, team: str | None, start: int) -> None:
        self.placed[item.id] = (team, start)
        self._book(item, team, start, +1.0)

    def remove(self, item: Item) -> None:
        team, start = self.placed.pop(item.id)
        self._book(item, team, start, -1.0)

    def _book(self, item: Item, team: str | None, start: int, sign: float) -> None:
        if team is not None:
            for skill, eff in item.effort.items():
                for q in self._span(item, start):
                    self.cap_used[(team, skill, q)] += sign * eff / item.duration
        for k, use in self.budget_uses(item, start):
            self.budget_used[k] += sign * use
        measure = {"capacity": item.total_effort, "budget": item.cost}
        for m, v in measure.items():
            self.guard_total[m] += sign * v
        for k, g in enumerate(self.ix.problem.guardrails):
            if g.group in item.groups:
                self.guard_part[k] += sign * measure[g.measure]

    def guardrail_shortfalls(self) -> list[float]:
        """How far each guardrail is from holding, in its measure's units (0 where it holds)."""
        out = []
        for k, g in enumerate(self.ix.problem.guardrails):
            total, part = self.guard_total[g.measure], self.guard_part[k]
            out.append(max(0.0, g.min_share * total - part, part - g.max_share * total))
        return out

    def broken_guardrails(self) -> list[str]:
        out = []
        for k, g in enumerate(self.ix.problem.guardrails):
            total, part = self.guard_total[g.measure], self.guard_part[k]
            slack = EPS * max(1.0, total)
            if part + slack < g.min_share * total or part > g.max_share * total + slack:
                out.append(g.label)
        return out


def cell_label(ix: Index, team: str, skill: str, q: int, full: bool = True) -> str:
    """How a product leader would name one capacity cell (full, or without enough room left)."""
    t = next((t for t in ix.problem.teams if t.id == team), None)
    name = t.label if t else team
    cell = f"capacity of team {name} ({skill}) in {ix.problem.periods[q].name}"
    return f"{cell} is full" if full else f"not enough {cell} left"
