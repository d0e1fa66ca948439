"""Three-point effort estimates per skill, and the money they cost.

Teams estimate in team-weeks with a low / likely / high range because a single number hides the
risk. We use the PERT (beta) approximation: expected = (low + 4 × likely + high) / 6 and standard
deviation = (high - low) / 6. Totals add expectations and add variances (skills are treated as
independent), so the total spread is narrower than the sum of spreads - the usual portfolio effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from .base import ScoringError, as_number, fmt

UNIT = "team-weeks"
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class ThreePoint:
    """A low / likely / high effort in team-weeks, with 0 ≤ low ≤ likely ≤ high."""

    low: float
    likely: float
    high: float

    def __post_init__(self) -> None:
        for name in ("low", "likely", "high"):
            value = as_number(getattr(self, name), f"effort {name}", f"at least 0 {UNIT}", "effort")
            if value < 0:
                raise ScoringError(
                    f"effort {name} must be at least 0 {UNIT}; got {fmt(value)}", field="effort"
                )
            object.__setattr__(self, name, value)
        if not self.low <= self.likely <= self.high:
            raise ScoringError(
                f"effort must satisfy low ≤ likely ≤ high; got low {fmt(self.low)}, "
                f"likely {fmt(self.likely)}, high {fmt(self.high)} {UNIT}",
                field="effort",
            )

    @property
    def expected(self) -> float:
        """PERT mean: the likely value counts four times, the extremes once each."""
        return (self.low + 4.0 * self.likely + self.high) / 6.0

    @property
    def std_dev(self) -> float:
        """PERT standard deviation: a sixth of the range."""
        return (self.high - self.low) / 6.0


@dataclass(frozen=True)
class Estimate:
    """Effort per skill ('backend', 'design', ...) as three-point ranges in team-weeks.

    Accepts `ThreePoint`s or plain (low, likely, high) tuples; the mapping is copied and frozen. An
    estimate with no skills is "not estimated yet" and scores as a missing effort. It is an
    `InputSource`, so it can be given wherever a framework reads `effort`.
    """

    per_skill: Mapping[str, ThreePoint]

    def __post_init__(self) -> None:
        if not isinstance(self.per_skill, Mapping):
            raise ScoringError("estimate per_skill must map skill to (low, likely, high)", field="effort")
        frozen: dict[str, ThreePoint] = {}
        for skill, point in self.per_skill.items():
            if not isinstance(skill, str) or not skill:
                raise ScoringError(
                    f"estimate skill names must be non-empty text; got {skill!r}", field="effort"
                )
            try:
                frozen[skill] = point if isinstance(point, ThreePoint) else ThreePoint(*point)
            except ScoringError as exc:
                raise ScoringError(f"skill {skill!r}: {exc}", field="effort") from exc
            except TypeError as exc:
                raise ScoringError(
                    f"skill {skill!r}: effort must be (low, likely, high) in {UNIT}; got {point!r}",
                    field="effort",
                ) from exc
        object.__setattr__(self, "per_skill", MappingProxyType(dict(sorted(frozen.items()))))

    @property
    def expected(self) -> float:
        """Total expected team-weeks across skills."""
        return math.fsum(p.expected for p in self.per_skill.values())

    @property
    def std_dev(self) -> float:
        """Total standard deviation, assuming skills' overruns are independent."""
        return math.sqrt(math.fsum(p.std_dev**2 for p in self.per_skill.values()))

    def resolve(self) -> float | None:
        return self.expected if self.per_skill else None

    def describe(self) -> str:
        if not self.per_skill:
            return "not estimated yet"
        skills = len(self.per_skill)
        return (
            f"PERT expected from {skills} skill{'s' if skills != 1 else ''}: "
            f"{fmt(self.expected)} ± {fmt(self.std_dev)} {UNIT}"
        )


@dataclass(frozen=True)
class SkillEffort:
    """The effort summary of one skill (or of the total, with skill 'total')."""

    skill: str
    low: float
    likely: float
    high: float
    expected: float
    std_dev: float


@dataclass(frozen=True)
class EffortSummary:
    """Expected effort and spread per skill and in total, in team-weeks."""

    per_skill: tuple[SkillEffort, ...]
    total: SkillEffort


def estimate_effort(estimate: Estimate) -> EffortSummary:
    """Summarise an estimate: PERT mean and standard deviation per skill and for the whole initiative."""
    rows = tuple(
        SkillEffort(skill, p.low, p.likely, p.high, p.expected, p.std_dev)
        for skill, p in estimate.per_skill.items()
    )
    points = estimate.per_skill.values()
    total = SkillEffort(
        "total",
        math.fsum(p.low for p in points),
        math.fsum(p.likely for p in points),
        math.fsum(p.high for p in points),
        estimate.expected,
        estimate.std_dev,
    )
    return EffortSummary(rows, total)


@dataclass(frozen=True)
class CostRange:
    """What an initiative costs, rounded to cents: low and high bound the estimate, expected is PERT."""

    low: Decimal
    expected: Decimal
    high: Decimal
    std_dev: Decimal
    currency: str = ""


def _decimal(value: float) -> Decimal:
    # str() gives the shortest repr, so 0.1 team-weeks costs exactly a tenth of the rate.
    return Decimal(str(value))


def estimate_cost(
    estimate: Estimate, team_week_rate: Decimal | Mapping[str, Decimal], *, currency: str = ""
) -> CostRange:
    """Price an estimate at a team-week rate (one rate, or one per skill), in exact decimal money.

    A per-skill mapping must price every skill in the estimate; a missing rate is an error rather
    than a silent zero, because an unpriced skill would make the initiative look cheap.
    """
    rates: dict[str, Decimal] = {}
    for skill in estimate.per_skill:
        rate = team_week_rate.get(skill) if isinstance(team_week_rate, Mapping) else team_week_rate
        if rate is None:
            raise ScoringError(f"no team-week rate for skill {skill!r}", field="team_week_rate")
        if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
            raise ScoringError(
                f"team-week rate for {skill!r} must be a Decimal amount; got {rate!r}", field="team_week_rate"
            )
        rate = Decimal(rate)
        if not rate.is_finite() or rate < 0:
            raise ScoringError(
                f"team-week rate for {skill!r} must be at least 0; got {rate}", field="team_week_rate"
            )
        rates[skill] = rate
    low = expected = high = Decimal(0)
    variance = Decimal(0)
    for skill, p in estimate.per_skill.items():
        rate = rates[skill]
        lo, mid, hi = _decimal(p.low), _decimal(p.likely), _decimal(p.high)
        low += rate * lo
        expected += rate * (lo + 4 * mid + hi) / 6
        high += rate * hi
        variance += (rate * (hi - lo) / 6) ** 2
    return CostRange(
        low=low.quantize(_CENT, ROUND_HALF_UP),
        expected=expected.quantize(_CENT, ROUND_HALF_UP),
        high=high.quantize(_CENT, ROUND_HALF_UP),
        std_dev=variance.sqrt().quantize(_CENT, ROUND_HALF_UP),
        currency=currency,
    )
