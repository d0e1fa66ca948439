"""Market arithmetic: segment sizes with ranges, growth, our share, win rates with confidence intervals,
loss reasons and trend fits. Pure: plain frozen dataclasses in and out, no Django, no I/O.

Sizes are annual money (one currency, chosen by the caller). A size is a range: the estimate a leader
believes (likely) and a symmetric relative spread around it (low, high), because a market size is never
known to the euro and a board should see how wide the guess is.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# ---------------------------------------------------------------------------------------------------
# Segment sizes


class SizingError(ValueError):
    """The inputs cannot describe a market (a negative size, SOM above SAM above TAM, ...)."""


@dataclass(frozen=True)
class Range:
    low: float
    likely: float
    high: float

    def scaled(self, factor: float) -> Range:
        return Range(self.low * factor, self.likely * factor, self.high * factor)


@dataclass(frozen=True)
class TopDown:
    """A size read from a study: the total market, the part we can serve and the part we can win."""

    tam: float
    sam: float
    som: float
    spread: float = 0.0  # relative, 0.2 = ±20 %


@dataclass(frozen=True)
class BottomUp:
    """A size built from accounts: how many exist, how many we can serve, how many we can win, times the
    annual price one account pays."""

    accounts: float
    serviceable_accounts: float
    obtainable_accounts: float
    annual_price: float
    spread: float = 0.0


@dataclass(frozen=True)
class SegmentSize:
    tam: Range
    sam: Range
    som: Range


def _range(value: float, spread: float) -> Range:
    return Range(value * (1 - spread), value, value * (1 + spread))


def size(estimate: TopDown | BottomUp) -> SegmentSize:
    """TAM, SAM and SOM as ranges; refuses inputs that cannot be a market."""
    if not 0 <= estimate.spread < 1:
        raise SizingError("The spread is a share of the estimate, from 0 up to (not including) 1.")
    if isinstance(estimate, BottomUp):
        counts = (estimate.accounts, estimate.serviceable_accounts, estimate.obtainable_accounts)
        if min(counts) < 0 or estimate.annual_price < 0:
            raise SizingError("Account counts and the price cannot be negative.")
        if not counts[0] >= counts[1] >= counts[2]:
            raise SizingError("Obtainable accounts ≤ serviceable accounts ≤ all accounts.")
        tam, sam, som = (c * estimate.annual_price for c in counts)
    else:
        tam, sam, som = estimate.tam, estimate.sam, estimate.som
        if min(tam, sam, som) < 0:
            raise SizingError("A market size cannot be negative.")
        if not tam >= sam >= som:
            raise SizingError("SOM ≤ SAM ≤ TAM: the part we can win sits inside the part we can serve.")
    if not all(math.isfinite(v) for v in (tam, sam, som)):
        raise SizingError("A market size must be a finite number.")
    return SegmentSize(
        _range(tam, estimate.spread), _range(sam, estimate.spread), _range(som, estimate.spread)
    )


def grow(value: float, *, annual_rate: float, years: float) -> float:
    """A size `years` ahead at a compound annual growth rate (0.1 = 10 % a year)."""
    if annual_rate <= -1:
        raise SizingError("A market cannot shrink by 100 % or more a year.")
    return value * (1 + annual_rate) ** years


def share(revenue: float, market: float) -> float | None:
    """Our revenue as a share of a market size; None when the market has no size."""
    if market <= 0:
        return None
    return revenue / market


def implied_growth(history: Sequence[tuple[date, float]]) -> float | None:
    """The compound annual growth the estimates of one market imply (a log-linear fit through them).

    None with fewer than two estimates on different days or a non-positive value."""
    points = [(d, v) for d, v in history if v > 0]
    if len({d for d, _ in points}) < 2:
        return None
    first = min(d for d, _ in points)
    xs = [(d - first).days / 365.25 for d, _ in points]
    ys = [math.log(v) for _, v in points]
    slope, _ = statistics.linear_regression(xs, ys)
    return math.exp(slope) - 1


# ---------------------------------------------------------------------------------------------------
# Win rates


@dataclass(frozen=True)
class WinRate:
    """Won deals over decided deals (open and no-decision deals count for neither), with the Wilson score
    interval: honest at small counts and never outside 0..1."""

    won: int
    lost: int
    rate: float | None
    low: float | None
    high: float | None

    @property
    def decided(self) -> int:
        return self.won + self.lost


def win_rate(won: int, lost: int, *, confidence: float = 0.9) -> WinRate:
    if won < 0 or lost < 0:
        raise ValueError("Counts cannot be negative.")
    if not 0 < confidence < 1:
        raise ValueError("Confidence is between 0 and 1, e.g. 0.9.")
    n = won + lost
    if n == 0:
        return WinRate(won, lost, None, None, None)
    p = won / n
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At 0 % or 100 % rounding can leave the rate a hair outside its own interval: the interval holds it.
    return WinRate(won, lost, p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


@dataclass(frozen=True)
class DealFact:
    """One closed deal as the engine sees it. `outcome` is "won", "lost" or anything else (not decided)."""

    closed_on: date
    outcome: str
    amount: float
    segment: Hashable = None
    competitor: Hashable = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRate:
    key: Hashable
    rate: WinRate
    won_amount: float
    lost_amount: float


def _decided(deals: Iterable[DealFact]) -> list[DealFact]:
    return [d for d in deals if d.outcome in ("won", "lost")]


def win_rates_by(
    deals: Iterable[DealFact], key: Callable[[DealFact], Hashable], *, confidence: float = 0.9
) -> list[GroupRate]:
    """Win rate per group (segment, competitor, quarter...), groups in first-seen order of their key."""
    won: dict[Hashable, int] = defaultdict(int)
    lost: dict[Hashable, int] = defaultdict(int)
    won_amount: dict[Hashable, float] = defaultdict(float)
    lost_amount: dict[Hashable, float] = defaultdict(float)
    order: list[Hashable] = []
    for deal in _decided(deals):
        k = key(deal)
        if k not in won and k not in lost:
            order.append(k)
        if deal.outcome == "won":
            won[k] += 1
            won_amount[k] += deal.amount
        else:
            lost[k] += 1
            lost_amount[k] += deal.amount
    return [
        GroupRate(k, win_rate(won[k], lost[k], confidence=confidence), won_amount[k], lost_amount[k])
        for k in order
    ]


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def win_rates_by_quarter(deals: Iterable[DealFact], *, confidence: float = 0.9) -> list[GroupRate]:
    """Win rate per calendar quarter of the close date, oldest first."""
    rows = win_rates_by(deals, lambda d: quarter_of(d.closed_on), confidence=confidence)
    return sorted(rows, key=lambda r: str(r.key))


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    deals: int
    amount: float


def normalise_reason(reason: str) -> str:
    """One spelling per reason: trimmed, inner spaces collapsed, lower case."""
    return " ".join(reason.split()).lower()


def top_loss_reasons(deals: Iterable[DealFact], *, limit: int = 10) -> list[ReasonCount]:
    """The reasons lost deals give, by the money lost with them (then by count, then by name).

    A deal naming a reason twice counts once for it; a deal with several reasons counts for each."""
    count: dict[str, int] = defaultdict(int)
    amount: dict[str, float] = defaultdict(float)
    for deal in deals:
        if deal.outcome != "lost":
            continue
        for reason in {normalise_reason(r) for r in deal.reasons if r.strip()}:
            count[reason] += 1
            amount[reason] += deal.amount
    ranked = sorted(count, key=lambda r: (-amount[r], -count[r], r))
    return [ReasonCount(r, count[r], amount[r]) for r in ranked[:limit]]


# ---------------------------------------------------------------------------------------------------
# Trends


@dataclass(frozen=True)
class Trend:
    """A straight line through a series: change per step, and how well the line explains the points."""

    slope: float
    intercept: float
    r_squared: float
    points: int

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def trend(values: Sequence[float]) -> Trend | None:
    """A least-squares line through equally spaced values (steps 0, 1, 2...); None under three points.

    A flat series has slope 0 and r² 1 (the line explains it fully)."""
    ys = [float(v) for v in values]
    if len(ys) < 3:
        return None
    xs = list(range(len(ys)))
    if max(ys) == min(ys):
        return Trend(0.0, ys[0], 1.0, len(ys))
    slope, intercept = statistics.linear_regression(xs, ys)
    mean = statistics.fmean(ys)
    total = math.fsum((y - mean) ** 2 for y in ys)
    left = math.fsum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = min(1.0, max(0.0, 1.0 - left / total)) if total > 0 else 1.0  # values equal up to rounding
    return Trend(slope, intercept, r2, len(ys))
