"""Business cases: investment and benefits per period, their value now, its spread and what drives it.

A case is built from three-point estimates (low, likely, high). Its headline figures (NPV, IRR, payback,
ROI) use the likely values; a Monte Carlo run draws every uncertain input from a PERT distribution and
gives the NPV's P10 / P50 / P90; a tornado swings one input at a time from low to high.

Risk-adjusted NPV: the benefits only come if the initiative succeeds, the costs are paid either way, so
rNPV = probability x PV(benefits) - PV(costs). It is what a scenario may use as an initiative's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from northstar.engines.finance.cashflow import irr, npv, payback_period, period_rate, roi


@dataclass(frozen=True)
class ThreePoint:
    """An uncertain amount: the lowest, the most likely and the highest a person expects."""

    low: float
    likely: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.likely <= self.high:
            raise ValueError(f"Expected low <= likely <= high, got {self.low}, {self.likely}, {self.high}.")

    @property
    def certain(self) -> bool:
        return self.low == self.high

    @classmethod
    def exactly(cls, value: float) -> ThreePoint:
        return cls(value, value, value)


@dataclass(frozen=True)
class Benefit:
    """Money the initiative brings in every period from `start` to `end` (inclusive, 1-based periods):
    new revenue, retained revenue or savings. `end` None means to the end of the horizon."""

    name: str
    per_period: ThreePoint
    start: int = 1
    end: int | None = None


@dataclass(frozen=True)
class Case:
    """A business case in one currency over `horizon` periods after today (period 0)."""

    investment: ThreePoint  # one-off, paid in period 0
    running_cost: ThreePoint  # every period from 1 to the horizon
    benefits: tuple[Benefit, ...]
    horizon: int
    annual_rate: float
    periods_per_year: int = 4
    probability: float = 1.0

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError("A business case looks at least one period ahead.")
        if not 0 <= self.probability <= 1:
            raise ValueError("Probability of success is between 0 and 1.")

    @property
    def rate(self) -> float:
        return period_rate(self.annual_rate, self.periods_per_year)


@dataclass(frozen=True)
class Figures:
    """The headline figures of a case at its likely values."""

    npv: float
    risk_adjusted_npv: float
    irr: float | None  # per year
    payback_periods: float | None
    roi: float | None
    costs: tuple[float, ...]
    benefits: tuple[float, ...]


@dataclass(frozen=True)
class Distribution:
    """NPV percentiles from a simulation, and the chance the case pays back at all (NPV > 0)."""

    p10: float
    p50: float
    p90: float
    mean: float
    probability_positive: float
    simulations: int
    histogram: tuple[tuple[float, int], ...] = field(default=())


@dataclass(frozen=True)
class Swing:
    """One bar of the tornado: NPV with this input at its low and at its high, the others likely."""

    name: str
    npv_low: float
    npv_high: float

    @property
    def width(self) -> float:
        return abs(self.npv_high - self.npv_low)


def _benefit_mask(benefit: Benefit, horizon: int) -> np.ndarray:
    periods = np.arange(horizon + 1)
    end = horizon if benefit.end is None else min(benefit.end, horizon)
    return ((periods >= max(1, benefit.start)) & (periods <= end)).astype(float)


def _series(case: Case, investment: float, running: float, amounts: list[float]) -> tuple[np.ndarray, ...]:
    costs = np.full(case.horizon + 1, running, dtype=float)
    costs[0] = investment
    benefits = np.zeros(case.horizon + 1)
    for benefit, amount in zip(case.benefits, amounts, strict=True):
        benefits += amount * _benefit_mask(benefit, case.horizon)
    return costs, benefits


def evaluate(case: Case) -> Figures:
    """NPV, risk-adjusted NPV, IRR (annualised), payback and ROI at the likely values."""
    costs, benefits = _series(
        case, case.investment.likely, case.running_cost.likely, [b.per_period.likely for b in case.benefits]
    )
    rate = case.rate
    net = benefits - costs
    per_period_irr = irr(net.tolist())
    return Figures(
        npv=npv(rate, net.tolist()),
        risk_adjusted_npv=case.probability * npv(rate, benefits.tolist()) - npv(rate, costs.tolist()),
        irr=None if per_period_irr is None else (1 + per_period_irr) ** case.periods_per_year - 1,
        payback_periods=payback_period(net.tolist()),
        roi=roi(costs.tolist(), benefits.tolist()),
        costs=tuple(costs.tolist()),
        benefits=tuple(benefits.tolist()),
    )


def pert_samples(estimate: ThreePoint, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draws from the PERT distribution (a beta scaled to low..high, peaked at likely)."""
    if estimate.certain:
        return np.full(size, estimate.likely)
    span = estimate.high - estimate.low
    alpha = 1 + 4 * (estimate.likely - estimate.low) / span
    beta = 1 + 4 * (estimate.high - estimate.likely) / span
    return estimate.low + span * rng.beta(alpha, beta, size)


def simulate(case: Case, *, simulations: int = 10_000, seed: int = 0, bins: int = 30) -> Distribution:
    """NPV distribution when every uncertain input is drawn independently from its PERT distribution.

    Success is drawn too (benefits are lost with probability 1 - p), so P10 shows the downside of a
    risky bet; `probability_positive` is the share of draws with NPV above zero.
    """
    if simulations < 1:
        raise ValueError("Simulate at least once.")
    rng = np.random.default_rng(seed)
    discount = (1.0 + case.rate) ** -np.arange(case.horizon + 1, dtype=float)
    pv_running = float(discount[1:].sum())
    investment = pert_samples(case.investment, simulations, rng)
    npvs = -investment - pert_samples(case.running_cost, simulations, rng) * pv_running
    gains = np.zeros(simulations)
    for benefit in case.benefits:
        weight = float(np.dot(_benefit_mask(benefit, case.horizon), discount))
        gains += pert_samples(benefit.per_period, simulations, rng) * weight
    success = rng.random(simulations) < case.probability
    npvs = npvs + gains * success
    counts, edges = np.histogram(npvs, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    p10, p50, p90 = np.percentile(npvs, [10, 50, 90])
    return Distribution(
        p10=float(p10),
        p50=float(p50),
        p90=float(p90),
        mean=float(npvs.mean()),
        probability_positive=float((npvs > 0).mean()),
        simulations=simulations,
        histogram=tuple((float(c), int(n)) for c, n in zip(centres, counts, strict=True)),
    )


def tornado(case: Case) -> list[Swing]:
    """Which input matters most: NPV with each uncertain input at its low and its high, widest first.

    The discount rate swings by +/- 2 points and the probability of success is left out (it scales the
    risk-adjusted NPV, not the NPV); inputs known exactly have no bar.
    """
    likely = evaluate(case).npv
    swings: list[Swing] = []

    def bar(name: str, low_case: Case, high_case: Case) -> None:
        low, high = evaluate(low_case).npv, evaluate(high_case).npv
        if low != likely or high != likely:
            swings.append(Swing(name, low, high))

    if not case.investment.certain:
        bar(
            "One-off investment",
            replace(case, investment=ThreePoint.exactly(case.investment.low)),
            replace(case, investment=ThreePoint.exactly(case.investment.high)),
        )
    if not case.running_cost.certain:
        bar(
            "Running cost per period",
            replace(case, running_cost=ThreePoint.exactly(case.running_cost.low)),
            replace(case, running_cost=ThreePoint.exactly(case.running_cost.high)),
        )
    for i, benefit in enumerate(case.benefits):
        if benefit.per_period.certain:
            continue
        variants = []
        for value in (benefit.per_period.low, benefit.per_period.high):
            changed = list(case.benefits)
            changed[i] = replace(benefit, per_period=ThreePoint.exactly(value))
            variants.append(replace(case, benefits=tuple(changed)))
        bar(benefit.name, variants[0], variants[1])
    bar(
        "Discount rate ±2 points",
        replace(case, annual_rate=max(0.0, case.annual_rate - 0.02)),
        replace(case, annual_rate=case.annual_rate + 0.02),
    )
    return sorted(swings, key=lambda s: -s.width)
