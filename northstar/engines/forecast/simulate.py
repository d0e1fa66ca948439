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

Vectorised (`paths`): all of a team's futures at once, in blocks of weeks drawn so that the same seed
draws the same futures whatever the throughput values (a lower throughput can then only make each
simulated finish later, never earlier). Percentiles come from counts per week, not sorting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from northstar.engines.forecast.paths import BLOCK_WEEKS, Draws, Scratch, growth, running_total, weeks_short

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
    short = weeks_short(
        history,
        remaining,
        simulations=simulations,
        seed=seed,
        team_index=team_index,
        scope_growth=scope_growth,
        horizon_weeks=horizon_weeks,
    )
    finish = short.astype(np.int32) + 1
    finish[_done_now(remaining)] = 0
    return finish.T


def _done_now(remaining: Sequence[float]) -> np.ndarray:
    """Work with nothing left at the front of the queue: done at the start (week 0)."""
    return np.cumsum(np.asarray(remaining, dtype=np.float64) > 0) == 0


def _distribution(short: np.ndarray, done_now: np.ndarray, horizon_weeks: int) -> np.ndarray:
    """Per item (row), how many futures had finished by the end of each week 0..horizon+1, from the
    weeks each future was short of it (finish week = weeks short + 1): counting, not sorting."""
    items, simulations = short.shape
    by_week = np.zeros((items, horizon_weeks + 2), dtype=np.int64)
    for row in range(items):
        if done_now[row]:
            by_week[row] = simulations
        else:
            np.cumsum(np.bincount(short[row], minlength=horizon_weeks + 1), out=by_week[row, 1:])
    return by_week


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
    if not 1 <= horizon_weeks < np.iinfo(np.int16).max:
        raise ValueError("Forecast between one and 32,766 weeks ahead.")
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
    latest = np.zeros(simulations, dtype=np.int32)  # when each future's last initiative lands
    scratch = Scratch()
    for team_index, (team_id, queue) in enumerate(sorted(order.items())):
        remaining = [w.remaining for w in queue]
        short = weeks_short(
            histories[team_id].weekly,
            remaining,
            simulations=simulations,
            seed=seed,
            team_index=team_index,
            scope_growth=scope_growth,
            horizon_weeks=horizon_weeks,
            scratch=scratch,
        )
        done_now = _done_now(remaining)
        by_week = _distribution(short, done_now, horizon_weeks)
        if not done_now.all():
            np.maximum(latest, short.max(axis=0) + 1, out=latest)
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
        roadmap=Percentiles(*(percentile_weeks(latest, q) for q in PERCENTILES)) if order else None,
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
        grown = remaining * growth(scope_growth, (simulations,), rng)
        scope += remaining * (1 + scope_growth)
        if weekly.size == 0 or remaining <= 0:
            continue
        draws = Draws(weekly)
        blocks = [draws.block(simulations, seed, index, b) for b in range(math.ceil(weeks / BLOCK_WEEKS))]
        cum = running_total(np.concatenate(blocks, axis=0)[:weeks], np.zeros(simulations, dtype=np.float32))
        total += np.clip(cum.T - ahead, 0.0, grown[:, None])
    p10, p50, p90 = np.percentile(total, [10, 50, 90], axis=0)
    return Cone(
        weeks=tuple(range(1, weeks + 1)),
        p10=tuple(p10.tolist()),
        p50=tuple(p50.tolist()),
        p90=tuple(p90.tolist()),
        scope=scope,
    )
