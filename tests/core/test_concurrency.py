"""No lost updates: versions on every editable record, partial writes, If-Match/ETag, the conflict page.

The outside tester's finding first: two API PATCHes to different fields of one initiative, the second
loaded before the first saved, must both land (a save used to write every column from its stale copy).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from northstar.core import concurrency
from northstar.core.concurrency import StaleRecord, Versioned
from northstar.feedback import services as feedback_services
from northstar.org import services as org_services
from northstar.planning import services as planning_services
from northstar.portfolio import scoring
from northstar.portfolio import services as portfolio_services
from northstar.portfolio.models import Initiative
from northstar.strategy import metrics as strategy_metrics
from northstar.strategy import services as strategy_services
from tests import factories
from tests.conftest import Cast
from tests.feedback.factories import make_customer
from tests.planning.factories import make_quarters
from tests.strategy.factories import make_key_result, make_metric, make_objective, make_vision
from tests.test_api import bearer, send


def test_concurrent_api_patches_to_different_fields_both_land(cast: Cast) -> None:
    """Request A loads the initiative; request B changes the description and commits; then A saves
    its title from the copy it loaded. Both changes must be there afterwards."""
    api = bearer(cast.leader)
    url = f"/api/v1/initiatives/{cast.home_initiative.pk}"
    real_update = portfolio_services.initiative_update
    interleaved = []

    def update_after_someone_else(**kwargs: Any) -> Initiative:
        if not interleaved:  # A has loaded its copy; B gets in first
            interleaved.append(None)
            interleaved[0] = send(api, "patch", url, {"description": "B's description"})
        return real_update(**kwargs)

    with mock.patch.object(portfolio_services, "initiative_update", update_after_someone_else):
        first = send(api, "patch", url, {"title": "A's title"})
    assert interleaved[0].status_code == 200
    assert first.status_code == 200, first.content
    stored = Initiative.objects.get(pk=cast.home_initiative.pk)
    assert (stored.title, stored.description) == ("A's title", "B's description")
    assert stored.version == 3
    assert first.json()["description"] == "B's description"


@pytest.mark.django_db(transaction=True)
def test_parallel_api_patches_to_different_fields_all_land() -> None:
    """Two clients PATCH different fields of one initiative at the same time, ten times each."""
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is shared by threads through table locks")
    leader = factories.make_user("leader", username="lead")
    initiative = factories.make_initiative(title="t0", description="d0")
    url = f"/api/v1/initiatives/{initiative.pk}"
    api = [bearer(leader), bearer(leader)]
    barrier = threading.Barrier(2)
    failures: list[Any] = []

    def work(client: Client, field: str) -> None:
        barrier.wait()
        for i in range(1, 11):
            response = send(client, "patch", url, {field: f"{field}-{i}"})
            if response.status_code != 200:
                failures.append(response.content)
        connection.close()

    threads = [
        threading.Thread(target=work, args=(api[0], "title")),
        threading.Thread(target=work, args=(api[1], "description")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    initiative.refresh_from_db()
    assert (initiative.title, initiative.description) == ("title-10", "description-10")
    assert initiative.version == 21


def test_get_gives_an_etag_and_a_stale_if_match_is_refused_with_412(cast: Cast) -> None:
    api = bearer(cast.pm)
    url = f"/api/v1/initiatives/{cast.home_initiative.pk}"
    got = api.get(url)
    assert got["ETag"] == '"v1"' and got.json()["version"] == 1
    changed = send(api, "patch", url, {"title": "Mine"}, headers={"If-Match": got["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] == '"v2"'
    stale = send(api, "patch", url, {"title": "Stale"}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412
    body = stale.json()
    assert "changed" in body["message"] and 'If-Match: "v2"' in body["message"]
    assert body["detail"]["current_version"] == 2 and body["detail"]["your_version"] == 1
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "Mine"
    nonsense = send(api, "patch", url, {"title": "x"}, headers={"If-Match": "yesterday"})
    assert nonsense.status_code == 412 and "If-Match" in nonsense.json()["message"]
    gone = send(api, "delete", url, headers={"If-Match": '"v1"'})
    assert gone.status_code == 412
    assert Initiative.objects.filter(pk=cast.home_initiative.pk).exists()
    assert send(api, "delete", url, headers={"If-Match": '"v2"'}).status_code == 204


def test_if_match_does_not_open_another_lines_record(cast: Cast) -> None:
    api = bearer(cast.pm)
    url = f"/api/v1/initiatives/{cast.away_initiative.pk}"
    refused = send(api, "patch", url, {"title": "x"}, headers={"If-Match": api.get(url)["ETag"]})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/{person}",
        "/api/v1/lines/{line}",
        "/api/v1/products/{product}",
        "/api/v1/teams/{team}",
        "/api/v1/customers/{customer}",
        "/api/v1/objectives/{objective}",
        "/api/v1/key-results/{key_result}",
        "/api/v1/metrics/{metric}",
        "/api/v1/initiatives/{initiative}/scoring-inputs",
        "/api/v1/initiatives/{initiative}/estimate",
    ],
)
def test_every_editable_api_record_has_an_etag(cast: Cast, path: str) -> None:
    ids = {
        "person": cast.pm_person.pk,
        "line": cast.home_line.pk,
        "product": cast.home_product.pk,
        "team": cast.home_team.pk,
        "customer": make_customer().pk,
        "objective": make_objective(line=cast.home_line).pk,
        "key_result": make_key_result().pk,
        "metric": make_metric().pk,
        "initiative": cast.home_initiative.pk,
    }
    response = bearer(cast.leader).get(path.format(**ids))
    assert response.status_code == 200
    assert response["ETag"] == '"v1"'


def test_scoring_inputs_refuse_a_stale_if_match(cast: Cast) -> None:
    api = bearer(cast.pm)
    url = f"/api/v1/initiatives/{cast.home_initiative.pk}/scoring-inputs"
    first = send(api, "patch", url, {"reach": 100}, headers={"If-Match": api.get(url)["ETag"]})
    assert first.status_code == 200 and first.json()["version"] == 1
    second = send(api, "patch", url, {"impact": 2}, headers={"If-Match": first["ETag"]})
    assert second.status_code == 200 and second.json()["version"] == 2
    stale = send(api, "patch", url, {"impact": 3}, headers={"If-Match": first["ETag"]})
    assert stale.status_code == 412
    assert api.get(url).json()["impact"] == 2


# Every update service: a stale copy with a stated version is refused; without one, only what it
# changed is written.


def _cases(cast: Cast) -> list[tuple[Any, Callable[[Any, str], Any], str]]:
    """(record, update(record, value), the field the update changes) for each editable record type."""
    periods = make_quarters(2031, 2)
    scenario = planning_services.scenario_create(
        actor=cast.leader, name="Base", first_period=periods[0], last_period=periods[1]
    )
    table = [
        (cast.pm_person, org_services.person_update, "person", "title"),
        (cast.home_line, org_services.line_update, "line", "description"),
        (cast.home_product, org_services.product_update, "product", "description"),
        (cast.home_team, org_services.team_update, "team", "name"),
        (cast.home_initiative, portfolio_services.initiative_update, "initiative", "problem_statement"),
        (make_customer(), feedback_services.customer_update, "customer", "region"),
        (make_objective(), strategy_services.objective_update, "objective", "description"),
        (make_key_result(), strategy_services.key_result_update, "key_result", "unit"),
        (make_metric(), strategy_metrics.metric_update, "metric", "description"),
        (scenario, planning_services.scenario_update, "scenario", "description"),
    ]

    def bind(service: Callable[..., Any], name: str, field: str) -> Callable[[Any, str], Any]:
        return lambda record, value: service(actor=cast.leader, **{name: record, field: value})

    return [(record, bind(service, name, field), field) for record, service, name, field in table]


def test_every_update_service_refuses_an_edit_from_an_old_version(cast: Cast) -> None:
    for record, update, field in _cases(cast):
        model = type(record)
        stale = model.objects.get(pk=record.pk)
        update(model.objects.get(pk=record.pk), "theirs")
        concurrency.expect_version(stale, 1)
        with pytest.raises(StaleRecord) as refused:
            update(stale, "mine")
        assert getattr(model.objects.get(pk=record.pk), field) == "theirs", model
        rows = {row["field"]: row for row in refused.value.detail["fields"]}
        assert rows[field]["theirs"] == "theirs" and rows[field]["yours"] == "mine", model
        assert refused.value.detail["current_version"] == 2


def test_every_update_service_writes_only_what_it_changed(cast: Cast) -> None:
    for record, update, field in _cases(cast):
        model = type(record)
        stale = model.objects.get(pk=record.pk)
        name_field = "name" if hasattr(record, "name") and field != "name" else "title"
        other = name_field if hasattr(record, name_field) and name_field != field else None
        if other is None:
            continue
        fresh = model.objects.get(pk=record.pk)
        setattr(fresh, other, "Renamed meanwhile")
        fresh.save()
        update(stale, "changed")
        stored = model.objects.get(pk=record.pk)
        assert getattr(stored, other) == "Renamed meanwhile", model
        assert getattr(stored, field) == "changed", model


def test_a_save_that_changes_nothing_keeps_the_version(cast: Cast) -> None:
    saved = portfolio_services.initiative_update(
        actor=cast.leader, initiative=cast.home_initiative, title=cast.home_initiative.title
    )
    assert saved.version == 1
    tagged = portfolio_services.initiative_update(actor=cast.leader, initiative=saved, tags=["growth"])
    assert tagged.version == 2  # a many-to-many change is a change too


def test_the_vision_refuses_a_save_over_a_newer_version(cast: Cast) -> None:
    make_vision(number=1, title="Vision", body="One")
    strategy_services.vision_save(actor=cast.leader, title="Vision", body="Two", based_on=1)
    with pytest.raises(StaleRecord) as refused:
        strategy_services.vision_save(actor=cast.admin, title="Vision", body="Mine", based_on=1)
    body = next(row for row in refused.value.detail["fields"] if row["field"] == "body")
    assert (body["theirs"], body["yours"]) == ("Two", "Mine")


def test_an_estimate_refuses_a_stale_version(cast: Cast) -> None:
    factories.make_team(line=cast.home_line, skills=("backend",))
    line = {"skill": "backend", "low": Decimal(1), "likely": Decimal(2), "high": Decimal(3)}
    scoring.estimate_set(actor=cast.pm, initiative=cast.home_initiative, lines=[line])
    scoring.estimate_set(actor=cast.pm, initiative=cast.home_initiative, lines=[line], version=1)
    with pytest.raises(StaleRecord):
        scoring.estimate_set(actor=cast.pm, initiative=cast.home_initiative, lines=[], version=1)
    assert cast.home_initiative.estimate_lines.count() == 1


# The web form: carries the version, and shows both values on a conflict.


def test_the_edit_form_shows_both_values_and_saving_again_applies_mine(cast: Cast, login) -> None:
    web = login(cast.leader)
    url = f"/portfolio/{cast.home_initiative.pk}/edit/"
    page = web.get(url).content.decode()
    assert 'name="version" value="1"' in page
    portfolio_services.initiative_update(
        actor=cast.pm, initiative=Initiative.objects.get(pk=cast.home_initiative.pk), title="PM's title"
    )
    form = {"title": "Leader's title", "kind": "feature", "product": cast.home_product.pk, "version": "1"}
    conflict = web.post(url, form)
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "PM&#x27;s title" in html and "Leader&#x27;s title" in html
    assert "pm saved a change while you were editing" in html
    assert 'name="version" value="2"' in html
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "PM's title"
    again = web.post(url, {**form, "version": "2"})
    assert again.status_code == 302
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "Leader's title"


# Every editable record carries a version.

#: Records nobody edits in place: appended, replaced whole, derived, or not product data.
NOT_EDITED_IN_PLACE = {
    "org.skill",  # a name, created on first use
    "portfolio.tag",
    "portfolio.estimateline",  # the estimate is replaced whole; it shares the scoring inputs' version
    "portfolio.criterionrating",  # written with the scoring inputs
    "portfolio.frameworksetting",
    "portfolio.approvalrequest",  # moves pending -> decided once, under a row lock (approvals.py)
    "strategy.visionversion",  # each save is a new version; based_on guards it
    "strategy.metricvalue",  # time series points, pushed
    "strategy.metricimport",
    "strategy.checkin",  # appended
    "planning.planrun",  # written by the optimiser
    "planning.planassignment",
    "planning.roadmap",  # published snapshots
    "planning.roadmapentry",
    "planning.sharelink",  # created and revoked
    "feedback.importbatch",
    "feedback.themerun",
    "feedback.evidencelink",  # added and removed
    "feedback.vote",
    "feedback.comment",
    # people
    "people.competencyrating",  # written once with its submitted assessment
    "people.scorecardrating",  # written once with its submitted scorecard
    "people.stagechange",  # a log of a candidate's moves
    # money and delivery
    "finance.exchangerate",  # a new rate is a new row from its date on
    "finance.actualbatch",  # imported, never edited
    "finance.actual",
    "finance.benefit",  # replaced with its business case, whose version covers it
    "delivery.teammapping",  # set as a whole per source key
    "delivery.workitem",  # the tool owns them: written by syncs and webhooks only
    "delivery.syncrun",
    "delivery.keyresultfeed",  # set as a whole
    "delivery.deliveryforecast",  # computed runs
    "delivery.forecastline",
    # reports
    "reports.statusupdate",  # each post is a new update; earlier ones stay as the line's history
    "reports.risk",  # posted with its update
    "reports.statusreminder",  # a log of reminders sent
    "reports.packsection",  # replaced with its pack, whose version covers them
    "reports.packsharelink",  # created and revoked
    "reports.slidetemplate",  # uploaded and replaced, not edited
    "reports.digestsubscription",  # each person's own setting, changed only by them
    # market
    "market.sizeestimate",  # appended: the history of estimates
    "market.rating",  # appended: each cell's history
    "market.dealbatch",
    "market.deal",  # imported from the CRM, which is their record
    "market.dealreason",
    "market.reasonlink",  # added and removed
    # analytics
    "analytics.event",  # captured, never edited
    "analytics.frictionevidence",  # added and removed
    "analytics.spooledbatch",  # an accepted batch waiting for a worker: written once, then deleted
    "analytics.receivedbatch",  # an accepted batch id, kept a day against retries: written once
    "feedback.portallogo",  # the portal's logo: replaced whole by an upload
    "feedback.subscription",  # a person's own follow or unsubscribe: set whole by their link
    "home.visit",  # when a person last looked at home: replaced whole
    "home.searchentry",  # derived from the records it indexes
    "home.notification",  # appended, then marked read
    "home.follow",  # a person's own follow: added and removed
}


#: Apps whose every record is versioned or listed above; an app joins once its editing is versioned.
VERSIONED_APPS = {
    "org",
    "portfolio",
    "strategy",
    "planning",
    "feedback",
    "finance",
    "delivery",
    "reports",
    "people",
    "market",
    "analytics",
    "home",
}


@pytest.mark.django_db
def test_every_editable_record_is_versioned() -> None:
    missing = sorted(
        label
        for model in apps.get_models()
        if model._meta.app_label in VERSIONED_APPS
        and not issubclass(model, Versioned)
        and (label := model._meta.label_lower) not in NOT_EDITED_IN_PLACE
    )
    assert missing == [], "Inherit core.concurrency.Versioned, or list the model as not edited in place"


def test_a_capacity_cell_changed_meanwhile_is_not_overwritten(cast: Cast, login) -> None:
    from northstar.org.models import Skill
    from northstar.planning.models import Capacity

    period = make_quarters(2031, 1)[0]
    skill = Skill.objects.get(name="backend")
    planning_services.capacity_set(actor=cast.pm, team=cast.home_team, skill=skill, period=period, weeks="5")
    web = login(cast.leader)
    form = {"team": cast.home_team.pk, "skill": skill.pk, "period": period.pk, "version": "1", "weeks": "9"}
    planning_services.capacity_set(actor=cast.pm, team=cast.home_team, skill=skill, period=period, weeks="6")
    conflict = web.post("/roadmap/capacity/cell/", form, HTTP_HX_REQUEST="true")
    assert conflict.status_code == 412
    html = conflict.content.decode()
    assert "changed by pm" in html and 'name="version" value="2"' in html and 'value="9"' in html
    assert Capacity.objects.get(team=cast.home_team, skill=skill, period=period).weeks == Decimal("6.0")
    again = web.post("/roadmap/capacity/cell/", {**form, "version": "2"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert Capacity.objects.get(team=cast.home_team, skill=skill, period=period).weeks == Decimal("9.0")


def test_a_budget_set_meanwhile_is_not_overwritten(cast: Cast) -> None:
    period = make_quarters(2031, 1)[0]
    planning_services.budget_set(
        actor=cast.admin, line=cast.home_line, period=period, amount="100", version=0
    )
    with pytest.raises(StaleRecord):
        planning_services.budget_set(
            actor=cast.leader, line=cast.home_line, period=period, amount="5", version=0
        )
    saved = planning_services.budget_set(
        actor=cast.leader, line=cast.home_line, period=period, amount="5", version=1
    )
    assert saved.amount == Decimal("5.00") and saved.version == 2
