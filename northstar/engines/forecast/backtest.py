"""Calibration backtest: does P85 mean 85%?

Histories come from a known process, so the real future can be played forward and checked against the
forecast made from the history alone. Each case: a team whose weekly throughput is Poisson at a rate
drawn between 2 and 10 items (the forecast is not told the rate, only its last weeks), a queue of
initiatives of 5 to 60 items, and an actual future from the same process, with the work growing by
the same kind of scope growth the forecast allows for. A calibrated forecast has the actual finish on
or before its P85 week in 85% of cases (and P50 in about half, P95 in 95%).

The engine test runs a small backtest and the forecast benchmark a larger one, whose figures the
result file and the docs report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from northstar.engines.forecast.simulate import TeamHistory, Work, forecast


@dataclass(frozen=True)
class Calibration:
    """Share of actual finishes on or before each percentile's week, over `finishes` initiatives."""

    cases: int
    finishes: int
    p50: float
    p85: float
    p95: float

    def interval(self, share: float, z: float = 1.96) -> tuple[float, float]:
        """A Wilson 95% interval for one of the shares (the finishes taken as independent)."""
        n = self.finishes
        centre = (share + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return float(centre - half), float(centre + half)


def _actual_finishes(rng: np.random.Generator, rate: float, sizes: np.ndarray) -> list[int]:
    """Play the known process forward once: the week each queued item is really done."""
    done, week, finishes = 0.0, 0, []
    for target in np.cumsum(sizes):
        while done < target:
            week += 1
            done += rng.poisson(rate)
        finishes.append(week)
    return finishes


def calibration(
    *,
    cases: int = 200,
    queued: int = 3,
    history_weeks: int = 26,
    simulations: int = 2_000,
    scope_growth: float = 0.1,
    seed: int = 2026,
) -> Calibration:
    """Forecast `cases` teams from their history and count how often the real finish came in time."""
    if cases < 1 or queued < 1 or history_weeks < 1:
        raise ValueError("A backtest needs at least one case, one initiative and one week of history.")
    rng = np.random.default_rng(seed)
    hits = np.zeros(3, dtype=np.int64)
    total = 0
    for case in range(cases):
        rate = rng.uniform(2, 10)
        history = tuple(float(x) for x in rng.poisson(rate, history_weeks))
        sizes = rng.uniform(5, 60, size=queued)
        result = forecast(
            [TeamHistory("t", history)],
            [Work(str(i), "t", float(s)) for i, s in enumerate(sizes)],
            simulations=simulations,
            seed=case,
            scope_growth=scope_growth,
        )
        grown = sizes * (1 + rng.uniform(0, 2 * scope_growth, size=queued))
        actual = _actual_finishes(rng, rate, grown)
        for item, week in zip(result.items, actual, strict=True):
            hits += [week <= item.weeks.p50, week <= item.weeks.p85, week <= item.weeks.p95]
            total += 1
    p50, p85, p95 = (float(h) / total for h in hits)
    return Calibration(cases=cases, finishes=total, p50=p50, p85=p85, p95=p95)
