"""Reports pages: every page answers for its readers, forms post through the services, share links
and unsubscribe links work without a login, lists cost a fixed number of queries."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from northstar.reports import digests, services, views
from northstar.reports.models import DigestSubscription, Pack, StatusUpdate
from tests.reports.factories import TODAY, make_report_world


@pytest.fixture
def world(cast):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield make_report_world(cast)


def test_every_reader_sees_the_reports_pages(cast, client, world):
    pack = services.pack_create(actor=cast.leader, template="board", cut_off=TODAY)
    update = services.status_update_create(
        actor=cast.leader, line=cast.home_line, period=world.period, status="off_track", today=TODAY
    )
    client.force_login(cast.stakeholder)
    for name, args in [
        ("reports:index", []),
        ("reports:health", []),
        ("reports:line_status", [cast.home_line.pk]),
        ("reports:status_detail", [update.pk]),
        ("reports:pack_detail", [pack.pk]),
        ("reports:digest", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    body = client.get(reverse("reports:pack_detail", args=[pack.pk])).content.decode()
    assert f'href="/strategy/objectives/{world.home_objective.pk}/"' in body  # figures link to records
    assert "Issue" not in body  # stakeholders read, they do not issue
    for name, args in [
        ("reports:pack_create", []),
        ("reports:pack_edit", [pack.pk]),
        ("reports:slide_template", []),
        ("reports:status_create", [cast.home_line.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_the_pack_list_costs_the_same_queries_for_many_packs(cast, client, world):
    client.force_login(cast.leader)
    for n in range(3):
        Pack.objects.create(template="board", title=f"Pack {n}", cut_off=TODAY, line=cast.home_line)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("reports:index")).status_code == 200
    for n in range(30):
        Pack.objects.create(template="board", title=f"More {n}", cut_off=TODAY, line=cast.away_line)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("reports:index")).status_code == 200
    assert len(many) == len(few)


def test_a_director_posts_a_status_with_an_override_and_risks(cast, client, world):
    client.force_login(cast.pm)
    url = reverse("reports:status_create", args=[cast.home_line.pk])
    page = client.get(url).content.decode()
    assert "Northstar proposes" in page and "1 objective at 20% on average" in page
    form = {
        "period": world.period.pk,
        "status": "at_risk",
        "highlights": "Shipped **yen**.",
        "risk_0_description": "Partner slips",
        "risk_0_severity": "high",
        "risk_1_severity": "medium",
        "risk_2_severity": "medium",
    }
    refused = client.post(url, form)
    assert refused.status_code == 422 and "say why" in refused.content.decode()
    response = client.post(url, {**form, "override_reason": "Contract signed yesterday."})
    update = StatusUpdate.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:status_detail", args=[update.pk]
    )
    assert update.is_override and update.risks.get().severity == "high"
    detail = client.get(response["Location"]).content.decode()
    assert "Contract signed yesterday." in detail and "<strong>yen</strong>" in detail


def test_a_leader_edits_issues_and_shares_a_pack_read_logged_out(
    cast, client, world, django_capture_on_commit_callbacks
):
    client.force_login(cast.leader)
    response = client.post(reverse("reports:pack_create"), {"template": "board", "cut_off": "2031-03-01"})
    pack = Pack.objects.get()
    assert response["Location"] == reverse("reports:pack_edit", args=[pack.pk])
    edit = {
        "title": "Board, March",
        "cut_off": "2031-03-01",
        "include_themes": "on",
        "position_themes": "1",
        "narrative_themes": "Yen, *again*.",
        "include_headline": "on",
        "position_headline": "2",
    }
    for key in views.PackEditForm(chosen={}).keys:
        edit.setdefault(f"position_{key}", "9")
    client.post(reverse("reports:pack_edit", args=[pack.pk]), edit)
    assert [s.key for s in pack.sections.all()] == ["themes", "headline"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:pack_issue", args=[pack.pk]))
    pack.refresh_from_db()
    assert pack.is_issued
    client.post(reverse("reports:pack_share", args=[pack.pk]), {"label": "Board"})
    link = pack.links.get()
    client.logout()
    shared = client.get(reverse("reports:shared", args=[link.token]))
    assert shared.status_code == 200 and "Yen, <em>again</em>." in shared.content.decode()
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    download = client.get(reverse("reports:shared_download", args=[link.token, "pdf"]))
    assert download.status_code == 200 and download.content == services.pack_file(pack, "pdf")
    assert client.get(reverse("reports:pack_detail", args=[pack.pk])).status_code == 302  # login first
    services.pack_share_link_revoke(actor=cast.leader, link=link)
    assert client.get(reverse("reports:shared", args=[link.token])).status_code == 404


def test_shared_downloads_are_rate_limited(cast, client, world):
    pack = services.pack_issue(
        actor=cast.leader,
        pack=services.pack_create(actor=cast.leader, template="board", cut_off=TODAY, sections=["budget"]),
    )
    link = services.pack_share_link_create(actor=cast.leader, pack=pack, label="Board")
    url = reverse("reports:shared_download", args=[link.token, "html"])
    limit = views.SHARED_DOWNLOADS[0]
    assert [client.get(url).status_code for _ in range(limit + 1)][-2:] == [200, 429]


def test_unsubscribe_needs_a_post_and_no_login(cast, client, world):
    cast.stakeholder.email = "sam@example.com"
    cast.stakeholder.save()
    subscription = digests.digest_subscribe(user=cast.stakeholder, frequency="monthly")
    url = reverse("reports:unsubscribe", args=[subscription.token])
    assert client.get(url).status_code == 200
    assert DigestSubscription.objects.get().is_active  # a mail scanner's GET changes nothing
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not DigestSubscription.objects.get().is_active
    assert client.get(reverse("reports:unsubscribe", args=["nope"])).status_code == 404


def test_the_pack_command_writes_each_format(cast, world, tmp_path):
    for fmt, magic in (("pptx", b"PK"), ("pdf", b"%PDF"), ("html", b"<!doctype html>")):
        out = tmp_path / f"board.{fmt}"
        call_command("pack", template="board", fmt=fmt, output=str(out), cut_off="2031-03-01")
        assert out.read_bytes().startswith(magic)
    with pytest.raises(Exception, match="needs --line"):
        call_command("pack", template="line_review", output=str(tmp_path / "x.pdf"))
    call_command(
        "pack",
        template="line_review",
        line="Home line",
        fmt="html",
        output=str(tmp_path / "l.html"),
        cut_off="2031-03-01",
    )
    assert "Home line" in (tmp_path / "l.html").read_text()


def test_a_draft_edited_meanwhile_is_refused_not_overwritten(cast, client, world):
    client.force_login(cast.leader)
    client.post(reverse("reports:pack_create"), {"template": "board", "cut_off": "2031-03-01"})
    pack = Pack.objects.get()
    url = reverse("reports:pack_edit", args=[pack.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.pack_update(actor=cast.admin, pack=pack, sections=[("headline", "Admin's words")])
    edit = {"title": "Mine", "cut_off": "2031-03-01", "version": "1"}
    for key in views.PackEditForm(chosen={}).keys:
        edit.setdefault(f"position_{key}", "9")
    conflict = client.post(url, {**edit, "include_themes": "on"})
    assert conflict.status_code == 409
    pack.refresh_from_db()
    assert [s.key for s in pack.sections.all()] == ["headline"] and pack.version == 2
    assert client.post(url, {**edit, "include_themes": "on", "version": "2"}).status_code == 302
    assert [s.key for s in pack.sections.all()] == ["themes"]


def test_the_pack_api_honours_if_match(cast, world):
    from tests.test_api import bearer

    api = bearer(cast.leader)
    created = api.post(
        "/api/v1/reports/packs",
        {"template": "board", "cut_off": "2031-03-01"},
        content_type="application/json",
    )
    url = f"/api/v1/reports/packs/{created.json()['id']}"
    seen = api.get(url)["ETag"]
    assert api.patch(url, {"title": "One"}, content_type="application/json")["ETag"] == '"v2"'
    stale = api.patch(url, {"title": "Two"}, content_type="application/json", HTTP_IF_MATCH=seen)
    assert stale.status_code == 412 and api.get(url).json()["title"] == "One"


def test_an_unknown_digest_frequency_is_refused_and_nothing_changes(cast, client, world):
    cast.pm.email = "pat@example.com"
    cast.pm.save()
    client.force_login(cast.pm)
    refused = client.post(reverse("reports:digest"), {"frequency": "hourly"})
    assert refused.status_code == 422 and not DigestSubscription.objects.exists()
    assert client.post(reverse("reports:digest"), {"frequency": "weekly"}).status_code == 302
    assert DigestSubscription.objects.get(user=cast.pm).frequency == "weekly"
