"""The scoring engine's inputs: Kano survey evaluation, three-point estimates and cost, and reach sources."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.engines.scoring import (
    KANO,
    RICE,
    Criterion,
    CustomerRequest,
    Estimate,
    EvidenceReach,
    InputSource,
    KanoAnswer,
    KanoCategory,
    KanoResponse,
    ManualReach,
    ReachSource,
    ScoringError,
    ThreePoint,
    confidence_from_percent,
    estimate_cost,
    estimate_effort,
    kano_category,
    kano_evaluate,
    weighted,
)

SCORING_DIR = Path(__file__).resolve().parents[2] / "northstar" / "engines" / "scoring"

CHECKOUT = {"reach": 800, "impact": 2, "confidence": 0.8, "effort": 4}

PORTFOLIO_FIT = weighted(
    [
        Criterion("fit", "Strategic fit", 3, minimum=1, maximum=5, objective_id="obj-growth"),
        Criterion("risk", "Risk", 1, direction="cost"),
    ],
    key="portfolio_fit",
    label="Portfolio fit",
)


# --- Kano ------------------------------------------------------------------------------------------

M, O, A, I, R, Q = (  # noqa: E741 - the letters of the Kano literature
    KanoCategory.MUST_BE,
    KanoCategory.ONE_DIMENSIONAL,
    KanoCategory.ATTRACTIVE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)
STANDARD_TABLE = {
    "like": [Q, A, A, A, O],
    "expect": [R, I, I, I, M],
    "neutral": [R, I, I, I, M],
    "live_with": [R, I, I, I, M],
    "dislike": [R, R, R, R, Q],
}


@pytest.mark.parametrize("functional", list(STANDARD_TABLE))
@pytest.mark.parametrize("column", range(5))
def test_kano_evaluation_table_matches_the_standard(functional, column):
    dysfunctional = ["like", "expect", "neutral", "live_with", "dislike"][column]
    assert kano_category(functional, dysfunctional) is STANDARD_TABLE[functional][column]


@pytest.mark.parametrize(
    ("functional", "dysfunctional", "category"),
    [
        ("like", "dislike", "one-dimensional"),
        ("like", "live_with", "attractive"),
        ("expect", "dislike", "must-be"),
        ("neutral", "neutral", "indifferent"),
        ("dislike", "like", "reverse"),
        ("like", "like", "questionable"),
    ],
)
def test_kano_named_cases(functional, dysfunctional, category):
    assert KanoResponse(functional, dysfunctional).category.value == category


def test_kano_mode_ties_go_to_the_stronger_requirement():
    # one each of A, O, M, I: tie, must-be wins
    answers = [("like", "neutral"), ("like", "dislike"), ("expect", "dislike"), ("neutral", "neutral")]
    assert kano_evaluate(answers).category is M
    # A and I tie: attractive beats indifferent
    assert kano_evaluate([("like", "neutral"), ("neutral", "neutral")]).category is A
    # O and A tie: one-dimensional beats attractive
    assert kano_evaluate([("like", "neutral"), ("like", "dislike")]).category is O


def test_kano_questionable_answers_are_set_aside_before_the_mode():
    answers = [("like", "like")] * 3 + [("like", "neutral")]
    result = kano_evaluate(answers)
    assert result.category is A
    assert result.counts[Q] == 3
    assert result.respondents == 4
    assert result.better == 1.0
    assert result.worse == 0.0
    assert result.strength == 1.0


def test_kano_coefficients_and_strength():
    answers = [("like", "neutral")] * 5 + [("like", "dislike")] * 3 + [("neutral", "neutral")] * 2
    result = kano_evaluate(answers)
    assert result.category is A
    assert result.better == pytest.approx(0.8)
    assert result.worse == pytest.approx(-0.3)
    assert result.strength == pytest.approx(0.2)


def test_kano_reverse_only_scores_zero():
    score = KANO.score({"kano_responses": [("dislike", "like")] * 2})
    assert score.category == "reverse"
    assert score.value == 0


def test_kano_orders_by_category_band_first():
    must_be = KANO.score({"kano_responses": [("neutral", "dislike")]}).value
    performance = KANO.score({"kano_responses": [("like", "dislike")] * 4}).value
    attractive = KANO.score({"kano_responses": [("like", "neutral")] * 4}).value
    assert must_be > performance > attractive


def test_kano_rejects_unknown_answers():
    with pytest.raises(ScoringError, match="functional answer must be one of like, expect"):
        kano_category("love", "dislike")
    with pytest.raises(ScoringError, match=r"\(functional, dysfunctional\)"):
        KANO.score({"kano_responses": ["like"]})
    with pytest.raises(ScoringError, match="must be a list"):
        KANO.score({"kano_responses": "like"})


kano_answers = st.tuples(st.sampled_from(list(KanoAnswer)), st.sampled_from(list(KanoAnswer)))


@given(st.lists(kano_answers, max_size=30), st.randoms(use_true_random=False))
def test_kano_result_ignores_respondent_order(answers, rnd):
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    assert kano_evaluate(answers) == kano_evaluate(shuffled)


@given(st.lists(kano_answers, min_size=1, max_size=30))
def test_kano_coefficients_stay_in_range(answers):
    result = kano_evaluate(answers)
    assert sum(result.counts.values()) == len(answers)
    if result.better is not None:
        assert 0 <= result.better <= 1
        assert -1 <= result.worse <= 0


# --- estimates -------------------------------------------------------------------------------------


def test_pert_mean_and_std_dev_per_skill_and_total():
    summary = estimate_effort(Estimate({"backend": (2, 3, 10), "design": ThreePoint(1, 2, 3)}))
    backend, design = summary.per_skill
    assert backend.skill == "backend"
    assert backend.expected == pytest.approx((2 + 4 * 3 + 10) / 6)
    assert backend.std_dev == pytest.approx(8 / 6)
    assert design.expected == pytest.approx(2)
    assert summary.total.low == 3
    assert summary.total.likely == 5
    assert summary.total.high == 13
    assert summary.total.expected == pytest.approx(6)
    assert summary.total.std_dev == pytest.approx(math.sqrt((8 / 6) ** 2 + (2 / 6) ** 2))


def test_cost_is_exact_decimal_money():
    estimate = Estimate({"backend": (2, 3, 10), "design": (1, 2, 3)})
    cost = estimate_cost(estimate, Decimal("4000"), currency="EUR")
    assert cost.low == Decimal("12000.00")
    assert cost.expected == Decimal("24000.00")
    assert cost.high == Decimal("52000.00")
    assert cost.currency == "EUR"
    assert cost.std_dev == (Decimal(4000 * 8 / 6) ** 2 + Decimal(4000 * 2 / 6) ** 2).sqrt().quantize(
        Decimal("0.01")
    )


def test_cost_with_a_rate_per_skill_and_fractional_weeks():
    estimate = Estimate({"backend": (0.1, 0.1, 0.1), "design": (1, 1, 1)})
    cost = estimate_cost(estimate, {"backend": Decimal("3000"), "design": Decimal("2500.50")})
    assert cost.expected == Decimal("2800.50")
    assert cost.low == cost.high == Decimal("2800.50")


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ({"backend": Decimal(1)}, "no team-week rate for skill 'design'"),
        (Decimal(-1), "must be at least 0"),
        (1000.0, "must be a Decimal amount"),
    ],
)
def test_cost_refuses_missing_or_bad_rates(rates, message):
    with pytest.raises(ScoringError, match=message):
        estimate_cost(Estimate({"backend": (1, 1, 1), "design": (1, 1, 1)}), rates)


@pytest.mark.parametrize(
    ("per_skill", "message"),
    [
        ({"backend": (-1, 2, 3)}, "skill 'backend': effort low must be at least 0 team-weeks; got -1"),
        ({"backend": (3, 2, 4)}, "low ≤ likely ≤ high; got low 3, likely 2, high 4"),
        ({"backend": (1, 2, 1.5)}, "low ≤ likely ≤ high"),
        ({"backend": (1, 2)}, "must be \\(low, likely, high\\)"),
        ({"": (1, 2, 3)}, "non-empty"),
    ],
)
def test_bad_estimates_are_refused(per_skill, message):
    with pytest.raises(ScoringError, match=message):
        Estimate(per_skill)


def test_estimate_is_frozen():
    estimate = Estimate({"backend": (1, 2, 3)})
    with pytest.raises(TypeError):
        estimate.per_skill["backend"] = ThreePoint(0, 0, 0)  # type: ignore[index]


@given(
    st.floats(0, 100),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_pert_mean_lies_within_the_range(a, b, c):
    low, likely, high = sorted([a, b, c])
    point = ThreePoint(low, likely, high)
    assert low - 1e-9 <= point.expected <= high + 1e-9
    assert point.std_dev >= 0


def test_confidence_from_percent():
    assert confidence_from_percent(80) == 0.8
    assert confidence_from_percent(Decimal("12.5")) == 0.125
    with pytest.raises(ScoringError, match="between 0 and 100; got 120"):
        confidence_from_percent(120)


# --- reach sources ---------------------------------------------------------------------------------


def test_manual_reach_is_a_reach_source():
    reach = ManualReach(1200, note="analytics, last quarter")
    assert isinstance(reach, ReachSource)
    assert isinstance(reach, InputSource)
    assert (
        RICE.score({**CHECKOUT, "reach": reach}).term("reach").source == "estimated: analytics, last quarter"
    )
    with pytest.raises(ScoringError, match="reach must be at least 0"):
        ManualReach(-1)


def test_evidence_reach_counts_distinct_customers():
    reach = EvidenceReach([CustomerRequest("acme", Decimal(5000)), ("acme", 4000), ("globex", 100)])
    assert reach.resolve() == 2
    assert reach.describe() == "2 customers asking"


def test_evidence_reach_weighted_by_revenue():
    requests = [("acme", Decimal(30000)), ("globex", Decimal(10000)), ("initech", Decimal(0))]
    full = EvidenceReach(requests, revenue_weighting=1, reference_revenue=Decimal(10000))
    assert full.resolve() == pytest.approx(3 + 1 + 0)
    half = EvidenceReach(requests, revenue_weighting=0.5, reference_revenue=10000)
    assert half.resolve() == pytest.approx(0.5 * 3 + 0.5 * (3 + 1 + 0))  # half head-count, half revenue
    assert half.describe() == "3 customers asking, 50% weighted by revenue"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requests": [], "revenue_weighting": 2}, "between 0 and 1"),
        ({"requests": [], "revenue_weighting": 0.5}, "reference_revenue is required"),
        ({"requests": [], "revenue_weighting": 0.5, "reference_revenue": 0}, "greater than 0"),
        ({"requests": [("acme", -5)]}, "revenue of customer 'acme' must be at least 0"),
        ({"requests": [("acme",)]}, "must be \\(customer_id, revenue\\)"),
        ({"requests": [("", 5)]}, "customer_id must be non-empty"),
    ],
)
def test_bad_evidence_is_refused(kwargs, message):
    with pytest.raises(ScoringError, match=message):
        EvidenceReach(**kwargs)


requests_strategy = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.floats(0, 1e6)), max_size=12
)


@given(requests_strategy, st.sampled_from(["a", "f"]), st.floats(0, 1e6), st.floats(0, 1))
def test_more_evidence_never_lowers_reach(requests, customer, revenue, weighting):
    before = EvidenceReach(requests, revenue_weighting=weighting, reference_revenue=1000)
    after = EvidenceReach(
        [*requests, (customer, revenue)], revenue_weighting=weighting, reference_revenue=1000
    )
    assert after.resolve() >= before.resolve()
