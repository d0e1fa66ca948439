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
BLOCK_WEEKS = 26
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
    if allowance <= 0:
        return np.ones(shape)
    return 1.0 + rng.uniform(0.0, 2.0 * allowance, size=shape)


def _block(history: np.ndarray, rows: int, seed: int, team: int, block: int) -> np.ndarray:
    """Throughput for every future in one block of weeks; the same (seed, team, block) draws the same
    weeks of history whatever their values."""
    rng = np.random.default_rng((seed, team, block, 1))
    picks = rng.integers(0, len(history), size=(rows, BLOCK_WEEKS), dtype=np.int32)
    return history.take(picks)


def _first_reaching(cum: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each row, the index of the first column of `cum` (non-decreasing per row) at or above each
    target; `cum.shape[1]` where the row never reaches it. One searchsorted for all rows: each row is
    lifted into its own band of values so the flattened array stays sorted."""
    rows, width = cum.shape
    band = float(max(cum[:, -1].max(initial=0.0), targets.max(initial=0.0))) + 1.0
    lift = (np.arange(rows, dtype=np.float64) * band)[:, None]
    flat = (cum + lift).ravel()
    found = np.searchsorted(flat, (targets + lift).ravel(), side="left").reshape(targets.shape)
    return found - np.arange(rows)[:, None] * width


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
    weekly = np.asarray(history, dtype=np.float64)
    sizes = np.asarray(remaining, dtype=np.float64)
    growth_rng = np.random.default_rng((seed, team_index, 0))
    grown = sizes[None, :] * _growth(scope_growth, (simulations, sizes.size), growth_rng)
    grown[:, sizes <= 0] = 0.0
    # An item with nothing left finishes when the one before it does (week 0 at the front).
    targets = np.cumsum(grown, axis=1)
    never = horizon_weeks + 1
    finish = np.full((simulations, sizes.size), never, dtype=np.int32)
    base = np.zeros(simulations)
    active = np.arange(simulations)
    done = np.zeros(simulations, dtype=np.intp)  # items finished so far, per future (a queue prefix)
    for block in range(math.ceil(horizon_weeks / BLOCK_WEEKS)):
        draws = _block(weekly, simulations, seed, team_index, block)
        if active.size < simulations:
            draws = draws[active]
        cum = np.cumsum(draws, axis=1)
        cum += base[active, None]
        active_targets = targets[active]
        reached = (active_targets <= cum[:, -1:]).sum(axis=1)
        # Only the items some future finishes in this block need a search.
        first, last = int(done[active].min()), int(reached.max())
        if last > first:
            reach = _first_reaching(cum, active_targets[:, first:last])
            week = (block * BLOCK_WEEKS + 1 + reach).astype(np.int32)
            unset = finish[active, first:last] == never
            hit = unset & (reach < BLOCK_WEEKS) & (week <= horizon_weeks)
            block_finish = finish[active, first:last]
            block_finish[hit] = week[hit]
            finish[active, first:last] = block_finish
        done[active] = reached
        base[active] = cum[:, -1]
        active = active[done[active] < sizes.size]
        if active.size == 0:
            break
    zero_at_front = np.cumsum(sizes > 0) == 0
    finish[:, zero_at_front] = 0
    return finish


def _percentiles(sorted_weeks: np.ndarray) -> list[Percentiles]:
    """P50/P85/P95 of each column of an (already column-sorted) finish array: the first week by which
    at least that share of futures had finished (the inverted empirical CDF)."""
    n = sorted_weeks.shape[0]
    rows = [max(0, math.ceil(q / 100 * n) - 1) for q in PERCENTILES]
    picked = sorted_weeks[rows]
    return [Percentiles(*(int(v) for v in picked[:, c])) for c in range(sorted_weeks.shape[1])]


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
        finish = team_finishes(
            histories[team_id].weekly,
            [w.remaining for w in queue],
            simulations=simulations,
            seed=seed,
            team_index=team_index,
            scope_growth=scope_growth,
            horizon_weeks=horizon_weeks,
        )
        np.maximum(latest, finish.max(axis=1), out=latest)
        any_work = True
        committed = np.array([w.committed_week if w.committed_week is not None else -1 for w in queue])
        on_time = (finish <= committed[None, :]).mean(axis=0)
        unfinished = (finish > horizon_weeks).mean(axis=0)
        finish.sort(axis=0)
        for column, (w, weeks) in enumerate(zip(queue, _percentiles(finish), strict=True)):
            results[w.id] = WorkForecast(
                id=w.id,
                team=team_id,
                weeks=weeks,
                on_time=None if w.committed_week is None else float(on_time[column]),
                unfinished=float(unfinished[column]),
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
        blocks = [_block(weekly, simulations, seed, index, b) for b in range(math.ceil(weeks / BLOCK_WEEKS))]
        cum = np.cumsum(np.concatenate(blocks, axis=1)[:, :weeks], axis=1)
        total += np.clip(cum - ahead, 0.0, grown[:, None])
    p10, p50, p90 = np.percentile(total, [10, 50, 90], axis=0)
    return Cone(
        weeks=tuple(range(1, weeks + 1)),
        p10=tuple(p10.tolist()),
        p50=tuple(p50.tolist()),
        p90=tuple(p90.tolist()),
        scope=scope,
    )
