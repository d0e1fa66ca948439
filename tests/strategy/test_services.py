"""Strategy services: who may change what, the cascade rules, computed progress, check-ins, KPIs
bound to key results, the versioned vision and the alignment of work."""

from __future__ import annotations

from datetime import date

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.portfolio.models import Stage
from northstar.strategy import metrics, selectors, services
from northstar.strategy.models import Metric
from tests import factories
from tests.strategy.factories import make_key_result, make_metric, make_objective, make_period, make_series


@pytest.fixture
def period(db):
    return make_period(name="2030-Q1")


def test_pm_sets_objectives_in_their_line_only(cast, period):
    home = services.objective_create(
        actor=cast.pm,
        period_id=period.pk,
        title="Win home",
        line_id=cast.home_line.pk,
        owner_id=cast.pm_person.pk,
    )
    assert home.level == "line"
    assert AuditEntry.objects.filter(record_type="strategy.objective", record_id=str(home.pk)).exists()
    with pytest.raises(PermissionDenied, match="product lines you belong to"):
        services.objective_create(
            actor=cast.pm,
            period_id=period.pk,
            title="x",
            line_id=cast.away_line.pk,
            owner_id=cast.pm_person.pk,
        )
    with pytest.raises(PermissionDenied, match="company objectives"):
        services.objective_create(actor=cast.pm, period_id=period.pk, title="x", owner_id=cast.pm_person.pk)
    with pytest.raises(PermissionDenied, match="read-only"):
        services.objective_create(
            actor=cast.stakeholder, period_id=period.pk, title="x", line_id=cast.home_line.pk, owner_id=1
        )
    team = services.objective_create(
        actor=cast.pm,
        period_id=period.pk,
        title="Team",
        team_id=cast.home_team.pk,
        owner_id=cast.pm_person.pk,
    )
    assert team.level == "team" and services.can_edit_objective(cast.pm, team)


def test_the_cascade_goes_down_one_period_one_line(cast, period):
    company = make_objective(period=period, owner=cast.pm_person)
    home = make_objective(period=period, line=cast.home_line, parent=company, owner=cast.pm_person)
    other_period = make_period(name="2030-Q2", start=date(2030, 4, 1), end=date(2030, 6, 30))
    create = services.objective_create
    with pytest.raises(ValidationFailed, match="not both"):
        create(actor=cast.leader, period_id=period.pk, title="x", line_id=cast.home_line.pk,
               team_id=cast.home_team.pk, owner_id=cast.pm_person.pk)  # fmt: skip
    with pytest.raises(ValidationFailed, match="same planning period"):
        create(actor=cast.leader, period_id=other_period.pk, title="x", line_id=cast.home_line.pk,
               parent_id=company.pk, owner_id=cast.pm_person.pk)  # fmt: skip
    with pytest.raises(ValidationFailed, match="higher level"):
        create(actor=cast.leader, period_id=period.pk, title="x", line_id=cast.away_line.pk,
               parent_id=home.pk, owner_id=cast.pm_person.pk)  # fmt: skip
    with pytest.raises(ValidationFailed, match="its own product line"):
        create(actor=cast.leader, period_id=period.pk, title="x", team_id=cast.away_team.pk,
               parent_id=home.pk, owner_id=cast.pm_person.pk)  # fmt: skip
    team = create(actor=cast.leader, period_id=period.pk, title="ok", team_id=cast.home_team.pk,
                  parent_id=home.pk, owner_id=cast.pm_person.pk)  # fmt: skip
    assert team.parent == home


def test_key_results_are_checked_and_progress_is_computed(cast, period):
    objective = make_objective(period=period, line=cast.home_line, owner=cast.pm_person)
    with pytest.raises(ValidationFailed, match="target must be above the baseline"):
        services.key_result_create(actor=cast.pm, objective=objective, title="x", baseline=10, target=5)
    with pytest.raises(ValidationFailed, match="baseline and a target"):
        services.key_result_create(actor=cast.pm, objective=objective, title="x")
    churn = services.key_result_create(
        actor=cast.pm,
        objective=objective,
        title="Churn 5% → 3%",
        direction="down",
        baseline=5,
        target=3,
        unit="%",
    )
    launch = services.key_result_create(actor=cast.pm, objective=objective, title="Launch", kind="milestone")
    services.check_in_create(actor=cast.pm, key_result=churn, value=4.5, confidence=7, comment="slow")
    assert churn.current == 4.5 and churn.confidence == 7
    assert selectors.key_result_progress(churn) == pytest.approx(25)
    with pytest.raises(ValidationFailed, match="1 \\(done\\) or 0"):
        services.check_in_create(actor=cast.pm, key_result=launch, value=0.5, confidence=5)
    services.check_in_create(actor=cast.pm, key_result=launch, value=1, confidence=9)
    row = selectors.objective_detail(objective)
    assert row.progress == pytest.approx((25 + 100) / 2)
    assert row.confidence == pytest.approx(8)
    with pytest.raises(ValidationFailed, match="from 0"):
        services.check_in_create(actor=cast.pm, key_result=churn, value=4, confidence=11)
    assert [c.value for c in selectors.check_in_history(churn)] == [4.5]


def test_owners_check_in_even_outside_their_lines_and_others_cannot(cast, period):
    objective = make_objective(period=period, line=cast.away_line, owner=factories.make_person())
    kr = make_key_result(objective=objective, baseline=0, target=10)
    with pytest.raises(PermissionDenied):
        services.check_in_create(actor=cast.pm, key_result=kr, value=1, confidence=5)
    kr.owner = cast.pm_person
    kr.save()
    services.check_in_create(actor=cast.pm, key_result=kr, value=2, confidence=5)
    with pytest.raises(PermissionDenied):
        services.check_in_create(actor=cast.stakeholder, key_result=kr, value=3, confidence=5)


def test_objective_progress_rolls_up_children_by_weight(cast, period):
    parent = make_objective(period=period, owner=cast.pm_person)
    make_key_result(objective=parent, baseline=0, target=100, current=100)
    a = make_objective(period=period, parent=parent, line=cast.home_line, owner=cast.pm_person, weight=3)
    make_key_result(objective=a, baseline=0, target=100, current=20)
    rows = {r.objective.pk: r for r in selectors.flatten(selectors.objective_tree(period))}
    assert rows[a.pk].progress == 20
    assert rows[parent.pk].progress == pytest.approx((100 + 3 * 20) / 4)


def test_a_key_result_bound_to_a_kpi_follows_it(cast, period):
    metric = make_metric(line=cast.home_line, unit="merchants")
    make_series(metric, [100, 110, 120])
    objective = make_objective(period=period, line=cast.home_line, owner=cast.pm_person)
    kr = services.key_result_create(
        actor=cast.pm, objective=objective, title="Grow", baseline=100, target=200, metric_id=metric.pk
    )
    assert kr.current == 120 and kr.unit == "merchants"
    metrics.metric_value_record(actor=cast.pm, metric=metric, date=date(2024, 2, 1), value=150)
    kr.refresh_from_db()
    assert kr.current == 150
    assert selectors.key_result_progress(kr) == 50
    other = make_metric(line=cast.away_line)
    with pytest.raises(PermissionDenied):
        metrics.metric_value_record(actor=cast.pm, metric=other, date=date(2024, 2, 1), value=1)


def test_dimensions_combine_by_the_metric_aggregation(db):
    flow = make_metric(aggregation=Metric.Aggregation.SUM)
    rate = make_metric(aggregation=Metric.Aggregation.AVERAGE)
    for metric in (flow, rate):
        make_series(metric, [10, 20], dimension="EU")
        make_series(metric, [30, 40], dimension="US")
    series = selectors.metric_series([flow, rate])
    assert [v for _, v in series[flow.pk]] == [40, 60]
    assert [v for _, v in series[rate.pk]] == [20, 30]
    assert metrics.metric_latest([flow.pk, rate.pk]) == {
        flow.pk: (date(2024, 1, 8), 60),
        rate.pk: (date(2024, 1, 8), 30),
    }


def test_the_north_star_tree_refuses_loops_and_a_second_star(cast):
    star = metrics.metric_create(actor=cast.leader, key="wam", name="WAM", is_north_star=True)
    inp = metrics.metric_create(actor=cast.leader, key="signups", name="Signups", drives_id=star.pk)
    with pytest.raises(ValidationFailed, match="drive itself"):
        metrics.metric_update(actor=cast.leader, metric=star, is_north_star=False, drives_id=inp.pk)
    with pytest.raises(ValidationFailed, match=r"(?i)north"):
        metrics.metric_create(actor=cast.leader, key="x", name="X", is_north_star=True)
    with pytest.raises(PermissionDenied, match="north-star"):
        metrics.metric_create(actor=cast.pm, key="y", name="Y", is_north_star=True, line_id=cast.home_line.pk)
    cards = selectors.kpi_cards(selectors.metric_list())
    (root,) = selectors.north_star_tree(cards)
    assert root.card.metric == star and [c.card.metric for c in root.children] == [inp]


def test_the_vision_keeps_every_version_and_diffs_them(cast):
    v1 = services.vision_save(actor=cast.leader, title="Vision", body="Line one\nLine two\n")
    v2 = services.vision_save(
        actor=cast.leader, title="Vision", body="Line one\nLine 2\nLine three\n", note="x"
    )
    assert (v1.number, v2.number) == (1, 2)
    with pytest.raises(ValidationFailed, match="Nothing changed"):
        services.vision_save(actor=cast.leader, title="Vision", body="Line one\nLine 2\nLine three\n")
    with pytest.raises(PermissionDenied):
        services.vision_save(actor=cast.pm, title="Mine", body="x")
    diff = selectors.vision_diff(v1, v2)
    assert ("removed", "Line two") in [(d.kind, d.text) for d in diff]
    assert ("added", "Line three") in [(d.kind, d.text) for d in diff]
    assert [v.number for v in selectors.vision_versions()] == [2, 1]


def test_alignment_shares_effort_and_finds_gaps(cast, period):
    company = make_objective(period=period, owner=cast.pm_person, title="Company")
    home = make_objective(
        period=period, parent=company, line=cast.home_line, owner=cast.pm_person, title="Home"
    )
    lonely = make_objective(period=period, line=cast.away_line, owner=cast.pm_person, title="Lonely")
    work = [factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED) for _ in range(3)]
    child = factories.make_initiative(product=cast.home_product, stage=Stage.IN_DELIVERY, parent=work[0])
    idea = factories.make_initiative(product=cast.home_product, stage=Stage.IDEA)
    services.alignment_create(actor=cast.pm, initiative=work[0], objective=home, weight=3)
    services.alignment_create(actor=cast.pm, initiative=work[0], objective=company, weight=1)
    services.alignment_create(actor=cast.pm, initiative=work[1], objective=home)
    with pytest.raises(ValidationFailed, match="already aligned"):
        services.alignment_create(actor=cast.pm, initiative=work[1], objective=home)
    with pytest.raises(PermissionDenied):
        services.alignment_create(actor=cast.pm, initiative=cast.away_initiative, objective=home)
    overview = selectors.alignment_overview(period)
    by_title = {o.row.objective.title: o for o in overview.objectives}
    # work[0] splits 3:1; its child inherits the same split; work[1] is all Home; work[2] is unaligned.
    assert by_title["Home"].effort == pytest.approx(0.75 + 0.75 + 1)
    assert by_title["Company"].effort == pytest.approx(0.25 + 0.25)
    assert overview.unaligned == [work[2]] and idea not in overview.unaligned
    assert overview.total_effort == 4
    assert [o.row.objective for o in overview.objectives_without_work] == [lonely]
    assert child.pk in [i.pk for i, _ in by_title["Home"].initiatives]


def test_alignment_effort_comes_from_the_portfolio_estimates(cast):
    from northstar.portfolio.models import ScoringInput
    from northstar.strategy.selectors import initiative_effort
    from tests import factories

    sized = cast.home_initiative
    rough = cast.away_initiative
    unsized = factories.make_initiative(title="Not sized yet", product=cast.home_product)
    ScoringInput.objects.create(initiative=sized, effort=2, estimated_effort=6.5)
    ScoringInput.objects.create(initiative=rough, effort=3.5)
    effort = initiative_effort([sized, rough, unsized])
    assert effort[sized.pk] == 6.5  # the PERT estimate wins over the rough size
    assert effort[rough.pk] == 3.5
    assert effort[unsized.pk] == 5.0  # unsized work counts as the median of sized work
