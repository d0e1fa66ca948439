"""Uploads: a configurable size limit (refused before the file reaches the disk), private files, and no
file left behind when an import is never mapped, fails or is interrupted."""

from __future__ import annotations

import os
import stat
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from northstar.core import uploads
from northstar.core.jobs import job_enqueue
from northstar.feedback import imports
from tests.conftest import Cast


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024  # 1 MB


def _age(token: str, hours: float) -> None:
    path = imports.upload_dir() / token
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_an_upload_over_the_limit_is_refused_in_words_and_nothing_is_kept(
    cast: Cast, login, small_limit
) -> None:
    before = set(imports.upload_dir().iterdir())
    big = SimpleUploadedFile("big.csv", b"text\n" + b"x" * (2 * 1024 * 1024), content_type="text/csv")
    response = login(cast.pm).post(reverse("feedback:import_upload"), {"file": big, "preset": "generic"})
    assert response.status_code == 413
    page = response.content.decode()
    assert "limited to 1 MB" in page and "NORTHSTAR_UPLOAD_MAX_MB" in page
    assert set(imports.upload_dir().iterdir()) == before
    with pytest.raises(uploads.TooLarge):
        imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("b.csv", b"x" * (2 * 1024 * 1024)))


def test_an_upload_within_the_limit_goes_on_to_the_mapping(cast: Cast, login, small_limit) -> None:
    small = SimpleUploadedFile("ok.csv", b"text\nFaster exports\n", content_type="text/csv")
    response = login(cast.pm).post(reverse("feedback:import_upload"), {"file": small, "preset": "generic"})
    assert response.status_code == 302 and "/import/" in response["Location"]


def test_uploads_are_private(cast: Cast) -> None:
    token = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("a.csv", b"text\nx\n"))
    path = imports.upload_path(actor=cast.pm, token=token)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_uploads_left_behind_are_cleaned_on_the_next_upload_and_by_the_command(cast: Cast) -> None:
    never_mapped = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("a.csv", b"text\nx\n"))
    waiting = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("b.csv", b"text\ny\n"))
    job_enqueue(
        task="northstar.core.tasks.sample_count",
        kwargs={"token": waiting},
        actor=cast.pm,
        title="Import b.csv",
    )
    _age(never_mapped, 25)
    _age(waiting, 25)
    fresh = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("c.csv", b"text\nz\n"))
    assert not (imports.upload_dir() / never_mapped).exists()
    assert (imports.upload_dir() / fresh).exists()
    _age(fresh, 2)
    call_command("cleanup_uploads", "--hours", "1")
    assert not (imports.upload_dir() / fresh).exists()


def test_a_failed_import_leaves_no_file(cast: Cast, django_capture_on_commit_callbacks) -> None:
    long_email = "a" * 250 + "@example.com"
    content = f"text,email\nFine,ok@example.com\nToo long,{long_email}\n".encode()
    token = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("bad.csv", content))
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.import_start(
            actor=cast.pm, token=token, kind="csv", mapping={"text": "text", "author_email": "email"}
        )
    job.refresh_from_db()
    assert job.status == job.Status.FAILED and "Row 3" in job.error
    assert not (imports.upload_dir() / token).exists()
