"""The analytics API: sites, import, funnels, retention, friction, evidence and event export."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from northstar.core.services import api_token_create
from tests.analytics.factories import ago, event, make_funnel, make_site, store


def bearer(user) -> Client:
    _, raw = api_token_create(user=user, name="tests", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client: Client, method: str, url: str, body: object | None = None):
    return getattr(client, method)(
        url, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_site_funnel_and_reports_round_trip(cast):
    api = bearer(cast.pm)
    created = send(
        api, "post", "/api/v1/analytics/sites", {"product_id": cast.home_product.pk, "name": "Shop"}
    )
    assert created.status_code == 201
    site_id = created.json()["id"]
    when = (timezone.now() - timedelta(days=2)).isoformat()
    csv = f"at,type,visitor,path\n{when},pageview,a,/cart\n{when},pageview,b,/cart\n"
    imported = send(api, "post", f"/api/v1/analytics/sites/{site_id}/import", {"csv": csv})
    assert imported.json() == {"imported": 2}
    funnel = send(
        api,
        "post",
        f"/api/v1/analytics/sites/{site_id}/funnels",
        {"name": "Buy", "steps": [{"kind": "page", "match": "/cart"}, {"kind": "page", "match": "/paid"}]},
    )
    assert funnel.status_code == 201
    report = api.get(f"/api/v1/analytics/funnels/{funnel.json()['id']}").json()
    assert [s["reached"] for s in report["steps"]] == [2, 0]
    assert report["steepest_drop_step"] == 2
    cohorts = api.get(f"/api/v1/analytics/sites/{site_id}/retention").json()
    assert sum(c["size"] for c in cohorts) == 2
    exported = api.get(f"/api/v1/analytics/sites/{site_id}/events").json()
    assert [e["visitor"] for e in exported["items"]] == ["a", "b"] and exported["items"][0][
        "type"
    ] == "pageview"


def test_friction_and_evidence_through_the_api(cast):
    site = make_site(product=cast.home_product)
    base = ago(hours=1)
    store(
        [
            event(site, "v", base + timedelta(seconds=k * 0.1), 1, "/pay", selector="#go", x=5, y=5)
            for k in range(4)
        ]
    )
    api = bearer(cast.leader)
    friction = api.get(f"/api/v1/analytics/sites/{site.pk}/friction").json()
    assert friction[0]["signal"] == "rage_click" and friction[0]["users"] == 1
    body = {
        "site_id": site.pk,
        "initiative_id": cast.away_initiative.pk,
        "signal": "rage_click",
        "path": "/pay",
        "selector": "#go",
        "users": 1,
    }
    assert send(api, "post", "/api/v1/analytics/evidence", body).status_code == 201
    assert (
        send(bearer(cast.pm), "post", "/api/v1/analytics/evidence", {**body, "selector": "#x"}).status_code
        == 403
    )
    listed = api.get(f"/api/v1/analytics/initiatives/{cast.away_initiative.pk}/evidence").json()
    assert [e["selector"] for e in listed] == ["#go"]


def test_another_lines_site_is_refused_for_a_pm(cast):
    site = make_site(product=cast.away_product)
    api = bearer(cast.pm)
    funnel = send(
        api,
        "post",
        f"/api/v1/analytics/sites/{site.pk}/funnels",
        {"name": "X", "steps": [{"kind": "page", "match": "/a"}, {"kind": "page", "match": "/b"}]},
    )
    assert funnel.status_code == 403
    assert (
        send(
            api, "post", f"/api/v1/analytics/sites/{site.pk}/import", {"csv": "at,type,visitor,path\n"}
        ).status_code
        == 403
    )
    other = make_funnel(site=site)
    assert send(api, "delete", f"/api/v1/analytics/funnels/{other.pk}").status_code == 403


def test_site_patch_writes_only_what_is_sent_and_honours_if_match(cast):
    site = make_site(product=cast.home_product, name="Shop", retention_days=90)
    api = bearer(cast.pm)
    got = api.get(f"/api/v1/analytics/sites/{site.pk}")
    etag = got["ETag"]
    changed = api.patch(
        f"/api/v1/analytics/sites/{site.pk}",
        data=json.dumps({"retention_days": 30}),
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert (
        changed.status_code == 200
        and changed.json()["retention_days"] == 30
        and changed.json()["name"] == "Shop"
    )
    stale = api.patch(
        f"/api/v1/analytics/sites/{site.pk}",
        data=json.dumps({"name": "Old"}),
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412
    away = make_site(product=cast.away_product)
    assert send(api, "patch", f"/api/v1/analytics/sites/{away.pk}", {"name": "Mine"}).status_code == 403
