"""The guards every request passes: no NUL characters or 65-bit numbers reach a view, API writes carried
by a signed-in session need CSRF (the public portal's included), and every response carries a
Content-Security-Policy and a Permissions-Policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from northstar.feedback.models import Post, Vote
from northstar.portfolio.models import Initiative
from tests.conftest import Cast
from tests.feedback import factories as f
from tests.test_api import bearer, send


@pytest.fixture(autouse=True)
def _clean_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


# NUL characters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/initiatives/{i}", {"title": "a\x00b"}),
        ("post", "/api/v1/initiatives", {"title": "x", "tags": ["ok", "bad\x00"]}),
        ("post", "/api/v1/feedback", {"text": "hello\x00"}),
        ("get", "/api/v1/initiatives?search=%00", None),
        ("get", "/api/v1/people/%00", None),
    ],
)
def test_nul_in_any_api_input_is_a_400_naming_the_field(
    cast: Cast, method: str, path: str, body: object
) -> None:
    before = Initiative.objects.get(pk=cast.home_initiative.pk).title
    response = send(bearer(cast.leader), method, path.format(i=cast.home_initiative.pk), body)
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["message"]
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == before


def test_nul_in_anonymous_portal_posts_votes_and_widget_is_a_400(db: None) -> None:
    post = f.make_post()
    anonymous = Client()
    for url, body in (
        ("/api/v1/portal/posts", {"board": post.board.slug, "title": "x\x00", "author_email": "a@b.co"}),
        (f"/api/v1/portal/posts/{post.pk}/votes", {"email": "a\x00@b.co"}),
        ("/api/v1/widget/feedback", {"key": "k\x00", "text": "t"}),
    ):
        response = anonymous.post(url, json.dumps(body), content_type="text/plain")
        assert response.status_code == 400, (url, response.content)
        assert response.json()["detail"]["field"] in {"title", "email", "key"}
    assert anonymous.get("/api/v1/portal/posts", {"board": "a\x00"}).status_code == 400
    assert Post.objects.count() == 1 and Vote.objects.count() == 0


def test_nul_in_a_web_form_is_a_400_page(cast: Cast, login) -> None:
    web = login(cast.leader)
    response = web.post(
        reverse("portfolio:edit", args=[cast.home_initiative.pk]), {"title": "a\x00", "kind": "feature"}
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    portal = Client().get(reverse("portal:home"), {"q": "x\x00y"})
    assert portal.status_code == 400


# Numbers beyond what a database stores ------------------------------------------------------------


def test_huge_ids_and_page_numbers_are_clear_4xx(cast: Cast) -> None:
    api = bearer(cast.stakeholder)
    for url in (
        "/api/v1/people/99999999999999999999999",
        "/api/v1/initiatives?parent=80748576910044192179160956796928",
        "/api/v1/initiatives?page=1000000000000000000",
        "/api/v1/audit?page=999999999999999999",
        "/api/v1/customers?page=1000000000000000000",
    ):
        response = api.get(url)
        assert response.status_code == 422, (url, response.content)
        assert response.json()["message"]
    anonymous = Client().get("/api/v1/portal/posts", {"page": 10**18})
    assert anonymous.status_code == 422
    assert "page" in anonymous.json()["message"]
    big_body = send(api, "post", "/api/v1/initiatives", {"title": "x", "product_id": 10**30})
    assert big_body.status_code == 422 and "product_id" in big_body.json()["message"]


def test_a_page_past_the_end_is_empty_not_an_error(cast: Cast) -> None:
    page = bearer(cast.stakeholder).get("/api/v1/initiatives", {"page": 999_999}).json()
    assert page["items"] == [] and page["count"] == 2


# CSRF on writes a signed-in session carries --------------------------------------------------------


def test_a_cross_origin_text_plain_post_with_a_session_is_refused(cast: Cast) -> None:
    post = f.make_post()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.pm)
    forged = {"HTTP_ORIGIN": "http://evil.example"}
    publish = browser.post(
        "/api/v1/portal/posts",
        json.dumps({"board": post.board.slug, "title": "Published without moderation"}),
        content_type="text/plain",
        **forged,
    )
    assert publish.status_code == 403
    assert "CSRF" in publish.json()["message"]
    vote = browser.post(f"/api/v1/portal/posts/{post.pk}/votes", "{}", content_type="text/plain", **forged)
    assert vote.status_code == 403
    edit = browser.patch(
        f"/api/v1/initiatives/{cast.home_initiative.pk}", json.dumps({"title": "x"}), **forged
    )
    assert edit.status_code == 403
    assert Post.objects.count() == 1 and Vote.objects.count() == 0
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "Home work"


def test_our_own_pages_pass_the_check_and_tokens_need_none(cast: Cast) -> None:
    post = f.make_post()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.pm)
    browser.get(reverse("portal:home"))  # sets the CSRF cookie, as any page does
    token = browser.cookies["csrftoken"].value
    vote = browser.post(
        f"/api/v1/portal/posts/{post.pk}/votes", "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert vote.status_code == 201
    api = bearer(cast.pm)  # no cookie, no CSRF token: a personal access token is enough
    assert (
        send(api, "patch", f"/api/v1/initiatives/{cast.home_initiative.pk}", {"title": "Y"}).status_code
        == 200
    )
    anonymous = Client(enforce_csrf_checks=True)  # a visitor without a session needs no token either
    visitor = anonymous.post(
        f"/api/v1/portal/posts/{post.pk}/votes",
        json.dumps({"email": "visitor2@example.com"}),
        content_type="text/plain",
        HTTP_ORIGIN="http://evil.example",
    )
    assert visitor.status_code == 202


# Security headers ------------------------------------------------------------------------------


def test_every_response_carries_csp_and_permissions_policy(cast: Cast, login) -> None:
    web = login(cast.leader)
    for response in (
        web.get(reverse("core:home")),
        web.get("/api/v1/initiatives"),
        Client().get(reverse("core:login")),
        Client().get("/api/v1/openapi.json"),
        Client().get("/no-such-page/"),
    ):
        policy = response["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        )
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]
        assert "form-action 'self';" in policy  # no single sign-on here: forms post to this site only


def test_with_single_sign_on_forms_may_also_go_to_the_provider(settings) -> None:
    """Signing out posts here and is redirected to the provider's sign-out page: allowed, nothing else."""
    settings.SSO_END_SESSION_ENDPOINT = "https://id.example.com:8443/session/end"
    policy = Client().get(reverse("core:login"))["Content-Security-Policy"]
    assert "form-action 'self' https://id.example.com:8443;" in policy


def test_no_page_template_has_an_inline_script_or_handler() -> None:
    root = Path(__file__).resolve().parents[2] / "northstar"
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template.name}: {tag}")
        offenders += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        offenders += [f"{template.name}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []
