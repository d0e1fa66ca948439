"""Candidate CVs (type and size limits, private, download only) and the all-or-nothing CSV import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from northstar.people import hiring
from northstar.people.candidate_files import CV_MAX_BYTES, cv_folder
from northstar.people.models import Candidate
from tests.people.factories import make_reporting, make_requisition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n<script>alert(1)</script>\n%%EOF"


def test_a_cv_is_stored_privately_and_only_ever_downloaded(cast, login):
    world = make_reporting(cast)
    candidate = hiring.candidate_add(
        actor=cast.leader, requisition=make_requisition(cast, world), name="Cleo", email="cleo@example.com"
    )
    manager = login(world.user("manager"))
    manager.post(f"/people/candidates/{candidate.pk}/cv/", {"cv": SimpleUploadedFile("cleo.pdf", PDF)})
    candidate.refresh_from_db()
    assert candidate.cv_name == "cleo.pdf" and candidate.cv_file.endswith(".pdf")
    stored = cv_folder() / candidate.cv_file
    assert stored.read_bytes() == PDF and stored.stat().st_mode & 0o077 == 0
    download = manager.get(f"/people/candidates/{candidate.pk}/cv/")
    assert download["Content-Disposition"].startswith('attachment; filename="cleo.pdf"')
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert login(cast.pm).get(f"/people/candidates/{candidate.pk}/cv/").status_code == 403


def test_a_cv_that_is_not_a_pdf_or_docx_or_too_large_is_refused(cast, login):
    world = make_reporting(cast)
    candidate = hiring.candidate_add(
        actor=cast.leader, requisition=make_requisition(cast, world), name="Cleo", email="cleo@example.com"
    )
    client = login(world.user("manager"))
    html = SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script></html>")
    page = client.post(f"/people/candidates/{candidate.pk}/cv/", {"cv": html}, follow=True).content.decode()
    assert "must be a PDF or a Word" in page
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * CV_MAX_BYTES)
    page = client.post(f"/people/candidates/{candidate.pk}/cv/", {"cv": big}, follow=True).content.decode()
    assert "at most 5 MB" in page
    candidate.refresh_from_db()
    assert candidate.cv_file == ""
    # Someone outside the hiring team cannot attach one either.
    assert (
        login(cast.pm)
        .post(f"/people/candidates/{candidate.pk}/cv/", {"cv": SimpleUploadedFile("a.pdf", PDF)})
        .status_code
        == 403
    )


def test_a_candidate_import_lands_whole_or_not_at_all(cast, login):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    client = login(world.user("manager"))
    bad = b"name,email,source\nAda,ada@example.com,referral\nBob,not-an-email,inbound\n"
    page = client.post(
        f"/people/hiring/{requisition.pk}/candidates/import/",
        {"file": SimpleUploadedFile("c.csv", bad)},
        follow=True,
    ).content.decode()
    assert "Row 3" in page and "Nothing was imported" in page
    assert not Candidate.objects.exists()
    good = b"name,email,source,applied_on\nAda,ada@example.com,referral,2031-01-05\nBob,bob@example.com,,\n"
    page = client.post(
        f"/people/hiring/{requisition.pk}/candidates/import/",
        {"file": SimpleUploadedFile("c.csv", good)},
        follow=True,
    ).content.decode()
    assert "Imported 2 candidate(s)" in page
    assert sorted(Candidate.objects.values_list("name", "source")) == [
        ("Ada", "referral"),
        ("Bob", "inbound"),
    ]
    refused = login(cast.pm).post(
        f"/people/hiring/{requisition.pk}/candidates/import/", {"file": SimpleUploadedFile("c.csv", good)}
    )
    assert refused.status_code == 403
