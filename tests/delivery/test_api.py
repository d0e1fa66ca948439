"""Delivery API: connections, export files, items, links, progress, feeds and forecasts; another
user's (another line's) object is refused."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from northstar.core.services import api_token_create
from northstar.delivery.models import InitiativeLink
from tests.delivery.factories import (
    make_connection,
    make_container,
    make_history,
    make_items,
    make_published_world,
)


def _client(user) -> Client:
    _, raw = api_token_create(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_connections_never_return_their_token(cast):
    body = {"name": "GH", "tool": "github", "scope": "acme/app", "token": "ghp_secret", "webhook_secret": "w"}
    created = _client(cast.leader).post("/api/v1/delivery/connections", body, content_type="application/json")
    assert created.status_code == 201 and "ghp_secret" not in created.content.decode()
    assert created.json()["has_token"] and created.json()["has_webhook_secret"]
    assert (
        _client(cast.pm)
        .post("/api/v1/delivery/connections", body, content_type="application/json")
        .status_code
        == 403
    )
    bad = dict(body, name="Other", scope="nope")
    assert (
        _client(cast.leader)
        .post("/api/v1/delivery/connections", bad, content_type="application/json")
        .status_code
        == 422
    )
    listed = _client(cast.stakeholder).get("/api/v1/delivery/connections").json()
    assert [c["name"] for c in listed] == ["GH"]


def test_items_links_and_progress(cast):
    connection = make_connection()
    epic = make_container(connection, "Wallet")
    make_items(connection, parent=epic, done=1, open_=3)
    pm = _client(cast.pm)
    items = pm.get(f"/api/v1/delivery/items?container_id={epic.pk}&limit=2").json()
    assert items["count"] == 4 and len(items["results"]) == 2
    made = pm.post(
        "/api/v1/delivery/links",
        {"initiative_id": cast.home_initiative.pk, "container_id": epic.pk},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "confirmed"
    progress = pm.get(f"/api/v1/delivery/initiatives/{cast.home_initiative.pk}/progress").json()
    assert progress["percent"] == 25.0
    # Another line's initiative is refused, and so is deciding its links.
    away = pm.post(
        "/api/v1/delivery/links",
        {"initiative_id": cast.away_initiative.pk, "container_id": epic.pk},
        content_type="application/json",
    )
    assert away.status_code == 403
    link = InitiativeLink.objects.create(initiative=cast.away_initiative, container=epic, score=0.7)
    assert (
        pm.post(
            f"/api/v1/delivery/links/{link.pk}/decision", {"confirm": True}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        _client(cast.leader)
        .post(
            f"/api/v1/delivery/links/{link.pk}/decision", {"confirm": False}, content_type="application/json"
        )
        .json()["status"]
        == "rejected"
    )
    assert pm.get("/api/v1/delivery/initiatives/999999/progress").status_code == 404


def test_export_file_through_the_api(cast):
    connection = make_connection()
    upload = SimpleUploadedFile(
        "j.csv", b"Summary,Issue key,Issue id,Issue Type,Status\nEpic,PAY-1,1,Epic,To Do\n"
    )
    response = _client(cast.pm).post(f"/api/v1/delivery/connections/{connection.pk}/import", {"file": upload})
    assert response.status_code == 201 and response.json()["items"] == 1
    upload = SimpleUploadedFile(
        "j.csv", b"Summary,Issue key,Issue id,Issue Type,Status\nEpic,PAY-1,1,Epic,To Do\n"
    )
    assert (
        _client(cast.stakeholder)
        .post(f"/api/v1/delivery/connections/{connection.pk}/import", {"file": upload})
        .status_code
        == 403
    )


def test_forecast_through_the_api(cast):
    assert _client(cast.pm).get("/api/v1/delivery/forecasts/latest").status_code == 404
    assert (
        _client(cast.pm).post("/api/v1/delivery/forecasts", {}, content_type="application/json").status_code
        == 422
    )
    world = make_published_world(cast)
    connection = make_connection()
    make_history(connection, cast.home_team, per_week=4, weeks=26, until=timezone.localdate())
    made = _client(cast.pm).post(
        "/api/v1/delivery/forecasts", {"simulations": 500}, content_type="application/json"
    )
    assert made.status_code == 201
    body = _client(cast.stakeholder).get("/api/v1/delivery/forecasts/latest?limit=2").json()
    assert body["line_count"] >= 2 and len(body["lines"]) == 2
    assert (
        _client(cast.stakeholder)
        .post("/api/v1/delivery/forecasts", {}, content_type="application/json")
        .status_code
        == 403
    )
    cone = (
        _client(cast.stakeholder)
        .get(f"/api/v1/delivery/forecasts/latest/burn-up?initiative_id={world.home[0].pk}&weeks=8")
        .json()
    )
    assert len(cone["p50"]) == 8
    assert (
        _client(cast.stakeholder)
        .get("/api/v1/delivery/forecasts/latest/burn-up?initiative_id=999999")
        .status_code
        == 422
    )


def test_key_result_feed_through_the_api_respects_the_line(cast):
    from northstar.strategy.models import KeyResult
    from tests.strategy.factories import make_objective

    connection = make_connection()
    epic = make_container(connection, "Wallet")
    make_items(connection, parent=epic, done=1, open_=1)
    home = KeyResult.objects.create(
        objective=make_objective(line=cast.home_line), title="Wallet live", kind="milestone"
    )
    away = KeyResult.objects.create(
        objective=make_objective(line=cast.away_line), title="Away", kind="metric"
    )
    fed = _client(cast.pm).put(
        f"/api/v1/delivery/key-results/{home.pk}/feed",
        {"container_id": epic.pk},
        content_type="application/json",
    )
    assert fed.status_code == 200 and fed.json()["current"] == 0.0
    refused = _client(cast.pm).put(
        f"/api/v1/delivery/key-results/{away.pk}/feed",
        {"container_id": epic.pk},
        content_type="application/json",
    )
    assert refused.status_code == 403
