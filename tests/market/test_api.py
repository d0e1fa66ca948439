"""Market API: sizes with ranges and our share, If-Match on edits, a CRM export all or nothing, win
rates with intervals, loss reasons feeding an idea's demand, notes searched, another line refused."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from northstar.feedback.models import Customer
from northstar.market.models import Deal, ReasonLink
from tests.conftest import Cast
from tests.market.factories import make_competitor, make_deal, make_estimate, make_segment
from tests.test_api import bearer, send


def _upload(client: Client, body: str, preset: str = "northstar"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/market/deals/import?preset={preset}",
        {"file": SimpleUploadedFile("deals.csv", body.encode(), content_type="text/csv")},
    )


def test_segments_carry_their_size_range_and_our_share(cast: Cast):
    api = bearer(cast.pm)
    created = send(
        api, "post", "/api/v1/market/segments", {"name": "Enterprise", "customer_segment": "enterprise"}
    )
    assert created.status_code == 201
    sid = created.json()["id"]
    Customer.objects.create(name="Big", segment="enterprise", annual_revenue=Decimal("20000"))
    est = send(
        api,
        "post",
        f"/api/v1/market/segments/{sid}/estimates",
        {
            "as_of": "2026-01-01",
            "source": "Study",
            "tam": "1000000",
            "sam": "400000",
            "som": "40000",
            "spread": "0.25",
        },
    )
    assert est.status_code == 201
    got = api.get(f"/api/v1/market/segments/{sid}")
    body = got.json()
    assert body["size"]["sam"] == {"low": 300000.0, "likely": 400000.0, "high": 500000.0}
    assert body["share_of_sam"] == 0.05 and body["customers"] == 1
    bad = send(
        api,
        "post",
        f"/api/v1/market/segments/{sid}/estimates",
        {"as_of": "2026-02-01", "source": "Study", "tam": "10", "sam": "400000", "som": "1"},
    )
    assert bad.status_code == 422 and "SAM" in bad.json()["message"]
    assert len(api.get(f"/api/v1/market/segments/{sid}/estimates").json()) == 1


def test_a_stale_if_match_is_refused(cast: Cast):
    segment = make_segment(name="SMB")
    api = bearer(cast.leader)
    etag = api.get(f"/api/v1/market/segments/{segment.pk}")["ETag"]
    assert (
        send(api, "patch", f"/api/v1/market/segments/{segment.pk}", {"description": "a"}).status_code == 200
    )
    stale = send(
        api,
        "patch",
        f"/api/v1/market/segments/{segment.pk}",
        {"description": "b"},
        headers={"If-Match": etag},
    )
    assert stale.status_code == 412


def test_a_crm_export_lands_whole_or_not_at_all(cast: Cast):
    make_segment(name="SMB")
    make_competitor(name="Rival")
    api = bearer(cast.pm)
    good = (
        "Record ID,Deal Name,Associated Company,Segment,Amount,Deal Stage,Competitor,"
        "Closed Lost Reason,Close Date\n"
        "h1,A,Acme,SMB,1000,closedwon,Rival,,2026-01-05\n"
        "h2,B,Beta,smb,2500.50,Closed Lost,,Price; missing SSO,2026-02-05\n"
    )
    done = _upload(api, good, "hubspot")
    assert done.status_code == 201, done.content
    assert done.json() | {"batch_id": 0} == {"batch_id": 0, "deals": 2, "won": 1, "lost": 1}
    lost = Deal.objects.get(external_id="h2")
    assert [r.reason for r in lost.reasons.all()] == ["price", "missing sso"]
    again = _upload(api, good, "hubspot")
    assert again.status_code == 422 and "already recorded" in again.json()["message"]
    bad = "deal,account,amount,outcome,closed\nn1,Acme,100,won,2026-01-01\nn2,Beta,lots,won,2026-01-02\n"
    refused = _upload(api, bad)
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("Nothing was imported. Row 3, column “amount”")
    assert refused.json()["detail"][0] == {
        "row": 3,
        "column": "amount",
        "message": "“lots” is not an amount like 12000.50",
    }
    assert Deal.objects.count() == 2


def test_win_loss_and_a_loss_reason_as_an_ideas_demand(cast: Cast):
    segment = make_segment(name="SMB")
    make_deal(segment=segment, outcome="won")
    make_deal(segment=segment, outcome="lost", amount=Decimal("800"), reasons=("no sso",))
    api = bearer(cast.pm)
    wl = api.get("/api/v1/market/win-loss").json()
    assert wl["overall"]["rate"] == 0.5 and 0 < wl["overall"]["low"] < 0.5 < wl["overall"]["high"] < 1
    assert wl["top_loss_reasons"][0]["reason"] == "no sso"
    assert api.get("/api/v1/market/win-loss?until=0001-01-01").json()["overall"]["rate"] is None
    assert api.get("/api/v1/market/matrix?competitors=1,99999999999999999999").status_code == 422
    linked = send(
        api,
        "post",
        "/api/v1/market/reason-links",
        {"reason": "No SSO", "initiative_id": cast.home_initiative.pk},
    )
    assert linked.status_code == 201
    evidence = api.get(f"/api/v1/market/initiatives/{cast.home_initiative.pk}/evidence").json()
    assert evidence["lost_demand"] == {"reasons": ["no sso"], "deals": 1, "amount": {"EUR": "800.00"}}
    away = send(
        api,
        "post",
        "/api/v1/market/reason-links",
        {"reason": "no sso", "initiative_id": cast.away_initiative.pk},
    )
    assert away.status_code == 403 and "product lines you belong to" in away.json()["message"]
    theirs = ReasonLink.objects.create(reason="no sso", initiative=cast.away_initiative)
    assert send(api, "delete", f"/api/v1/market/reason-links/{theirs.pk}").status_code == 403


def test_matrix_and_notes_over_the_api(cast: Cast):
    rival = make_competitor(name="Rival")
    api = bearer(cast.pm)
    cap = send(api, "post", "/api/v1/market/capabilities", {"name": "SSO"}).json()
    rated = send(
        api,
        "post",
        "/api/v1/market/ratings",
        {"capability_id": cap["id"], "competitor_id": rival.pk, "score": 4, "rated_on": "2026-03-01"},
    )
    assert rated.status_code == 201
    m = api.get("/api/v1/market/matrix").json()
    assert [c["label"] for c in m["columns"]] == ["Rival"] and m["rows"][0]["cells"][0]["score"] == 4
    assert (
        send(
            api,
            "post",
            "/api/v1/market/ratings",
            {"capability_id": cap["id"], "score": 9, "rated_on": "2026-03-01"},
        ).status_code
        == 422
    )
    note = send(
        api,
        "post",
        "/api/v1/market/notes",
        {"title": "Payouts trend", "noted_on": "2026-01-01", "tags": "Payouts"},
    )
    assert note.status_code == 201 and note.json()["tags"] == ["payouts"]
    assert [n["title"] for n in api.get("/api/v1/market/notes?tag=payouts").json()["items"]] == [
        "Payouts trend"
    ]
    assert api.get("/api/v1/market/notes?q=nothing-like-it").json()["items"] == []
    changes = api.get("/api/v1/market/changes?since=2026-02-01").json()
    assert any("Rival · SSO: 4/5" in c["text"] for c in changes)


def test_stakeholders_read_but_do_not_write(cast: Cast):
    segment = make_segment()
    make_estimate(segment)
    api = bearer(cast.stakeholder)
    assert api.get("/api/v1/market/segments").status_code == 200
    assert send(api, "post", "/api/v1/market/segments", {"name": "X"}).status_code == 403
    assert _upload(api, "deal,account,amount,outcome,closed\n1,A,1,won,2026-01-01\n").status_code == 403
