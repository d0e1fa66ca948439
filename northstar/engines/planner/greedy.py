"""The spreadsheet baseline: rank by value per effort, take what fits, respect dependencies.

It is what most roadmaps are built with today, so the app can say "the optimiser found X% more value";
its plan also warm-starts the solver so a first feasible roadmap exists immediately.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

from .index import EPS, Index, build_index, item_value, validate
from .ledger import Ledger, requires_closure
from .model import Item, Problem
from .results import Assignment, Plan


def _order(ix: Index, unit: frozenset[str]) -> list[str]:
    """Items of a unit with prerequisites and predecessors first (stable, deterministic)."""
    if len(unit) == 1:
        return list(unit)
    before: dict[str, set[str]] = defaultdict(set)
    for r in ix.problem.requires:
        if r.item in unit and r.needs in unit:
            before[r.item].add(r.needs)
    for pr in ix.problem.precedences:
        if pr.after in unit and pr.before in unit:
            before[pr.after].add(pr.before)
    done: list[str] = []
    pending = sorted(unit)
    while pending:
        ready = [x for x in pending if before[x] <= set(done)] or pending[:1]
        done.append(ready[0])
        pending.remove(ready[0])
    return done


def _try_unit(
    led: Ledger,
    ix: Index,
    unit: frozenset[str],
    prefer: Mapping[str, list[tuple[str | None, int]]] | None = None,
    forced: bool = False,
) -> bool:
    """Place every not-yet-placed item of `unit` at its earliest fitting option, or nothing at all.

    Guardrails are shares of the whole plan, so committed work placed first may break them (one
    tech-debt item is 100% of the plan's effort). A `forced` unit is therefore placed whatever the
    shares; while they are broken, a unit is taken only if it leaves no guardrail further from
    holding, so the fill that follows repairs them.
    """
    before = led.guardrail_shortfalls() if not forced else []
    added: list[Item] = []
    for x in _order(ix, unit):
        if x in led.placed:
            continue
        it = ix.items[x]
        options = ix.options[x]
        if prefer and x in prefer:
            options = prefer[x] + [o for o in options if o not in prefer[x]]
        for team, start in options:
            if led.fits(it, team, start):
                led.place(it, team, start)
                added.append(it)
                break
        else:
            break
    else:
        if forced or not led.broken_guardrails():
            return True
        if any(before):
            after = led.guardrail_shortfalls()
            if all(a <= b + EPS * max(1.0, b) for a, b in zip(after, before, strict=True)):
                return True
    for it in reversed(added):
        led.remove(it)
    return False


def _sizes(ix: Index) -> dict[str, float]:
    """Share of all capacity and budget an item uses: a single 'effort' number across skills and money."""
    p = ix.problem
    cap_by_skill: dict[str, float] = defaultdict(float)
    for (_, skill, _q), c in ix.caps.items():
        cap_by_skill[skill] += c
    money = sum(b.amount for b in p.budgets if b.group is None and b.period is None) or sum(
        b.amount for b in p.budgets
    )
    out = {}
    for it in p.items:
        size = sum(e / cap_by_skill[s] for s, e in it.effort.items() if cap_by_skill.get(s, 0) > 0)
        if money > 0:
            size += it.cost / money
        out[it.id] = size
    return out


def ledger_plan(ix: Index, led: Ledger, status: str, seconds: float, method: str) -> Plan:
    """Turn placed items into a Plan with its (recomputed) value."""
    assigns = []
    value = 0.0
    for x, (team, start) in sorted(led.placed.items()):
        it = ix.items[x]
        assigns.append(Assignment(x, team, ix.period_id(start), ix.period_id(start + it.duration - 1)))
        value += item_value(ix, it, start)
    delivered = tuple(b.id for b in ix.problem.bundles if all(x in led.placed for x in b.items))
    value += sum(b.value for b in ix.problem.bundles if b.id in delivered)
    return Plan(
        status=status,  # type: ignore[arg-type]
        assignments=tuple(assigns),
        value=value,
        best_bound=float("nan"),
        gap=float("nan"),
        delivered_bundles=delivered,
        seconds=seconds,
        method=method,
    )


def greedy_fill(
    ix: Index,
    guide: Mapping[str, float] | None = None,
    prefer: Mapping[str, list[tuple[str | None, int]]] | None = None,
    base: Ledger | None = None,
) -> tuple[Ledger, bool]:
    """Run the baseline; the flag says whether every pinned and mandatory item could be placed.

    With a `guide` (an LP solution: selection share per item or "bundle:<id>") units are taken in
    order of that share first, and `prefer` lists each item's slots to try first: LP-guided rounding.
    With a `base` plan (a valid one, extended in place) only what fits around it is added, each item
    at its earliest fitting start on any team: the fill-in step of the local search.
    """
    p = ix.problem
    led = base if base is not None else Ledger(ix)
    if base is not None and prefer is None:
        prefer = {x: sorted(o, key=lambda t: (t[1], t[0] or "")) for x, o in ix.options.items()}
    closure = requires_closure(ix)
    forced_ok = True
    for pin in p.pins:
        forced_ok &= _try_unit(led, ix, closure[pin.item], forced=True)
    for m in sorted(p.mandatory):
        forced_ok &= _try_unit(led, ix, closure[m], forced=True)
    sizes = _sizes(ix)
    units: list[tuple[float, str, frozenset[str]]] = []
    for it in p.items:
        units.append((it.value, it.id, closure[it.id]))
    for b in p.bundles:
        unit = frozenset().union(*(closure[x] for x in b.items))
        units.append((b.value + sum(ix.items[x].value for x in b.items), "bundle:" + b.id, unit))
    ranked = []
    for value, key, unit in units:
        if value <= 0 or any(x in p.excluded for x in unit):
            continue
        size = sum(sizes[x] for x in sorted(unit))  # fixed order: float sums must not depend on hashing
        ratio = value / size if size > 0 else float("inf")
        share = -round(guide.get(key, 0.0), 3) if guide else 0.0
        ranked.append((share, -ratio, -value, key, unit))
    ranked.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    for *_, unit in ranked:
        if unit <= led.placed.keys():
            continue
        _try_unit(led, ix, unit, prefer)
    return led, forced_ok and not led.broken_guardrails()


def greedy_plan(problem: Problem) -> Plan:
    """The baseline plan (status "heuristic"); it honours every rule the solver honours, but not optimally.

    If a pinned or mandatory item cannot be placed greedily the status is "no_solution".
    """
    t0 = time.perf_counter()
    validate(problem)
    ix = build_index(problem)
    led, ok = greedy_fill(ix)
    return ledger_plan(ix, led, "heuristic" if ok else "no_solution", time.perf_counter() - t0, "greedy")
