"""The portal in the company's name, colour and logo, on its own host name (NORTHSTAR_PORTAL_HOST)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.feedback import portal_branding
from tests.feedback import factories as f

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def _clean_cache(db):
    cache.clear()
    yield
    cache.clear()


def _brand(cast, **kw):
    values = {"company_name": "Acme", "primary_color": "#1a4d2e"} | kw
    return portal_branding.branding_update(actor=cast.leader, **values)


def test_every_portal_page_shows_the_company_name_colour_and_logo(cast, django_capture_on_commit_callbacks):
    post = f.make_post(title="Dark mode")
    with django_capture_on_commit_callbacks(execute=True):
        _brand(cast, logo_upload=SimpleUploadedFile("logo.png", PNG, content_type="image/png"))
    visitor = Client()
    for url in (
        reverse("portal:home"),
        reverse("portal:board", args=[post.board.slug]),
        reverse("portal:post", args=[post.pk]),
        reverse("portal:roadmap"),
        reverse("portal:changelog"),
    ):
        html = visitor.get(url).content.decode()
        assert "Acme feedback" in html, url
        assert "--accent: #1a4d2e" in html, url
        logo_url = reverse("portal:logo", args=[portal_branding.current_branding().logo_sha])
        assert f'src="{logo_url}"' in html, url
    logo = visitor.get(logo_url)
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png" and logo.content == PNG
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(record_type="feedback.portalbranding").exists()


@pytest.mark.parametrize(
    ("color", "message"),
    [
        ("red", "six hex digits"),
        ("#12345", "six hex digits"),
        ('#123456"><script>', "six hex digits"),
        ("#ffff00", "hard to read"),  # yellow: white text on it cannot be read
        ("#7fb3d5", "hard to read"),
    ],
)
def test_a_colour_that_is_not_hex_or_not_readable_is_refused(cast, color, message):
    with pytest.raises(ValidationFailed, match=message):
        _brand(cast, primary_color=color)


def test_readable_colours_pass_and_the_contrast_is_the_wcag_ratio():
    assert round(portal_branding.contrast_with_white("#000000"), 1) == 21.0
    assert round(portal_branding.contrast_with_white("#767676"), 2) == 4.54  # the classic AA grey
    assert portal_branding.clean_color("#2D5B7D") == "#2d5b7d"


def test_the_logo_goes_through_the_upload_checks(cast, settings):
    svg = SimpleUploadedFile("logo.svg", b"<svg onload=alert(1)></svg>", content_type="image/svg+xml")
    with pytest.raises(ValidationFailed, match="PNG, JPEG"):
        _brand(cast, logo_upload=svg)
    big = SimpleUploadedFile("logo.png", PNG + b"\0" * (600 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed, match="512 KB"):
        _brand(cast, logo_upload=big)
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(Exception, match="uploads are limited"):
        _brand(cast, logo_upload=SimpleUploadedFile("logo.png", PNG, content_type="image/png"))


def test_only_leaders_change_the_branding_and_bad_input_is_a_clear_4xx(cast):
    with pytest.raises(PermissionDenied):
        portal_branding.branding_update(actor=cast.pm, company_name="X", primary_color="")
    pm = Client()
    pm.force_login(cast.pm)
    assert pm.get(reverse("feedback:portal_branding")).status_code == 403
    leader = Client()
    leader.force_login(cast.leader)
    assert leader.get(reverse("feedback:portal_branding")).status_code == 200
    bad = leader.post(
        reverse("feedback:portal_branding"), {"company_name": "Acme", "primary_color": "#ffff00"}
    )
    assert bad.status_code == 422 and "hard to read" in bad.content.decode()
    ok = leader.post(
        reverse("feedback:portal_branding"), {"company_name": "Acme", "primary_color": "#1a4d2e"}
    )
    assert ok.status_code == 302


def test_the_portals_own_host_serves_the_portal_at_the_root(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["testserver", "feedback.acme.example"]
    settings.PORTAL_HOST = "feedback.acme.example"
    post = f.make_post(title="Dark mode")
    with django_capture_on_commit_callbacks(execute=True):
        _brand(cast)
    on_host = Client(HTTP_HOST="Feedback.Acme.Example")
    home = on_host.get("/")
    assert home.status_code == 200 and "Dark mode" in home.content.decode()
    page = on_host.get(f"/p/{post.pk}/")
    assert page.status_code == 200
    assert f'href="/b/{post.board.slug}/"' in page.content.decode()  # links stay on the short addresses
    app = Client().get("/")  # the app's own host keeps the app's home
    assert "Acme feedback" not in app.content.decode()
    assert Client(HTTP_HOST="evil.example").get("/").status_code == 400  # not in ALLOWED_HOSTS


def _settings_in_a_fresh_process(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    code = "import northstar.settings as s; print(','.join(s.ALLOWED_HOSTS))"
    environ = {**os.environ, "NORTHSTAR_DATA_DIR": str(tmp_path), "SECRET_KEY": "x" * 50, **env}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_portal_host_setting_is_checked_and_allowed(tmp_path):
    """NORTHSTAR_PORTAL_HOST is added to ALLOWED_HOSTS; a URL instead of a host name stops start-up."""
    ok = _settings_in_a_fresh_process(
        tmp_path, NORTHSTAR_PORTAL_HOST="Feedback.Acme.Example", ALLOWED_HOSTS="northstar.acme.example"
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "northstar.acme.example,feedback.acme.example"
    bad = _settings_in_a_fresh_process(tmp_path, NORTHSTAR_PORTAL_HOST="https://feedback.acme.example/")
    assert bad.returncode != 0 and "NORTHSTAR_PORTAL_HOST: give a host name only" in bad.stderr
