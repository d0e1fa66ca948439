"""The simulated futures of one team's queue, vectorised: weekly throughput drawn for every future at
once, a running total per week, and for each queued item the number of weeks it was still unfinished.

Layout: weeks first, futures along the row (a block is BLOCK_WEEKS x simulations), so a running total
is one vector add over all futures per week and every comparison runs down contiguous rows.

Same seed, same futures: each block of weeks is drawn from its own generator keyed by (seed, team,
block), and picks *which* week of history to replay whatever the history's values, so a team with a
lower throughput gets, future by future and week by week, a lower running total and can only finish
later. Which blocks are drawn never depends on the values either: only on the block's number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Weeks drawn per block (a quarter); futures still unfinished after a block get the next one.
BLOCK_WEEKS = 13
#: Random bits per drawn week: 16, looked up in a table that holds each week of history equally often.
_BITS = 1 << 16
#: Cap on the compare array of one block (weeks x items x futures) before items are split into chunks.
_COMPARE_CELLS = 4_000_000


class Scratch:
    """Arrays reused from team to team within one forecast: fresh arrays of this size cost about as
    much in page faults as the arithmetic on them."""

    def __init__(self) -> None:
        self._held: dict[str, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
        """An uninitialised array of that shape, sharing memory with the last one of the same name."""
        size = math.prod(shape)
        held = self._held.get(name)
        if held is None or held.size < size or held.dtype != dtype:
            held = self._held[name] = np.empty(size, dtype=dtype)
        return held[:size].reshape(shape)


def growth(
    allowance: float, shape: tuple[int, ...], rng: np.random.Generator, out: np.ndarray | None = None
) -> np.ndarray:
    """Each future's factor on the work left: uniform between 1 and 1 + twice the allowance (so the
    allowance is the average growth), as float32."""
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    if allowance <= 0:
        out.fill(1.0)
        return out
    rng.random(dtype=np.float32, out=out)
    out *= np.float32(2.0 * allowance)
    out += np.float32(1.0)
    return out


def running_total(rows: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Running total down the rows (weeks, or the queue's items), in place, from `start` per future.
    One vector add over all futures per row: numpy's cumsum along the first axis is an order of
    magnitude slower on these shapes."""
    np.add(rows[0], start, out=rows[0])
    for row in range(1, rows.shape[0]):
        np.add(rows[row - 1], rows[row], out=rows[row])
    return rows


class Draws:
    """Draws weeks of one team's history for every future, a block of weeks at a time.

    A uniform pick of one of n weeks is one table lookup of 16 random bits: the table holds each week
    the same number of times (65,536 // n), and the few bit patterns left over (fewer than n in
    65,536) are drawn again exactly, so every week stays equally likely. Raw 64-bit words split four
    ways cost a third of numpy's bounded integers, which reject and redraw value by value.
    """

    def __init__(self, history: Sequence[float] | np.ndarray, scratch: Scratch | None = None) -> None:
        self.history = np.asarray(history, dtype=np.float64).astype(np.float32)
        n = self.history.size
        each = _BITS // n if n else 0
        self.limit = each * n
        self.table = (scratch or Scratch()).array("table", (_BITS,), np.float32)
        if self.limit:
            self.table[: self.limit].reshape(n, each)[:] = self.history[:, None]
        self.table[self.limit :] = 0.0  # never read: patterns at or above the limit are drawn again

    def block(self, rows: int, seed: int, team: int, block: int, out: np.ndarray | None = None) -> np.ndarray:
        """Throughput of every future in one block of weeks (BLOCK_WEEKS x rows, float32), into `out`
        when given. The same (seed, team, block) picks the same weeks of history whatever their
        values."""
        rng = np.random.default_rng((seed, team, block, 1))
        if out is None:
            out = np.empty((BLOCK_WEEKS, rows), dtype=np.float32)
        if self.limit == 0:  # a history longer than the table: plain bounded integers
            picks = rng.integers(0, self.history.size, size=(BLOCK_WEEKS, rows))
            return self.history.take(picks, out=out, mode="clip")
        count = BLOCK_WEEKS * rows
        raw = rng.bit_generator.random_raw(-(-count // 4))
        bits = raw.view(np.uint16)[:count].reshape(BLOCK_WEEKS, rows)
        weeks = self.table.take(bits, out=out, mode="clip")  # every 16-bit value is an index
        if self.limit < _BITS:
            again = np.flatnonzero(bits >= self.limit)
            if again.size:
                weeks.flat[again] = self.history.take(rng.integers(0, self.history.size, size=again.size))
        return weeks


def weeks_short(
    history: Sequence[float],
    remaining: Sequence[float],
    *,
    simulations: int,
    seed: int,
    team_index: int,
    scope_growth: float,
    horizon_weeks: int,
    scratch: Scratch | None = None,
) -> np.ndarray:
    """For each queued item and future, how many simulated weeks ended with the item still unfinished
    (items x simulations, int16, at most the horizon; in `scratch` memory when given, so read it
    before the next team).

    An item is done in the first week the team's running total covers it and everything ahead of it,
    so that count plus one is its finish week. Counting instead of searching keeps every step a
    vector operation: each block of weeks is compared only with the items some future finishes in it;
    items every future finished earlier add nothing, items no future reaches yet add the whole block.
    """
    scratch = scratch or Scratch()
    sizes = np.maximum(np.asarray(remaining, dtype=np.float64), 0.0).astype(np.float32)
    items = sizes.size
    if horizon_weeks >= np.iinfo(np.int16).max:
        raise ValueError("Forecast at most 32,766 weeks ahead.")
    short = scratch.array("short", (items, simulations), np.int16)
    short.fill(0)
    if items == 0:
        return short
    draws = Draws(history, scratch)
    targets = growth(
        scope_growth,
        (items, simulations),
        np.random.default_rng((seed, team_index, 0)),
        out=scratch.array("targets", (items, simulations), np.float32),
    )
    targets *= sizes[:, None]
    # Where the running total must reach for each item to be done: it and everything ahead of it.
    running_total(targets, np.zeros(simulations, dtype=np.float32))
    lowest, highest = targets.min(axis=1), targets.max(axis=1)  # both non-decreasing along the queue
    whole = np.zeros(items, dtype=np.int64)  # weeks of blocks in which no future reached the item
    total = np.zeros(simulations, dtype=np.float32)
    weeks = scratch.array("weeks", (BLOCK_WEEKS, simulations), np.float32)
    step = min(items, max(1, _COMPARE_CELLS // (BLOCK_WEEKS * simulations)))
    below = scratch.array("below", (BLOCK_WEEKS, step, simulations), np.bool_)
    counted = scratch.array("counted", (step, simulations), np.uint8)
    first = 0  # items before it are done in every future
    for block in range(math.ceil(horizon_weeks / BLOCK_WEEKS)):
        while first < items and highest[first] <= total.min():
            first += 1
        if first == items:
            break
        length = min(BLOCK_WEEKS, horizon_weeks - block * BLOCK_WEEKS)
        cum = running_total(draws.block(simulations, seed, team_index, block, out=weeks)[:length], total)
        reached = int(np.searchsorted(lowest, cum[-1].max(), side="right"))  # items some future reaches
        whole[reached:] += length
        for lo in range(first, reached, step):
            hi = min(reached, lo + step)
            short_of = np.less(cum[:, None, :], targets[None, lo:hi, :], out=below[:length, : hi - lo])
            short[lo:hi] += np.add.reduce(
                short_of.view(np.uint8), axis=0, dtype=np.uint8, out=counted[: hi - lo]
            )
        np.copyto(total, cum[-1])
    short += whole.astype(np.int16)[:, None]
    return short
