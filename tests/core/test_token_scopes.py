"""API tokens with a scope (read, write) and an expiry: set in the UI and the API, enforced on every call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from northstar.core.errors import ValidationFailed
from northstar.core.models import ApiToken
from northstar.core.services import api_token_create
from tests.test_api import send


def _client(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_read_token_reads_but_cannot_change_anything(cast):
    _, raw = api_token_create(user=cast.leader, name="dashboard", scope="read")
    api = _client(raw)
    assert api.get("/api/v1/me").json()["username"] == "leader"
    assert api.get(f"/api/v1/initiatives/{cast.home_initiative.pk}").status_code == 200
    refused = send(api, "patch", f"/api/v1/initiatives/{cast.home_initiative.pk}", {"title": "Renamed"})
    assert refused.status_code == 403 and "may only read" in refused.json()["message"]
    cast.home_initiative.refresh_from_db()
    assert cast.home_initiative.title == "Home work"
    assert send(api, "post", "/api/v1/tokens", {"name": "escalate"}).status_code == 403


def test_a_write_token_changes_within_its_owners_permissions(cast):
    _, raw = api_token_create(user=cast.pm, name="sync", scope="write")
    api = _client(raw)
    assert (
        send(api, "patch", f"/api/v1/initiatives/{cast.home_initiative.pk}", {"title": "New"}).status_code
        == 200
    )
    assert (
        send(api, "patch", f"/api/v1/initiatives/{cast.away_initiative.pk}", {"title": "X"}).status_code
        == 403
    )


def test_an_expired_token_is_refused(cast):
    token, raw = api_token_create(user=cast.leader, name="old", expires_in_days=1)
    assert _client(raw).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(raw).get("/api/v1/me").status_code == 401


def test_tokens_are_created_with_scope_and_expiry_over_the_api(cast):
    _, raw = api_token_create(user=cast.leader, name="admin script", scope="write")
    api = _client(raw)
    made = send(api, "post", "/api/v1/tokens", {"name": "reporting", "scope": "read", "expires_in_days": 30})
    assert made.status_code == 201
    body = made.json()
    assert body["scope"] == "read"
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29) < expires - timezone.now() <= timedelta(days=30)
    forever = send(api, "post", "/api/v1/tokens", {"name": "cron", "expires_in_days": None}).json()
    assert forever["expires_at"] is None and forever["scope"] == "write"
    for bad in (
        {"name": "x", "scope": "admin"},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 5000},
    ):
        assert send(api, "post", "/api/v1/tokens", bad).status_code == 422, bad
    others = [t["name"] for t in api.get("/api/v1/tokens").json()]
    assert "reporting" in others
    pm_api = _client(api_token_create(user=cast.pm, name="pm")[1])
    assert "reporting" not in [t["name"] for t in pm_api.get("/api/v1/tokens").json()]  # only your own


def test_the_service_refuses_a_bad_scope_or_life(cast):
    with pytest.raises(ValidationFailed, match="read or write"):
        api_token_create(user=cast.pm, name="x", scope="all")
    with pytest.raises(ValidationFailed, match="1 to 366 days"):
        api_token_create(user=cast.pm, name="x", expires_in_days=400)


def test_the_tokens_page_sets_scope_and_expiry_and_shows_them(cast, login):
    client = login(cast.pm)
    response = client.post(
        reverse("core:tokens"), {"name": "board pack", "scope": "read", "expires_in_days": "30"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Read only" in html and "expires" in html
    token = ApiToken.objects.get(name="board pack")
    assert token.scope == "read" and token.expires_at is not None
    client.post(reverse("core:tokens"), {"name": "forever", "scope": "write", "expires_in_days": ""})
    assert ApiToken.objects.get(name="forever").expires_at is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert "expired" in client.get(reverse("core:tokens")).content.decode()
