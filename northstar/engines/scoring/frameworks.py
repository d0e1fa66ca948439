"""The numeric frameworks product teams use - RICE, ICE, WSJF, value vs effort, a custom weighted model.

Each is a frozen dataclass satisfying `Framework`: it lists its inputs as `InputSpec`s and returns a
`Score` whose terms spell out the formula. Shared input keys mean one initiative's inputs feed every
framework at once: `confidence` (a fraction 0-1) and `effort` (team-weeks, a number or an `Estimate`)
are the same field wherever they appear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from .base import (
    CONFIDENCE,
    Framework,
    InputSpec,
    Score,
    ScoringError,
    Term,
    TermRole,
    as_number,
    ensure_finite,
    fmt,
    join_words,
    missing_explanation,
    read_inputs,
    term_display,
)
from .estimates import UNIT
from .kano import Kano

RICE_IMPACT_SCALE: tuple[tuple[float, str], ...] = (
    (0.25, "minimal"),
    (0.5, "low"),
    (1.0, "medium"),
    (2.0, "high"),
    (3.0, "massive"),
)

REACH = InputSpec("reach", "Reach", "benefit", minimum=0.0, hint="people or accounts per period")
EFFORT = InputSpec("effort", "Effort", "cost", minimum=0.0, min_exclusive=True, unit=UNIT)


def _read(
    framework: Framework, inputs: Mapping[str, object], roles: dict[str, TermRole]
) -> tuple[Mapping[str, float], tuple[Term, ...], Score | None]:
    """Read a framework's inputs into its terms; the third value is the unscored result if any is missing."""
    reading = read_inputs(framework.label, framework.inputs, inputs)
    terms = _terms(framework.inputs, reading.values, reading.sources, roles)
    if not reading.missing:
        return reading.values, terms, None
    explanation = missing_explanation(framework.label, framework.inputs, reading.missing)
    return reading.values, terms, Score(framework.key, None, terms, explanation, reading.missing)


def _terms(
    specs: tuple[InputSpec, ...],
    values: Mapping[str, float],
    sources: Mapping[str, str],
    roles: dict[str, TermRole],
) -> tuple[Term, ...]:
    return tuple(
        Term(
            name=s.key,
            label=s.label,
            value=values[s.key],
            role=roles[s.key],
            display=term_display(s, values[s.key]),
            source=sources.get(s.key, ""),
        )
        for s in specs
        if s.key in values
    )


def _product_formula(label: str, terms: tuple[Term, ...], value: float) -> str:
    """'RICE = reach 800 × impact 2 (high) × confidence 80% / effort 4 team-weeks = 320'."""
    text = " × ".join(t.display for t in terms if t.role == "factor")
    for t in terms:
        if t.role == "divisor":
            text += f" / {t.display}"
    return f"{label} = {text} = {fmt(value)}"


@dataclass(frozen=True)
class Rice:
    """RICE (Intercom): reach × impact × confidence / effort.

    Impact uses Intercom's fixed scale (0.25 minimal … 3 massive); confidence is a fraction; effort is in
    team-weeks (so the score is 'impact-weighted reach per team-week').
    """

    key: str = "rice"
    label: str = "RICE"
    inputs: tuple[InputSpec, ...] = (
        REACH,
        InputSpec("impact", "Impact", "benefit", choices=RICE_IMPACT_SCALE),
        CONFIDENCE,
        EFFORT,
    )

    def score(self, inputs: Mapping[str, object]) -> Score:
        roles: dict[str, TermRole] = {
            "reach": "factor",
            "impact": "factor",
            "confidence": "factor",
            "effort": "divisor",
        }
        v, terms, missing = _read(self, inputs, roles)
        if missing is not None:
            return missing
        value = ensure_finite(self.label, v["reach"] * v["impact"] * v["confidence"] / v["effort"])
        return Score(self.key, value, terms, _product_formula(self.label, terms, value))


@dataclass(frozen=True)
class Ice:
    """ICE: impact × confidence × ease, impact and ease rated 1-10, confidence the shared fraction.

    Using the same confidence field as RICE (rather than a second 1-10 rating) keeps one honest number
    per initiative; the score therefore runs from 0 to 100.
    """

    key: str = "ice"
    label: str = "ICE"
    inputs: tuple[InputSpec, ...] = (
        InputSpec("ice_impact", "Impact", "benefit", minimum=1.0, maximum=10.0, hint="rated 1-10"),
        CONFIDENCE,
        InputSpec("ease", "Ease", "benefit", minimum=1.0, maximum=10.0, hint="rated 1-10; 10 is easiest"),
    )

    def score(self, inputs: Mapping[str, object]) -> Score:
        roles: dict[str, TermRole] = {"ice_impact": "factor", "confidence": "factor", "ease": "factor"}
        v, terms, missing = _read(self, inputs, roles)
        if missing is not None:
            return missing
        value = ensure_finite(self.label, v["ice_impact"] * v["confidence"] * v["ease"])
        return Score(self.key, value, terms, _product_formula(self.label, terms, value))


@dataclass(frozen=True)
class Wsjf:
    """WSJF (SAFe): cost of delay / job size; cost of delay = business value + time criticality + risk.

    The components are relative (SAFe suggests 1, 2, 3, 5, 8, 13, 20) but any non-negative number is
    accepted; job size must be above zero since it divides.
    """

    key: str = "wsjf"
    label: str = "WSJF"
    inputs: tuple[InputSpec, ...] = (
        InputSpec("business_value", "User-business value", "benefit", hint="relative, e.g. 1-20"),
        InputSpec("time_criticality", "Time criticality", "benefit", hint="relative, e.g. 1-20"),
        InputSpec(
            "risk_reduction", "Risk reduction / opportunity enablement", "benefit", hint="relative, e.g. 1-20"
        ),
        InputSpec("job_size", "Job size", "cost", min_exclusive=True, hint="relative, e.g. 1-20"),
    )

    def score(self, inputs: Mapping[str, object]) -> Score:
        roles: dict[str, TermRole] = {
            "business_value": "addend",
            "time_criticality": "addend",
            "risk_reduction": "addend",
            "job_size": "divisor",
        }
        v, terms, missing = _read(self, inputs, roles)
        if missing is not None:
            return missing
        cost_of_delay = v["business_value"] + v["time_criticality"] + v["risk_reduction"]
        value = ensure_finite(self.label, cost_of_delay / v["job_size"])
        parts = " + ".join(t.display for t in terms if t.role == "addend")
        cod = Term(
            "cost_of_delay", "Cost of delay", cost_of_delay, "derived", f"cost of delay {fmt(cost_of_delay)}"
        )
        job = next(t for t in terms if t.name == "job_size")
        explanation = f"WSJF = cost of delay ({parts} = {fmt(cost_of_delay)}) / {job.display} = {fmt(value)}"
        return Score(self.key, value, (*terms, cod), explanation)


@dataclass(frozen=True)
class ValueEffort:
    """Value vs effort: value (0-10) per team-week, plus the 2×2 quadrant teams draw on whiteboards.

    The quadrant splits are where 'high value' starts and where 'low effort' ends; they are settings,
    not truths, so the UI should show them next to the matrix.
    """

    key: str = "value_effort"
    label: str = "Value vs effort"
    value_split: float = 5.0
    effort_split: float = 4.0
    inputs: tuple[InputSpec, ...] = (
        InputSpec("value", "Value", "benefit", minimum=0.0, maximum=10.0, hint="rated 0-10"),
        EFFORT,
    )

    def score(self, inputs: Mapping[str, object]) -> Score:
        roles: dict[str, TermRole] = {"value": "factor", "effort": "divisor"}
        v, terms, missing = _read(self, inputs, roles)
        if missing is not None:
            return missing
        value = ensure_finite(self.label, v["value"] / v["effort"])
        quadrant = self.quadrant(v["value"], v["effort"])
        explanation = f"{_product_formula(self.label, terms, value)}: a {quadrant}"
        return Score(self.key, value, terms, explanation, category=quadrant)

    def quadrant(self, value: float, effort: float) -> str:
        """'quick win' (high value, low effort), 'big bet', 'fill-in' or 'time sink' (low value, high)."""
        high_value = value >= self.value_split
        low_effort = effort <= self.effort_split
        if high_value:
            return "quick win" if low_effort else "big bet"
        return "fill-in" if low_effort else "time sink"


@dataclass(frozen=True)
class Criterion:
    """One criterion of an admin-defined weighted model, optionally tied to a strategic objective.

    A 'cost' criterion (risk, effort) scores higher the lower the input. `weight` is relative: weights
    are normalised to shares of 100%.
    """

    key: str
    label: str
    weight: float
    direction: Literal["benefit", "cost"] = "benefit"
    minimum: float = 0.0
    maximum: float = 10.0
    objective_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ScoringError(f"criterion key must be non-empty text; got {self.key!r}", field="criteria")
        where = f"criterion {self.key!r}"
        weight = as_number(self.weight, f"{where} weight", "at least 0", "weight")
        if weight < 0:
            raise ScoringError(f"{where} weight must be at least 0; got {fmt(weight)}", field="weight")
        if self.direction not in ("benefit", "cost"):
            raise ScoringError(
                f"{where} direction must be 'benefit' or 'cost'; got {self.direction!r}", field="direction"
            )
        low = as_number(self.minimum, f"{where} minimum", "a number", "minimum")
        high = as_number(self.maximum, f"{where} maximum", "a number", "maximum")
        if high <= low:
            raise ScoringError(
                f"{where} scale maximum must be above its minimum; got {fmt(low)} to {fmt(high)}",
                field="maximum",
            )
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "minimum", low)
        object.__setattr__(self, "maximum", high)

    def spec(self) -> InputSpec:
        hint = f"rated {fmt(self.minimum)}-{fmt(self.maximum)}" + (
            "; lower is better" if self.direction == "cost" else ""
        )
        return InputSpec(
            self.key, self.label, self.direction, minimum=self.minimum, maximum=self.maximum, hint=hint
        )


@dataclass(frozen=True)
class Weighted:
    """A weighted-criteria model: 100 × Σ share_i × normalised_i, so scores run 0-100.

    Each input is placed on its criterion's scale (0 at the worst end, 1 at the best; reversed for cost
    criteria), so criteria rated on different scales add up fairly. Use `weighted()` to build one.
    """

    criteria: tuple[Criterion, ...]
    key: str = "weighted"
    label: str = "Weighted score"
    inputs: tuple[InputSpec, ...] = field(init=False)
    _by_key: Mapping[str, Criterion] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        if not criteria:
            raise ScoringError("a weighted model needs at least one criterion", field="criteria")
        keys = [c.key for c in criteria]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ScoringError(
                f"criterion keys must be unique; repeated: {', '.join(duplicates)}", field="criteria"
            )
        if not any(c.weight > 0 for c in criteria):
            raise ScoringError("at least one criterion needs a weight above 0", field="weight")
        object.__setattr__(self, "criteria", criteria)
        object.__setattr__(self, "inputs", tuple(c.spec() for c in criteria))
        object.__setattr__(self, "_by_key", MappingProxyType({c.key: c for c in criteria}))

    @property
    def total_weight(self) -> float:
        return math.fsum(c.weight for c in self.criteria)

    def share(self, key: str) -> float:
        """A criterion's weight as a fraction of all weights."""
        return self._by_key[key].weight / self.total_weight

    def score(self, inputs: Mapping[str, object]) -> Score:
        reading = read_inputs(self.label, self.inputs, inputs)
        total = self.total_weight
        terms: list[Term] = []
        for c in self.criteria:
            if c.key not in reading.values:
                continue
            raw = reading.values[c.key]
            position = (raw - c.minimum) / (c.maximum - c.minimum)
            if c.direction == "cost":
                position = (c.maximum - raw) / (c.maximum - c.minimum)
            points = 100.0 * c.weight * position / total
            shown = f"{c.label.lower()} {fmt(raw)} of {fmt(c.minimum)}-{fmt(c.maximum)}"
            if c.direction == "cost":
                shown += ", lower is better"
            shown += f" (weight {fmt(100.0 * c.weight / total)}%) → {fmt(points)}"
            terms.append(
                Term(
                    c.key,
                    c.label,
                    raw,
                    "weighted",
                    shown,
                    contribution=points,
                    source=reading.sources.get(c.key, ""),
                    objective_id=c.objective_id,
                )
            )
        if reading.missing:
            return Score(
                self.key,
                None,
                tuple(terms),
                missing_explanation(self.label, self.inputs, reading.missing),
                reading.missing,
            )
        value = ensure_finite(self.label, sum(t.contribution or 0.0 for t in terms))
        explanation = f"{self.label} = {' + '.join(t.display for t in terms)} = {fmt(value)} of 100"
        return Score(self.key, value, tuple(terms), explanation)


def weighted(
    criteria: Iterable[Criterion], *, key: str = "weighted", label: str = "Weighted score"
) -> Weighted:
    """Build an admin-defined weighted model; several can coexist under different keys."""
    return Weighted(tuple(criteria), key=key, label=label)


RICE = Rice()
ICE = Ice()
WSJF = Wsjf()
VALUE_EFFORT = ValueEffort()
KANO = Kano()

#: The built-in frameworks by key; weighted models are built per organisation with `weighted()`.
FRAMEWORKS: Mapping[str, Framework] = MappingProxyType(
    {f.key: f for f in (RICE, ICE, WSJF, VALUE_EFFORT, KANO)}
)


def get_framework(key: str, *, criteria: Iterable[Criterion] | None = None) -> Framework:
    """A built-in framework by key, or `weighted` built from `criteria`; unknown keys raise ScoringError."""
    if key == "weighted":
        if criteria is None:
            raise ScoringError("the weighted framework needs its criteria", field="criteria")
        return weighted(criteria)
    try:
        return FRAMEWORKS[key]
    except KeyError:
        known = join_words([*sorted(FRAMEWORKS), "weighted"])
        raise ScoringError(f"unknown scoring framework {key!r}; choose {known}", field="framework") from None


def score_all(inputs: Mapping[str, object], frameworks: Iterable[Framework]) -> tuple[Score, ...]:
    """Score one initiative with every active framework, in the order given."""
    return tuple(f.score(inputs) for f in frameworks)
