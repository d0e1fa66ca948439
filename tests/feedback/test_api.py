"""The feedback API: same roles as the pages, public portal endpoints, refusals as JSON."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from northstar.core.services import api_token_create
from northstar.feedback.models import EvidenceLink, FeedbackItem, Vote
from tests.feedback import factories as f


def _client(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_create_list_and_filter_feedback(cast):
    api = _client(cast.pm)
    body = {"text": "Faster payouts", "author_email": "a@x.example", "received_at": "2024-05-01T10:00:00Z"}
    created = _post(api, "/api/v1/feedback", body)
    assert created.status_code == 201, created.content
    assert created.json()["source"] == "api"
    again = _post(api, "/api/v1/feedback", body)  # a client retrying the same request
    assert again.status_code == 422 and "already" in again.json()["message"]
    listed = api.get("/api/v1/feedback?status=new&search=payouts").json()
    assert listed["count"] == 1


def test_stakeholders_read_but_cannot_write(cast):
    api = _client(cast.stakeholder)
    assert api.get("/api/v1/feedback").status_code == 200
    refused = _post(api, "/api/v1/feedback", {"text": "x"})
    assert refused.status_code == 403 and refused.json()["message"]
    assert Client().get("/api/v1/feedback").status_code == 401


def test_customers_and_links_and_demand(cast):
    api = _client(cast.leader)
    customer = _post(
        api, "/api/v1/customers", {"name": "Umbrella", "segment": "enterprise", "annual_revenue": "90000"}
    )
    assert customer.status_code == 201
    contact = _post(
        api, f"/api/v1/customers/{customer.json()['id']}/contacts", {"name": "Al", "email": "al@u.example"}
    )
    assert contact.status_code == 201
    by_email = _post(api, "/api/v1/feedback", {"text": "Refunds", "author_email": "al@u.example"}).json()
    assert by_email["customer_id"] == customer.json()["id"]  # a contact's feedback lands on the account
    item = _post(api, "/api/v1/feedback", {"text": "SSO please", "customer_id": customer.json()["id"]}).json()
    link = _post(api, f"/api/v1/feedback/{item['id']}/links", {"initiative_id": cast.home_initiative.pk})
    assert link.status_code == 201
    demand = api.get(
        f"/api/v1/demand?initiative_ids={cast.home_initiative.pk},{cast.away_initiative.pk}"
    ).json()
    by_id = {d["initiative_id"]: d for d in demand}
    assert by_id[cast.home_initiative.pk]["customers"] == 1 and by_id[cast.home_initiative.pk]["items"] == 1
    assert by_id[cast.home_initiative.pk]["revenue"] == {"EUR": "90000.00"} or by_id[cast.home_initiative.pk][
        "revenue"
    ] == {"EUR": 90000.0}
    assert by_id[cast.away_initiative.pk]["items"] == 0
    assert api.delete(f"/api/v1/links/{link.json()['id']}").status_code == 204
    assert not EvidenceLink.objects.exists()
    assert api.get("/api/v1/demand?initiative_ids=1,x").status_code == 422


def test_themes_list_and_recluster_job(cast, django_capture_on_commit_callbacks):
    theme = f.make_theme("Exports", items=2)
    f.make_item("export to csv", theme=theme, customer=f.make_customer())
    api = _client(cast.pm)
    page = api.get("/api/v1/themes").json()
    assert page["count"] == 1 and page["items"][0]["name"] == "Exports"
    assert page["items"][0]["customers"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        job = _post(api, "/api/v1/themes/recluster", {"n_themes": 1})
    assert job.status_code == 202
    assert _post(_client(cast.stakeholder), "/api/v1/themes/recluster", {}).status_code == 403


def test_visitors_post_and_vote_through_the_public_api(db):
    cache.clear()
    board = f.make_board()
    anonymous = Client()
    created = _post(
        anonymous,
        "/api/v1/portal/posts",
        {"board": board.slug, "title": "Offline mode", "author_email": "v@x.example"},
    )
    assert created.status_code == 201 and "moderation" in created.json()["message"]
    post = f.make_post(board=board)
    first = _post(anonymous, f"/api/v1/portal/posts/{post.pk}/votes", {"email": "v@x.example"})
    assert first.status_code == 202 and "v@x.example" in first.json()["message"]  # counts once confirmed
    second = _post(anonymous, f"/api/v1/portal/posts/{post.pk}/votes", {"email": "V@x.example"})
    assert second.status_code == 202  # not confirmed yet: the link is sent again
    assert Vote.objects.filter(post=post).count() == 1
    Vote.objects.filter(post=post).update(confirmed_at=timezone.now())
    third = _post(anonymous, f"/api/v1/portal/posts/{post.pk}/votes", {"email": "v@x.example"})
    assert third.status_code == 409 and third.json()["message"]
    bot = _post(
        anonymous, f"/api/v1/portal/posts/{post.pk}/votes", {"email": "b@x.example", "website": "spam"}
    )
    assert bot.status_code == 422
    listed = anonymous.get(f"/api/v1/portal/posts?board={board.slug}").json()
    assert [p["title"] for p in listed["items"]] == [post.title]  # the pending post is not public


@pytest.mark.parametrize("role", ["pm", "leader"])
def test_status_change_through_the_api(cast, role):
    item = f.make_item()
    api = _client(cast.user(role))
    response = _post(api, f"/api/v1/feedback/{item.pk}/status", {"status": "processed"})
    assert response.status_code == 200
    assert FeedbackItem.objects.get(pk=item.pk).status == "processed"


def test_the_api_applies_the_same_rule_to_customers_people(cast):
    from northstar.feedback.models import Contact

    acme = f.make_customer("Acme Bank")
    Contact.objects.create(customer=acme, name="Dana Contact", email="dana@acme.example")
    item = f.make_item("Faster payouts", customer=acme, author_email="ana@acme.example")
    seen = _client(cast.stakeholder).get(f"/api/v1/feedback/{item.pk}").json()
    assert seen["author_email"] == "" and seen["text"] == "Faster payouts"
    listed = _client(cast.stakeholder).get("/api/v1/feedback").json()["items"]
    assert all(row["author_email"] == "" for row in listed)
    assert _client(cast.stakeholder).get(f"/api/v1/customers/{acme.pk}/contacts").status_code == 403
    assert _client(cast.pm).get(f"/api/v1/feedback/{item.pk}").json()["author_email"] == "ana@acme.example"
    assert _client(cast.pm).get(f"/api/v1/customers/{acme.pk}/contacts").json()[0]["name"] == "Dana Contact"


def test_themes_come_a_page_at_a_time(cast):
    for n in range(5):
        f.make_theme(f"Theme {n}", items=n + 1)
    page = _client(cast.stakeholder).get("/api/v1/themes?page=3&page_size=2").json()
    assert page["count"] == 5 and [t["name"] for t in page["items"]] == ["Theme 0"]


def test_many_items_triage_over_the_api(cast):
    items = [f.make_item(f"Dark mode please ({n})") for n in range(3)]
    made = _post(
        _client(cast.pm), "/api/v1/feedback/triage", {"ids": [i.pk for i in items], "title": "Dark mode"}
    )
    assert made.status_code == 200 and made.json()["linked"] == 3
    again = _post(
        _client(cast.pm),
        "/api/v1/feedback/triage",
        {"ids": [items[0].pk], "initiative_id": made.json()["initiative_id"]},
    )
    assert again.json()["linked"] == 0
    assert (
        _post(
            _client(cast.stakeholder), "/api/v1/feedback/triage", {"ids": [items[0].pk], "title": "x"}
        ).status_code
        == 403
    )
    assert (
        _post(_client(cast.pm), "/api/v1/feedback/triage", {"ids": [999999], "title": "x"}).status_code == 404
    )
