"""The REST API: tokens, CRUD, filters, pagination, errors as JSON, and roles enforced."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.core.models import AuditEntry
from northstar.core.services import api_token_create
from northstar.portfolio.models import Initiative, Stage
from tests import factories


def bearer(user) -> Client:
    _, raw = api_token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client: Client, method: str, url: str, body: object | None = None, *, headers: dict | None = None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.django_db
def test_openapi_and_docs_are_public_and_describe_the_resources(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/people",
        "/api/v1/lines",
        "/api/v1/products",
        "/api/v1/teams",
        "/api/v1/initiatives",
        "/api/v1/initiatives/{initiative_id}/move",
        "/api/v1/audit",
    ):
        assert path in spec["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI names a schema by its class name: a second class of that name silently replaces the
    first in the document, and clients then validate one endpoint's answers against another's shape."""
    from ninja import Schema

    import northstar.api  # noqa: F401 - every router and its schemas

    where: dict[str, set[str]] = {}
    stack = [Schema]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("northstar."):
                where.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: sorted(mods) for name, mods in where.items() if len(mods) > 1} == {}


@pytest.mark.django_db
def test_without_a_token_the_api_answers_401_json(client):
    response = client.get("/api/v1/initiatives")
    assert response.status_code == 401
    assert "personal access token" in response.json()["message"]
    assert Client(HTTP_AUTHORIZATION="Bearer nst_wrong").get("/api/v1/people").status_code == 401


def test_token_lifecycle(cast):
    api = bearer(cast.pm)
    created = send(api, "post", "/api/v1/tokens", {"name": "laptop"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("nst_")
    second = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert second.get("/api/v1/me").json()["username"] == "pm"
    assert send(api, "delete", f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert second.get("/api/v1/me").status_code == 401


def test_initiative_crud_move_and_audit(cast):
    api = bearer(cast.pm)
    created = send(
        api,
        "post",
        "/api/v1/initiatives",
        {
            "title": "Passkeys",
            "kind": "feature",
            "product_id": cast.home_product.pk,
            "description": "Hello <script>alert(1)</script>",
            "tags": ["security"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["line_id"] == cast.home_line.pk
    assert "<script" not in body["description_html"]
    pk = body["id"]
    patched = send(api, "patch", f"/api/v1/initiatives/{pk}", {"title": "Passkeys everywhere"})
    assert patched.json()["title"] == "Passkeys everywhere"
    assert patched.json()["tags"] == ["security"]  # PATCH keeps what it did not mention
    moved = send(api, "post", f"/api/v1/initiatives/{pk}/move", {"stage": "discovery"})
    assert moved.json()["stage"] == "discovery"
    one_back = send(api, "post", f"/api/v1/initiatives/{pk}/move", {"stage": "idea"})
    assert one_back.json()["stage"] == "idea"  # one step back is allowed
    leap = send(api, "post", f"/api/v1/initiatives/{pk}/move", {"stage": "measured"})
    assert leap.json()["stage"] == "measured"  # forward may skip stages
    refused = send(api, "post", f"/api/v1/initiatives/{pk}/move", {"stage": "idea"})
    assert refused.status_code == 422
    assert "can move to" in refused.json()["message"]
    history = (
        bearer(cast.leader)
        .get("/api/v1/audit", {"record_type": "portfolio.initiative", "record_id": pk})
        .json()
    )
    assert [e["action"] for e in history["items"]][-1] == "create"
    assert history["count"] == 5
    assert send(api, "delete", f"/api/v1/initiatives/{pk}").status_code == 204
    assert api.get(f"/api/v1/initiatives/{pk}").status_code == 404


def test_pm_is_refused_another_lines_records(cast):
    api = bearer(cast.pm)
    response = send(api, "patch", f"/api/v1/initiatives/{cast.away_initiative.pk}", {"title": "x"})
    assert response.status_code == 403
    assert "product lines you belong to" in response.json()["message"]
    assert send(api, "patch", f"/api/v1/teams/{cast.away_team.pk}", {"cost_rate": 1}).status_code == 403
    assert (
        send(
            api,
            "post",
            "/api/v1/people",
            {"name": "N", "email": "n@example.com", "title": "PM", "level": "pm"},
        ).status_code
        == 403
    )
    assert api.get("/api/v1/audit").status_code == 403


def test_stakeholder_reads_but_never_writes(cast):
    api = bearer(cast.stakeholder)
    assert api.get("/api/v1/initiatives").status_code == 200
    response = send(api, "post", "/api/v1/initiatives", {"title": "x", "product_id": cast.home_product.pk})
    assert response.status_code == 403
    assert "read-only" in response.json()["message"]


def test_filters_and_pagination(cast):
    for i in range(7):
        factories.make_initiative(title=f"Checkout speed {i}", product=cast.home_product, stage=Stage.PLANNED)
    api = bearer(cast.stakeholder)
    page = api.get(
        "/api/v1/initiatives",
        {"search": "checkout speed", "line": cast.home_line.pk, "stage": "planned", "page": 1},
    ).json()
    assert page["count"] == 7
    assert all(item["stage"] == "planned" for item in page["items"])
    assert api.get("/api/v1/initiatives", {"line": cast.away_line.pk}).json()["count"] == 1


def test_org_crud_and_rules_as_json(cast):
    api = bearer(cast.leader)
    director = send(
        api,
        "post",
        "/api/v1/people",
        {"name": "Dee Rector", "email": "dee@example.com", "title": "Director", "level": "director"},
    ).json()
    line = send(api, "post", "/api/v1/lines", {"name": "Payments", "director_id": director["id"]})
    assert line.status_code == 201
    second = send(
        api,
        "post",
        "/api/v1/people",
        {"name": "Di Two", "email": "di@example.com", "title": "Director", "level": "director"},
    ).json()
    clash = send(api, "patch", f"/api/v1/lines/{line.json()['id']}", {"owner_ids": [second["id"]]})
    assert clash.status_code == 409
    assert "already has a director" in clash.json()["message"]
    team = send(
        api,
        "post",
        "/api/v1/teams",
        {"name": "Rails", "line_id": line.json()["id"], "skills": ["backend"], "cost_rate": "12000"},
    )
    assert team.status_code == 201 and team.json()["skills"] == ["backend"]
    no_line = send(api, "post", "/api/v1/teams", {"name": "Nowhere"})
    assert no_line.status_code == 422
    assert "line_id" in no_line.json()["message"]
    cycle = send(api, "patch", f"/api/v1/people/{director['id']}", {"manager_id": director["id"]})
    assert cycle.status_code == 409


def test_missing_record_is_404_json(cast):
    response = bearer(cast.leader).get("/api/v1/people/987654")
    assert response.status_code == 404
    assert response.json()["message"] == "No person with id 987654."


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=6,
)
payloads = st.dictionaries(
    st.sampled_from(
        [
            "title",
            "name",
            "kind",
            "stage",
            "product_id",
            "owner_id",
            "parent_id",
            "tags",
            "line_id",
            "director_id",
            "email",
            "level",
            "manager_id",
            "cost_rate",
            "skills",
            "member_ids",
            "owner_ids",
            "description",
            "currency",
        ]
    ),
    json_values,
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    endpoint=st.sampled_from(
        [
            ("post", "/api/v1/initiatives"),
            ("post", "/api/v1/people"),
            ("post", "/api/v1/lines"),
            ("post", "/api/v1/teams"),
            ("post", "/api/v1/products"),
            ("patch", "/api/v1/initiatives/{i}"),
            ("patch", "/api/v1/people/{p}"),
            ("post", "/api/v1/initiatives/{i}/move"),
        ]
    ),
    body=payloads,
)
def test_invalid_input_never_yields_a_500(leader_api, endpoint, body):
    client, ids = leader_api
    method, url = endpoint
    before = Initiative.objects.count(), AuditEntry.objects.count()
    response = send(client, method, url.format(**ids), body)
    assert response.status_code < 500, response.content
    payload = response.json()
    if response.status_code >= 400:
        assert isinstance(payload["message"], str) and payload["message"]
    else:
        assert AuditEntry.objects.count() >= before[1]


@pytest.fixture
def leader_api(cast):
    return bearer(cast.leader), {"i": cast.home_initiative.pk, "p": cast.pm_person.pk}


def test_a_token_records_when_it_was_last_used(cast):

    token, raw = api_token_create(user=cast.pm, name="laptop")
    assert token.last_used_at is None
    Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None
