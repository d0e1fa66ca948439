"""Roadmap services: capacity and budgets, scenarios, optimiser runs, edits, publishing, share links."""

from __future__ import annotations

from decimal import Decimal

import pytest

from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.jobs import job_cancel
from northstar.engines.planner import check_plan
from northstar.org.models import Skill
from northstar.planning import plans, problem, roadmaps, services
from northstar.planning.models import (
    Assumption,
    AssumptionKind,
    BudgetEnvelope,
    Capacity,
    ChangeKind,
    PlanRun,
    ShareLink,
    ValueSource,
)
from northstar.portfolio.models import Dependency, Stage, Tag
from tests import factories
from tests.planning.factories import make_candidate, make_quarters, make_scenario, make_world, set_capacity


def _run(scenario, actor, capture):
    with capture(execute=True):
        run = plans.plan_run_start(actor=actor, scenario=scenario)
    run.refresh_from_db()
    return run


def _where(run) -> dict[str, tuple[str, str, str]]:
    return {
        a.initiative.title: (a.start.name, a.end.name, a.team.name if a.team else "")
        for a in run.assignments.select_related("initiative", "start", "end", "team")
    }


# Capacity, budgets, periods ----------------------------------------------------------------------


def test_capacity_is_derived_from_members_and_availability_and_keeps_cells_set_by_hand(cast):
    team = factories.make_team(
        name="Duo",
        line=cast.home_line,
        skills=("backend", "frontend"),
        members=(factories.make_person(), factories.make_person()),
    )
    periods = make_quarters(count=2)  # 2030-Q1 has 90 days: 12.86 weeks
    services.capacity_derive(actor=cast.leader, periods=periods, availability="0.8")
    cell = Capacity.objects.get(team=team, skill__name="backend", period=periods[0])
    assert cell.weeks == Decimal("10.3")  # 2 people x 12.86 weeks x 0.8 / 2 skills
    services.capacity_set(actor=cast.leader, team=team, skill=cell.skill, period=periods[0], weeks="4")
    services.capacity_derive(actor=cast.leader, periods=periods, availability="0.5")
    cell.refresh_from_db()
    assert cell.weeks == Decimal("4.0") and cell.is_override
    other = Capacity.objects.get(team=team, skill__name="frontend", period=periods[0])
    assert other.weeks == Decimal("6.4")


def test_capacity_cells_follow_product_line_membership(cast):
    period = make_quarters(count=1)[0]
    skill = Skill.objects.get(name="backend")
    services.capacity_set(actor=cast.pm, team=cast.home_team, skill=skill, period=period, weeks="8")
    with pytest.raises(PermissionDenied):
        services.capacity_set(actor=cast.pm, team=cast.away_team, skill=skill, period=period, weeks="8")
    with pytest.raises(ValidationFailed, match="cannot be below 0"):
        services.capacity_set(actor=cast.leader, team=cast.away_team, skill=skill, period=period, weeks="-1")
    with pytest.raises(ValidationFailed, match="must be a number"):
        services.capacity_set(
            actor=cast.leader, team=cast.away_team, skill=skill, period=period, weeks="lots"
        )
    with pytest.raises(PermissionDenied):
        services.capacity_derive(actor=cast.pm, periods=[period])


def test_budgets_are_for_leaders(cast):
    period = make_quarters(count=1)[0]
    envelope = services.budget_set(actor=cast.leader, line=cast.home_line, period=period, amount="120000.5")
    assert envelope.amount == Decimal("120000.50") and envelope.currency == "EUR"
    with pytest.raises(PermissionDenied):
        services.budget_set(actor=cast.pm, line=cast.home_line, period=period, amount="1")


def test_periods_are_added_as_named_quarters_or_months_once(cast):
    from datetime import date

    quarters = services.periods_ensure(actor=cast.leader, count=3, start=date(2031, 5, 10))
    assert [p.name for p in quarters] == ["2031-Q2", "2031-Q3", "2031-Q4"]
    assert quarters[0].start == date(2031, 4, 1) and quarters[0].end == date(2031, 6, 30)
    again = services.periods_ensure(actor=cast.leader, count=1, start=date(2031, 8, 1))
    assert again[0].pk == quarters[1].pk
    months = services.periods_ensure(actor=cast.leader, count=2, kind="month", start=date(2031, 12, 3))
    assert [p.name for p in months] == ["2031-12", "2032-01"] and months[1].end == date(2032, 1, 31)
    with pytest.raises(PermissionDenied):
        services.periods_ensure(actor=cast.pm, count=1)


# Scenarios ---------------------------------------------------------------------------------------


def test_a_scenario_copies_its_base_and_pms_plan_only_their_own_line(cast):
    world = make_world(cast)
    services.assumption_add(
        actor=cast.leader, scenario=world.scenario, kind="mandatory", initiative=world.home[2]
    )
    copy = services.scenario_create(
        actor=cast.leader, base=world.scenario, name="Budget -10%", budget_factor=Decimal("0.9")
    )
    assert copy.base == world.scenario and copy.first_period == world.periods[0]
    assert list(copy.assumptions.values_list("kind", "initiative_id")) == [("mandatory", world.home[2].pk)]
    assert world.scenario.assumptions.count() == 1  # the base keeps its own rule
    with pytest.raises(PermissionDenied):
        services.scenario_create(
            actor=cast.pm, name="Mine", first_period=world.periods[0], last_period=world.periods[1]
        )
    mine = services.scenario_create(
        actor=cast.pm,
        name="Mine",
        line=cast.home_line,
        first_period=world.periods[0],
        last_period=world.periods[1],
    )
    with pytest.raises(PermissionDenied):
        services.scenario_update(actor=cast.pm, scenario=mine, line=cast.away_line)
    with pytest.raises(ValidationFailed, match="must not come before"):
        services.scenario_update(actor=cast.leader, scenario=mine, first_period=world.periods[2])


def test_assumptions_refuse_what_their_kind_is_missing(cast):
    world = make_world(cast)
    with pytest.raises(ValidationFailed, match="initiative"):
        services.assumption_add(actor=cast.leader, scenario=world.scenario, kind="pin")
    with pytest.raises(ValidationFailed, match="objective or a tag"):
        services.assumption_add(actor=cast.leader, scenario=world.scenario, kind="min_share", share="20")
    tag = Tag.objects.create(name="tech-debt")
    rule = services.assumption_add(
        actor=cast.leader, scenario=world.scenario, kind="max_share", tag=tag, share="15"
    )
    assert rule.share == Decimal("0.15")


# The problem the engine sees ---------------------------------------------------------------------


def test_problem_uses_estimates_scores_dependencies_and_skills(cast):
    world = make_world(cast)
    world.scenario.value_source = ValueSource.RICE
    big = make_candidate(cast.home_product, value=1, weeks=20, title="Long haul")  # 20 weeks > 0.6 x 13
    big.scoring.rice_score = 3.0
    big.scoring.save()
    mobile = make_candidate(cast.home_product, value=5, weeks=2, skill="mobile", title="Needs mobile")
    Dependency.objects.create(initiative=world.home[1], requires=world.home[0])
    inputs = problem.build(world.scenario)
    item = {i.id: i for i in inputs.problem.items}
    assert item[str(big.pk)].value == 60.0  # RICE x effort
    assert item[str(big.pk)].duration == 3
    assert item[str(world.home[0].pk)].eligible_teams == (str(cast.home_team.pk),)
    assert inputs.unplannable[mobile.pk].startswith("no team has every skill")
    assert [(p.before, p.after) for p in inputs.problem.precedences] == [
        (str(world.home[0].pk), str(world.home[1].pk))
    ]
    assert [(r.item, r.needs) for r in inputs.problem.requires] == [
        (str(world.home[1].pk), str(world.home[0].pk))
    ]


def test_capacity_assumptions_add_people_from_a_period_on(cast):
    world = make_world(cast)
    backend = Skill.objects.get(name="backend")
    Assumption.objects.create(
        scenario=world.scenario, kind=AssumptionKind.CAPACITY, team=cast.home_team, skill=backend,
        period=world.periods[1], people=Decimal("2"),
    )  # fmt: skip
    cap = problem.build(world.scenario).capacity
    assert cap[(cast.home_team.pk, "backend", "2030-Q1")] == 10
    assert cap[(cast.home_team.pk, "backend", "2030-Q2")] == pytest.approx(10 + 2 * 13 * 0.8)


# Running the optimiser ---------------------------------------------------------------------------


def test_a_run_is_a_job_whose_plan_carries_its_proof_and_passes_the_checker(
    cast, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    set_capacity(cast.home_team, world.periods, 6)  # home work no longer fits in one quarter
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    assert run.status == PlanRun.Status.DONE and run.job.status == "succeeded"
    assert run.gap == pytest.approx(0, abs=1e-4) and run.best_bound >= run.value > 0
    assert run.greedy_value is not None and run.value >= run.greedy_value
    assert run.violations == []
    inputs = problem.build(world.scenario)
    rows = list(run.assignments.values_list("initiative_id", "team_id", "start__name", "end__name"))
    assert check_plan(inputs.problem, problem.as_plan(inputs, rows)) == []
    where = _where(run)
    assert where["Home big"][0] == "2030-Q1"  # the most valuable first: value fades 0% here, ties by value
    assert any("Home team" in b for b in run.binding)


def test_left_out_work_says_what_keeps_it_out(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    set_capacity(cast.home_team, world.periods[:1], 6)
    world.scenario.last_period = world.periods[0]
    world.scenario.save()
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    out = {int(k): v for k, v in run.exclusions.items()}
    assert set(out) == {world.home[1].pk, world.home[2].pk, world.away[1].pk} - {
        a for a in run.assignments.values_list("initiative_id", flat=True)
    }
    assert all("capacity" in reason for reason in out.values())


def test_a_running_plan_of_the_same_scenario_is_refused(cast):
    world = make_world(cast)
    plans.plan_run_start(actor=cast.leader, scenario=world.scenario)  # queued: runs on commit
    with pytest.raises(Conflict):
        plans.plan_run_start(actor=cast.leader, scenario=world.scenario)


def test_mandatory_pins_budgets_and_guardrails_shape_the_plan(cast, django_capture_on_commit_callbacks):
    world = make_world(cast, budget=1)  # one unit of money a quarter per line: nothing with a cost fits
    services.assumption_add(
        actor=cast.leader, scenario=world.scenario, kind="exclude", initiative=world.away[0]
    )
    starved = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    assert starved.status == "done" and starved.assignments.count() == 0
    BudgetEnvelope.objects.update(amount=Decimal("1000000000"))
    services.assumption_add(
        actor=cast.leader,
        scenario=world.scenario,
        kind="pin",
        initiative=world.home[2],
        period=world.periods[2],
    )
    tag = Tag.objects.create(name="tech-debt")
    world.home[1].tags.add(tag)
    services.assumption_add(actor=cast.leader, scenario=world.scenario, kind="max_share", tag=tag, share="10")
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    where = _where(run)
    assert where["Home small"][0] == "2030-Q3"
    assert "Away big" not in where and "Home mid" not in where  # excluded; 5 of 20 weeks > 10% tech debt
    assert run.violations == []


def test_rules_that_cannot_all_hold_get_a_diagnosis(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    huge = make_candidate(cast.home_product, value=1, weeks=200, title="Impossible")
    services.assumption_add(actor=cast.leader, scenario=world.scenario, kind="mandatory", initiative=huge)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    assert run.status == PlanRun.Status.INFEASIBLE
    assert run.diagnosis and any(
        "Impossible" in d["message"] or str(huge.pk) in d["items"] for d in run.diagnosis
    )


def test_a_cancelled_job_cancels_its_run(cast):
    world = make_world(cast)
    run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    job_cancel(job=run.job, actor=cast.leader)  # still queued: cancelled at once
    run = plans.get_run(run.pk)
    plans.sync_with_job(run)  # how a page shows it (nothing written)
    assert run.status == PlanRun.Status.CANCELLED
    assert plans.runs_close_stale(scenario=world.scenario) == 1  # the write path stores it

    class Stopping:
        cancelled = True

        def progress(self, *args):
            pass

    second = PlanRun.objects.create(scenario=world.scenario)
    assert plans.plan_run_execute(run_id=second.pk, job=Stopping())["status"] == "cancelled"
    second.refresh_from_db()
    assert second.status == PlanRun.Status.CANCELLED and second.assignments.count() == 0


# Editing, re-optimising, publishing -------------------------------------------------------------


def test_moving_work_by_hand_keeps_the_optimised_plan_and_shows_what_breaks(
    cast, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    q1 = {t for t, (s, _e, _t) in _where(run).items() if s == "2030-Q1" and t.startswith("Home")}
    mover = next(i for i in world.home if i.title not in q1)
    result = plans.plan_edit(
        actor=cast.leader, run=run, initiative=mover, action="move", period=world.periods[0]
    )
    edited = result.run
    assert edited.pk != run.pk and edited.kind == "edited" and edited.parent == run
    assert run.assignments.get(initiative=mover).start.name != "2030-Q1"  # the optimised plan is intact
    assert edited.assignments.get(initiative=mover).pinned
    assert [v["kind"] for v in edited.violations] == ["capacity"]
    assert edited.violations[0]["message"].startswith("team Home team (backend) in 2030-Q1:")
    assert "breaks 1 rule" in result.message
    # a second edit changes the same edited plan; removing the extra work makes it valid again
    again = plans.plan_edit(actor=cast.leader, run=edited, initiative=mover, action="remove").run
    assert again.pk == edited.pk and again.violations == [] and mover.pk in again.removed
    assert again.exclusions[str(mover.pk)] == "removed by hand"


def test_edits_follow_line_membership_and_refuse_what_cannot_be_planned(
    cast, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    home = make_scenario(world.periods, name="Home", line=cast.home_line)
    run = _run(home, cast.pm, django_capture_on_commit_callbacks)
    edited = plans.plan_edit(
        actor=cast.pm, run=run, initiative=world.home[0], action="move", period=world.periods[1]
    )
    assert edited.run.assignments.get(initiative=world.home[0]).start == world.periods[1]
    with pytest.raises(PermissionDenied):
        plans.plan_edit(
            actor=cast.pm, run=run, initiative=world.away[0], action="move", period=world.periods[1]
        )
    idea = make_candidate(cast.home_product, value=9, weeks=1, stage=Stage.IDEA, title="Just an idea")
    with pytest.raises(ValidationFailed, match="cannot be planned here"):
        plans.plan_edit(actor=cast.pm, run=run, initiative=idea, action="move", period=world.periods[1])
    portfolio = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        plans.plan_edit(
            actor=cast.pm, run=portfolio, initiative=world.home[0], action="move", period=world.periods[1]
        )
    long = make_candidate(cast.home_product, value=3, weeks=12, title="Two quarters")
    with pytest.raises(ValidationFailed, match="takes 2 periods"):
        plans.plan_edit(
            actor=cast.leader, run=portfolio, initiative=long, action="move", period=world.periods[2]
        )


def test_reoptimising_keeps_the_pins_and_the_removals(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    edited = plans.plan_edit(
        actor=cast.leader, run=run, initiative=world.home[2], action="move", period=world.periods[2]
    ).run
    edited = plans.plan_edit(actor=cast.leader, run=edited, initiative=world.away[1], action="remove").run
    with django_capture_on_commit_callbacks(execute=True):
        again = plans.plan_reoptimise(actor=cast.leader, run=edited)
    again.refresh_from_db()
    where = _where(again)
    assert where["Home small"][0] == "2030-Q3" and "Away small" not in where
    assert again.assignments.get(initiative=world.home[2]).pinned
    assert again.violations == [] and again.parent == edited
    with pytest.raises(ValidationFailed, match="Pin or move something first"):
        plans.plan_reoptimise(actor=cast.leader, run=run)


def test_publishing_freezes_the_plan_and_records_what_changed(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    first = roadmaps.roadmap_publish(actor=cast.leader, run=run, title="Q1 review", note="As agreed")
    assert first.entries.count() == run.assignments.count() and first.changes.count() == 0
    slipped = world.home[2]
    before_start = run.assignments.get(initiative=slipped).start
    edited = plans.plan_edit(
        actor=cast.leader, run=run, initiative=slipped, action="move", period=world.periods[2]
    ).run
    edited = plans.plan_edit(actor=cast.leader, run=edited, initiative=world.away[1], action="remove").run
    newcomer = make_candidate(cast.away_product, value=1, weeks=1, title="Newcomer")
    edited = plans.plan_edit(
        actor=cast.leader, run=edited, initiative=newcomer, action="move", period=world.periods[1]
    ).run
    world.away[0].title = "Renamed later"
    world.away[0].save()
    second = roadmaps.roadmap_publish(actor=cast.leader, run=edited, title="Q2 review")
    changes = {c.title: c for c in second.changes.all()}
    assert second.previous == first
    assert changes["Home small"].kind == ChangeKind.SLIPPED
    assert changes["Home small"].shift == 2 - [p.pk for p in world.periods].index(before_start.pk)
    assert changes["Home small"].reason == "moved by hand to 2030-Q3"
    assert (
        changes["Away small"].kind == ChangeKind.DROPPED and changes["Away small"].reason == "removed by hand"
    )
    assert changes["Newcomer"].kind == ChangeKind.ADDED and changes["Newcomer"].reason == "pinned by hand"
    assert first.entries.filter(title="Away big").exists()  # frozen: later renames do not reach it
    roadmaps.change_reason_set(
        actor=cast.leader, change=changes["Home small"], reason="Waiting for the tax API"
    )
    with pytest.raises(PermissionDenied):
        roadmaps.change_reason_set(actor=cast.pm, change=changes["Home small"], reason="x")


def test_a_plan_that_breaks_a_rule_cannot_be_published(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    crowd = [
        i for i in world.home if run.assignments.filter(initiative=i).exclude(start=world.periods[0]).exists()
    ]
    edited = run
    for item in crowd:
        edited = plans.plan_edit(
            actor=cast.leader, run=edited, initiative=item, action="move", period=world.periods[0]
        ).run
    assert edited.violations
    with pytest.raises(ValidationFailed, match="breaks"):
        roadmaps.roadmap_publish(actor=cast.leader, run=edited, title="Broken")
    with pytest.raises(PermissionDenied):
        roadmaps.roadmap_publish(actor=cast.pm, run=run, title="Mine")


def test_delivered_work_is_not_reported_as_dropped(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    before = roadmaps.run_rows(run)
    done = world.home[0]
    done.stage = Stage.LAUNCHED
    done.save()
    after = [r for r in before if r.initiative_id != done.pk]
    assert roadmaps.diff(before, after, stages=roadmaps.stages_of(before)) == []


# Share links ------------------------------------------------------------------------------------


def test_share_links_open_the_published_roadmap_until_revoked(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    link = services.share_link_create(actor=cast.leader, label="Board")
    assert (
        len(link.token) >= 40 and link.token != services.share_link_create(actor=cast.leader, label="B").token
    )
    with pytest.raises(NotFound, match="Nothing has been published"):
        services.shared_roadmap(link.token)
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    first = roadmaps.roadmap_publish(actor=cast.leader, run=run, title="One")
    pinned = services.share_link_create(actor=cast.leader, label="Fixed", roadmap=first)
    second = roadmaps.roadmap_publish(actor=cast.leader, run=run, title="Two")
    assert services.shared_roadmap(link.token)[1] == second  # follows the latest
    assert services.shared_roadmap(pinned.token)[1] == first
    services.share_link_revoke(actor=cast.leader, link=link)
    with pytest.raises(NotFound):
        services.shared_roadmap(link.token)
    with pytest.raises(NotFound):
        services.shared_roadmap("guess")
    with pytest.raises(PermissionDenied):
        services.share_link_create(actor=cast.pm, label="Mine")
    assert ShareLink.objects.count() == 3


def test_broken_rules_name_the_initiatives_not_their_ids(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    services.assumption_add(
        actor=cast.leader, scenario=world.scenario, kind="mandatory", initiative=world.home[2]
    )
    run = _run(world.scenario, cast.leader, django_capture_on_commit_callbacks)
    edited = plans.plan_edit(actor=cast.leader, run=run, initiative=world.home[2], action="remove").run
    assert [v["message"] for v in edited.violations] == ["mandatory item “Home small” is missing"]
