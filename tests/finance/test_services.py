"""Finance services and selectors: business cases computed as saved, people cost derived from where
the teams' time went, budget against actuals with run-rate and flags, and the planner's NPV value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.delivery.models import Connection, InitiativeLink, State, WorkItem
from northstar.finance import selectors, services
from northstar.finance.models import Actual, ActualBatch, BusinessCase, SpendKind
from northstar.finance.people_cost import people_cost_derive
from northstar.finance.services import BenefitInput, Estimate
from northstar.planning.models import Scenario, ValueSource
from northstar.planning.problem import build
from northstar.portfolio.models import Stage, Tag
from tests import factories
from tests.finance.factories import make_actuals, make_budget, make_case, make_quarters, make_rate
from tests.planning.factories import make_world


def test_a_business_case_is_computed_as_it_is_saved(cast):
    case = make_case(cast.pm, cast.home_initiative)
    assert case.currency == "EUR" and case.annual_rate == Decimal("0.1000")
    assert case.npv is not None and case.risk_adjusted_npv is not None and case.npv > case.risk_adjusted_npv
    assert case.npv_p10 < case.npv_p50 < case.npv_p90
    assert case.irr is not None and case.payback_periods is not None
    assert sorted(b.kind for b in case.benefits.all()) == ["new_revenue", "savings"]
    # Saving again replaces the case rather than adding one.
    again = make_case(cast.pm, cast.home_initiative, probability="0.9", benefits=[])
    assert BusinessCase.objects.count() == 1 and again.benefits.count() == 0
    assert again.risk_adjusted_npv < 0  # costs only


def test_business_cases_follow_the_line_rule_and_refuse_bad_estimates(cast):
    with pytest.raises(PermissionDenied):
        make_case(cast.pm, cast.away_initiative)
    with pytest.raises(PermissionDenied):
        make_case(cast.stakeholder, cast.home_initiative)
    with pytest.raises(ValidationFailed, match="Investment: low ≤ likely ≤ high"):
        make_case(cast.leader, cast.home_initiative, investment=Estimate(10, 5, 20))
    with pytest.raises(ValidationFailed, match="Probability of success is between 0 and 1"):
        make_case(cast.leader, cast.home_initiative, probability="1.5")
    with pytest.raises(ValidationFailed, match="Currency GBP is unknown"):
        make_case(cast.leader, cast.home_initiative, currency="GBP")
    with pytest.raises(ValidationFailed, match="Benefits are one each"):
        make_case(
            cast.leader,
            cast.home_initiative,
            benefits=[BenefitInput("savings", Estimate(1, 2, 3)), BenefitInput("savings", Estimate(1, 2, 3))],
        )
    assert not BusinessCase.objects.exists()


def test_exchange_rates_are_for_leaders_and_never_for_the_company_currency(cast):
    rate = services.exchange_rate_set(
        actor=cast.leader, currency="usd", rate="0.92", valid_from=date(2026, 1, 1)
    )
    assert rate.currency == "USD"
    services.exchange_rate_set(actor=cast.leader, currency="USD", rate="0.95", valid_from=date(2026, 1, 1))
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.95")
    with pytest.raises(ValidationFailed, match="company currency"):
        services.exchange_rate_set(actor=cast.leader, currency="EUR", rate="1", valid_from=date(2026, 1, 1))
    with pytest.raises(ValidationFailed, match="above zero"):
        services.exchange_rate_set(actor=cast.leader, currency="USD", rate="0", valid_from=date(2026, 2, 1))
    with pytest.raises(PermissionDenied):
        services.exchange_rate_set(actor=cast.pm, currency="USD", rate="1", valid_from=date(2026, 2, 1))


def _done(connection, team, key, *, when, parent=None, points=None):
    return WorkItem.objects.create(
        connection=connection,
        external_id=key,
        key=key,
        title=key,
        kind=WorkItem.Kind.STORY,
        state=State.DONE,
        team=team,
        parent=parent,
        points=points,
        done_at=when,
    )


def test_people_cost_follows_the_work_each_team_finished(cast):
    cast.away_team.members.add(factories.make_person())
    connection = Connection.objects.create(name="Jira", tool="jira", base_url="https://x.example", scope="H")
    epic = WorkItem.objects.create(
        connection=connection, external_id="E", key="H-1", title="Epic", kind="epic"
    )
    InitiativeLink.objects.create(initiative=cast.home_initiative, container=epic, status="confirmed")
    maintenance = Tag.objects.create(name="tech-debt")
    cast.away_initiative.tags.add(maintenance)
    away_epic = WorkItem.objects.create(
        connection=connection, external_id="A", key="A-1", title="Debt", kind="epic"
    )
    InitiativeLink.objects.create(initiative=cast.away_initiative, container=away_epic, status="confirmed")
    when = datetime(2026, 3, 10, 12, tzinfo=UTC)
    _done(connection, cast.home_team, "H-2", when=when, parent=epic, points=3)
    _done(connection, cast.home_team, "H-3", when=when, points=1)  # linked to no initiative
    _done(connection, cast.away_team, "A-2", when=when, parent=away_epic)
    batch = people_cost_derive(actor=cast.leader, month=date(2026, 3, 1))
    # One member each at 12,000 a person-week x 31/7 weeks = 53,142.86; home splits 3 points : 1 item
    rows = {(a.team_id, a.initiative_id): a for a in batch.actuals.all()}
    assert rows[(cast.home_team.pk, cast.home_initiative.pk)].amount == Decimal("39857.15")
    assert rows[(cast.home_team.pk, cast.home_initiative.pk)].kind == SpendKind.CAPEX
    assert rows[(cast.home_team.pk, None)].amount == Decimal("13285.71")
    assert rows[(cast.home_team.pk, None)].kind == SpendKind.OPEX
    assert rows[(cast.away_team.pk, cast.away_initiative.pk)].kind == SpendKind.OPEX  # tech-debt
    assert batch.total == Decimal("106285.72")
    # Deriving the month again replaces it.
    people_cost_derive(actor=cast.leader, month=date(2026, 3, 15))
    assert ActualBatch.objects.count() == 1 and Actual.objects.count() == 3
    with pytest.raises(PermissionDenied):
        people_cost_derive(actor=cast.pm, month=date(2026, 3, 1))


def test_people_cost_in_a_currency_without_a_rate_is_refused(cast):
    cast.away_team.members.add(factories.make_person(), factories.make_person())
    cast.away_team.currency = "CHF"
    cast.away_team.save()
    with pytest.raises(ValidationFailed, match="CHF, which has no exchange rate"):
        people_cost_derive(actor=cast.leader, month=date(2026, 3, 1))
    make_rate("CHF", "1.05", date(2026, 1, 1))
    batch = people_cost_derive(actor=cast.leader, month=date(2026, 3, 1))
    assert batch.actuals.get(team=cast.away_team).amount == Decimal("111600.00")  # 2 x 12,000 x 31/7 x 1.05


def test_without_delivery_data_people_cost_follows_the_plan_of_record(cast):
    """No work finished in March: each team's month is split by the effort the current plan gives
    its initiatives running in March (an assignment without effort counts as one week)."""
    from northstar.finance.people_cost import _plan_split
    from northstar.planning.models import PlanAssignment, PlanRun
    from tests.planning.factories import make_scenario

    cast.away_team.members.add(factories.make_person())
    q1, q2, _q3, _q4 = make_quarters(2026)
    march = date(2026, 3, 1), date(2026, 4, 1)
    assert _plan_split(*march) == {}  # no plan of record yet: nothing to split by
    checkout, wallet, later, away = (
        factories.make_initiative(product=cast.home_product, title="Checkout"),
        factories.make_initiative(product=cast.home_product, title="Wallet"),
        factories.make_initiative(product=cast.home_product, title="Later"),
        factories.make_initiative(product=cast.away_product, title="Away work"),
    )
    other = PlanRun.objects.create(scenario=make_scenario([q1, q2], name="Draft"), status=PlanRun.Status.DONE)
    PlanAssignment.objects.create(run=other, initiative=later, team=cast.home_team, start=q1, end=q1)
    run = PlanRun.objects.create(
        scenario=make_scenario([q1, q2], name="Plan of record", is_primary=True), status=PlanRun.Status.DONE
    )
    home, away_team = cast.home_team, cast.away_team
    for initiative, team, start, end, effort in (
        (checkout, home, q1, q1, {"backend": 6, "frontend": 2}),  # 8 weeks, all in Q1
        (wallet, home, q1, q2, {"backend": 4}),  # runs through March into Q2
        (later, home, q2, q2, {"backend": 30}),  # starts after March: not counted
        (away, away_team, q1, q1, {}),  # no effort given: one week
    ):
        PlanAssignment.objects.create(
            run=run, initiative=initiative, team=team, start=start, end=end, effort=effort
        )
    PlanAssignment.objects.create(
        run=run, initiative=factories.make_initiative(), start=q1, end=q1
    )  # no team
    assert _plan_split(*march) == {home.pk: {checkout.pk: 8.0, wallet.pk: 4.0}, away_team.pk: {away.pk: 1.0}}
    assert _plan_split(date(2026, 4, 1), date(2026, 5, 1)) == {home.pk: {wallet.pk: 4.0, later.pk: 30.0}}

    batch = people_cost_derive(actor=cast.leader, month=date(2026, 3, 1))
    rows = {(a.team_id, a.initiative_id): a for a in batch.actuals.all()}
    # One member at 12,000 a person-week x 31/7 weeks = 53,142.86, split 8 : 4 between the two.
    assert rows[(home.pk, checkout.pk)].amount == Decimal("35428.57")  # 53,142.857 x 8/12
    assert rows[(home.pk, wallet.pk)].amount == Decimal("17714.29")  # the rest, so the month adds up
    assert rows[(away_team.pk, away.pk)].amount == Decimal("53142.86")
    assert set(rows) == {(home.pk, checkout.pk), (home.pk, wallet.pk), (away_team.pk, away.pk)}
    assert all(a.kind == SpendKind.CAPEX and a.description.endswith("the plan") for a in rows.values())


def test_budget_overview_projects_the_run_rate_and_flags_each_line(cast):
    q1, q2, q3, q4 = make_quarters(2025)
    for q in (q1, q2, q3, q4):
        make_budget(cast.home_line, q, "30000")
        make_budget(cast.away_line, q, "30000")
    rows = []
    for month in range(1, 7):
        rows.append({"month": date(2025, month, 1), "line": cast.home_line, "amount": 10_000})
        rows.append({"month": date(2025, month, 1), "line": cast.away_line, "amount": 5_000 + 1000 * month})
    make_actuals(rows)
    overview = selectors.budget_overview(year=2025, today=date(2025, 7, 15))
    assert overview.elapsed == 6
    assert overview.total.actual == Decimal("111000") and overview.total.budget == Decimal("240000")
    away, home = overview.lines  # by name
    assert (home.label, home.flag) == ("Home line", "on_track")
    assert home.forecast == Decimal("120000")
    # Away spent 6k..11k (51k), its run-rate (Apr-Jun) is 10k: 51k + 6 x 10k = 111k, 7.5% under 120k
    assert away.forecast == Decimal("111000") and away.flag == "under"
    q3_row = overview.quarters[2]
    assert q3_row.actual == 0 and q3_row.forecast == Decimal("60000")  # run-rate of both lines
    assert overview.forecast[6] == Decimal("20000.00")
    one = selectors.budget_overview(year=2025, line=cast.home_line, today=date(2025, 7, 15))
    assert one.lines == [] and one.total.budget == Decimal("120000")


def test_budget_overview_as_of_a_past_cut_off_leaves_out_later_spend(cast):
    for q in make_quarters(2025):
        make_budget(cast.home_line, q, "30000")
    make_actuals(
        [{"month": date(2025, month, 1), "line": cast.home_line, "amount": 10_000} for month in range(1, 10)]
    )
    june = selectors.budget_overview(year=2025, today=date(2025, 6, 30))
    assert june.total.actual == Decimal("60000")  # January to June, not the July to September imported since
    assert june.elapsed == 6
    assert sum(june.by_category.values()) == Decimal("60000")
    assert selectors.budget_overview(year=2025, today=date(2025, 9, 30)).total.actual == Decimal("90000")


def test_capitalisable_share_is_the_capex_part_of_people_cost(cast):
    make_actuals(
        [
            {
                "month": date(2025, 1, 1),
                "line": cast.home_line,
                "amount": 300,
                "category": "people",
                "kind": "capex",
            },
            {
                "month": date(2025, 1, 1),
                "line": cast.home_line,
                "amount": 100,
                "category": "people",
                "kind": "opex",
            },
            {
                "month": date(2025, 1, 1),
                "line": cast.home_line,
                "amount": 999,
                "category": "tools",
                "kind": "capex",
            },
        ]
    )
    overview = selectors.budget_overview(year=2025, today=date(2025, 3, 1))
    assert overview.capex_share == pytest.approx(0.75)


def test_a_scenario_valued_by_business_case_plans_the_best_risk_adjusted_npv(cast):
    world = make_world(cast)
    scenario = world.scenario
    scenario.value_source = ValueSource.NPV
    scenario.save()
    rich, poor = world.home[0], world.home[1]
    make_case(
        cast.leader,
        rich,
        investment=Estimate(1000, 1000, 1000),
        benefits=[BenefitInput("savings", Estimate(50_000, 50_000, 50_000))],
        probability="1",
    )
    make_case(cast.leader, poor, investment=Estimate(10**6, 10**6, 10**6), benefits=[], probability="1")
    inputs = build(Scenario.objects.get(pk=scenario.pk))
    values = {c.id: c.value for c in inputs.candidates.values()}
    expected = BusinessCase.objects.get(initiative=rich).risk_adjusted_npv / 1000
    assert values[rich.pk] == pytest.approx(expected, abs=0.01)
    assert values[poor.pk] == 0  # a loss is worth nothing to the plan
    others = [v for pk, v in values.items() if pk not in (rich.pk, poor.pk)]
    assert others and all(v == 0 for v in others)  # no case, no value


def test_initiative_money_compares_plan_actual_and_forecast(cast):
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    make_actuals(
        [
            {
                "month": date(2025, 1, 1),
                "line": cast.home_line,
                "initiative": cast.home_initiative,
                "amount": 500,
            }
        ]
    )
    rows = selectors.initiative_money()
    assert [(r.title, r.actual, r.planned) for r in rows] == [("Home work", Decimal("500"), None)]
    assert rows[0].forecast == Decimal("500") and rows[0].flag == "no_budget"
