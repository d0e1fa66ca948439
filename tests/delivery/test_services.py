"""Delivery services: connections refuse bad input, links are suggested by name and count once
confirmed, key results follow delivery, and the forecast flags what will probably miss its date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.delivery import forecasting, selectors, services
from northstar.delivery.models import DeliveryForecast, InitiativeLink, WorkItem
from northstar.strategy.models import KeyResult, Objective
from tests.delivery.factories import (
    FORECAST_START,
    make_connection,
    make_container,
    make_history,
    make_items,
    make_late_world,
)


def test_connections_are_for_leaders_and_refuse_bad_addresses_and_scopes(cast):
    with pytest.raises(PermissionDenied):
        services.connection_save(
            actor=cast.pm, name="J", tool="jira", scope="PAY", base_url="https://a.example"
        )
    with pytest.raises(ValidationFailed, match="Use https"):
        services.connection_save(
            actor=cast.leader, name="J", tool="jira", scope="PAY", base_url="http://a.example"
        )
    with pytest.raises(ValidationFailed, match="each must be owner/repo"):
        services.connection_save(actor=cast.leader, name="G", tool="github", scope="not a repo")
    with pytest.raises(ValidationFailed, match="email address"):
        services.connection_save(
            actor=cast.leader, name="J", tool="jira", scope="PAY", base_url="https://a.example", token="t"
        )
    made = services.connection_save(actor=cast.leader, name="G", tool="github", scope="acme/app, acme/api")
    assert made.base_url == "https://api.github.com" and made.scopes == ["acme/app", "acme/api"]


def test_containers_are_suggested_for_initiatives_by_name_and_count_once_confirmed(cast):
    connection = make_connection()
    cast.home_initiative.title = "Checkout revamp for mobile"
    cast.home_initiative.stage = "in_delivery"
    cast.home_initiative.save()
    epic = make_container(connection, "Mobile checkout revamp")
    make_container(connection, "Unrelated logging cleanup")
    make_items(connection, parent=epic, done=3, open_=1)
    assert services.links_suggest() == 1
    link = InitiativeLink.objects.get()
    assert (
        link.initiative == cast.home_initiative
        and link.status == "suggested"
        and link.score >= services.SUGGEST_AT
    )
    assert selectors.initiative_progress([cast.home_initiative.pk]) == {}  # not until a person confirms
    with pytest.raises(PermissionDenied):
        services.link_decide(actor=cast.stakeholder, link=link, confirm=True)
    services.link_decide(actor=cast.pm, link=link, confirm=True)
    progress = selectors.initiative_progress([cast.home_initiative.pk])[cast.home_initiative.pk]
    assert (progress.done_items, progress.total_items, progress.percent) == (3, 4, 75.0)
    assert services.links_suggest() == 0  # decided containers are not suggested again


def test_pms_link_only_their_own_lines_initiatives(cast):
    connection = make_connection()
    epic = make_container(connection, "Anything")
    with pytest.raises(PermissionDenied):
        services.link_create(actor=cast.pm, initiative=cast.away_initiative, container=epic)
    story = make_items(connection, open_=1)[0]
    with pytest.raises(ValidationFailed, match="not an epic"):
        services.link_create(actor=cast.leader, initiative=cast.away_initiative, container=story)


def _key_result(cast, kind: str) -> KeyResult:
    from tests.strategy.factories import make_objective

    objective: Objective = make_objective(line=cast.home_line)
    return KeyResult.objects.create(objective=objective, title=f"Ship {kind}", kind=kind)


def test_key_results_follow_their_delivery_container(cast):
    connection = make_connection()
    epic = make_container(connection, "Wallet")
    items = make_items(connection, parent=epic, done=1, open_=3)
    metric = _key_result(cast, "metric")
    milestone = _key_result(cast, "milestone")
    services.key_result_feed_set(actor=cast.pm, key_result=metric, container=epic)
    services.key_result_feed_set(actor=cast.pm, key_result=milestone, container=epic)
    metric.refresh_from_db()
    milestone.refresh_from_db()
    assert (metric.baseline, metric.target, metric.current) == (0.0, 100.0, 25.0)
    assert milestone.current == 0.0
    WorkItem.objects.filter(pk__in=[i.pk for i in items]).update(state="done")
    services.key_results_refresh()
    metric.refresh_from_db()
    milestone.refresh_from_db()
    assert metric.current == 100.0 and milestone.current == 1.0
    with pytest.raises(PermissionDenied):
        services.key_result_feed_set(actor=cast.stakeholder, key_result=metric, container=epic)


def test_the_forecast_dates_every_roadmap_initiative_and_flags_the_late_ones(cast):
    # Home big has linked work: 30 items left counts instead of its planned effort.
    world = make_late_world(cast)
    forecast = forecasting.forecast_run(actor=cast.pm, today=FORECAST_START, simulations=2_000)
    lines = {line.initiative_id: line for line in forecast.lines.all()}
    assert set(lines) >= {world.home[0].pk, world.away[0].pk}
    big = lines[world.home[0].pk]
    assert big.from_delivery and big.remaining == 30
    for line in lines.values():
        assert line.p50 <= line.p85 <= line.p95
    # One item a week cannot finish 30 items by the end of its quarter; eight a week can.
    assert big.late and big.on_time < 0.15
    assert not lines[world.away[0].pk].late
    assert forecast.p50 <= forecast.p85 <= forecast.p95
    flags = selectors.forecast_flags()
    assert world.home[0].pk in flags and world.away[0].pk not in flags
    summary = selectors.forecast_summary(limit=5)
    assert summary.at_risk_total == sum(line.late for line in lines.values()) and summary.at_risk[0].late
    home_only = selectors.forecast_summary(line_ids=[cast.away_line.pk])
    assert home_only.forecast_total == sum(1 for line in lines.values() if line.team_id == cast.away_team.pk)
    cone = forecasting.burn_up(initiative_id=world.home[0].pk, forecast=forecast, weeks=12)
    assert cone["done"] == 2 and cone["p10"][-1] <= cone["p50"][-1] <= cone["p90"][-1]


def test_a_forecast_needs_a_published_roadmap_and_sane_settings(cast):
    with pytest.raises(ValidationFailed, match="Publish a roadmap first"):
        forecasting.forecast_run(actor=cast.leader)
    with pytest.raises(ValidationFailed, match="between 100 and"):
        forecasting.forecast_run(actor=cast.leader, simulations=5)
    with pytest.raises(PermissionDenied):
        forecasting.forecast_run(actor=cast.stakeholder)
    assert not DeliveryForecast.objects.exists()


def test_team_throughput_counts_finished_items_per_week(cast):
    connection = make_connection()
    make_history(connection, cast.home_team, per_week=3, weeks=4, until=date(2026, 3, 4))
    weeks = selectors.team_throughput([cast.home_team.pk], weeks=6, until=date(2026, 3, 4))
    assert weeks[cast.home_team.pk] == [0.0, 0.0, 3.0, 3.0, 3.0, 3.0]


def test_the_pack_section_shows_the_forecast_known_at_the_cut_off(cast):
    from northstar.delivery import reports
    from northstar.reports.sections import Context

    world = make_late_world(cast)
    forecast = forecasting.forecast_run(actor=cast.pm, today=FORECAST_START, simulations=2_000)
    ran = forecast.created_at.date()

    before = reports.pack_section(Context(cut_off=ran - timedelta(days=1)))
    assert before.empty.startswith("No data yet") and not before.figures  # not run yet at that cut-off
    section = reports.pack_section(Context(cut_off=ran))
    figures = {f.key: f for f in section.figures}
    assert figures["forecast.p85"].text == forecast.p85.strftime("%d %b %Y")
    (table,) = section.tables
    assert table.rows[0][0].text == world.home[0].title and table.rows[0][3].tone == "bad"
    away_review = reports.pack_section(Context(cut_off=ran, line=cast.away_line))
    assert away_review.tables == () or all(
        row[0].text != world.home[0].title for row in away_review.tables[0].rows
    )


def test_a_board_pack_lists_the_initiatives_whose_p85_passes_their_committed_date(cast):
    from northstar.reports import packs
    from northstar.reports import services as reports

    world = make_late_world(cast, done=0)
    forecast = forecasting.forecast_run(actor=cast.pm, today=FORECAST_START, simulations=1_000)
    late = {line.title for line in forecast.lines.filter(late=True)}
    assert world.home[0].title in late and world.away[0].title not in late

    pack = reports.pack_create(actor=cast.leader, template="board", cut_off=forecast.created_at.date())
    section = next(s for s in packs.build_document(pack).sections if s.key == "forecast")
    (table,) = section.tables
    assert {row[0].text for row in table.rows} == late
    assert all(row[3].tone == "bad" for row in table.rows)  # the 85% date, marked as a miss
