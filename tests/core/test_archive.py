"""Archive, restore and delete for initiatives, objectives, KPIs, scenarios and feedback: archived records
leave the lists and plans but stay reachable, the record's own edit rule decides, the audit log keeps it."""

from __future__ import annotations

import pytest

from northstar.core import archive
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.planning import problem
from northstar.portfolio import selectors as portfolio_selectors
from northstar.portfolio.models import Initiative, Stage
from northstar.strategy import selectors as strategy_selectors
from northstar.strategy.models import Metric, Objective
from tests import factories
from tests.feedback import factories as feedback_factories
from tests.planning.factories import make_world
from tests.strategy.factories import make_metric, make_objective, make_period


def test_an_archived_initiative_leaves_lists_and_plans_and_comes_back(cast):
    world = make_world(cast)
    kind = archive.kind_get("initiative")
    big = world.home[0]
    assert big.pk in problem.build(world.scenario).candidates
    archive.record_archive(actor=cast.pm, kind=kind, record=big)
    assert big.pk not in problem.build(world.scenario).candidates  # the optimiser no longer sees it
    assert big not in portfolio_selectors.initiative_list()
    assert Initiative.all_objects.get(pk=big.pk).is_archived  # still there, still reachable
    entry = AuditEntry.objects.filter(record_type="portfolio.initiative", record_id=str(big.pk)).first()
    assert entry.actor == cast.pm and entry.changes["archived_at"][0] is None
    archive.record_restore(actor=cast.pm, kind=kind, record=big)
    assert big.pk in problem.build(world.scenario).candidates


def test_the_records_own_rule_decides_who_archives(cast):
    kind = archive.kind_get("initiative")
    for refused in (cast.stakeholder, cast.pm):
        with pytest.raises(PermissionDenied):
            archive.record_archive(actor=refused, kind=kind, record=cast.away_initiative)
    archive.record_archive(actor=cast.leader, kind=kind, record=cast.away_initiative)
    with pytest.raises(Conflict, match="already archived"):
        archive.record_archive(actor=cast.leader, kind=kind, record=cast.away_initiative)


def test_archiving_many_is_all_or_nothing_and_bounded(cast):
    kind = archive.kind_get("initiative")
    ids = [cast.home_initiative.pk, cast.away_initiative.pk]
    with pytest.raises(PermissionDenied, match="Nothing was changed: 1 of the 2 initiatives") as refused:
        archive.records_archive(actor=cast.pm, kind=kind, ids=ids)
    assert refused.value.detail == {"refused": [cast.away_initiative.pk]}
    assert not Initiative.all_objects.filter(archived_at__isnull=False).exists()
    assert len(archive.records_archive(actor=cast.leader, kind=kind, ids=ids)) == 2
    with pytest.raises(ValidationFailed, match="At most 500"):
        archive.records_archive(actor=cast.leader, kind=kind, ids=range(1, 502))
    with pytest.raises(NotFound):
        archive.records_archive(actor=cast.leader, kind=kind, ids=[987654])


def test_objectives_kpis_scenarios_and_feedback_archive_with_their_own_limits(cast):
    period = make_period()
    parent = make_objective(period=period, line=cast.home_line, title="Grow checkout")
    child = make_objective(period=period, line=cast.home_line, parent=parent, title="Faster payouts")
    objectives = archive.kind_get("objective")
    with pytest.raises(Conflict, match="has objectives under it"):
        archive.record_archive(actor=cast.pm, kind=objectives, record=parent)
    archive.record_archive(actor=cast.pm, kind=objectives, record=child)
    assert [r.objective for r in strategy_selectors.flatten(strategy_selectors.objective_tree(period))] == [
        parent
    ]

    kpis = archive.kind_get("kpi")
    star = make_metric(name="Weekly active merchants", is_north_star=True)
    with pytest.raises(Conflict, match="north-star"):
        archive.record_archive(actor=cast.leader, kind=kpis, record=star)
    signups = make_metric(name="Signups", line=cast.home_line)
    archive.record_archive(actor=cast.pm, kind=kpis, record=signups)
    assert list(Metric.objects.values_list("name", flat=True)) == ["Weekly active merchants"]

    world = make_world(cast)
    scenarios = archive.kind_get("scenario")
    with pytest.raises(Conflict, match="plan of record"):
        archive.record_archive(actor=cast.leader, kind=scenarios, record=world.scenario)

    feedback = archive.kind_get("feedback")
    item = feedback_factories.make_item("Export to CSV please")
    archive.record_archive(actor=cast.pm, kind=feedback, record=item)
    with pytest.raises(PermissionDenied):
        archive.record_restore(actor=cast.stakeholder, kind=feedback, record=item)
    assert Objective.all_objects.filter(archived_at__isnull=False).count() == 1


def test_archived_feedback_stops_counting_as_demand(cast):
    from northstar.feedback import selectors, services

    item = feedback_factories.make_item("We need SSO", customer=feedback_factories.make_customer("Acme"))
    services.link_create(actor=cast.pm, item=item, initiative=cast.home_initiative)
    assert selectors.demand_for_initiatives([cast.home_initiative.pk])[cast.home_initiative.pk].items == 1
    archive.record_archive(actor=cast.pm, kind=archive.kind_get("feedback"), record=item)
    assert selectors.demand_for_initiatives([cast.home_initiative.pk])[cast.home_initiative.pk].items == 0


def test_deleting_goes_through_the_apps_own_service_and_is_audited(cast):
    item = factories.make_initiative(product=cast.home_product, title="Short-lived", stage=Stage.IDEA)
    kind = archive.kind_get("initiative")
    with pytest.raises(PermissionDenied):
        archive.record_delete(actor=cast.stakeholder, kind=kind, record=item)
    pk = item.pk
    archive.record_delete(actor=cast.pm, kind=kind, record=item)
    assert not Initiative.all_objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.get(record_type="portfolio.initiative", record_id=str(pk), action="delete")
    assert deleted.changes["title"] == ["Short-lived", None]


def test_the_api_archives_restores_lists_and_deletes_with_the_same_rules(cast):
    import json

    from tests.test_api import bearer

    def post(user, url, body=None):
        return bearer(user).post(url, data=json.dumps(body or {}), content_type="application/json")

    home, away = cast.home_initiative, cast.away_initiative
    assert post(cast.pm, f"/api/v1/archive/initiative/{away.pk}").status_code == 403
    assert post(cast.stakeholder, f"/api/v1/archive/initiative/{home.pk}").status_code == 403
    done = post(cast.pm, f"/api/v1/archive/initiative/{home.pk}")
    assert done.status_code == 200 and done.json()["archived"] and done.json()["archived_by"] == "pm"
    listed = bearer(cast.stakeholder).get("/api/v1/archive?kind=initiative").json()
    assert [r["id"] for r in listed["items"]] == [home.pk] and listed["count"] == 1
    assert bearer(cast.stakeholder).get(f"/api/v1/initiatives/{home.pk}").status_code == 200  # reachable
    assert home.pk not in [
        i["id"] for i in bearer(cast.stakeholder).get("/api/v1/initiatives").json()["items"]
    ]
    refused = post(cast.pm, "/api/v1/archive/initiative", {"ids": [away.pk]})
    assert refused.status_code == 403 and refused.json()["detail"] == {"refused": [away.pk]}
    assert post(cast.pm, "/api/v1/archive/initiative/restore", {"ids": [home.pk]}).status_code == 200
    assert bearer(cast.pm).get("/api/v1/archive?kind=nothing").status_code == 404
    assert bearer(cast.pm).delete(f"/api/v1/archive/initiative/{away.pk}").status_code == 403
    assert bearer(cast.leader).delete(f"/api/v1/archive/initiative/{away.pk}").status_code == 204
