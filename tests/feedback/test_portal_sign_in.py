"""Sign-in from the customer's app (a signed token) and boards private to customer segments."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import jwt
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.feedback import portal_services, portal_sso, selectors
from northstar.feedback.models import Post, Segment, Vote
from tests.feedback import factories as f


@pytest.fixture(autouse=True)
def _clean_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(cast):
    return portal_services.widget_site_create(actor=cast.leader, name="Acme app")


def _token(site, *, secret: str | None = None, lifetime: int = 300, **claims) -> str:
    now = int(time.time())
    body = {
        "email": "Ana@Globex.example",
        "name": "Ana",
        "account": "Globex",
        "iat": now,
        "exp": now + lifetime,
    }
    body.update(claims)
    return jwt.encode(
        {k: v for k, v in body.items() if v is not None}, secret or site.sso_secret, algorithm="HS256"
    )


def _sign_in(client: Client, site, token: str, next_url: str = ""):
    query = {"site": site.key, "token": token}
    if next_url:
        query["next"] = next_url
    return client.get(reverse("portal:sso"), query)


def test_a_signed_in_customers_vote_counts_at_once_and_carries_the_account(cast, site):
    globex = f.make_customer("Globex", segment=Segment.ENTERPRISE, revenue="400000")
    post = f.make_post(title="SAML login")
    idea = cast.home_initiative
    portal_services.post_update(actor=cast.pm, post=post, initiative=idea)
    browser = Client()
    signed = _sign_in(browser, site, _token(site), next_url=reverse("portal:post", args=[post.pk]))
    assert signed.status_code == 302 and signed["Location"] == reverse("portal:post", args=[post.pk])
    page = browser.get(reverse("portal:post", args=[post.pk])).content.decode()
    assert "Ana" in page  # the portal shows who is signed in
    voted = browser.post(reverse("portal:vote", args=[post.pk]), {})
    assert voted.status_code == 302
    vote = Vote.objects.get(post=post)
    assert vote.email == "ana@globex.example" and vote.customer == globex and vote.confirmed_at is not None
    assert mail.outbox == []  # no confirmation link: the app vouched for the address
    post.refresh_from_db()
    assert post.vote_count == 1
    demand = selectors.demand_for_initiatives([idea.pk])[idea.pk]
    assert demand.votes == 1 and demand.customers == 1 and demand.revenue == {"EUR": Decimal("400000")}


@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (lambda s: _token(s, lifetime=-120), 401, "expired"),
        (lambda s: _token(s, secret="not-the-secret-" + "x" * 20), 401, "signature"),
        (lambda s: _token(s, lifetime=86_400), 401, "at most one hour"),
        (lambda s: _token(s, email=None), 422, "lacks the &#x27;email&#x27; claim"),
        (lambda s: _token(s, exp=None), 422, "lacks the &#x27;exp&#x27; claim"),
        (lambda s: "not.a.jwt", 401, "not valid"),
        (
            lambda s: jwt.encode(
                {"email": "a@b.example", "exp": int(time.time()) + 60}, "k" * 64, algorithm="HS512"
            ),
            401,
            "",
        ),
    ],
)
def test_a_bad_token_gets_a_clear_refusal_not_an_error_page(site, make, status, words):
    browser = Client()
    response = _sign_in(browser, site, make(site))
    assert response.status_code == status
    assert words in response.content.decode()
    assert portal_sso._SESSION_KEY not in browser.session


def test_an_unknown_site_or_a_site_without_sign_in_is_not_found(cast, site):
    assert Client().get(reverse("portal:sso"), {"site": "nope", "token": "x"}).status_code == 404
    site.sso_secret = ""
    site.save()
    assert _sign_in(Client(), site, _token(site, secret="k" * 32)).status_code == 404


def test_sign_in_does_not_redirect_to_another_site(site):
    response = _sign_in(Client(), site, _token(site), next_url="https://evil.example/")
    assert response["Location"] == reverse("portal:home")


def test_an_earlier_emailed_vote_counts_once_the_customer_signs_in(cast, site):
    f.make_customer("Globex")
    post = f.make_post()
    portal_services.vote_cast(post=post, email="ana@globex.example", client="ip:1")
    browser = Client()
    _sign_in(browser, site, _token(site))
    browser.post(reverse("portal:vote", args=[post.pk]), {})
    vote = Vote.objects.get(post=post)
    assert vote.confirmed_at is not None and vote.customer is not None
    assert Post.objects.get(pk=post.pk).vote_count == 1


def test_boards_private_to_a_segment_open_only_to_its_signed_in_customers_and_the_team(cast, site):
    f.make_customer("Globex", segment=Segment.ENTERPRISE)
    f.make_customer("Corner shop", segment=Segment.SMB)
    private = portal_services.board_create(
        actor=cast.leader, name="Enterprise beta", segments=[Segment.ENTERPRISE]
    )
    post = f.make_post(board=private, title="Audit log export")
    urls = [reverse("portal:board", args=[private.slug]), reverse("portal:post", args=[post.pk])]

    stranger = Client()
    for url in urls:
        assert stranger.get(url).status_code == 404
    assert stranger.post(reverse("portal:vote", args=[post.pk]), {"email": "x@y.example"}).status_code == 404
    home = stranger.get(reverse("portal:home")).content.decode()
    assert "Enterprise beta" not in home and "Audit log export" not in home
    assert "Audit log export" not in Client().get("/api/v1/portal/posts").content.decode()

    smb = Client()
    _sign_in(smb, site, _token(site, email="bob@shop.example", account="Corner shop"))
    assert all(smb.get(url).status_code == 404 for url in urls)

    enterprise = Client()
    _sign_in(enterprise, site, _token(site))
    assert all(enterprise.get(url).status_code == 200 for url in urls)
    assert "Enterprise beta" in enterprise.get(reverse("portal:home")).content.decode()

    team = Client()
    team.force_login(cast.stakeholder)
    assert all(team.get(url).status_code == 200 for url in urls)


def test_board_segments_are_checked_and_only_leaders_make_boards(cast):
    with pytest.raises(ValidationFailed, match="Unknown segment 'gold'"):
        portal_services.board_create(actor=cast.leader, name="Gold", segments=["gold"])
    with pytest.raises(PermissionDenied):
        portal_services.board_create(actor=cast.pm, name="Beta", segments=[Segment.SMB])
    leader = Client()
    leader.force_login(cast.leader)
    leader.post(reverse("feedback:board_create"), {"name": "Beta", "segments": ["smb", "enterprise"]})
    from northstar.feedback.models import Board

    assert Board.objects.get(slug="beta").segments == ["enterprise", "smb"]


def test_a_leader_replaces_a_leaked_secret_and_tokens_signed_with_the_old_one_stop(cast, site, client):
    old = _token(site)
    client.force_login(cast.leader)
    response = client.post(reverse("feedback:widget_secret_rotate", args=[site.pk]))
    assert response.status_code == 302
    site.refresh_from_db()
    assert _sign_in(Client(), site, old).status_code == 401
    assert _sign_in(Client(), site, _token(site)).status_code == 302
    client.force_login(cast.pm)  # a PM may not: the secret is the company's
    assert client.post(reverse("feedback:widget_secret_rotate", args=[site.pk])).status_code == 403


def test_the_widget_files_a_signed_in_users_feedback_under_their_account(cast, site):
    """The app renders its user's token into the widget tag: the feedback carries the account and
    its revenue, whatever the form's email says; a forged token is refused and nothing is stored."""
    from northstar.feedback.models import FeedbackItem

    globex = f.make_customer("Globex", segment=Segment.ENTERPRISE, revenue="400000")

    def send(token: str, email: str = "someone@else.example"):
        body = {"key": site.key, "text": "Exports time out", "email": email, "token": token}
        return Client().post("/api/v1/widget/feedback", data=json.dumps(body), content_type="text/plain")

    assert send(_token(site)).status_code == 201
    item = FeedbackItem.objects.get()
    assert item.author_email == "ana@globex.example" and item.author_name == "Ana"
    assert item.customer == globex
    forged = send(_token(site, secret="not-the-secret-" + "x" * 20))
    assert forged.status_code == 401 and "signature" in forged.json()["message"]
    assert FeedbackItem.objects.count() == 1
