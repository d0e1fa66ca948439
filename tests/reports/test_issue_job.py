"""Issuing a pack runs as a background job: the request only queues it, the pack page follows it, and
the outcome is all or nothing (a failed or cancelled issue leaves the draft as it was, with no files)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from northstar.core import jobs
from northstar.core.errors import Conflict
from northstar.core.models import Job
from northstar.reports import packs, services, storage
from northstar.reports.models import Pack
from tests.reports.factories import TODAY, make_report_world


@pytest.fixture
def world(cast):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield make_report_world(cast)


def _draft(cast) -> Pack:
    return services.pack_create(
        actor=cast.leader, template="board", cut_off=TODAY, sections=["headline", "budget"]
    )


def _files_on_disk() -> set:
    return set((storage.root() / "packs").glob("*")) if (storage.root() / "packs").exists() else set()


def test_the_request_queues_the_issue_and_the_page_shows_it_running(cast, client, world):
    pack = _draft(cast)
    client.force_login(cast.leader)
    # No on-commit callbacks run here: the job stays queued, as while a worker is busy elsewhere.
    response = client.post(reverse("reports:pack_issue", args=[pack.pk]))
    assert response.status_code == 302
    pack.refresh_from_db()
    job = Job.objects.get(unique_key=services.issue_key(pack.pk))
    assert pack.state == Pack.State.DRAFT and job.status == Job.Status.QUEUED
    page = client.get(reverse("reports:pack_detail", args=[pack.pk])).content.decode()
    status_url = reverse("reports:pack_issue_status", args=[pack.pk])
    assert f'hx-get="{status_url}"' in page and "Issuing…" in page
    issue_form = f'action="{reverse("reports:pack_issue", args=[pack.pk])}"'
    assert issue_form not in page  # no second Issue button meanwhile
    with pytest.raises(Conflict, match="already queued or running"):
        services.pack_issue_start(actor=cast.leader, pack=pack)
    with pytest.raises(Conflict, match="being issued"):
        services.pack_update(actor=cast.leader, pack=pack, title="Changed while issuing")
    fragment = client.get(status_url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "HX-Refresh" not in fragment
    jobs.job_run(job.pk)  # the worker picks it up
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"  # the page reloads into the frozen pack
    pack.refresh_from_db()
    assert pack.is_issued and set(pack.files) == {packs.SNAPSHOT, "html", "pdf", "pptx"}
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.progress == 1.0 and job.result["pack_id"] == pack.pk


def test_a_failed_render_leaves_a_draft_with_a_clear_message(cast, client, world, monkeypatch):
    pack = _draft(cast)
    before = _files_on_disk()
    original = services.render.render

    def pdf_breaks(document, fmt, **kwargs):
        if fmt == "pdf":
            raise OSError("No space left on device")
        return original(document, fmt, **kwargs)

    monkeypatch.setattr(services.render, "render", pdf_breaks)
    job = services.pack_issue_start(actor=cast.leader, pack=pack)
    jobs.job_run(job.pk)
    job.refresh_from_db()
    pack.refresh_from_db()
    assert job.status == Job.Status.FAILED and "No space left on device" in job.error
    assert pack.state == Pack.State.DRAFT and pack.files == {} and pack.issued_at is None
    assert _files_on_disk() == before  # the HTML and snapshot already written were removed
    client.force_login(cast.leader)
    polled = client.get(reverse("reports:pack_issue_status", args=[pack.pk]), HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true" and "No space left on device" in polled.content.decode()
    page = client.get(reverse("reports:pack_detail", args=[pack.pk])).content.decode()
    assert "No space left on device" in page and "still a draft" in page
    assert f'action="{reverse("reports:pack_issue", args=[pack.pk])}"' in page  # it can be issued again
    monkeypatch.setattr(services.render, "render", original)
    again = services.pack_issue_start(actor=cast.leader, pack=pack)
    jobs.job_run(again.pk)
    pack.refresh_from_db()
    assert pack.is_issued


def test_a_cancelled_issue_stores_nothing(cast, world):
    pack = _draft(cast)
    before = _files_on_disk()
    job = services.pack_issue_start(actor=cast.leader, pack=pack)
    original = services.render.render

    def cancel_midway(document, fmt, **kwargs):
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # someone presses Cancel
        return original(document, fmt, **kwargs)

    with mock.patch.object(services.render, "render", side_effect=cancel_midway):
        jobs.job_run(job.pk)
    job.refresh_from_db()
    pack.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.result == {"pack_id": pack.pk, "cancelled": True}
    assert pack.state == Pack.State.DRAFT and pack.files == {} and _files_on_disk() == before


def test_an_issued_pack_stays_byte_for_byte_after_the_job_and_a_second_issue_is_refused(cast, world):
    pack = _draft(cast)
    job = services.pack_issue_start(actor=cast.leader, pack=pack)
    jobs.job_run(job.pk)
    pack.refresh_from_db()
    stored = {fmt: services.pack_file(pack, fmt) for fmt in ("pptx", "pdf", "html", "json")}
    assert {fmt: storage.sha256(stored[fmt]) for fmt in ("pptx", "pdf", "html")} == {
        fmt: pack.files[fmt]["sha256"] for fmt in ("pptx", "pdf", "html")
    }
    with pytest.raises(Conflict, match="frozen"):
        services.pack_issue_start(actor=cast.leader, pack=pack)
    assert {fmt: services.pack_file(pack, fmt) for fmt in stored} == stored


def test_only_leaders_start_an_issue_and_read_its_progress(cast, client, world):
    pack = _draft(cast)
    client.force_login(cast.pm)
    assert client.post(reverse("reports:pack_issue", args=[pack.pk])).status_code == 403
    assert not Job.objects.filter(unique_key=services.issue_key(pack.pk)).exists()
    services.pack_issue_start(actor=cast.leader, pack=pack)
    assert client.get(reverse("reports:pack_issue_status", args=[pack.pk])).status_code == 403
    client.force_login(cast.leader)
    assert client.get(reverse("reports:pack_issue_status", args=[pack.pk])).status_code == 200
