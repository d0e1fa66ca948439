"""Planner robustness: whatever a person can enter (teams stripped of skills, no capacity, estimates in
skills nobody has, empty budgets), an optimiser run ends with a plan or a diagnosis in words, and
publishing or reading the roadmap never answers 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.org import services as org_services
from northstar.planning import plans, roadmaps
from northstar.planning.models import PlanRun
from tests.conftest import Cast
from tests.planning.factories import make_world


def _run(scenario, actor, capture) -> PlanRun:
    with capture(execute=True):
        run = plans.plan_run_start(actor=actor, scenario=scenario)
    run.refresh_from_db()
    return run


@pytest.fixture
def stripped(cast: Cast, django_capture_on_commit_callbacks):
    """A plan made and run, then a PM removes every skill from their line's teams."""
    world = make_world(cast)
    before = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    assert before.status == PlanRun.Status.DONE
    for team in cast.home_line.teams.all():
        org_services.team_update(actor=cast.pm, team=team, skills=[])
    return world, before


def test_a_line_without_skills_still_gets_a_plan_with_reasons(
    cast: Cast, stripped, django_capture_on_commit_callbacks
):
    world, _ = stripped
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    assert run.status == PlanRun.Status.DONE, run.error
    planned = set(run.assignments.values_list("initiative_id", flat=True))
    assert planned, "the other line's team can still take work"
    for item in world.home + world.away:
        assert item.pk in planned or run.exclusions[str(item.pk)], item.title
    assert not run.assignments.filter(team__line=cast.home_line).exists()


def test_publishing_and_the_roadmap_page_survive_teams_without_skills(cast: Cast, stripped, login) -> None:
    _, before = stripped
    web = login(cast.leader)
    response = web.post(reverse("planning:plan_publish", args=[before.pk]), {"title": "Q1 roadmap"})
    assert response.status_code in (302, 422), response.content[:500]
    assert web.get(reverse("planning:roadmap")).status_code == 200
    assert web.get(reverse("planning:plan_detail", args=[before.pk])).status_code == 200


SKILLS = ("backend", "frontend", "data")


@st.composite
def worlds(draw: st.DrawFn) -> dict:
    """What people can enter: teams with any (or no) skills, any capacity and budgets, estimates in
    skills nobody has, rough efforts only, no estimate at all, and rules that cannot all hold."""
    teams = draw(
        st.lists(
            st.tuples(st.integers(0, 1), st.sets(st.sampled_from(SKILLS), max_size=3)), min_size=1, max_size=3
        )
    )
    capacity = draw(st.sampled_from([None, "0", "3", "40", "9999999.9"]))
    budget = draw(st.sampled_from([None, "0", "50000", "999999999999.99"]))
    items = draw(
        st.lists(
            st.tuples(
                st.integers(0, 1),  # which line
                st.floats(0, 10),  # value
                st.one_of(st.none(), st.floats(0, 500)),  # rough effort
                st.dictionaries(st.sampled_from(SKILLS), st.floats(0, 200), max_size=2),  # estimate
            ),
            max_size=6,
        )
    )
    rules = draw(
        st.lists(
            st.sampled_from(["mandatory", "exclude", "pin", "min_share", "max_share", "capacity"]), max_size=3
        )
    )
    factors = draw(st.tuples(st.sampled_from(["0", "0.5", "1", "2"]), st.sampled_from(["0", "1", "3"])))
    return {
        "teams": teams,
        "capacity": capacity,
        "budget": budget,
        "items": items,
        "rules": rules,
        "factors": factors,
    }


def _build(cast: Cast, world: dict):
    from decimal import Decimal

    from northstar.org.models import Skill, Team
    from northstar.planning import services as planning_services
    from northstar.planning.models import BudgetEnvelope, Capacity
    from northstar.portfolio.models import EstimateLine, Initiative, ScoringInput, Stage, Tag
    from tests import factories
    from tests.planning.factories import make_quarters, make_scenario

    periods = make_quarters(2032, 2)
    lines = [cast.home_line, cast.away_line]
    products = [cast.home_product, cast.away_product]
    Team.objects.all().delete()
    for i, (line_index, skills) in enumerate(world["teams"]):
        team = factories.make_team(name=f"T{i}", line=lines[line_index], skills=tuple(skills))
        if world["capacity"] is not None:
            for skill in team.skills.all():
                for period in periods:
                    Capacity.objects.create(
                        team=team, skill=skill, period=period, weeks=Decimal(world["capacity"])
                    )
    if world["budget"] is not None:
        for line in lines:
            for period in periods:
                BudgetEnvelope.objects.create(line=line, period=period, amount=Decimal(world["budget"]))
    Initiative.objects.all().delete()
    tag = Tag.objects.create(name="tech-debt")
    created = []
    for n, (line_index, value, rough, estimate) in enumerate(world["items"]):
        item = factories.make_initiative(title=f"Item {n}", product=products[line_index], stage=Stage.PLANNED)
        item.tags.add(tag)
        ScoringInput.objects.create(initiative=item, value=value, weighted_score=value * 10, effort=rough)
        for skill, weeks in estimate.items():
            w = Decimal(str(round(weeks, 1)))
            EstimateLine.objects.create(
                initiative=item, skill=Skill.objects.get_or_create(name=skill)[0], low=w, likely=w, high=w
            )
        created.append(item)
    budget_factor, capacity_factor = world["factors"]
    scenario = make_scenario(
        periods, budget_factor=Decimal(budget_factor), capacity_factor=Decimal(capacity_factor), time_limit=1
    )
    first_team = Team.objects.first()
    for kind in world["rules"]:
        target = created[0] if created else None
        if kind in ("mandatory", "exclude") and target:
            planning_services.assumption_add(
                actor=cast.leader, scenario=scenario, kind=kind, initiative=target
            )
        elif kind == "pin" and target:
            planning_services.assumption_add(
                actor=cast.leader, scenario=scenario, kind=kind, initiative=target, period=periods[1]
            )
        elif kind in ("min_share", "max_share"):
            planning_services.assumption_add(
                actor=cast.leader, scenario=scenario, kind=kind, tag=tag, share="90"
            )
        elif kind == "capacity" and first_team is not None:
            planning_services.assumption_add(
                actor=cast.leader,
                scenario=scenario,
                kind=kind,
                team=first_team,
                skill=Skill.objects.get_or_create(name="backend")[0],
                period=periods[0],
                people="-3",
            )
    return scenario, created


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(world=worlds())
def test_any_data_a_person_can_enter_gets_a_plan_or_a_diagnosis_in_words(cast: Cast, world: dict) -> None:
    from django.db import transaction

    from northstar.core.errors import ApplicationError

    with transaction.atomic():
        scenario, created = _build(cast, world)
        run = PlanRun.objects.create(scenario=scenario, created_by=cast.leader)
        plans.plan_run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status in (PlanRun.Status.DONE, PlanRun.Status.INFEASIBLE, PlanRun.Status.FAILED)
        if run.status == PlanRun.Status.FAILED:
            assert run.error == "No plan was found within the time limit.", run.error
        if run.status == PlanRun.Status.INFEASIBLE:
            assert run.diagnosis and all(d["message"] for d in run.diagnosis)
        if run.status == PlanRun.Status.DONE:
            planned = set(run.assignments.values_list("initiative_id", flat=True))
            for item in created:
                assert item.pk in planned or run.exclusions.get(str(item.pk)), item.title
            try:
                roadmaps.roadmap_publish(actor=cast.leader, run=run, title="Fuzzed")
            except ApplicationError as refusal:
                assert refusal.message
        transaction.set_rollback(True)
