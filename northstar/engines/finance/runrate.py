"""Spend against budget: run-rate projection to the end of the year and variance flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Flag(StrEnum):
    OVER = "over"  # projected above budget by more than the tolerance
    UNDER = "under"  # projected below budget by more than the tolerance (money left on the table)
    ON_TRACK = "on_track"
    NO_BUDGET = "no_budget"


@dataclass(frozen=True)
class Projection:
    """Year to date, the monthly run-rate it implies and where the year lands at that rate."""

    to_date: float
    run_rate: float
    months_left: int
    year_end: float


def run_rate_project(monthly: Sequence[float], *, months_in_year: int = 12, window: int = 3) -> Projection:
    """Project a year from its months so far (`monthly[0]` is the first month of the year).

    The run-rate is the mean of the last `window` months (recent spend says more about the rest of the
    year than January does); the months left are spent at that rate.
    """
    if len(monthly) > months_in_year:
        raise ValueError("More months than the year has.")
    to_date = float(sum(monthly))
    recent = list(monthly[-window:]) if window > 0 else []
    rate = sum(recent) / len(recent) if recent else 0.0
    left = months_in_year - len(monthly)
    return Projection(to_date=to_date, run_rate=rate, months_left=left, year_end=to_date + rate * left)


def variance(budget: float | None, projected: float) -> float | None:
    """Projected minus budget, as a share of the budget (+0.1 = 10% over); None without a budget."""
    if budget is None or budget <= 0:
        return None
    return (projected - budget) / budget


def variance_flag(budget: float | None, projected: float, *, tolerance: float = 0.05) -> Flag:
    """Over or under budget by more than `tolerance` (a share), else on track."""
    share = variance(budget, projected)
    if share is None:
        return Flag.NO_BUDGET if projected > 0 or budget is None else Flag.ON_TRACK
    if share > tolerance:
        return Flag.OVER
    if share < -tolerance:
        return Flag.UNDER
    return Flag.ON_TRACK
