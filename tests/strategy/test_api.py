"""Strategy API: the same rules as the pages, for scripts and other tools."""

from __future__ import annotations

import json

import pytest

from northstar.core.services import api_token_create
from northstar.portfolio.models import Stage
from northstar.strategy.models import KeyResult, MetricValue
from tests import factories
from tests.strategy.factories import make_key_result, make_metric, make_objective, make_period, make_series


def api(client, user, method: str, path: str, body: dict | None = None):
    _, raw = api_token_create(user=user, name="test")
    return getattr(client, method)(
        f"/api/v1{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


@pytest.fixture
def period(db):
    return make_period(name="2030-Q1")


def test_objectives_key_results_and_check_ins(client, cast, period):
    body = {
        "period_id": period.pk,
        "title": "Win",
        "line_id": cast.home_line.pk,
        "owner_id": cast.pm_person.pk,
    }
    created = api(client, cast.pm, "post", "/objectives", body)
    assert created.status_code == 201, created.content
    objective_id = created.json()["id"]
    assert created.json()["level"] == "line" and created.json()["progress"] is None
    away = {**body, "line_id": cast.away_line.pk}
    refused = api(client, cast.pm, "post", "/objectives", away)
    assert refused.status_code == 403 and "product lines" in refused.json()["message"]
    kr = api(
        client,
        cast.pm,
        "post",
        f"/objectives/{objective_id}/key-results",
        {"title": "Activation", "baseline": 20, "target": 40, "unit": "%"},
    )
    assert kr.status_code == 201 and kr.json()["progress"] == 0
    bad = api(
        client,
        cast.pm,
        "post",
        f"/objectives/{objective_id}/key-results",
        {"title": "Bad", "baseline": 40, "target": 20},
    )
    assert bad.status_code == 422 and "above the baseline" in bad.json()["message"]
    kr_id = kr.json()["id"]
    check_in = api(client, cast.pm, "post", f"/key-results/{kr_id}/check-ins", {"value": 30, "confidence": 7})
    assert check_in.status_code == 201
    assert (
        api(
            client, cast.pm, "post", f"/key-results/{kr_id}/check-ins", {"value": 30, "confidence": 12}
        ).status_code
        == 422
    )
    assert (
        api(
            client, cast.stakeholder, "post", f"/key-results/{kr_id}/check-ins", {"value": 1, "confidence": 1}
        ).status_code
        == 403
    )
    got = api(client, cast.stakeholder, "get", f"/objectives/{objective_id}").json()
    assert got["progress"] == 50 and got["key_results"][0]["current"] == 30
    listed = api(client, cast.stakeholder, "get", f"/objectives?period={period.name}").json()
    assert [o["id"] for o in listed["items"]] == [objective_id] and listed["count"] == 1
    history = api(client, cast.stakeholder, "get", f"/key-results/{kr_id}/check-ins").json()
    assert [(c["value"], c["confidence"], c["author"]) for c in history] == [(30, 7, "pm")]
    assert api(client, cast.stakeholder, "delete", f"/objectives/{objective_id}").status_code == 403
    assert api(client, cast.leader, "delete", f"/objectives/{objective_id}").status_code == 204
    assert not KeyResult.objects.filter(pk=kr_id).exists()


def test_metrics_push_values_and_read_flags(client, cast):
    metric = make_metric(key="signups", line=cast.home_line, unit="signups")
    values = [1000.0 + (i % 5) for i in range(60)]
    values[45] = 2000.0
    make_series(metric, values)
    pushed = api(
        client,
        cast.pm,
        "post",
        f"/metrics/{metric.pk}/values",
        {
            "points": [
                {"date": "2025-03-03", "value": 1003},
                {"date": "2025-03-03", "value": 7, "dimension": "EU"},
            ]
        },
    )
    assert pushed.status_code == 201 and pushed.json()["rows"] == 2
    twice = api(
        client,
        cast.pm,
        "post",
        f"/metrics/{metric.pk}/values",
        {"points": [{"date": "2025-03-10", "value": 1}, {"date": "2025-03-10", "value": 2}]},
    )
    assert twice.status_code == 422 and "appears twice" in twice.json()["message"]
    assert MetricValue.objects.filter(metric=metric).count() == 62
    away = make_metric(key="away", line=cast.away_line)
    assert (
        api(
            client,
            cast.pm,
            "post",
            f"/metrics/{away.pk}/values",
            {"points": [{"date": "2025-01-01", "value": 1}]},
        ).status_code
        == 403
    )
    series = api(client, cast.stakeholder, "get", f"/metrics/{metric.pk}").json()
    assert series["points"][-1] == {"date": "2025-03-03", "value": 1010.0}  # dimensions summed
    assert [(f["kind"], f["date"]) for f in series["flags"]] == [("spike", "2024-11-11")]
    anomalies = api(client, cast.stakeholder, "get", "/anomalies").json()
    assert anomalies[0]["metric_key"] == "signups" and anomalies[0]["change"] > 900


def test_tree_vision_periods_and_alignment(client, cast, period):
    star = api(
        client, cast.leader, "post", "/metrics", {"key": "wam", "name": "WAM", "is_north_star": True}
    ).json()
    api(
        client,
        cast.leader,
        "post",
        "/metrics",
        {"key": "signups", "name": "Signups", "drives_id": star["id"]},
    )
    tree = api(client, cast.stakeholder, "get", "/north-star-tree").json()
    assert tree[0]["key"] == "wam" and [d["key"] for d in tree[0]["drivers"]] == ["signups"]

    assert api(client, cast.pm, "post", "/vision", {"title": "V", "body": "x"}).status_code == 403
    assert api(client, cast.leader, "post", "/vision", {"title": "V", "body": "x"}).json()["number"] == 1
    assert [v["number"] for v in api(client, cast.stakeholder, "get", "/vision").json()] == [1]
    new_period = {"name": "2030-Q2", "kind": "quarter", "start": "2030-04-01", "end": "2030-03-01"}
    assert api(client, cast.leader, "post", "/periods", new_period).status_code == 422

    objective = make_objective(period=period, line=cast.home_line, owner=cast.pm_person)
    kr = make_key_result(objective=objective)
    work = factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED)
    link = api(
        client,
        cast.pm,
        "post",
        "/alignments",
        {"initiative_id": work.pk, "objective_id": objective.pk, "key_result_id": kr.pk, "weight": 2},
    )
    assert link.status_code == 201, link.content
    other = make_objective(period=period, line=cast.home_line, owner=cast.pm_person)
    wrong = api(
        client,
        cast.pm,
        "post",
        "/alignments",
        {"initiative_id": work.pk, "objective_id": other.pk, "key_result_id": kr.pk},
    )
    assert wrong.status_code == 422
    overview = api(client, cast.stakeholder, "get", f"/alignment?period={period.pk}").json()
    assert overview["total_effort"] == 1 and overview["unaligned_initiative_ids"] == []
    assert overview["objectives_without_work"] == [other.pk]
    assert api(client, cast.stakeholder, "delete", f"/alignments/{link.json()['id']}").status_code == 403
    assert api(client, cast.pm, "delete", f"/alignments/{link.json()['id']}").status_code == 204


def test_anonymous_callers_are_refused(client, db):
    assert client.get("/api/v1/objectives").status_code == 401


def test_objectives_come_a_page_at_a_time(client, cast, period):
    from tests.strategy.factories import make_objective

    made = [make_objective(period=period, owner=cast.pm_person, title=f"Objective {n}") for n in range(5)]
    page = api(client, cast.stakeholder, "get", f"/objectives?period={period.pk}&page=2&page_size=2").json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert {o["id"] for o in page["items"]} <= {o.pk for o in made}
