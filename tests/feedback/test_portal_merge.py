"""Merging duplicate requests: every vote once, followers and comments kept, the old address leads on."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.core.services import api_token_create
from northstar.feedback import portal_merge, portal_subscriptions
from northstar.feedback.models import Moderation, Post, Vote
from tests.feedback import factories as f


@pytest.fixture(autouse=True)
def _clean_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _vote(post: Post, voter: str, email: str, *, confirmed: bool = True) -> Vote:
    vote = Vote.objects.create(
        post=post, voter=voter, email=email, confirmed_at=timezone.now() if confirmed else None
    )
    if confirmed:
        Post.objects.filter(pk=post.pk).update(
            vote_count=post.votes.filter(confirmed_at__isnull=False).count()
        )
    return vote


def test_merging_moves_votes_counting_each_person_once(cast):
    keep, dup = f.make_post(title="Dark mode"), f.make_post(title="Night theme")
    _vote(keep, "email:a@x.example", "a@x.example")
    _vote(keep, "email:b@x.example", "b@x.example", confirmed=False)
    _vote(dup, "email:a@x.example", "a@x.example")  # voted on both: counts once
    _vote(dup, "email:b@x.example", "b@x.example")  # confirmed on the duplicate: now counts
    _vote(dup, "email:c@x.example", "c@x.example")
    _vote(dup, f"user:{cast.pm.pk}", "a@x.example")  # the same address signed in: still one person
    merged = portal_merge.post_merge(actor=cast.pm, source=dup, target=keep)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert merged.vote_count == keep.vote_count == 3
    assert sorted(Vote.objects.filter(post=keep).values_list("email", flat=True)) == [
        "a@x.example",
        "b@x.example",
        "c@x.example",
    ]
    assert dup.merged_into == keep and dup.vote_count == 0 and not dup.votes.exists()
    audited = AuditEntry.objects.filter(record_type="feedback.post", record_id=str(dup.pk)).get()
    assert audited.changes["merged_into_id"] == [None, keep.pk]
    assert AuditEntry.objects.filter(record_type="feedback.post", record_id=str(keep.pk)).exists()


def test_followers_and_comments_of_the_duplicate_follow_the_request_it_joined(cast):
    keep, dup = f.make_post(), f.make_post()
    dup.author_user, dup.author_email = cast.pm, "pm@x.example"
    dup.save()
    comment = f.make_comment(dup, moderation=Moderation.APPROVED)
    _vote(dup, "email:c@x.example", "c@x.example")  # the commenter proved their address by voting
    cast.leader.email = "lead@x.example"
    cast.leader.save()
    portal_subscriptions.subscription_set(post=dup, user=cast.leader, follow=True)
    portal_merge.post_merge(actor=cast.leader, source=dup, target=keep)
    comment.refresh_from_db()
    assert comment.post == keep
    followers = portal_subscriptions.subscribers(keep)
    assert followers == ["c@x.example", "lead@x.example", "pm@x.example"]


def test_a_merged_duplicates_page_leads_to_the_request_it_joined(cast):
    keep, dup = f.make_post(title="Dark mode"), f.make_post(title="Night theme")
    portal_merge.post_merge(actor=cast.pm, source=dup, target=keep)
    visitor = Client()
    response = visitor.get(reverse("portal:post", args=[dup.pk]), follow=True)
    assert response.redirect_chain[0][0] == reverse("portal:post", args=[keep.pk])
    assert "merged into “Dark mode”" in response.content.decode()
    board = visitor.get(reverse("portal:board", args=[dup.board.slug])).content.decode()
    assert "Night theme" not in board  # the duplicate no longer competes for votes
    team = Client()
    team.force_login(cast.pm)
    manage = team.get(reverse("feedback:post_manage", args=[dup.pk])).content.decode()
    assert "Merged into" in manage and reverse("feedback:post_manage", args=[keep.pk]) in manage


def test_merges_stay_one_hop_and_refuse_nonsense(cast):
    a, b, c = f.make_post(), f.make_post(), f.make_post()
    with pytest.raises(ValidationFailed, match="itself"):
        portal_merge.post_merge(actor=cast.pm, source=a, target=a)
    portal_merge.post_merge(actor=cast.pm, source=b, target=a)
    with pytest.raises(Conflict, match="already merged"):
        portal_merge.post_merge(actor=cast.pm, source=b, target=c)
    with pytest.raises(ValidationFailed, match="itself merged"):
        portal_merge.post_merge(actor=cast.pm, source=c, target=b)
    portal_merge.post_merge(actor=cast.pm, source=a, target=c)  # b, merged into a, now leads to c
    assert Post.objects.get(pk=b.pk).merged_into_id == c.pk


def test_only_leaders_and_product_managers_merge(cast):
    keep, dup = f.make_post(), f.make_post()
    with pytest.raises(PermissionDenied):
        portal_merge.post_merge(actor=cast.stakeholder, source=dup, target=keep)
    stakeholder = Client()
    stakeholder.force_login(cast.stakeholder)
    response = stakeholder.post(reverse("feedback:post_merge", args=[dup.pk]), {"into": keep.pk}, follow=True)
    assert "cannot" in response.content.decode().lower() or response.status_code == 403
    assert Post.objects.get(pk=dup.pk).merged_into_id is None
    leader = Client()
    leader.force_login(cast.leader)
    response = leader.post(reverse("feedback:post_merge", args=[dup.pk]), {"into": keep.pk})
    assert response["Location"] == reverse("feedback:post_manage", args=[keep.pk])
    assert Post.objects.get(pk=dup.pk).merged_into_id == keep.pk


def _api(user) -> Client:
    _, raw = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_merges_for_the_team_and_refuses_others(cast):
    keep, dup = f.make_post(), f.make_post()
    _vote(dup, "email:a@x.example", "a@x.example")
    url = f"/api/v1/portal/posts/{dup.pk}/merge"
    body = json.dumps({"into": keep.pk})
    refused = _api(cast.stakeholder).post(url, data=body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["message"]
    anonymous = Client().post(url, data=body, content_type="application/json")
    assert anonymous.status_code == 401
    done = _api(cast.pm).post(url, data=body, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["id"] == keep.pk and done.json()["vote_count"] == 1
    again = _api(cast.pm).post(url, data=body, content_type="application/json")
    assert again.status_code == 409
    missing = _api(cast.pm).post(url, data=json.dumps({"into": 999999}), content_type="application/json")
    assert missing.status_code == 404
