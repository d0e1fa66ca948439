"""The shared vocabulary of every scoring framework: inputs, terms, scores and the one error type.

A score is never just a number: it carries the terms it was built from, so a product leader can see
*why* an initiative ranks where it does. Inputs are read through `InputSpec`s so every framework
validates the same way and reports the same clear error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

Direction = Literal["benefit", "cost", "categorical"]
TermRole = Literal["factor", "divisor", "addend", "weighted", "derived", "count", "coefficient"]


class ScoringError(ValueError):
    """An input the engine refuses to score, with the offending field named for the form that sent it."""

    def __init__(self, message: str, *, field: str | None = None, item_id: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.item_id = item_id


@runtime_checkable
class InputSource(Protocol):
    """Anything that can supply a numeric input later (evidence, an estimate): the plug-in point.

    `resolve()` returns None while the source has nothing to say yet, which scores as a missing input.
    """

    def resolve(self) -> float | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class InputSpec:
    """One input a framework reads: its range, and whether more of it should raise or lower the score.

    `choices` restricts the value to a fixed scale (RICE impact); `hint` tells the user how to read
    the value and is repeated in error messages.
    """

    key: str
    label: str
    direction: Direction
    minimum: float | None = 0.0
    maximum: float | None = None
    min_exclusive: bool = False
    choices: tuple[tuple[float, str], ...] = ()
    unit: str = ""
    hint: str = ""

    def allowed(self) -> str:
        """The allowed values in words, for error messages and form help."""
        if self.choices:
            text = "one of " + ", ".join(f"{fmt(v)} ({name})" for v, name in self.choices)
        elif self.minimum is not None and self.maximum is not None:
            text = f"between {fmt(self.minimum)} and {fmt(self.maximum)}"
        elif self.minimum is not None:
            text = (
                f"greater than {fmt(self.minimum)}" if self.min_exclusive else f"at least {fmt(self.minimum)}"
            )
        elif self.maximum is not None:
            text = f"at most {fmt(self.maximum)}"
        else:
            text = "any number"
        if self.unit:
            text += f" {self.unit}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def check(self, raw: object, owner: str) -> float:
        """Return `raw` as a float, or raise ScoringError naming the field and its allowed range."""
        if type(raw) is float or type(raw) is int:  # the common case, without building messages
            value = float(raw)
            if not math.isfinite(value):
                value = as_number(raw, f"{owner} {self.key}", self.allowed(), self.key)
        else:
            value = as_number(raw, f"{owner} {self.key}", self.allowed(), self.key)
        ok = True
        if self.choices:
            ok = any(math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12) for v, _ in self.choices)
        if self.minimum is not None and (
            value < self.minimum or (self.min_exclusive and value == self.minimum)
        ):
            ok = False
        if self.maximum is not None and value > self.maximum:
            ok = False
        if not ok:
            message = f"{owner} {self.key} must be {self.allowed()}; got {fmt(value)}"
            if self.key == "confidence" and 1 < value <= 100:
                message += f" (for {fmt(value)}% pass {fmt(value / 100)})"
            raise ScoringError(message, field=self.key)
        return value

    def choice_name(self, value: float) -> str:
        """The scale word for a value on a fixed scale ('high' for RICE impact 2), else ''."""
        for v, name in self.choices:
            if math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12):
                return name
        return ""


def as_number(raw: object, what: str, allowed: str, field: str | None = None) -> float:
    """A finite float from an int, float or Decimal; booleans and text are refused, not coerced."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise ScoringError(f"{what} must be a number ({allowed}); got {raw!r}", field=field)
    try:
        value = float(raw)
    except ValueError:  # Decimal('sNaN') refuses conversion
        value = math.nan
    if not math.isfinite(value):
        raise ScoringError(f"{what} must be a finite number ({allowed}); got {raw!r}", field=field)
    return value


@dataclass(frozen=True)
class Term:
    """One part of a score's formula, ready to render: 'reach 800', 'confidence 80%', 'effort 4'.

    `value` is the input as the formula used it (a source already resolved); `contribution` is the
    points it adds in additive models and None where the term multiplies or divides; `source` says
    where a derived value came from (evidence, an estimate).
    """

    name: str
    label: str
    value: float
    role: TermRole
    display: str
    contribution: float | None = None
    source: str = ""
    objective_id: str | None = None


@dataclass(frozen=True)
class Score:
    """A framework's verdict on one initiative, with the terms that produced it.

    `value` is None when inputs are missing; `missing` then lists their keys. `category` names a
    class the framework puts the initiative in (a Kano category, a value/effort quadrant).
    """

    framework: str
    value: float | None
    terms: tuple[Term, ...]
    explanation: str
    missing: tuple[str, ...] = ()
    category: str | None = None

    @property
    def scored(self) -> bool:
        return self.value is not None

    def term(self, name: str) -> Term | None:
        """The term for an input key, or None if this score has no such term."""
        return next((t for t in self.terms if t.name == name), None)


@runtime_checkable
class Framework(Protocol):
    """A way to score an initiative: RICE, ICE, WSJF, value/effort, Kano or an admin's weighted model.

    `inputs` lists what it reads (so forms, validation and tests need no special cases); `score` reads
    a mapping from input key to a number or an `InputSource` and ignores keys it does not use.
    """

    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def inputs(self) -> tuple[InputSpec, ...]: ...

    def score(self, inputs: Mapping[str, object]) -> Score: ...


@dataclass(frozen=True)
class Reading:
    """The validated numeric inputs of one initiative for one framework."""

    values: Mapping[str, float]
    sources: Mapping[str, str]
    missing: tuple[str, ...]


_PLAIN = frozenset({int, float, Decimal, type(None)})


def read_inputs(owner: str, specs: tuple[InputSpec, ...], inputs: Mapping[str, object]) -> Reading:
    """Resolve sources and validate every present numeric input; absent or None inputs are missing.

    Invalid inputs raise even when others are missing, so a bad value is reported as early as possible.
    """
    if not isinstance(inputs, Mapping):
        raise ScoringError(f"{owner} inputs must be a mapping of input name to value; got {inputs!r}")
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    missing: list[str] = []
    for spec in specs:
        raw = inputs.get(spec.key)
        # Plain numbers skip the Protocol check, which is slow enough to dominate a 10,000-row ranking.
        if type(raw) not in _PLAIN and isinstance(raw, InputSource):
            sources[spec.key] = raw.describe()
            raw = raw.resolve()
        if raw is None:
            missing.append(spec.key)
            continue
        values[spec.key] = spec.check(raw, owner)
    return Reading(values=values, sources=sources, missing=tuple(missing))


CONFIDENCE = InputSpec(
    "confidence",
    "Confidence",
    "benefit",
    minimum=0.0,
    maximum=1.0,
    hint="a fraction: 0.8 means 80%",
)


def confidence_from_percent(percent: float | int | Decimal) -> float:
    """Convert a percentage typed by a person (80) into the engine's confidence fraction (0.8)."""
    value = as_number(percent, "confidence", "a percentage between 0 and 100", "confidence")
    if not 0.0 <= value <= 100.0:
        raise ScoringError(
            f"confidence must be a percentage between 0 and 100; got {fmt(value)}", field="confidence"
        )
    return value / 100.0


def fmt(x: float) -> str:
    """A number as a person would write it on a slide: 1,200 / 2.5 / 0.333."""
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def fmt_percent(fraction: float) -> str:
    """A fraction as a percentage: 0.8 -> '80%'."""
    return f"{fmt(fraction * 100)}%"


def ensure_finite(owner: str, value: float) -> float:
    """Refuse a result that overflowed, rather than ranking an 'infinite' initiative first."""
    if not math.isfinite(value):
        raise ScoringError(f"{owner} score overflowed; inputs are too large to compare meaningfully")
    return value


def term_display(spec: InputSpec, value: float) -> str:
    """How an input reads inside a formula: 'reach 800', 'confidence 80%', 'impact 2 (high)'."""
    if spec.key == "confidence":
        shown = fmt_percent(value)
    else:
        shown = fmt(value)
        name = spec.choice_name(value)
        if name:
            shown += f" ({name})"
        if spec.unit:
            shown += f" {spec.unit}"
    return f"{spec.label.lower()} {shown}"


def missing_explanation(label: str, specs: tuple[InputSpec, ...], missing: tuple[str, ...]) -> str:
    """The sentence shown instead of a score: which inputs are still needed."""
    names = [s.label.lower() for s in specs if s.key in missing]
    return f"{label} needs {join_words(names)} before it can score this initiative."


def join_words(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
