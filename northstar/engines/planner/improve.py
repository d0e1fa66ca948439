"""Local search on a finished plan: cheap moves that the restricted MIP cannot see.

The large-portfolio MIP only knows the columns the LP used, so an item whose best slot lies outside
them stays out of the plan or starts late. Two moves fix that, each kept only when the ledger says
every rule still holds: start a placed item earlier (decay makes early delivery worth more), and add
unplaced items (with everything they require) in the greedy's order. Neither move removes anything,
so the plan's value never goes down.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from .greedy import greedy_fill
from .index import EPS, Index, item_value
from .ledger import Ledger
from .model import Item

# Swaps try the most valuable waiting items first; at 1,000 items they all finish in about a second
# (+1.2% value on the MIP's plan), at 10,000 items a full pass takes ~45 s for +0.02%: callers cap it.
SWAP_SECONDS = 2.0


def copy_ledger(ix: Index, placed: Mapping[str, tuple[str | None, int]]) -> Ledger:
    """A fresh ledger holding these placements (in sorted order, so float sums are deterministic)."""
    led = Ledger(ix)
    for x in sorted(placed):
        team, start = placed[x]
        led.place(ix.items[x], team, start)
    return led


def _out_of_time(deadline: float, should_stop: Callable[[], bool] | None) -> bool:
    return time.perf_counter() > deadline or (should_stop is not None and should_stop())


def shift_earlier(
    ix: Index, led: Ledger, deadline: float, should_stop: Callable[[], bool] | None = None
) -> int:
    """Move placed items to a slot worth more (an earlier end, any eligible team); returns moves made.

    Moving keeps the selection, so guardrails (shares of the selection) and bundles are unaffected;
    capacity, budgets per period and precedences are re-checked by the ledger for each slot.
    """
    moves = 0
    pinned = set(ix.pins)
    by_value = sorted(led.placed, key=lambda x: (-ix.items[x].value, x))
    for k, x in enumerate(by_value):
        if x in pinned:
            continue
        if k % 64 == 0 and _out_of_time(deadline, should_stop):
            break
        it = ix.items[x]
        team, start = led.placed[x]
        now = item_value(ix, it, start)
        better = [o for o in ix.options[x] if item_value(ix, it, o[1]) > now * (1 + 1e-9) + 1e-12]
        if not better:
            continue
        better.sort(key=lambda o: (-item_value(ix, it, o[1]), o[1], o[0] or ""))
        led.remove(it)
        for t, s in better:
            if led.fits(it, t, s):
                led.place(it, t, s)
                moves += 1
                break
        else:
            led.place(it, team, start)
    return moves


def _bundle_gain(ix: Index, placed: Mapping[str, object], out: str, into: str, bundles: list) -> float:
    """Bundle value won or lost when `out` leaves and `into` joins the plan (`bundles`: theirs)."""
    gain = 0.0
    for b in bundles:
        had = all(x in placed for x in b.items)
        has = all((x in placed and x != out) or x == into for x in b.items)
        gain += b.value * (float(has) - float(had))
    return gain


class _Occupancy:
    """Placed items per (team, period), kept in step with the ledger during the swaps."""

    def __init__(self, ix: Index, led: Ledger) -> None:
        self.ix, self.led = ix, led
        self.cells: dict[tuple[str | None, int], set[str]] = {}
        for x in led.placed:
            self._mark(x, True)

    def _mark(self, x: str, on: bool) -> None:
        t, s = self.led.placed[x]
        for q in range(s, s + self.ix.items[x].duration):
            cell = self.cells.setdefault((t, q), set())
            if on:
                cell.add(x)
            else:
                cell.discard(x)

    def place(self, x: str, t: str | None, s: int) -> None:
        self.led.place(self.ix.items[x], t, s)
        self._mark(x, True)

    def remove(self, x: str) -> None:
        self._mark(x, False)
        self.led.remove(self.ix.items[x])

    def around(self, t: str, s: int, duration: int) -> set[str]:
        out: set[str] = set()
        for q in range(s, s + duration):
            out |= self.cells.get((t, q), set())
        return out


def swap_in(ix: Index, led: Ledger, deadline: float, should_stop: Callable[[], bool] | None = None) -> int:
    """Give an unplaced item the slot of a placed one on the same team when that is worth more.

    The item taken out is re-placed elsewhere when it fits. Only items nothing placed requires, and
    that are not forced, are taken out; only items whose requirements are all placed come in; the
    guardrails are re-checked after each swap. Returns the number of swaps made.
    """
    p = ix.problem
    forced = set(p.mandatory) | set(ix.pins)
    needs: dict[str, set[str]] = {}
    needed_by: dict[str, set[str]] = {}
    for r in p.requires:
        needs.setdefault(r.item, set()).add(r.needs)
        needed_by.setdefault(r.needs, set()).add(r.item)
    bundles_of: dict[str, list] = {}
    for b in p.bundles:
        for x in set(b.items):
            bundles_of.setdefault(x, []).append(b)
    occ = _Occupancy(ix, led)
    swaps = 0
    waiting = [x for x in ix.items if x not in led.placed and ix.options[x]]
    waiting.sort(key=lambda x: (-ix.items[x].value, x))
    for k, u in enumerate(waiting):
        if k % 32 == 0 and _out_of_time(deadline, should_stop):
            break
        if u in led.placed or not needs.get(u, set()) <= led.placed.keys():
            continue
        it = ix.items[u]
        for t, s in sorted(ix.options[u], key=lambda o: (o[1], o[0] or "")):
            if t is None:
                continue
            gain_u = item_value(ix, it, s)
            rivals = sorted(
                v for v in occ.around(t, s, it.duration)
                if v not in forced and v not in needs.get(u, ())
                and item_value(ix, ix.items[v], led.placed[v][1]) < gain_u
                and not (needed_by.get(v, set()) & led.placed.keys())
            )  # fmt: skip
            if not rivals:
                continue
            short = _shortfall(ix, led, it, t, s)
            if short is None:
                continue
            rivals = [v for v in rivals if _frees(ix, led, v, short)]
            if rivals and _try_swap(ix, occ, u, t, s, rivals, bundles_of):
                swaps += 1
                break
    return swaps


Shortfall = tuple[dict[tuple[str, str, int], float], dict[int, float]]


def _shortfall(ix: Index, led: Ledger, it: Item, t: str, s: int) -> Shortfall | None:
    """How much capacity (per cell) and budget `it` lacks at this slot; None when something other
    than resources (a rival, a precedence) blocks it, which taking out one item rarely fixes."""
    if not led.order_fits(it, s):
        return None
    cells: dict[tuple[str, str, int], float] = {}
    for skill, eff in it.effort.items():
        per = eff / it.duration
        if per <= 0:
            continue
        for q in range(s, s + it.duration):
            cap = ix.caps.get((t, skill, q), 0.0)
            over = led.cap_used.get((t, skill, q), 0.0) + per - cap - EPS * max(1.0, cap)
            if over > 0:
                cells[(t, skill, q)] = over
    budgets: dict[int, float] = {}
    for k, use in led.budget_uses(it, s):
        amount = ix.problem.budgets[k].amount
        over = led.budget_used[k] + use - amount - EPS * max(1.0, amount)
        if over > 0:
            budgets[k] = over
    return cells, budgets


def _frees(ix: Index, led: Ledger, v: str, short: Shortfall) -> bool:
    """Whether taking `v` out covers the whole shortfall."""
    iv = ix.items[v]
    tv, sv = led.placed[v]
    cells, budgets = short
    for (t, skill, q), need in cells.items():
        eff = iv.effort.get(skill, 0.0)
        if t != tv or not sv <= q < sv + iv.duration or eff / iv.duration < need:
            return False
    if budgets:
        uses = dict(led.budget_uses(iv, sv))
        if any(uses.get(k, 0.0) < need for k, need in budgets.items()):
            return False
    return True


def _try_swap(
    ix: Index, occ: _Occupancy, u: str, t: str, s: int, rivals: list[str], bundles_of: dict[str, list]
) -> bool:
    led, it = occ.led, ix.items[u]
    for v in rivals:
        iv = ix.items[v]
        tv, sv = led.placed[v]
        gain = item_value(ix, it, s) - item_value(ix, iv, sv)
        if u in bundles_of or v in bundles_of:
            both = {id(b): b for b in bundles_of.get(u, []) + bundles_of.get(v, [])}
            gain += _bundle_gain(ix, led.placed, v, u, list(both.values()))
        if gain <= 1e-9:
            continue
        occ.remove(v)
        if led.fits(it, t, s):
            occ.place(u, t, s)
            if not led.broken_guardrails():
                for t2, s2 in ix.options[v]:  # the one taken out may still fit somewhere else
                    if led.fits(iv, t2, s2):
                        occ.place(v, t2, s2)
                        if not led.broken_guardrails():
                            break
                        occ.remove(v)
                return True
            occ.remove(u)
        occ.place(v, tv, sv)
    return False


def improve(
    ix: Index,
    placed: Mapping[str, tuple[str | None, int]],
    deadline: float,
    should_stop: Callable[[], bool] | None = None,
    swap_seconds: float = 0.0,
) -> Ledger:
    """Shift-earlier, fill-in and (given `swap_seconds`) swap-in, repeated while any of them helps.

    Without swaps a pass is cheap enough (~2 s at 10,000 items) to polish every plan the MIP finds;
    the swaps are for the final plan.
    """
    led = copy_ledger(ix, placed)
    for _ in range(3):
        moved = shift_earlier(ix, led, deadline, should_stop)
        if _out_of_time(deadline, should_stop):
            break
        before = len(led.placed)
        led, _ = greedy_fill(ix, base=led)
        if swap_seconds > 0 and not _out_of_time(deadline, should_stop):
            moved += swap_in(ix, led, min(deadline, time.perf_counter() + swap_seconds), should_stop)
            led, _ = greedy_fill(ix, base=led)
        if not moved and len(led.placed) == before:
            break
    return led
