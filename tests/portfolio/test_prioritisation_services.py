"""Prioritisation use cases: stored scores match the engine, estimates and cost, dependencies without
cycles, stage gates on every move, and the decision log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.engines import scoring as engine
from northstar.portfolio import governance, rankings, scoring, services
from northstar.portfolio.models import (
    CriterionRating,
    Decision,
    DecisionKind,
    Dependency,
    Initiative,
    ScoringInput,
    Stage,
)
from tests import factories
from tests.portfolio.factories import make_criterion, rice

# Scoring inputs -----------------------------------------------------------------------------------


def test_saving_inputs_stores_the_engines_scores(cast):
    row = scoring.scoring_update(
        actor=cast.pm,
        initiative=cast.home_initiative,
        reach=800,
        impact=2,
        confidence=80,
        effort=4,
        value=8,
        ice_impact=7,
        ease=5,
        kano={"must-be": 5, "attractive": 2},
    )
    assert row.rice_score == pytest.approx(800 * 2 * 0.8 / 4)
    assert row.ice_score == pytest.approx(7 * 0.8 * 5)
    assert row.value_effort_score == pytest.approx(2.0) and row.quadrant == "quick win"
    assert row.kano_category == "must-be"
    assert row.wsjf_score is None  # WSJF inputs still missing
    assert AuditEntry.objects.filter(record_type="portfolio.scoringinput").count() == 1


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"confidence": 150}, "Confidence|confidence"),
        ({"effort": -2}, "effort"),
        ({"effort": 0, "reach": 1, "impact": 1, "confidence": 50}, "effort must be greater than 0"),
        ({"impact": 1.5}, "impact must be one of"),
        ({"ease": 11}, "ease must be between 1 and 10"),
        ({"kano": {"delighter": 3}}, "Unknown Kano category"),
        ({"reach_source": "rumour"}, "Reach comes from"),
    ],
)
def test_bad_inputs_are_refused_with_the_field_named(cast, inputs, message):
    with pytest.raises(ValidationFailed, match=message):
        scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, **inputs)
    assert not ScoringInput.objects.exists()


def test_only_people_who_may_change_the_initiative_may_score_it(cast):
    with pytest.raises(PermissionDenied):
        scoring.scoring_update(actor=cast.pm, initiative=cast.away_initiative, reach=1)
    with pytest.raises(PermissionDenied):
        scoring.scoring_update(actor=cast.stakeholder, initiative=cast.home_initiative, reach=1)


def test_clearing_an_input_unscores(cast):
    rice(cast.pm, cast.home_initiative, 100)
    row = scoring.scoring_update(actor=cast.pm, initiative=cast.home_initiative, reach=None)
    assert row.rice_score is None


def test_reach_from_evidence_plugs_in_without_touching_the_inputs(cast):
    rice(cast.leader, cast.home_initiative, 100)
    scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, reach_source="evidence")
    assert ScoringInput.objects.get(pk=cast.home_initiative.pk).rice_score is None  # no evidence yet
    evidence = engine.EvidenceReach([("acme", 1000), ("globex", 3000), ("acme", 500)])
    row = scoring.reach_evidence_set(initiative_id=cast.home_initiative.pk, source=evidence)
    assert row.reach_evidence == 2 and row.rice_score == 2
    assert row.reach_evidence_note == "2 customers asking"
    fresh = Initiative.objects.get(pk=cast.home_initiative.pk)
    (rice_score,) = [s for s in rankings.initiative_scores(fresh) if s.key == "rice"]
    assert rice_score.score.term("reach").source == "2 customers asking"


def test_weighted_model_ratings_and_rescore_on_criterion_change(cast):
    growth = make_criterion(key="growth", weight=Decimal("3"))
    make_criterion(key="risk", label="Risk", weight=Decimal("1"), direction="cost")
    row = scoring.scoring_update(
        actor=cast.leader, initiative=cast.home_initiative, ratings={"growth": 10, "risk": 0}
    )
    assert row.weighted_score == pytest.approx(100)
    scoring.criterion_update(actor=cast.admin, criterion=growth, weight=Decimal("1"))
    assert ScoringInput.objects.get(pk=row.pk).weighted_score == pytest.approx(100)
    scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, ratings={"risk": 10})
    assert ScoringInput.objects.get(pk=row.pk).weighted_score == pytest.approx(50)
    with pytest.raises(ValidationFailed, match="Unknown criterion"):
        scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, ratings={"speed": 3})
    with pytest.raises(ValidationFailed, match="between 0 and 10"):
        scoring.scoring_update(actor=cast.leader, initiative=cast.home_initiative, ratings={"growth": 12})
    assert CriterionRating.objects.count() == 2


def test_the_weighted_model_and_active_frameworks_belong_to_admins(cast):
    with pytest.raises(PermissionDenied):
        scoring.criterion_create(actor=cast.leader, label="Growth", weight=Decimal(1))
    criterion = scoring.criterion_create(actor=cast.admin, label="Market reach", weight=Decimal(1))
    assert criterion.key == "market_reach"
    with pytest.raises(ValidationFailed, match="maximum must be above"):
        scoring.criterion_create(actor=cast.admin, label="Bad", weight=Decimal(1), minimum=5, maximum=5)
    assert "weighted" in scoring.active_framework_keys()
    scoring.frameworks_activate(actor=cast.admin, active=["rice", "wsjf"])
    assert scoring.active_framework_keys() == ["rice", "wsjf"]
    with pytest.raises(ValidationFailed, match="at least one"):
        scoring.frameworks_activate(actor=cast.admin, active=[])
    with pytest.raises(PermissionDenied):
        scoring.frameworks_activate(actor=cast.leader, active=["rice"])


# Estimates ----------------------------------------------------------------------------------------


def test_estimate_sets_pert_effort_and_cost_from_the_lines_teams(cast):
    factories.make_team(line=cast.home_line, skills=("frontend",), cost_rate=Decimal("10000"))
    factories.make_team(line=cast.away_line, skills=("frontend",), cost_rate=Decimal("20000"))
    scoring.scoring_update(actor=cast.pm, initiative=cast.home_initiative, reach=60, impact=1, confidence=100)
    scoring.estimate_set(
        actor=cast.pm,
        initiative=cast.home_initiative,
        lines=[
            {"skill": "backend", "low": 1, "likely": 2, "high": 9},
            {"skill": "Frontend", "low": "2", "likely": "3", "high": "4"},
        ],
    )
    row = ScoringInput.objects.get(pk=cast.home_initiative.pk)
    assert row.estimated_effort == pytest.approx((1 + 8 + 9) / 6 + 3)
    assert row.rice_score == pytest.approx(60 / row.estimated_effort)
    lines = list(cast.home_initiative.estimate_lines.select_related("skill"))
    cost = scoring.estimate_cost(cast.home_initiative, lines)
    # backend: the home team's 12,000 a week; frontend: the home line's 10,000, not the away line's.
    assert cost.expected == Decimal("12000") * 3 + Decimal("10000") * 3
    assert cost.low == Decimal("12000") + Decimal("20000") and cost.currency == "EUR"
    assert AuditEntry.objects.filter(
        record_id=str(cast.home_initiative.pk), changes__has_key="estimate"
    ).exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"skill": "backend", "low": 3, "likely": 2, "high": 4}], "low ≤ likely ≤ high"),
        ([{"skill": "backend", "low": -1, "likely": 2, "high": 4}], "backend low cannot be below 0"),
        ([{"skill": "juggling", "low": 1, "likely": 2, "high": 4}], "Unknown skill 'juggling'"),
        ([{"skill": "backend", "low": 1, "likely": 2, "high": 4}] * 2, "estimated twice"),
        ([{"skill": "backend", "low": "x", "likely": 2, "high": 4}], "must be a number"),
        ([{"skill": "backend", "low": 1, "likely": 2, "high": "10000000"}], "backend high must be at most"),
        ([{"skill": "backend", "low": "-1e40", "likely": 2, "high": 4}], "backend low cannot be below 0"),
        ([{"skill": "backend", "low": 1, "likely": "2.125", "high": 4}], "backend likely can have at most 2"),
    ],
)
def test_a_bad_estimate_is_refused_whole(cast, lines, message):
    scoring.estimate_set(
        actor=cast.leader,
        initiative=cast.home_initiative,
        lines=[{"skill": "backend", "low": 1, "likely": 1, "high": 1}],
    )
    with pytest.raises(ValidationFailed, match=message):
        scoring.estimate_set(actor=cast.leader, initiative=cast.home_initiative, lines=lines)
    assert [(e.low, e.high) for e in cast.home_initiative.estimate_lines.all()] == [(1, 1)]


# Ranking ------------------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([0, 5, 10, 50, 120, 999]), min_size=2, max_size=8))
def test_stored_ranking_matches_the_engines_ranking(cast, reaches):
    ScoringInput.objects.all().delete()
    product = factories.make_product(line=cast.home_line)
    items = [factories.make_initiative(product=product) for _ in reaches]
    for item, reach in zip(items, reaches, strict=True):
        rice(cast.leader, item, reach)
    expected = engine.rank(
        [
            engine.Candidate(f"{i.pk:09d}", scoring.framework_inputs(scoring.scoring_of(i), "rice"))
            for i in Initiative.objects.filter(product=product).select_related("scoring")
        ],
        engine.RICE,
    )
    only = rankings.RankFilters(product=product.pk)
    stored = list(rankings.ranked_queryset("rice", only).values_list("pk", flat=True))
    assert stored == [int(r.item_id) for r in expected]
    for position, pk in enumerate(stored, start=1):
        assert rankings.rank_of(Initiative.objects.get(pk=pk), "rice", only)[0] == position


def test_why_names_the_neighbours_within_a_filter(cast):
    rice(cast.leader, cast.home_initiative, 100)
    rice(cast.leader, cast.away_initiative, 300)
    third = rice(cast.leader, factories.make_initiative(title="Third", product=cast.home_product), 200)
    why = rankings.explain_position(third, "rice")
    assert why.startswith("Third is ranked 2nd of 3 by RICE with 200.")
    assert "Away work (1st, 300) is above it mainly on reach" in why
    assert "It stays above Home work (3rd, 100)" in why
    home_only = rankings.RankFilters(line=cast.home_line.pk)
    assert rankings.explain_position(third, "rice", home_only).startswith("Third is ranked 1st of 2")


# Dependencies -------------------------------------------------------------------------------------


def test_blocks_is_stored_as_requires_and_a_cycle_is_refused_by_name(cast):
    a, b = cast.home_initiative, cast.away_initiative
    c = factories.make_initiative(title="Third", product=cast.home_product)
    governance.dependency_add(actor=cast.leader, initiative=a, other_id=b.pk, kind="requires")
    governance.dependency_add(actor=cast.leader, initiative=c, other_id=b.pk, kind="blocks")  # b requires c
    assert set(Dependency.objects.values_list("initiative_id", "requires_id")) == {(a.pk, b.pk), (b.pk, c.pk)}
    with pytest.raises(Conflict, match="“Third” → “Home work” → “Away work” → “Third”") as refused:
        governance.dependency_add(actor=cast.leader, initiative=c, other_id=a.pk, kind="requires")
    assert refused.value.detail == {"cycle": [c.pk, a.pk, b.pk, c.pk]}
    with pytest.raises(Conflict, match="already requires"):
        governance.dependency_add(actor=cast.leader, initiative=a, other_id=b.pk)
    with pytest.raises(ValidationFailed, match="itself"):
        governance.dependency_add(actor=cast.leader, initiative=a, other_id=a.pk)
    with pytest.raises(PermissionDenied):
        governance.dependency_add(actor=cast.pm, initiative=b, other_id=c.pk)


def test_a_pm_cannot_add_or_remove_a_requirement_on_another_lines_initiative(cast):
    home, away = cast.home_initiative, cast.away_initiative
    # "home blocks away" would make away (another line's work) require home.
    with pytest.raises(PermissionDenied):
        governance.dependency_add(actor=cast.pm, initiative=home, other_id=away.pk, kind="blocks")
    assert not Dependency.objects.exists()
    made = governance.dependency_add(actor=cast.leader, initiative=home, other_id=away.pk, kind="blocks")
    with pytest.raises(PermissionDenied):
        governance.dependency_remove(actor=cast.pm, dependency=made, initiative=home)
    assert Dependency.objects.filter(pk=made.pk).exists()
    # Home requiring other work changes only home's requirements: the PM may add and remove it.
    other = factories.make_initiative(title="Other", product=cast.away_product)
    own = governance.dependency_add(actor=cast.pm, initiative=home, other_id=other.pk, kind="requires")
    governance.dependency_remove(actor=cast.pm, dependency=own, initiative=home)
    assert list(Dependency.objects.values_list("initiative_id", "requires_id")) == [(away.pk, home.pk)]


# Stage gates and the decision log -----------------------------------------------------------------


def test_a_move_missing_gate_requirements_is_refused_with_all_of_them(cast):
    governance.gates_adopt_suggested(actor=cast.admin)
    item = cast.home_initiative
    with pytest.raises(ValidationFailed) as refused:
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.DISCOVERY)
    assert refused.value.detail["missing"] == ["problem_statement", "evidence"]
    assert "It needs: a problem statement; evidence" in refused.value.message
    item.refresh_from_db()
    assert item.stage == Stage.IDEA and not Decision.objects.exists()

    services.initiative_update(
        actor=cast.pm, initiative=item, problem_statement="Why", evidence_notes="12 tickets"
    )
    services.initiative_move(
        actor=cast.pm, initiative=item, stage=Stage.DISCOVERY, rationale="Evidence is in"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    assert refused.value.detail["missing"] == ["estimate", "objective", "confidence"]

    criterion = make_criterion(objective_id=7)
    scoring.scoring_update(actor=cast.pm, initiative=item, confidence=70, ratings={criterion.key: 6})
    scoring.estimate_set(
        actor=cast.pm, initiative=item, lines=[{"skill": "backend", "low": 1, "likely": 2, "high": 3}]
    )
    services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    log = list(Decision.objects.order_by("id").values_list("kind", "from_stage", "to_stage", "rationale"))
    assert log == [
        (DecisionKind.STAGE_CHANGE, "idea", "discovery", "Evidence is in"),
        (DecisionKind.STAGE_CHANGE, "discovery", "planned", ""),
    ]


def test_creating_past_idea_passes_every_gate_on_the_way_and_is_logged(cast):
    base = {"actor": cast.pm, "product_id": cast.home_product.pk}
    ungated = services.initiative_create(title="Ungated", stage=Stage.PLANNED, **base)
    assert list(ungated.decisions.values_list("kind", "from_stage", "to_stage")) == [
        (DecisionKind.STAGE_CHANGE, "idea", "planned")
    ]
    governance.gates_adopt_suggested(actor=cast.admin)
    # Launched's own gate is met by a fresh record; the gates before it are not.
    with pytest.raises(ValidationFailed) as refused:
        services.initiative_create(title="Shortcut", stage=Stage.LAUNCHED, **base)
    assert refused.value.detail["missing"][:2] == ["problem_statement", "evidence"]
    assert "estimate" in refused.value.detail["missing"]
    assert not Initiative.objects.filter(title="Shortcut").exists()
    made = services.initiative_create(
        title="Researched", stage=Stage.DISCOVERY, problem_statement="Why", evidence_notes="9 calls", **base
    )
    assert made.stage == Stage.DISCOVERY
    assert made.decisions.get().to_stage == Stage.DISCOVERY
    assert services.initiative_create(title="Plain", **base).decisions.count() == 0


def test_launch_needs_what_it_requires_launched(cast):
    governance.gate_update(actor=cast.admin, stage=Stage.LAUNCHED, requirements=["dependencies_delivered"])
    item = factories.make_initiative(product=cast.home_product, stage=Stage.IN_DELIVERY)
    governance.dependency_add(actor=cast.leader, initiative=item, other_id=cast.away_initiative.pk)
    with pytest.raises(ValidationFailed, match="everything it requires launched first"):
        services.initiative_move(actor=cast.leader, initiative=item, stage=Stage.LAUNCHED)
    Initiative.objects.filter(pk=cast.away_initiative.pk).update(stage=Stage.LAUNCHED)
    services.initiative_move(actor=cast.leader, initiative=item, stage=Stage.LAUNCHED)


def test_gate_rules_are_for_admins_and_name_known_requirements(cast):
    with pytest.raises(PermissionDenied):
        governance.gate_update(actor=cast.leader, stage=Stage.PLANNED, requirements=["estimate"])
    with pytest.raises(ValidationFailed, match="Unknown requirement"):
        governance.gate_update(actor=cast.admin, stage=Stage.PLANNED, requirements=["vibes"])
    governance.gate_update(
        actor=cast.admin, stage=Stage.PLANNED, requirements=["estimate", "estimate", "owner"]
    )
    assert governance.gate_rules()[Stage.PLANNED] == ["estimate", "owner"]


def test_decisions_are_recorded_with_who_and_when(cast):
    decision = governance.decision_record(
        actor=cast.pm,
        initiative=cast.home_initiative,
        title="Build passkeys first",
        options="- Passkeys\n- SSO\n",
        decision="Passkeys",
        rationale="Fewer support tickets",
    )
    assert decision.decided_by == cast.pm_person and decision.option_list == ["Passkeys", "SSO"]
    assert list(rankings.decision_list(rankings.DecisionFilters(search="support tickets"))) == [decision]
    assert not rankings.decision_list(rankings.DecisionFilters(search="nothing like it")).exists()
    with pytest.raises(ValidationFailed, match="needs a title"):
        governance.decision_record(actor=cast.pm, initiative=cast.home_initiative, title=" ", decision="x")
    with pytest.raises(PermissionDenied):
        governance.decision_record(actor=cast.pm, initiative=cast.away_initiative, title="t", decision="d")


def test_a_move_that_jumps_stages_passes_every_gate_it_passes_over(cast):
    governance.gates_adopt_suggested(actor=cast.admin)
    item = cast.home_initiative
    # Launched's own gate (what it requires is launched) is met by a bare record; the gates before are not.
    with pytest.raises(ValidationFailed) as refused:
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.LAUNCHED)
    missing = refused.value.detail["missing"]
    assert (
        missing[:2] == ["problem_statement", "evidence"] and "estimate" in missing and "decision" in missing
    )
    item.refresh_from_db()
    assert item.stage == Stage.IDEA and not Decision.objects.exists()

    # A parked initiative coming back into the path passes the gates on the way, too.
    services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.PARKED)
    with pytest.raises(ValidationFailed) as refused:
        services.initiative_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    assert refused.value.detail["missing"][:2] == ["problem_statement", "evidence"]


def test_an_estimate_of_zero_team_weeks_counts_as_zero_not_as_unsized(cast):
    """Found by mypy: `(est or rough) is not None` dropped a 0.0 estimate without a rough effort, so
    alignment counted that work at the median instead of at zero."""
    from northstar.portfolio import selectors

    zero = factories.make_initiative(product=cast.home_product)
    sized = factories.make_initiative(product=cast.home_product)
    unsized = factories.make_initiative(product=cast.home_product)
    ScoringInput.objects.create(initiative=zero, estimated_effort=0.0)
    ScoringInput.objects.create(initiative=sized, effort=4.0)
    ScoringInput.objects.create(initiative=unsized)
    assert selectors.effort_by_initiative([zero.pk, sized.pk, unsized.pk]) == {zero.pk: 0.0, sized.pk: 4.0}
