"""Kano: how customers would feel with and without a feature, classified by the standard evaluation table.

Each respondent answers two questions - "how would you feel if it had X?" (functional) and "...if it
did not?" (dysfunctional) - on the scale like / expect / neutral / live with / dislike. The pair maps
to a category through the Kano evaluation table (Berger et al., 1993). Many respondents are aggregated
by the most frequent category; questionable answers (contradictions) are set aside first.

Ties for most frequent are broken by the category's weight on the product, must-be > one-dimensional
> attractive > indifferent > reverse: when in doubt, assume the stronger requirement (Berger's rule).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from .base import InputSpec, Score, ScoringError, Term, fmt


class KanoAnswer(StrEnum):
    """The five answers of the Kano questionnaire, in the order of the evaluation table."""

    LIKE = "like"
    EXPECT = "expect"
    NEUTRAL = "neutral"
    LIVE_WITH = "live_with"
    DISLIKE = "dislike"


class KanoCategory(StrEnum):
    """Kano categories; 'one-dimensional' is also called 'performance'."""

    MUST_BE = "must-be"
    ONE_DIMENSIONAL = "one-dimensional"
    ATTRACTIVE = "attractive"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"
    QUESTIONABLE = "questionable"


_A, _O, _M, _I, _R, _Q = (
    KanoCategory.ATTRACTIVE,
    KanoCategory.ONE_DIMENSIONAL,
    KanoCategory.MUST_BE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)

#: Rows: functional answer; columns: dysfunctional answer (like, expect, neutral, live with, dislike).
EVALUATION_TABLE: Mapping[KanoAnswer, tuple[KanoCategory, ...]] = {
    KanoAnswer.LIKE: (_Q, _A, _A, _A, _O),
    KanoAnswer.EXPECT: (_R, _I, _I, _I, _M),
    KanoAnswer.NEUTRAL: (_R, _I, _I, _I, _M),
    KanoAnswer.LIVE_WITH: (_R, _I, _I, _I, _M),
    KanoAnswer.DISLIKE: (_R, _R, _R, _R, _Q),
}

#: How much a category matters when prioritising; also the tie-break order for the mode.
CATEGORY_WEIGHT: Mapping[KanoCategory, int] = {_M: 4, _O: 3, _A: 2, _I: 1, _R: 0}

_COLUMNS = tuple(KanoAnswer)


def _answer(raw: Any, which: str) -> KanoAnswer:
    try:
        return KanoAnswer(raw)
    except ValueError:
        allowed = ", ".join(a.value for a in KanoAnswer)
        raise ScoringError(
            f"Kano {which} answer must be one of {allowed}; got {raw!r}", field="kano_responses"
        ) from None


@dataclass(frozen=True)
class KanoResponse:
    """One respondent's pair of answers about one feature; plain strings are accepted and checked."""

    functional: KanoAnswer
    dysfunctional: KanoAnswer

    def __post_init__(self) -> None:
        object.__setattr__(self, "functional", _answer(self.functional, "functional"))
        object.__setattr__(self, "dysfunctional", _answer(self.dysfunctional, "dysfunctional"))

    @property
    def category(self) -> KanoCategory:
        return kano_category(self.functional, self.dysfunctional)


def kano_category(functional: KanoAnswer | str, dysfunctional: KanoAnswer | str) -> KanoCategory:
    """Look one answer pair up in the Kano evaluation table."""
    f = _answer(functional, "functional")
    d = _answer(dysfunctional, "dysfunctional")
    return EVALUATION_TABLE[f][_COLUMNS.index(d)]


@dataclass(frozen=True)
class KanoResult:
    """Aggregated Kano answers for one feature.

    `better` = (A + O) / (A + O + M + I): how much satisfaction rises if the feature is built.
    `worse` = -(O + M) / (A + O + M + I): how much it falls if it is not (reported negative, by convention).
    `strength` is the share of the winning category minus the runner-up's: a low value means opinion
    is split and the category should be read with care. None values mean there was nothing to compute.
    """

    category: KanoCategory
    counts: Mapping[KanoCategory, int]
    respondents: int
    better: float | None
    worse: float | None
    strength: float | None


def kano_evaluate(responses: Sequence[KanoResponse | tuple[str, str]]) -> KanoResult:
    """Classify a feature from many respondents: the mode of their categories, ties by category weight."""
    pairs = [r if isinstance(r, KanoResponse) else _response(r) for r in responses]
    counts = Counter(p.category for p in pairs)
    full = {c: counts.get(c, 0) for c in KanoCategory}
    valid = {c: full[c] for c in CATEGORY_WEIGHT}
    ranked = sorted(valid, key=lambda c: (-valid[c], -CATEGORY_WEIGHT[c]))
    n_valid = sum(valid.values())
    if n_valid == 0:
        return KanoResult(_Q, full, len(pairs), None, None, None)
    top, runner_up = ranked[0], ranked[1]
    strength = (valid[top] - valid[runner_up]) / n_valid
    base = valid[_A] + valid[_O] + valid[_M] + valid[_I]
    better = (valid[_A] + valid[_O]) / base if base else None
    worse = -(valid[_O] + valid[_M]) / base if base else None
    return KanoResult(top, full, len(pairs), better, worse, strength)


def _response(raw: object) -> KanoResponse:
    try:
        functional, dysfunctional = cast(tuple[Any, Any], raw)
    except (TypeError, ValueError):
        raise ScoringError(
            f"each Kano response must be (functional, dysfunctional); got {raw!r}", field="kano_responses"
        ) from None
    return KanoResponse(functional, dysfunctional)


@dataclass(frozen=True)
class Kano:
    """Kano as a ranking framework: category weight + half the average of |better| and |worse|.

    The category decides the band (must-be 4, one-dimensional 3, attractive 2, indifferent 1, reverse 0)
    and the coefficients order initiatives inside it, so must-bes come first and a strongly-felt
    attractive feature beats a lukewarm one. The input `kano_responses` is a sequence of
    `KanoResponse`s or (functional, dysfunctional) pairs.
    """

    key: str = "kano"
    label: str = "Kano"
    inputs: tuple[InputSpec, ...] = (
        InputSpec(
            "kano_responses", "Kano responses", "categorical", minimum=None, hint="questionnaire answers"
        ),
    )

    def score(self, inputs: Mapping[str, object]) -> Score:
        if not isinstance(inputs, Mapping):
            raise ScoringError(f"Kano inputs must be a mapping of input name to value; got {inputs!r}")
        raw = inputs.get("kano_responses")
        if raw is None or (isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) == 0):
            return Score(
                self.key,
                None,
                (),
                "Kano needs questionnaire responses before it can classify this.",
                ("kano_responses",),
            )
        if isinstance(raw, str) or not isinstance(raw, Sequence):
            raise ScoringError(
                f"Kano kano_responses must be a list of (functional, dysfunctional) answers; got {raw!r}",
                field="kano_responses",
            )
        result = kano_evaluate(raw)
        terms = [
            Term(f"count_{c.value}", c.value, float(n), "count", f"{c.value} {n}")
            for c, n in result.counts.items()
            if n
        ]
        if result.category is _Q:
            return Score(
                self.key,
                None,
                tuple(terms),
                f"Kano: all {result.respondents} responses are questionable (contradictory); ask again.",
                ("kano_responses",),
                category=result.category.value,
            )
        # Only reverse answers leave no base for the coefficients: nobody would miss or welcome it.
        better = result.better or 0.0
        worse = result.worse or 0.0
        terms.append(Term("better", "Better", better, "coefficient", f"better {fmt(better)}"))
        terms.append(Term("worse", "Worse", worse, "coefficient", f"worse {fmt(worse)}"))
        weight = CATEGORY_WEIGHT[result.category]
        feeling = (better + abs(worse)) / 2.0
        value = weight + feeling / 2.0
        top = result.counts[result.category]
        explanation = (
            f"Kano = {result.category.value} ({top} of {result.respondents} respondents; weight {weight}) "
            f"+ half of average feeling {fmt(feeling)} (better {fmt(better)}, worse {fmt(worse)}) "
            f"= {fmt(value)}"
        )
        return Score(self.key, value, tuple(terms), explanation, category=result.category.value)
