"""Reports API: status updates, health, sections, packs (create, edit, issue, download); every write
refuses whoever may not make it, and bad input gets a 4xx that says why."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
from pptx import Presentation

from northstar.rendering.slides import slides_for
from northstar.reports import packs
from northstar.reports.models import Pack
from tests.reports.factories import TODAY, make_report_world

API = "/api/v1/reports"


def _call(client, method, path, body=None):
    response = getattr(client, method)(
        path, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )
    return response.status_code, (
        response.json() if response["Content-Type"].startswith("application/json") else response
    )


@pytest.fixture
def world(cast):
    """The report world, with "today" on its fixed date (the proposal depends on the day)."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield make_report_world(cast)


def test_a_pm_posts_their_lines_status_but_not_another_lines(cast, client, world):
    client.force_login(cast.pm)
    body = {"period_id": world.period.pk, "status": "at_risk"}
    status, answer = _call(client, "post", f"{API}/lines/{cast.home_line.pk}/updates", body)
    assert status == 422 and answer["detail"]["proposed"] == "off_track"  # an override needs a reason
    body |= {
        "override_reason": "A fix ships next week.",
        "risks": [{"description": "Vendor", "severity": "high"}],
    }
    status, answer = _call(client, "post", f"{API}/lines/{cast.home_line.pk}/updates", body)
    assert (
        status == 201
        and answer["proposed_status"] == "off_track"
        and answer["risks"][0]["severity"] == "high"
    )
    status, answer = _call(client, "post", f"{API}/lines/{cast.away_line.pk}/updates", body)
    assert status == 403 and "product lines you belong to" in answer["message"]
    status, answer = _call(client, "get", f"{API}/lines/{cast.home_line.pk}/updates")
    assert status == 200 and answer["count"] == 1


def test_bad_status_input_is_a_clear_4xx(cast, client, world):
    client.force_login(cast.leader)
    url = f"{API}/lines/{cast.home_line.pk}/updates"
    assert _call(client, "post", url, {"period_id": world.period.pk, "status": "great"})[0] == 422
    assert _call(client, "post", url, {"period_id": 999_999, "status": "on_track"})[0] == 404
    assert _call(client, "post", f"{API}/lines/999999/updates", {"period_id": 1, "status": "x"})[0] == 404
    status, answer = _call(
        client, "post", url, {"period_id": world.period.pk, "status": "off_track", "highlights": "a\x00b"}
    )
    assert status == 400 and "NUL" in answer["message"]  # the one rule: core.middleware


def test_health_and_sections(cast, client, world):
    client.force_login(cast.stakeholder)
    status, answer = _call(client, "get", f"{API}/health?on={TODAY.isoformat()}")
    assert status == 200 and answer["period"] == "2031-Q1"
    home = next(line for line in answer["lines"] if line["line"] == "Home line")
    assert home["status"] == "off_track" and not home["posted"] and home["progress"] == pytest.approx(0.2)
    status, answer = _call(client, "get", f"{API}/sections")
    assert {"headline", "budget", "org"} <= {s["key"] for s in answer}


def test_a_leader_builds_issues_and_downloads_a_pack(cast, client, world, django_capture_on_commit_callbacks):
    client.force_login(cast.leader)
    status, pack = _call(
        client, "post", f"{API}/packs", {"template": "executive", "cut_off": TODAY.isoformat()}
    )
    assert status == 201 and pack["state"] == "draft" and pack["sections"][0]["key"] == "headline"
    status, pack = _call(
        client,
        "patch",
        f"{API}/packs/{pack['id']}",
        {"sections": [{"key": "budget", "narrative": "On plan."}]},
    )
    assert status == 200 and pack["sections"] == [{"key": "budget", "narrative": "On plan."}]
    with django_capture_on_commit_callbacks(execute=True):
        status, job = _call(client, "post", f"{API}/packs/{pack['id']}/issue")
    assert status == 202 and job["status"] == "queued"  # the answer comes before the job runs
    status, job = _call(client, "get", f"/api/v1/jobs/{job['id']}")
    assert job["status"] == "succeeded" and job["result"]["pack_id"] == pack["id"]
    status, pack = _call(client, "get", f"{API}/packs/{pack['id']}")
    assert pack["state"] == "issued" and set(pack["files"]) == {"snapshot", "pptx", "pdf", "html"}
    status, response = _call(client, "get", f"{API}/packs/{pack['id']}/download/pptx")
    budget_slides = slides_for(packs.stored_document(Pack.objects.get(pk=pack["id"])).sections[0])
    assert status == 200 and len(Presentation(io.BytesIO(response.content)).slides) == 1 + budget_slides
    assert _call(client, "get", f"{API}/packs/{pack['id']}/download/docx")[0] == 404
    status, answer = _call(client, "patch", f"{API}/packs/{pack['id']}", {"title": "Changed"})
    assert status == 409 and "frozen" in answer["message"]
    status, answer = _call(client, "get", f"{API}/packs?state=issued")
    assert answer["count"] == 1


def test_only_leaders_write_packs_over_the_api(cast, client, world):
    pack = Pack.objects.create(template="board", title="Leader's draft", cut_off=TODAY)
    for user in (cast.pm, cast.stakeholder):
        client.force_login(user)
        assert _call(client, "post", f"{API}/packs", {"template": "board", "cut_off": "2031-03-01"})[0] == 403
        assert _call(client, "patch", f"{API}/packs/{pack.pk}", {"title": "Mine now"})[0] == 403
        assert _call(client, "post", f"{API}/packs/{pack.pk}/issue")[0] == 403
    pack.refresh_from_db()
    assert pack.title == "Leader's draft" and pack.state == "draft"
    client.force_login(cast.leader)
    status, answer = _call(client, "post", f"{API}/packs", {"template": "board", "cut_off": "someday"})
    assert status == 422 and "cut_off" in answer["message"]
    assert (
        _call(client, "post", f"{API}/packs", {"template": "line_review", "cut_off": "2031-03-01"})[0] == 422
    )
