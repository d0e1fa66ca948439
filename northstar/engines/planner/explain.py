"""Why the plan looks the way it does: utilisation, binding constraints and a reason per left-out item."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .index import EPS, Index, item_value
from .ledger import Ledger, cell_label
from .results import Plan, Usage


def explain(ix: Index, plan: Plan) -> dict[str, Any]:
    """Utilisation, binding constraints and exclusion reasons for a plan (fields of Plan)."""
    led = Ledger(ix)
    for a in plan.assignments:
        led.place(ix.items[a.item], a.team, ix.pidx[a.start])
    usage, binding = _utilisation(ix, led)
    blocking: Counter[str] = Counter()
    reasons = exclusion_reasons(ix, led, plan.status, blocking=blocking)
    # Binding: what is exactly full, then what keeps left-out work out (most often first). A plan of
    # real estimates rarely fills a cell to the decimal; the bottleneck is the cell nothing else fits in.
    keeping_out = [label for label, _n in sorted(blocking.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "utilisation": tuple(usage),
        "binding": tuple(dict.fromkeys([*binding, *keeping_out])),
        "exclusion_reasons": reasons,
    }


def _utilisation(ix: Index, led: Ledger) -> tuple[list[Usage], list[str]]:
    p = ix.problem
    usage: list[Usage] = []
    binding: list[str] = []
    for t in p.teams:
        for (skill, period), cap in sorted(t.capacity.items(), key=lambda kv: (ix.pidx[kv[0][1]], kv[0][0])):
            q = ix.pidx[period]
            used = led.cap_used.get((t.id, skill, q), 0.0)
            key = f"{t.label} / {skill} / {p.periods[q].name}"
            usage.append(Usage("capacity", key, used, cap))
            if cap > 0 and used >= cap - EPS * max(1.0, cap):
                binding.append(cell_label(ix, t.id, skill, q))
    for k, b in enumerate(p.budgets):
        used = led.budget_used[k]
        usage.append(Usage("budget", b.label, used, b.amount))
        if used >= b.amount - EPS * max(1.0, b.amount):
            binding.append(f"{b.label} is exhausted")
    for k, g in enumerate(p.guardrails):
        total, part = led.guard_total[g.measure], led.guard_part[k]
        if total <= 0:
            continue
        share = part / total
        if g.min_share > 0 and abs(share - g.min_share) <= 1e-6:
            binding.append(f"{g.label}: at its minimum")
        if g.max_share < 1 and abs(share - g.max_share) <= 1e-6:
            binding.append(f"{g.label}: at its maximum")
    return usage, binding


def _no_option_reason(ix: Index, item_id: str) -> str:
    it = ix.items[item_id]
    lo, hi = ix.window(it)
    if hi < lo or hi < 0 or lo > ix.n_periods - it.duration:
        return (
            f"cannot be scheduled: {it.duration} periods do not fit between its earliest start and deadline"
        )
    if item_id in ix.pins:
        return "its pinned start or team leaves no feasible slot"
    teams = ix.teams_of.get(item_id, ())
    if not teams:
        return "no team is eligible to do it"
    for skill, eff in it.effort.items():
        per = eff / it.duration
        if per > 0 and all(
            ix.caps.get((t, skill, q), 0.0) + EPS < per for t in teams for q in range(ix.n_periods)
        ):
            return f"no eligible team has {per:g} of {skill} per period for it"
    return "no eligible team has enough capacity in any feasible window"


def exclusion_reasons(
    ix: Index, led: Ledger, status: str, *, blocking: Counter[str] | None = None
) -> dict[str, str]:
    """A reason for every item left out.

    Guarantee: the reason names a rule that adding this one item, at its least-blocked slot, would
    break while the rest of the plan stays as it is ("lower value than X" names a selected item using
    the full capacity or budget). It does not claim that re-planning other items could not make room.
    `blocking`, when given, counts how many left-out items each capacity or budget keeps out.
    """
    p = ix.problem
    reasons: dict[str, str] = {}
    users: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for x, (team, start) in led.placed.items():
        it = ix.items[x]
        if team is not None:
            for skill, eff in it.effort.items():
                if eff > 0:
                    for q in range(start, start + it.duration):
                        users[(team, skill, q)].append(x)
    needs: dict[str, list[str]] = defaultdict(list)
    for r in p.requires:
        needs[r.item].append(r.needs)
    in_bundle: dict[str, list[str]] = defaultdict(list)
    for b in p.bundles:
        for x in b.items:
            in_bundle[x].append(b.id)
    # The selected item with the most value per cost, named when a budget blocks (found once: at
    # 10,000 items sorting the plan for every left-out item took 14 of the 17 s of explaining).
    spenders = [x for x in led.placed if ix.items[x].cost > 0]
    top = min(spenders, key=lambda r: (-ix.items[r].value / ix.items[r].cost, r)) if spenders else None
    for it in p.items:
        x = it.id
        if x in led.placed:
            continue
        if x in p.excluded:
            reasons[x] = "excluded by user"
            continue
        missing = [n for n in needs.get(x, ()) if n not in led.placed]
        if missing:
            reasons[x] = f"requires {ix.items[missing[0]].label}, which is not selected"
            continue
        if not ix.options[x]:
            reasons[x] = _no_option_reason(ix, x)
            continue
        best: list[str] | None = None
        best_slot = ix.options[x][0]
        for team, start in ix.options[x]:
            blocks = led.blockers(it, team, start)
            if best is None or len(blocks) < len(best):
                best, best_slot = blocks, (team, start)
            if not blocks:
                break
        assert best is not None
        if best:
            reasons[x] = _with_rival(ix, users, it.id, best[0], best_slot, top)
            if blocking is not None:
                blocking.update(best)
            continue
        led.place(it, *best_slot)
        broken = led.broken_guardrails()
        led.remove(it)
        if broken:
            reasons[x] = f"would break the {broken[0]}"
        elif item_value(ix, it, best_slot[1]) <= 0 and not in_bundle.get(x):
            reasons[x] = "adds no value"
        elif item_value(ix, it, best_slot[1]) <= 0:
            reasons[x] = f"its value comes only with bundle {in_bundle[x][0]}, which cannot be completed"
        elif status == "optimal":
            reasons[x] = "fits, but the proven-optimal plan does not gain from it (within the gap)"
        else:
            reasons[x] = "fits; left out within the solver's remaining gap"
    return reasons


def _with_rival(
    ix: Index,
    users: dict[tuple[str, str, int], list[str]],
    item: str,
    blocker: str,
    slot: tuple[str | None, int],
    top_spender: str | None,
) -> str:
    """Name the selected item of higher value that holds the blocking capacity, if there is one."""
    it = ix.items[item]
    team, start = slot
    if team is not None and blocker.startswith("not enough capacity"):
        for skill in it.effort:
            for q in range(start, start + it.duration):
                if cell_label(ix, team, skill, q, full=False) == blocker:
                    rivals = sorted(users.get((team, skill, q), ()), key=lambda r: -ix.items[r].value)
                    if rivals and ix.items[rivals[0]].value >= it.value:
                        return (
                            f"lower value than {ix.items[rivals[0]].label} in the same capacity ({blocker})"
                        )
    if blocker.endswith("is exhausted"):
        top = ix.items[top_spender] if top_spender is not None else None
        if top is not None and it.value > 0 and it.cost > 0 and top.value / top.cost >= it.value / it.cost:
            return f"{blocker}; it goes to higher value per cost such as {top.label}"
    return blocker
