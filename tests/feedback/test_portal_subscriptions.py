"""Followers of a request hear when its status changes, once each, and can stop with one click."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from northstar.core.errors import ValidationFailed
from northstar.feedback import portal_services, portal_subscriptions
from northstar.feedback.models import Moderation, Post, PostStatus, Vote
from northstar.portfolio.models import Stage
from tests.feedback import factories as f


@pytest.fixture(autouse=True)
def _clean_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _voter(post: Post, email: str, *, confirmed: bool = True) -> None:
    Vote.objects.create(
        post=post, voter=f"email:{email}", email=email, confirmed_at=timezone.now() if confirmed else None
    )


def _followed_post(cast) -> Post:
    """A request with a voter, a signed-in author, a signed-in commenter, an unproven commenter and
    a voter who never confirmed."""
    post = f.make_post(title="Dark mode")
    post.author_user, post.author_email = cast.pm, "pm@x.example"
    post.save()
    _voter(post, "voter@x.example")
    _voter(post, "pm@x.example")  # the author voted too: still one email
    _voter(post, "unconfirmed@x.example", confirmed=False)
    portal_services.comment_add(post=post, body="Yes please", user=cast.leader, client="ip:1")
    cast.leader.email = "lead@x.example"
    cast.leader.save()
    post.comments.update(author_email="lead@x.example")
    f.make_comment(post, moderation=Moderation.APPROVED)  # c@example.com typed into a form: unproven
    return post


def test_subscribers_are_proven_voters_author_and_commenters(cast):
    post = _followed_post(cast)
    assert portal_subscriptions.subscribers(post) == ["lead@x.example", "pm@x.example", "voter@x.example"]
    _voter(f.make_post(), "c@example.com")  # the commenter proved the address by voting elsewhere
    assert "c@example.com" in portal_subscriptions.subscribers(post)


def test_a_status_change_emails_each_follower_once_after_commit(cast, django_capture_on_commit_callbacks):
    post = _followed_post(cast)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        portal_services.post_update(actor=cast.pm, post=post, status=PostStatus.PLANNED)
    assert len(callbacks) == 1  # nothing is sent before the change is committed
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@x.example", "pm@x.example", "voter@x.example"]
    message = mail.outbox[0]
    assert message.subject == "Planned: Dark mode"
    assert "now Planned (it was Under review)" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<strong>Planned</strong>" in html
    assert "/portal/unsubscribe/" in message.body and "/portal/unsubscribe/" in html
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the same status again: no news, no email
        portal_services.post_update(
            actor=cast.pm, post=Post.objects.get(pk=post.pk), status=PostStatus.PLANNED
        )
    assert mail.outbox == []


def test_linking_an_idea_that_moves_the_public_status_emails_followers(
    cast, django_capture_on_commit_callbacks
):
    post = _followed_post(cast)
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.post_update(actor=cast.pm, post=post, initiative=cast.home_initiative)
    assert {m.subject for m in mail.outbox} == {"In progress: Dark mode"}


def _unsubscribe_link(message) -> str:
    return re.search(r"(/portal/unsubscribe/[^\s]+/)", message.body).group(1)


def test_the_unsubscribe_link_stops_that_followers_emails(cast, django_capture_on_commit_callbacks):
    post = _followed_post(cast)
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.post_update(actor=cast.pm, post=post, status=PostStatus.PLANNED)
    to_voter = next(m for m in mail.outbox if m.to == ["voter@x.example"])
    link = _unsubscribe_link(to_voter)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(link)
    assert page.status_code == 200 and "voter@x.example" in page.content.decode()
    assert "voter@x.example" in portal_subscriptions.subscribers(post)  # opening the link changes nothing
    assert visitor.post(link).status_code == 200  # one-click, as mail clients send it (no CSRF form)
    assert "voter@x.example" not in portal_subscriptions.subscribers(post)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.post_update(actor=cast.pm, post=Post.objects.get(pk=post.pk), status=PostStatus.DONE)
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@x.example", "pm@x.example"]
    forged = link.replace("/unsubscribe/", "/unsubscribe/x")
    assert visitor.post(forged).status_code == 422


def test_signed_in_people_follow_and_unfollow_from_the_page(cast):
    post = f.make_post()
    cast.stakeholder.email = "sh@x.example"
    cast.stakeholder.save()
    browser = Client()
    browser.force_login(cast.stakeholder)
    assert "Follow: email me" in browser.get(reverse("portal:post", args=[post.pk])).content.decode()
    browser.post(reverse("portal:follow", args=[post.pk]), {"follow": "1"})
    assert portal_subscriptions.subscribers(post) == ["sh@x.example"]
    assert "Stop following" in browser.get(reverse("portal:post", args=[post.pk])).content.decode()
    browser.post(reverse("portal:follow", args=[post.pk]), {"follow": "0"})
    assert portal_subscriptions.subscribers(post) == []
    anonymous = Client().post(reverse("portal:follow", args=[post.pk]), {"follow": "1"})
    assert anonymous.status_code == 302 and portal_subscriptions.subscribers(post) == []
    nameless = f.make_post()
    cast.stakeholder.email = ""
    with pytest.raises(ValidationFailed):
        portal_subscriptions.subscription_set(post=nameless, user=cast.stakeholder, follow=True)


def test_publishing_a_changelog_marks_its_requests_done_and_tells_followers_once(
    cast, django_capture_on_commit_callbacks
):
    post = _followed_post(cast)
    already = f.make_post()
    already.status = PostStatus.DONE
    already.save()
    _voter(already, "voter@x.example")
    entry = f.make_entry(posts=(post, already))
    with django_capture_on_commit_callbacks(execute=True):
        published = portal_services.changelog_publish(
            actor=cast.pm, entry=entry, site_url="https://x.example/c"
        )
    post.refresh_from_db()
    assert post.status == PostStatus.DONE
    assert published.notified == 3
    assert sorted(r for m in mail.outbox for r in m.to) == [
        "lead@x.example",
        "pm@x.example",
        "voter@x.example",
    ]
    assert all(m.subject.startswith("Shipped") for m in mail.outbox)  # no second, status-change email
    message = next(m for m in mail.outbox if m.to == ["voter@x.example"])
    html, kind = message.alternatives[0]
    assert kind == "text/html" and "<p>Shipped it.</p>" in html and "https://x.example/c" in message.body
    visitor = Client()
    visitor.post(_unsubscribe_link(message))  # the link names one request they follow here
    still = [p for p in (post, already) if "voter@x.example" in portal_subscriptions.subscribers(p)]
    assert len(still) == 1


def test_moving_a_linked_idea_tells_its_requests_followers(cast, django_capture_on_commit_callbacks):
    from northstar.portfolio import services as portfolio_services

    post = _followed_post(cast)
    idea = cast.home_initiative
    portal_services.post_update(actor=cast.pm, post=post, initiative=idea)  # idea stage: shown Under review
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_services.initiative_move(actor=cast.leader, initiative=idea, stage=Stage.DISCOVERY)
    assert mail.outbox == []  # idea → discovery: still "Under review" to customers
    with django_capture_on_commit_callbacks(execute=True):
        portfolio_services.initiative_move(actor=cast.leader, initiative=idea, stage=Stage.PLANNED)
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@x.example", "pm@x.example", "voter@x.example"]
    assert {m.subject for m in mail.outbox} == {"Planned: Dark mode"}
