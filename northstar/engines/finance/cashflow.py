"""Discounted cash flow: NPV, IRR, payback period and ROI of a series of per-period net flows.

A series is indexed by period: `flows[0]` happens now (undiscounted), `flows[t]` at the end of period
`t`. Rates are per period (a business case converts its annual rate once, so a quarterly series uses
the quarterly equivalent). Money is float here: engines work in one currency, already converted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: IRR is searched between these per-period rates: -99.99% (almost everything lost) and 10^11 %.
IRR_LOW = -0.9999
IRR_HIGH = 1e9


def npv(rate: float, flows: Sequence[float]) -> float:
    """Net present value of `flows` at `rate` per period; `flows[0]` is not discounted."""
    if rate <= -1:
        raise ValueError("A discount rate must be above -100%.")
    factors = (1.0 + rate) ** -np.arange(len(flows), dtype=float)
    return float(np.dot(np.asarray(flows, dtype=float), factors))


def irr(flows: Sequence[float]) -> float | None:
    """The per-period rate at which NPV is zero, or None when there is none between IRR_LOW and IRR_HIGH.

    Conventional series (money out first, then in) have exactly one; a series that never changes sign
    has none. For series with several sign changes the root nearest to zero from the search bracket is
    returned, which is the one a finance team would quote.
    """
    values = [float(f) for f in flows]
    if not any(v > 0 for v in values) or not any(v < 0 for v in values):
        return None

    def at(rate: float) -> float:
        return npv(rate, values)

    # Walk outwards from 0 to find a sign change, so a series with several roots gives the near one.
    grid = [0.0, 0.05, -0.05, 0.15, -0.2, 0.4, -0.5, 1.0, -0.8, 3.0, -0.95, 10.0, -0.999, 100.0]
    grid += [1e3, 1e5, 1e7, IRR_HIGH, IRR_LOW]
    points = sorted(set(grid))
    values_at = [at(r) for r in points]
    brackets = [
        (points[i], points[i + 1])
        for i in range(len(points) - 1)
        if math.isfinite(values_at[i])
        and math.isfinite(values_at[i + 1])
        # Signs compared, not multiplied: a product of two tiny values underflows to -0.0 (NPV
        # 5e-324 at 0% for [-1, 1, 5e-324] hid its root at 0%).
        and (values_at[i] == 0 or (values_at[i] < 0) != (values_at[i + 1] < 0))
    ]
    if not brackets:
        return None
    low, high = min(brackets, key=lambda b: min(abs(b[0]), abs(b[1])))
    if at(low) == 0:
        return low
    # Imported here, not at the top: scipy.optimize adds about half a second to every start.
    from scipy.optimize import brentq

    return float(brentq(at, low, high, xtol=1e-12, rtol=1e-12, maxiter=500))


def payback_period(flows: Sequence[float]) -> float | None:
    """Periods until the cumulative flow first turns non-negative for good, interpolated within the
    period it happens in; 0 when nothing is ever owed; None when the money never comes back."""
    cumulative = 0.0
    previous = 0.0
    last_negative = None
    crossing: float | None = 0.0
    for t, flow in enumerate(flows):
        previous, cumulative = cumulative, cumulative + float(flow)
        if cumulative < 0:
            last_negative = t
            crossing = None
        elif crossing is None:
            # Crossed from below zero inside period t: interpolate where in the period it happened.
            share = -previous / float(flow) if flow else 1.0
            crossing = (t - 1) + share
    if last_negative is None:
        return 0.0
    return crossing


def roi(costs: Sequence[float], benefits: Sequence[float]) -> float | None:
    """(total benefits - total costs) / total costs, undiscounted; None when nothing is spent."""
    spent = float(sum(costs))
    if spent <= 0:
        return None
    return (float(sum(benefits)) - spent) / spent


def period_rate(annual_rate: float, periods_per_year: int) -> float:
    """The per-period rate equivalent to an annual rate (compounded), e.g. 10% a year ≈ 2.41% a quarter."""
    if periods_per_year < 1:
        raise ValueError("A year has at least one period.")
    return (1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0
