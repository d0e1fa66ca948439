"""The public portal: one vote per person (even at the same instant), no script injection, abuse
protection, moderation, statuses that follow the idea, and a changelog that tells the voters."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from northstar.core.errors import Conflict, ValidationFailed
from northstar.feedback import portal_services
from northstar.feedback.models import FeedbackItem, Moderation, Post, Vote
from northstar.feedback.services import RateLimited
from northstar.portfolio.models import Stage
from tests.feedback import factories as f

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold**'


@pytest.fixture(autouse=True)
def _clean_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def test_a_visitor_reads_boards_posts_roadmap_and_changelog_without_signing_in(db):
    post = f.make_post(title="Dark mode")
    anonymous = Client()
    for url in (
        reverse("portal:home"),
        reverse("portal:board", args=[post.board.slug]),
        reverse("portal:post", args=[post.pk]),
        reverse("portal:roadmap"),
        reverse("portal:changelog"),
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert b"Dark mode" in response.content or url.endswith(("roadmap/", "changelog/"))
        assert b"Sign out" not in response.content


def test_pending_and_private_posts_are_not_shown(db):
    pending = f.make_post(title="Secret plan", moderation=Moderation.PENDING)
    hidden = f.make_post(board=f.make_board(public=False), title="Hidden board post")
    client = Client()
    assert client.get(reverse("portal:post", args=[pending.pk])).status_code == 404
    assert client.get(reverse("portal:post", args=[hidden.pk])).status_code == 404
    assert b"Secret plan" not in client.get(reverse("portal:home")).content


def test_visitor_text_is_sanitised_everywhere_it_is_shown(cast):
    board = f.make_board()
    post = portal_services.post_submit(
        board=board, title="<b>Title</b>", body=XSS, author_email="v@example.com", client="ip:1"
    )
    portal_services.moderate(actor=cast.pm, target=post, decision=Moderation.APPROVED)
    comment = portal_services.comment_add(post=post, body=XSS, author_email="w@example.com", client="ip:2")
    portal_services.moderate(actor=cast.pm, target=comment, decision=Moderation.APPROVED)
    for url in (reverse("portal:post", args=[post.pk]), reverse("portal:board", args=[board.slug])):
        html = Client().get(url).content.decode()
        assert "<script>alert" not in html
        assert "onerror" not in html
        assert "javascript:alert" not in html
        assert "&lt;b&gt;Title&lt;/b&gt;" in html  # a title is text, never markup
    assert "<strong>bold</strong>" in Client().get(reverse("portal:post", args=[post.pk])).content.decode()
    api = Client().get("/api/v1/portal/posts").json()["items"][0]
    assert "<script" not in api["body_html"] and "onerror" not in api["body_html"]


def _link_token(message) -> str:
    """The token of the confirmation link in an email we sent."""
    prefix = reverse("portal:vote_confirm", args=["TOKEN"]).split("TOKEN")[0]
    return re.search(re.escape(prefix) + r"([^/\s]+)/", message.body).group(1)


def test_one_vote_per_person(cast):
    post = f.make_post()
    portal_services.vote_cast(post=post, user=cast.stakeholder, client="ip:3")
    with pytest.raises(Conflict, match="already voted"):
        portal_services.vote_cast(post=post, user=cast.stakeholder, client="ip:3")
    post.refresh_from_db()
    assert post.vote_count == 1 == Vote.objects.filter(post=post).count()  # signed in: counts at once
    with pytest.raises(ValidationFailed, match="email"):
        portal_services.vote_cast(post=post, email="not-an-email", client="ip:4")


def test_a_visitors_vote_counts_once_they_open_the_emailed_link(db, django_capture_on_commit_callbacks):
    post = f.make_post()
    with django_capture_on_commit_callbacks(execute=True):
        vote = portal_services.vote_cast(
            post=post, email="Ana@Example.com", client="ip:1", base_url="https://x.example/"
        )
    post.refresh_from_db()
    assert vote.confirmed_at is None and post.vote_count == 0
    assert mail.outbox[0].to == ["ana@example.com"] and "https://x.example/portal/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):  # voting again first sends the link again
        portal_services.vote_cast(post=post, email="ana@example.com ", client="ip:2")
    assert len(mail.outbox) == 2 and Vote.objects.filter(post=post).count() == 1
    link = reverse("portal:vote_confirm", args=[_link_token(mail.outbox[0])])
    visitor = Client()
    assert visitor.get(link).status_code == 200  # opening the link (a mail scanner does) counts nothing
    post.refresh_from_db()
    assert post.vote_count == 0
    assert visitor.post(link)["Location"] == reverse("portal:post", args=[post.pk])
    visitor.post(link)  # pressing the button twice counts once
    post.refresh_from_db()
    assert post.vote_count == 1
    with pytest.raises(Conflict, match="already voted"):
        portal_services.vote_cast(post=post, email="ana@example.com", client="ip:3")


def test_the_portal_cannot_be_used_to_flood_someones_inbox(db, django_capture_on_commit_callbacks):
    post, other = f.make_post(), f.make_post()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            portal_services.vote_cast(post=post, email="victim@example.com", client=f"ip:{n}")
        with pytest.raises(RateLimited, match="already emailed a link to victim@"):
            portal_services.vote_cast(post=post, email="victim@example.com", client="ip:9")
        portal_services.vote_cast(post=other, email="victim@example.com", client="ip:10")  # another post
    assert len(mail.outbox) == 3
    assert Vote.objects.filter(email="victim@example.com").count() == 2


def test_a_visitors_own_request_is_confirmed_once_a_moderator_approved_it(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = portal_services.post_submit(
            board=f.make_board(), title="Offline mode", author_email="v@example.com", client="ip:1"
        )
    assert mail.outbox == []  # nothing is emailed about words nobody has read yet
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.moderate(
            actor=cast.pm, target=post, decision=Moderation.APPROVED, base_url="https://x.example/"
        )
    assert mail.outbox[0].to == ["v@example.com"] and "Offline mode" in mail.outbox[0].body
    link = reverse("portal:vote_confirm", args=[_link_token(mail.outbox[0])])
    assert Client().post(link)["Location"] == reverse("portal:post", args=[post.pk])
    post.refresh_from_db()
    assert post.vote_count == 1


def test_a_forged_or_expired_link_counts_nothing(db, monkeypatch):
    post = f.make_post()
    vote = Vote.objects.create(post=post, voter="email:a@x.example", email="a@x.example")
    token = portal_services.vote_token(vote)
    for forged in (token[:-2] + ("xx" if not token.endswith("xx") else "yy"), signing.dumps(vote.pk)):
        with pytest.raises(ValidationFailed, match="not valid"):
            portal_services.vote_confirm(token=forged)
    eight_days_ago = time.time() - 8 * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: eight_days_ago)
        old = portal_services.vote_token(vote)
    with pytest.raises(ValidationFailed, match="expired"):
        portal_services.vote_confirm(token=old)
    post.refresh_from_db()
    vote.refresh_from_db()
    assert post.vote_count == 0 and vote.confirmed_at is None
    page = Client().get(reverse("portal:vote_confirm", args=[old]), follow=True)
    assert "This link has expired" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_by_the_same_person_count_once():
    """Threads race to vote with the same address; the database constraint stores exactly one vote."""
    post = f.make_post()
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote(n: int) -> None:
        try:
            barrier.wait()
            portal_services.vote_cast(
                post=Post.objects.get(pk=post.pk), email="same@example.com", client=f"ip:{n}"
            )
            result = "ok"
        except Conflict:
            result = "conflict"
        except RateLimited:
            result = "RateLimited"
        except Exception as exc:  # SQLite may say "database is locked": that is a refusal too
            result = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=vote, args=(n,)) for n in range(threads_n)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert Vote.objects.filter(post=post).count() == 1
    if connection.vendor == "postgresql":  # one stores it and one more resends the link; then the cap
        assert sorted(outcomes) == ["RateLimited"] * (threads_n - 2) + ["ok"] * 2, outcomes
    post.refresh_from_db()
    assert post.vote_count == 0  # nothing counts before the emailed link is opened


def test_the_honeypot_and_the_rate_limit_stop_bots(db):
    board = f.make_board()
    with pytest.raises(ValidationFailed):
        portal_services.post_submit(
            board=board,
            title="Buy pills",
            author_email="b@example.com",
            client="ip:9",
            honeypot="http://spam",
        )
    assert Post.objects.count() == 0
    for n in range(5):
        portal_services.post_submit(
            board=board, title=f"Idea {n}", author_email="a@example.com", client="ip:7"
        )
    with pytest.raises(RateLimited):
        portal_services.post_submit(board=board, title="Idea 6", author_email="a@example.com", client="ip:7")
    portal_services.post_submit(
        board=board, title="Another visitor", author_email="c@example.com", client="ip:8"
    )


def test_a_rate_limited_visitor_gets_429_not_an_error_page(db):
    post = f.make_post()
    client = Client()
    url = reverse("portal:comment", args=[post.pk])
    statuses = [
        client.post(url, {"body": "hi", "author_email": f"v{n}@example.com"}).status_code for n in range(12)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[10:] == [429, 429]


def test_strangers_wait_for_moderation_and_approved_posts_become_feedback(cast):
    board = f.make_board()
    post = portal_services.post_submit(
        board=board,
        title="Offline mode",
        body="Works on the train",
        author_email="v@example.com",
        client="ip:1",
    )
    assert post.moderation == Moderation.PENDING and post.vote_count == 0  # the author's, once confirmed
    assert Vote.objects.get(post=post).email == "v@example.com"
    assert FeedbackItem.objects.count() == 0
    portal_services.moderate(actor=cast.pm, target=post, decision=Moderation.APPROVED)
    item = FeedbackItem.objects.get()
    assert item.source == "portal" and item.text == "Works on the train"
    team_post = portal_services.post_submit(board=board, title="From the team", user=cast.pm, client="user:x")
    assert team_post.moderation == Moderation.APPROVED


def test_a_linked_post_shows_its_initiatives_stage(cast):
    post = f.make_post()
    portal_services.post_update(actor=cast.pm, post=post, initiative=cast.home_initiative)
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    post.refresh_from_db()
    assert post.get_public_status_display() == "In progress"
    roadmap = Client().get(reverse("portal:roadmap")).content.decode()
    assert post.title in roadmap


def test_publishing_a_changelog_entry_emails_each_voter_once(cast, django_capture_on_commit_callbacks):
    first, second = f.make_post(), f.make_post()
    for email in ("a@example.com", "b@example.com"):
        portal_services.vote_confirm(
            token=portal_services.vote_token(portal_services.vote_cast(post=first, email=email, client=email))
        )
    portal_services.vote_confirm(
        token=portal_services.vote_token(
            portal_services.vote_cast(post=second, email="a@example.com", client="z")
        )
    )
    portal_services.vote_cast(post=second, email="never-confirmed@example.com", client="y")  # not emailed
    entry = f.make_entry(posts=(first, second))
    with django_capture_on_commit_callbacks(execute=True):
        published = portal_services.changelog_publish(
            actor=cast.pm, entry=entry, site_url="https://x.example/c"
        )
    assert published.notified == 2
    recipients = sorted(r for message in mail.outbox for r in message.to)
    assert recipients == ["a@example.com", "b@example.com"]  # a voted twice, is emailed once
    assert "Shipped" in mail.outbox[0].subject
    with pytest.raises(Conflict):
        portal_services.changelog_publish(actor=cast.pm, entry=entry)


def test_the_widget_posts_feedback_with_its_sites_key(cast):
    site = portal_services.widget_site_create(
        actor=cast.leader, name="App", allowed_origin="https://app.example.com"
    )
    client = Client()
    response = client.post(
        "/api/v1/widget/feedback",
        data=json.dumps(
            {"key": site.key, "text": "Export is hidden", "email": "u@example.com", "page": "/reports"}
        ),
        content_type="text/plain",
        HTTP_ORIGIN="https://app.example.com",
    )
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    item = FeedbackItem.objects.get()
    assert item.source == "widget" and item.title == "/reports"
    bad = client.post(
        "/api/v1/widget/feedback", data={"key": "nope", "text": "x"}, content_type="application/json"
    )
    assert bad.status_code == 404 and bad.json()["message"]
    other_origin = client.post(
        "/api/v1/widget/feedback",
        data={"key": site.key, "text": "again"},
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
    )
    assert other_origin.status_code == 403 and other_origin.json()["message"]
    assert "Access-Control-Allow-Origin" not in other_origin
    assert FeedbackItem.objects.count() == 1  # only the first, from the site's own origin


LONG_EMAIL = "a" * 250 + "@example.com"  # 262 characters: longer than any address may be


def test_an_over_long_email_is_refused_with_a_reason_not_a_server_error(db):
    post = f.make_post()
    board = f.make_board()
    for write in (
        lambda: portal_services.vote_cast(post=post, email=LONG_EMAIL, client="c"),
        lambda: portal_services.post_submit(board=board, title="T", author_email=LONG_EMAIL, client="c"),
        lambda: portal_services.comment_add(post=post, body="Hi", author_email=LONG_EMAIL, client="c"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            write()
        assert "too long" in refused.value.message
    assert Vote.objects.count() == 0 and Post.objects.count() == 1
    client = Client()
    voted = client.post(
        f"/api/v1/portal/posts/{post.pk}/votes",
        data={"email": LONG_EMAIL},
        content_type="application/json",
    )
    assert voted.status_code == 422
    posted = client.post(
        "/api/v1/portal/posts",
        data={"board": board.slug, "title": "T", "author_email": LONG_EMAIL},
        content_type="application/json",
    )
    assert posted.status_code == 422
    assert Vote.objects.count() == 0 and Post.objects.count() == 1


def test_two_anonymous_visitors_sending_the_same_words_are_two_items(db):
    site = portal_services.WidgetSite.objects.create(name="App", key="ns_w_same")
    first = portal_services.widget_submit(key=site.key, text="Export is hidden", client="one")
    second = portal_services.widget_submit(key=site.key, text="Export is hidden", client="two")
    assert first.pk != second.pk
    assert FeedbackItem.objects.filter(text="Export is hidden").count() == 2


def test_posts_on_private_boards_cannot_be_voted_on_listed_or_linked(cast):
    hidden = f.make_post(board=f.make_board(public=False), title="Hidden board post")
    shown = f.make_post(title="Public request")
    client = Client()
    voted = client.post(
        f"/api/v1/portal/posts/{hidden.pk}/votes",
        data={"email": "v@example.com"},
        content_type="application/json",
    )
    assert voted.status_code == 404
    assert Vote.objects.filter(post=hidden).count() == 0
    entry = f.make_entry(posts=(hidden, shown))
    entry.published_at = entry.created_at
    entry.save()
    changelog = client.get(reverse("portal:changelog")).content
    assert b"Public request" in changelog and b"Hidden board post" not in changelog
    client.force_login(cast.leader)
    form = client.get(reverse("feedback:changelog_create")).content
    assert b"Public request" in form and b"Hidden board post" not in form


def test_rate_limits_see_visitors_behind_a_trusted_proxy(rf, settings):
    from django.contrib.auth.models import AnonymousUser

    from northstar.feedback.clients import client_id

    request = rf.get("/portal/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    request.user = AnonymousUser()
    assert client_id(request) == "ip:10.0.0.5"  # an untrusted peer's header is ignored
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_id(request) == "ip:203.0.113.7"  # the nearest hop; '6.6.6.6' could be forged
