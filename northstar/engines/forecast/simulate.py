"""Monte Carlo delivery forecasts: when will each initiative land, given how fast its team really works?

Each team works through its queue in the plan's order. A simulated future draws every week's throughput
from the team's own recent weeks (a bootstrap: the weeks it actually had, so holidays, incidents and
good weeks all come back at the rate they happened), and grows every initiative's remaining work by a
random share of scope growth (uniform between none and twice the allowance, so the allowance is the
average growth). An initiative finishes in the first week the team's cumulative throughput covers it
and everything ahead of it in the queue.

Weeks are counted from the forecast's start: week 1 ends seven days after it. A percentile is the
first week by which that share of the simulated futures had finished (P85 = 85% of futures were done
by then), so it can be read as a date and checked against one.

Vectorised: every team's futures are one (simulations x weeks) array, drawn in fixed blocks of weeks so
that the same seed draws the same futures whatever the throughput values (a lower throughput can then
only make each simulated finish later, never earlier).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Weeks drawn per block; futures still unfinished after a block get the next one.
BLOCK_WEEKS = 13
#: Percentiles every forecast reports.
PERCENTILES = (50, 85, 95)


@dataclass(frozen=True)
class TeamHistory:
    """A team's completed work per week (items or points), oldest week first."""

    id: str
    weekly: tuple[float, ...]

    @property
    def mean(self) -> float:
        return sum(self.weekly) / len(self.weekly) if self.weekly else 0.0


@dataclass(frozen=True)
class Work:
    """An initiative's remaining work for one team, in the unit of the team's history.

    `committed_week` is the week (from the forecast's start) by which it was promised, if it was.
    """

    id: str
    team: str
    remaining: float
    committed_week: int | None = None


@dataclass(frozen=True)
class Percentiles:
    p50: int
    p85: int
    p95: int


@dataclass(frozen=True)
class WorkForecast:
    """When one initiative lands: P50/P85/P95 in weeks, the chance of meeting its committed week, and
    the share of futures in which it was not done within the horizon (those count as the horizon)."""

    id: str
    team: str
    weeks: Percentiles
    on_time: float | None
    unfinished: float
    committed_week: int | None = None

    @property
    def late_at_p85(self) -> bool:
        """The flag a roadmap shows: at 85% confidence it lands after the week it was promised."""
        return self.committed_week is not None and self.weeks.p85 > self.committed_week


@dataclass(frozen=True)
class Forecast:
    items: tuple[WorkForecast, ...]
    roadmap: Percentiles | None  # when the last initiative lands
    simulations: int
    horizon_weeks: int
    unforecastable: dict[str, str]  # work id -> why no forecast (no throughput history)


@dataclass(frozen=True)
class Cone:
    """A burn-up: cumulative work done per future week, P10/P50/P90 across futures, and the scope."""

    weeks: tuple[int, ...]
    p10: tuple[float, ...]
    p50: tuple[float, ...]
    p90: tuple[float, ...]
    scope: float


def percentile_weeks(finish: np.ndarray, q: float) -> int:
    """The first week by which at least q% of the futures had finished."""
    return int(np.percentile(finish, q, method="inverted_cdf"))


def _growth(allowance: float, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Each future's factor on the work left: uniform between 1 and 1 + twice the allowance."""
    if allowance <= 0:
        return np.ones(shape, dtype=np.float32)
    factor = rng.random(shape, dtype=np.float32)
    factor *= np.float32(2.0 * allowance)
    factor += np.float32(1.0)
    return factor


#: Random bits per drawn week: 16, looked up in a table that holds each week of history equally often.
_BITS = 1 << 16


class _Weeks:
    """Draws weeks of one team's history for every future, a block of weeks at a time.

    A uniform pick of one of n weeks is one table lookup of 16 random bits: the table holds each week
    the same number of times (65,536 // n), and the few bit patterns left over (fewer than n in
    65,536) are drawn again exactly, so every week stays equally likely. Half the cost of numpy's
    bounded integers, which reject and redraw one value at a time.
    """

    def __init__(self, history: np.ndarray) -> None:
        self.history = np.asarray(history, dtype=np.float64).astype(np.float32)
        each = _BITS // max(1, self.history.size)
        self.limit = each * self.history.size
        self.table = np.zeros(_BITS, dtype=np.float32)
        self.table[: self.limit] = np.repeat(self.history, each)

    def block(self, rows: int, seed: int, team: int, block: int) -> np.ndarray:
        """Throughput of every future in one block of weeks, weeks first (BLOCK_WEEKS x rows). The same
        (seed, team, block) picks the same weeks of history whatever their values, so a slower history
        gives each future a slower path, week by week."""
        rng = np.random.default_rng((seed, team, block, 1))
        if self.limit == 0:  # longer histories than the table: plain bounded integers
            picks = rng.integers(0, self.history.size, size=(BLOCK_WEEKS, rows))
            return self.history.take(picks)
        bits = rng.integers(0, _BITS, size=(BLOCK_WEEKS, rows), dtype=np.uint16)
        weeks = self.table.take(bits)
        if self.limit < _BITS:
            again = np.flatnonzero(bits >= self.limit)
            if again.size:
                weeks.flat[again] = self.history.take(rng.integers(0, self.history.size, size=again.size))
        return weeks


def _running_total(rows: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Running total down the rows (weeks, or the queue's items), in place, from `start` per future.
    One vector add over all futures per row: numpy's cumsum along the first axis is an order of
    magnitude slower on these shapes."""
    np.add(rows[0], start, out=rows[0])
    for row in range(1, rows.shape[0]):
        np.add(rows[row - 1], rows[row], out=rows[row])
    return rows


#: Cap on the compare array of one block (weeks x items x futures) before items are split into chunks.
_COMPARE_CELLS = 4_000_000


def _weeks_short(
    history: Sequence[float],
    remaining: Sequence[float],
    *,
    simulations: int,
    seed: int,
    team_index: int,
    scope_growth: float,
    horizon_weeks: int,
) -> np.ndarray:
    """For each queued item and future, the number of simulated weeks that ended with the item still
    unfinished (an int array, items x simulations, at most the horizon).

    An item is done in the first week the team's running total covers it and everything ahead of it,
    so that count plus one is its finish week. Counting instead of searching keeps every step a
    vector operation: each block of weeks is compared only with the items some future finishes in it;
    items every future finished earlier add nothing, items no future reaches yet add the whole block.
    """
    draws = _Weeks(np.asarray(history))
    sizes = np.maximum(np.asarray(remaining, dtype=np.float64), 0.0).astype(np.float32)
    items = sizes.size
    if items == 0:
        return np.zeros((0, simulations), dtype=np.int16)
    grown = _growth(scope_growth, (items, simulations), np.random.default_rng((seed, team_index, 0)))
    grown *= sizes[:, None]
    # Where the running total must reach for each item to be done: it and everything ahead of it.
    targets = _running_total(grown, np.zeros(simulations, dtype=np.float32))
    lowest, highest = targets.min(axis=1), targets.max(axis=1)  # both non-decreasing along the queue
    dtype = np.int16 if horizon_weeks < np.iinfo(np.int16).max else np.int32
    short = np.zeros((items, simulations), dtype=dtype)
    whole = np.zeros(items, dtype=np.int64)  # weeks of blocks no future reached the item in
    total = np.zeros(simulations, dtype=np.float32)
    first = 0  # items before it are done in every future
    for block in range(math.ceil(horizon_weeks / BLOCK_WEEKS)):
        while first < items and highest[first] <= total.min():
            first += 1
        if first == items:
            break
        length = min(BLOCK_WEEKS, horizon_weeks - block * BLOCK_WEEKS)
        cum = _running_total(draws.block(simulations, seed, team_index, block)[:length], total)
        reached = int(np.searchsorted(lowest, cum[-1].max(), side="right"))  # items some future reaches
        whole[reached:] += length
        step = max(1, _COMPARE_CELLS // (length * simulations))
        for lo in range(first, reached, step):
            hi = min(reached, lo + step)
            below = np.less(cum[:, None, :], targets[None, lo:hi, :])
            short[lo:hi] += below.view(np.uint8).sum(axis=0, dtype=np.uint8)
        total = cum[-1].copy()
    short += whole.astype(dtype)[:, None]
    return short


def team_finishes(
    history: Sequence[float],
    remaining: Sequence[float],
    *,
    simulations: int,
    seed: int,
    team_index: int,
    scope_growth: float,
    horizon_weeks: int,
) -> np.ndarray:
    """Finish week of each queued item in every future: an int array (simulations x items).

    Items finished at the start (nothing remaining) finish in week 0; items not finished within the
    horizon get `horizon_weeks + 1`.
    """
    return _finish_weeks(
        _weeks_short(
            history,
            remaining,
            simulations=simulations,
            seed=seed,
            team_index=team_index,
            scope_growth=scope_growth,
            horizon_weeks=horizon_weeks,
        ),
        remaining,
    ).T


def _finish_weeks(short: np.ndarray, remaining: Sequence[float]) -> np.ndarray:
    """Finish weeks (items x simulations) from the weeks short; work with nothing left at the front of
    the queue is done now (week 0)."""
    finish = short.astype(np.int32) + 1
    zero_at_front = np.cumsum(np.asarray(remaining, dtype=np.float64) > 0) == 0
    finish[zero_at_front] = 0
    return finish


def _distribution(finish: np.ndarray, horizon_weeks: int) -> np.ndarray:
    """Per item (row), how many futures had finished by each week 0..horizon+1: counting, not sorting,
    since finish weeks are small integers."""
    items, _ = finish.shape
    width = horizon_weeks + 2
    counts = np.bincount((finish + np.arange(items)[:, None] * width).ravel(), minlength=items * width)
    return np.cumsum(counts.reshape(items, width), axis=1)


def _share_by(by_week: np.ndarray, week: int) -> float:
    """The share of futures finished by the end of `week` (one item's cumulative counts)."""
    if week < 0:
        return 0.0
    return float(by_week[min(week, by_week.size - 1)]) / float(by_week[-1])


def _percentiles(by_week: np.ndarray, simulations: int) -> list[Percentiles]:
    """P50/P85/P95 of each item from its cumulative count of finished futures per week: the first week
    by which at least that share of futures had finished (the inverted empirical CDF)."""
    needed = [max(1, math.ceil(q / 100 * simulations)) for q in PERCENTILES]
    weeks = np.stack([(by_week >= n).argmax(axis=1) for n in needed], axis=1)
    return [Percentiles(*(int(v) for v in row)) for row in weeks]


def forecast(
    teams: Sequence[TeamHistory],
    work: Sequence[Work],
    *,
    simulations: int = 10_000,
    seed: int = 0,
    scope_growth: float = 0.1,
    horizon_weeks: int = 260,
) -> Forecast:
    """P50/P85/P95 finish weeks for every piece of work (in plan order within its team), the chance of
    meeting each committed week, and when the whole roadmap lands."""
    if simulations < 1:
        raise ValueError("Simulate at least once.")
    if horizon_weeks < 1:
        raise ValueError("Forecast at least one week ahead.")
    if scope_growth < 0:
        raise ValueError("Scope growth cannot be negative.")
    histories = {t.id: t for t in teams}
    order: dict[str, list[Work]] = {}
    unforecastable: dict[str, str] = {}
    for w in work:
        history = histories.get(w.team)
        if history is None or not history.weekly:
            unforecastable[w.id] = "its team has no throughput history yet"
        elif history.mean <= 0 and w.remaining > 0:
            unforecastable[w.id] = "its team finished nothing in the weeks of history"
        else:
            order.setdefault(w.team, []).append(w)
    results: dict[str, WorkForecast] = {}
    latest = np.zeros(simulations, dtype=np.int32)
    any_work = False
    for team_index, (team_id, queue) in enumerate(sorted(order.items())):
        remaining = [w.remaining for w in queue]
        short = _weeks_short(
            histories[team_id].weekly,
            remaining,
            simulations=simulations,
            seed=seed,
            team_index=team_index,
            scope_growth=scope_growth,
            horizon_weeks=horizon_weeks,
        )
        finish = _finish_weeks(short, remaining)
        np.maximum(latest, finish.max(axis=0), out=latest)
        any_work = True
        by_week = _distribution(finish, horizon_weeks)
        for row, (w, weeks) in enumerate(zip(queue, _percentiles(by_week, simulations), strict=True)):
            results[w.id] = WorkForecast(
                id=w.id,
                team=team_id,
                weeks=weeks,
                on_time=None if w.committed_week is None else _share_by(by_week[row], w.committed_week),
                unfinished=1.0 - float(by_week[row, horizon_weeks]) / simulations,
                committed_week=w.committed_week,
            )
    return Forecast(
        items=tuple(results[w.id] for w in work if w.id in results),
        roadmap=Percentiles(*(percentile_weeks(latest, q) for q in PERCENTILES)) if any_work else None,
        simulations=simulations,
        horizon_weeks=horizon_weeks,
        unforecastable=unforecastable,
    )


def cone(
    queues: Sequence[tuple[Sequence[float], float, float]],
    *,
    weeks: int,
    done: float = 0.0,
    simulations: int = 2_000,
    seed: int = 0,
    scope_growth: float = 0.1,
) -> Cone:
    """The burn-up's forecast cone for some remaining work spread over teams.

    Each queue is (team's weekly history, work ahead of ours in that team's queue, our remaining work
    there). Work done per future week counts only what lands on our work, after what is ahead of it.
    """
    if weeks < 1:
        raise ValueError("A cone covers at least one week.")
    total = np.full((simulations, weeks), float(done))
    scope = float(done)
    for index, (history, ahead, remaining) in enumerate(queues):
        weekly = np.asarray(history, dtype=float)
        rng = np.random.default_rng((seed, index, 2))
        grown = remaining * _growth(scope_growth, (simulations,), rng)
        scope += remaining * (1 + scope_growth)
        if weekly.size == 0 or remaining <= 0:
            continue
        draws = _Weeks(weekly)
        blocks = [draws.block(simulations, seed, index, b) for b in range(math.ceil(weeks / BLOCK_WEEKS))]
        cum = _running_total(np.concatenate(blocks, axis=0)[:weeks], np.zeros(simulations, dtype=np.float32))
        total += np.clip(cum.T - ahead, 0.0, grown[:, None])
    p10, p50, p90 = np.percentile(total, [10, 50, 90], axis=0)
    return Cone(
        weeks=tuple(range(1, weeks + 1)),
        p10=tuple(p10.tolist()),
        p50=tuple(p50.tolist()),
        p90=tuple(p90.tolist()),
        scope=scope,
    )
