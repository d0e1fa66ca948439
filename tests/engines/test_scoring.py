"""The scoring engine: worked examples with exact numbers, the properties every framework must keep,
and the errors a product leader sees when an input makes no sense."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.engines.scoring import (
    FRAMEWORKS,
    ICE,
    KANO,
    RICE,
    VALUE_EFFORT,
    WSJF,
    Candidate,
    Criterion,
    Estimate,
    EvidenceReach,
    Framework,
    InputSpec,
    ScoringError,
    ValueEffort,
    explain_rank,
    get_framework,
    ordinal,
    rank,
    score_all,
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


# --- worked examples -----------------------------------------------------------------------------


def test_rice_worked_example_returns_the_terms_a_ui_renders():
    score = RICE.score(CHECKOUT)
    assert score.value == 320
    assert score.framework == "rice"
    assert score.explanation == (
        "RICE = reach 800 × impact 2 (high) × confidence 80% / effort 4 team-weeks = 320"
    )
    assert [(t.name, t.value, t.role) for t in score.terms] == [
        ("reach", 800, "factor"),
        ("impact", 2, "factor"),
        ("confidence", 0.8, "factor"),
        ("effort", 4, "divisor"),
    ]
    assert score.missing == ()


def test_rice_reads_reach_from_evidence_and_effort_from_an_estimate():
    reach = EvidenceReach([("acme", 100), ("globex", 300), ("acme", 50)])
    estimate = Estimate({"backend": (2, 3, 6), "design": (1, 1, 2)})
    score = RICE.score({"reach": reach, "impact": 1, "confidence": 0.5, "effort": estimate})
    assert estimate.expected == pytest.approx(4.5)
    assert score.value == pytest.approx(2 * 1 * 0.5 / 4.5)
    assert score.term("reach").source == "2 customers asking"
    assert score.term("effort").source.startswith("PERT expected from 2 skills: 4.5")


def test_ice_worked_example():
    score = ICE.score({"ice_impact": 8, "confidence": 0.7, "ease": 5})
    assert score.value == pytest.approx(28)
    assert score.explanation == "ICE = impact 8 × confidence 70% × ease 5 = 28"


def test_wsjf_worked_example_shows_cost_of_delay():
    score = WSJF.score({"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 4})
    assert score.value == 4
    assert score.term("cost_of_delay").value == 16
    assert score.term("cost_of_delay").role == "derived"
    assert score.explanation == (
        "WSJF = cost of delay (user-business value 8 + time criticality 5 + "
        "risk reduction / opportunity enablement 3 = 16) / job size 4 = 4"
    )


@pytest.mark.parametrize(
    ("value", "effort", "quadrant"),
    [(8, 2, "quick win"), (8, 10, "big bet"), (3, 2, "fill-in"), (3, 10, "time sink"), (5, 4, "quick win")],
)
def test_value_effort_ratio_and_quadrant(value, effort, quadrant):
    score = VALUE_EFFORT.score({"value": value, "effort": effort})
    assert score.value == pytest.approx(value / effort)
    assert score.category == quadrant
    assert score.explanation.endswith(f"a {quadrant}")


def test_value_effort_quadrant_splits_are_settings():
    strict = ValueEffort(value_split=9, effort_split=1)
    assert strict.score({"value": 8, "effort": 2}).category == "time sink"


def test_weighted_worked_example_normalises_scales_and_reverses_cost_criteria():
    score = PORTFOLIO_FIT.score({"fit": 4, "risk": 2})
    # fit: (4-1)/(5-1) = 0.75 at 75% weight = 56.25; risk: (10-2)/10 = 0.8 at 25% weight = 20
    assert score.value == pytest.approx(76.25)
    assert [t.contribution for t in score.terms] == [pytest.approx(56.25), pytest.approx(20)]
    assert score.term("fit").objective_id == "obj-growth"
    assert score.framework == "portfolio_fit"
    assert score.explanation == (
        "Portfolio fit = strategic fit 4 of 1-5 (weight 75%) → 56.25 + "
        "risk 2 of 0-10, lower is better (weight 25%) → 20 = 76.25 of 100"
    )


def test_weighted_extremes_are_0_and_100():
    assert PORTFOLIO_FIT.score({"fit": 5, "risk": 0}).value == pytest.approx(100)
    assert PORTFOLIO_FIT.score({"fit": 1, "risk": 10}).value == pytest.approx(0)


def test_kano_worked_example():
    answers = [("like", "dislike"), ("expect", "dislike"), ("neutral", "dislike"), ("like", "neutral")]
    score = KANO.score({"kano_responses": answers})
    # M=2, O=1, A=1: better (A+O)/4 = 0.5, worse -(O+M)/4 = -0.75; 4 + (0.5+0.75)/2/2
    assert score.category == "must-be"
    assert score.value == pytest.approx(4.3125)
    assert score.term("better").value == pytest.approx(0.5)
    assert score.term("worse").value == pytest.approx(-0.75)
    assert score.term("count_must-be").value == 2


def test_score_all_returns_one_score_per_active_framework():
    inputs = {**CHECKOUT, "ice_impact": 6, "ease": 7}
    scores = score_all(inputs, [RICE, ICE, WSJF])
    assert [s.framework for s in scores] == ["rice", "ice", "wsjf"]
    assert scores[2].value is None
    assert set(scores[2].missing) == {"business_value", "time_criticality", "risk_reduction", "job_size"}


# --- missing inputs are not errors ---------------------------------------------------------------


def test_missing_inputs_give_no_value_and_list_what_is_needed():
    score = RICE.score({"reach": 800, "confidence": None})
    assert score.value is None
    assert score.missing == ("impact", "confidence", "effort")
    assert (
        score.explanation == "RICE needs impact, confidence and effort before it can score this initiative."
    )
    assert [t.name for t in score.terms] == ["reach"]


def test_source_with_nothing_to_say_counts_as_missing():
    score = RICE.score({**CHECKOUT, "effort": Estimate({})})
    assert score.missing == ("effort",)


def test_kano_without_responses_is_missing_and_all_questionable_is_flagged():
    assert KANO.score({}).missing == ("kano_responses",)
    assert KANO.score({"kano_responses": []}).value is None
    contradictory = KANO.score({"kano_responses": [("like", "like"), ("dislike", "dislike")]})
    assert contradictory.value is None
    assert contradictory.category == "questionable"
    assert "questionable" in contradictory.explanation


# --- bad inputs raise clear errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("framework", "inputs", "field", "message"),
    [
        (RICE, {"effort": -1}, "effort", "RICE effort must be greater than 0 team-weeks; got -1"),
        (RICE, {"effort": 0}, "effort", "RICE effort must be greater than 0 team-weeks; got 0"),
        (RICE, {"reach": -3}, "reach", "RICE reach must be at least 0"),
        (
            RICE,
            {"confidence": 1.2},
            "confidence",
            "RICE confidence must be between 0 and 1 (a fraction: 0.8 means 80%); got 1.2",
        ),
        (RICE, {"confidence": 80}, "confidence", "(for 80% pass 0.8)"),
        (RICE, {"confidence": -0.1}, "confidence", "between 0 and 1"),
        (
            RICE,
            {"impact": 1.5},
            "impact",
            "RICE impact must be one of 0.25 (minimal), 0.5 (low), 1 (medium), 2 (high), 3 (massive); "
            "got 1.5",
        ),
        (RICE, {"reach": "lots"}, "reach", "RICE reach must be a number"),
        (RICE, {"reach": True}, "reach", "RICE reach must be a number"),
        (RICE, {"reach": float("nan")}, "reach", "must be a finite number"),
        (ICE, {"ease": 11}, "ease", "ICE ease must be between 1 and 10"),
        (WSJF, {"job_size": 0}, "job_size", "WSJF job_size must be greater than 0"),
        (WSJF, {"time_criticality": -2}, "time_criticality", "at least 0"),
        (VALUE_EFFORT, {"effort": -4}, "effort", "greater than 0 team-weeks"),
        (PORTFOLIO_FIT, {"fit": 6}, "fit", "Portfolio fit fit must be between 1 and 5"),
    ],
)
def test_bad_inputs_raise_naming_the_field_and_the_allowed_range(framework, inputs, field, message):
    with pytest.raises(ScoringError) as caught:
        framework.score(inputs)
    assert message in str(caught.value)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_bad_input_raises_even_when_others_are_missing():
    with pytest.raises(ScoringError, match="effort"):
        RICE.score({"effort": -1})


def test_overflowing_scores_are_refused():
    with pytest.raises(ScoringError, match="overflowed"):
        RICE.score({"reach": 1e308, "impact": 3, "confidence": 1, "effort": 0.1})


def test_inputs_must_be_a_mapping():
    with pytest.raises(ScoringError, match="mapping"):
        RICE.score([800, 2, 0.8, 4])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: weighted([]), "at least one criterion"),
        (lambda: weighted([Criterion("a", "A", 0)]), "weight above 0"),
        (lambda: weighted([Criterion("a", "A", 1), Criterion("a", "A", 2)]), "repeated: a"),
        (lambda: Criterion("a", "A", -1), "criterion 'a' weight must be at least 0"),
        (lambda: Criterion("a", "A", 1, minimum=5, maximum=5), "maximum must be above its minimum"),
        (lambda: Criterion("a", "A", 1, direction="up"), "'benefit' or 'cost'"),  # type: ignore[arg-type]
        (lambda: Criterion("", "A", 1), "non-empty"),
    ],
)
def test_bad_weighted_models_are_refused(build, message):
    with pytest.raises(ScoringError, match=message):
        build()


# --- registry --------------------------------------------------------------------------------------


def test_registry_holds_the_builtin_frameworks_and_builds_weighted_models():
    assert set(FRAMEWORKS) == {"rice", "ice", "wsjf", "value_effort", "kano"}
    assert get_framework("rice") is RICE
    model = get_framework("weighted", criteria=[Criterion("fit", "Fit", 1)])
    assert model.score({"fit": 10}).value == pytest.approx(100)
    for framework in [*FRAMEWORKS.values(), model]:
        assert isinstance(framework, Framework)


def test_registry_rejects_unknown_keys_and_weighted_without_criteria():
    with pytest.raises(ScoringError, match="unknown scoring framework 'moscow'; choose ice, kano, rice"):
        get_framework("moscow")
    with pytest.raises(ScoringError, match="needs its criteria"):
        get_framework("weighted")


def test_engine_never_imports_django():
    for path in SCORING_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path


# --- properties every framework keeps --------------------------------------------------------------


def values_for(spec: InputSpec) -> st.SearchStrategy[float]:
    """Valid values for one input, bounded so scores stay finite."""
    if spec.choices:
        return st.sampled_from([v for v, _ in spec.choices])
    low = spec.minimum if spec.minimum is not None else 0.0
    high = spec.maximum if spec.maximum is not None else 1e6
    if spec.min_exclusive:
        low = max(low, 0.01)
    return st.floats(low, high, allow_nan=False)


@st.composite
def weighted_models(draw):
    n = draw(st.integers(1, 5))
    criteria = []
    for i in range(n):
        low = draw(st.integers(-10, 10))
        criteria.append(
            Criterion(
                f"c{i}",
                f"Criterion {i}",
                draw(st.floats(0.1, 10)),
                direction=draw(st.sampled_from(["benefit", "cost"])),
                minimum=low,
                maximum=low + draw(st.integers(1, 20)),
            )
        )
    return weighted(criteria)


NUMERIC_FRAMEWORKS = [RICE, ICE, WSJF, VALUE_EFFORT, PORTFOLIO_FIT]
frameworks_strategy = st.one_of(st.sampled_from(NUMERIC_FRAMEWORKS), weighted_models())


@settings(max_examples=300)
@given(frameworks_strategy, st.data())
def test_benefits_never_lower_a_score_and_costs_never_raise_it(framework, data):
    inputs = {s.key: data.draw(values_for(s)) for s in framework.inputs}
    spec = data.draw(st.sampled_from(framework.inputs))
    smaller, larger = sorted([inputs[spec.key], data.draw(values_for(spec))])
    low = framework.score({**inputs, spec.key: smaller}).value
    high = framework.score({**inputs, spec.key: larger}).value
    if spec.direction == "benefit":
        assert low <= high, spec.key
    else:
        assert low >= high, spec.key


def test_every_framework_declares_directions_the_property_test_relies_on():
    directions = {f.key: {s.key: s.direction for s in f.inputs} for f in FRAMEWORKS.values()}
    assert directions["rice"]["effort"] == "cost"
    assert directions["wsjf"]["job_size"] == "cost"
    assert directions["value_effort"]["effort"] == "cost"
    assert directions["kano"] == {"kano_responses": "categorical"}
    assert {d for f, spec in directions.items() if f != "kano" for k, d in spec.items()} <= {
        "benefit",
        "cost",
    }


three_points = st.lists(st.floats(0, 50), min_size=3, max_size=3).map(sorted)


@given(three_points, st.integers(0, 2), st.floats(0, 20))
def test_more_estimated_effort_never_raises_rice(point, which, extra):
    grown = list(point)
    for i in range(which, 3):  # keep low ≤ likely ≤ high
        grown[i] = max(grown[i], point[which] + extra)
    base = Estimate({"backend": tuple(point), "design": (1, 2, 3)})
    bigger = Estimate({"backend": tuple(grown), "design": (1, 2, 3)})
    assert RICE.score({**CHECKOUT, "effort": bigger}).value <= RICE.score({**CHECKOUT, "effort": base}).value


# --- ranking ---------------------------------------------------------------------------------------


def initiative(id: str, name: str = "", **inputs: object) -> Candidate:
    return Candidate(id, inputs, name)


SLATE = [
    initiative("checkout", "Checkout revamp", reach=800, impact=2, confidence=0.8, effort=4),
    initiative("sso", "Mobile SSO", reach=1200, impact=2, confidence=0.8, effort=4),
    initiative("dark", "Dark mode", reach=800, impact=1, confidence=0.8, effort=9),
    initiative("later", "Later idea", reach=5),
    initiative("billing", "Billing export", reach=400, impact=2, confidence=0.8, effort=2),
]


def test_rank_orders_by_score_then_id_with_unscored_last():
    ranked = rank(SLATE, RICE)
    assert [(r.rank, r.item_id) for r in ranked] == [
        (1, "sso"),
        (2, "billing"),
        (3, "checkout"),
        (4, "dark"),
        (5, "later"),
    ]
    assert ranked[1].tied and ranked[2].tied  # billing and checkout both score 320
    assert not ranked[0].tied
    assert ranked[-1].unscored
    assert ranked[-1].score.missing == ("impact", "confidence", "effort")


def test_explain_rank_names_the_neighbour_and_the_term():
    ranked = rank(SLATE, RICE)
    assert explain_rank(ranked, "dark") == (
        "Dark mode is ranked 4th of 5 by RICE with 71.11. "
        "Checkout revamp (3rd, 320) is above it mainly on effort (4 vs 9)."
    )
    assert explain_rank(ranked, "sso") == (
        "Mobile SSO is ranked 1st of 5 by RICE with 480. Nothing ranks above it. "
        "It stays above Billing export (2nd, 320) mainly thanks to reach (1,200 vs 400)."
    )
    assert explain_rank(ranked, "checkout") == (
        "Checkout revamp is ranked 3rd of 5 by RICE with 320. It ties with Billing export at 320; "
        "ties are ordered by id, so Billing export comes first. "
        "It stays above Dark mode (4th, 71.11) mainly thanks to effort (4 vs 9)."
    )
    assert explain_rank(ranked, "later") == (
        "Later idea is listed 5th of 5 but has no RICE score: it still needs impact, confidence and effort. "
        "Initiatives without a score always come after those with one."
    )


def test_explain_rank_for_kano_falls_back_to_categories():
    items = [
        initiative("a", "Export", kano_responses=[("like", "neutral")] * 3),
        initiative("b", "Login", kano_responses=[("neutral", "dislike")] * 3),
    ]
    ranked = rank(items, KANO)
    assert [r.item_id for r in ranked] == ["b", "a"]
    assert "Login (1st, 4.25) is above it because it is must-be rather than attractive." in explain_rank(
        ranked, "a"
    )


def test_explain_rank_for_a_weighted_model_uses_its_criteria():
    items = [initiative("x", fit=5, risk=5), initiative("y", fit=2, risk=1)]
    text = explain_rank(rank(items, PORTFOLIO_FIT), "y")
    assert "x (1st, 87.5) is above it mainly on strategic fit (5 vs 2)." in text


def test_rank_errors_name_the_initiative():
    with pytest.raises(ScoringError, match="initiative 'Dark mode': RICE effort") as caught:
        rank([initiative("dark", "Dark mode", reach=1, impact=1, confidence=1, effort=-2)], RICE)
    assert caught.value.item_id == "dark"
    assert caught.value.field == "effort"
    with pytest.raises(ScoringError, match="appears twice"):
        rank([initiative("a"), initiative("a")], RICE)
    with pytest.raises(ScoringError, match="not in this ranking"):
        explain_rank(rank(SLATE, RICE), "nope")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (102, "102nd"),
    ],
)
def test_ordinal(n, text):
    assert ordinal(n) == text


rice_inputs = st.fixed_dictionaries(
    {},
    optional={
        "reach": st.integers(0, 2000),
        "impact": st.sampled_from([0.25, 0.5, 1, 2, 3]),
        "confidence": st.sampled_from([0.5, 0.8, 1.0]),
        "effort": st.integers(1, 10),
    },
)
slates = st.lists(
    st.tuples(st.text("abcdefgh", min_size=1, max_size=3), rice_inputs), max_size=15, unique_by=lambda t: t[0]
).map(lambda rows: [Candidate(id, inputs) for id, inputs in rows])


@settings(max_examples=200)
@given(slates, st.randoms(use_true_random=False))
def test_ranking_is_a_sorted_deterministic_permutation(items, rnd):
    ranked = rank(items, RICE)
    assert sorted(r.item_id for r in ranked) == sorted(i.id for i in items)
    assert [r.rank for r in ranked] == list(range(1, len(items) + 1))
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert [(r.item_id, r.score) for r in rank(shuffled, RICE)] == [(r.item_id, r.score) for r in ranked]
    flags = [r.unscored for r in ranked]
    assert flags == sorted(flags), "every scored initiative comes before every unscored one"
    for above, below in itertools.pairwise(ranked):
        if not below.unscored:
            assert above.score.value > below.score.value or (
                above.score.value == below.score.value and above.item_id < below.item_id
            )
        elif above.unscored:
            assert above.item_id < below.item_id
    for row in ranked:
        assert explain_rank(ranked, row.item_id).startswith(row.candidate.label)
