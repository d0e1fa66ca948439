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
from .index import Index, item_value
from .ledger import Ledger


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


def improve(
    ix: Index,
    placed: Mapping[str, tuple[str | None, int]],
    deadline: float,
    should_stop: Callable[[], bool] | None = None,
) -> Ledger:
    """Shift-earlier then fill-in, repeated while either helps and time remains."""
    led = copy_ledger(ix, placed)
    for _ in range(3):
        moved = shift_earlier(ix, led, deadline, should_stop)
        if _out_of_time(deadline, should_stop):
            break
        before = len(led.placed)
        led, _ = greedy_fill(ix, base=led)
        if not moved and len(led.placed) == before:
            break
    return led
