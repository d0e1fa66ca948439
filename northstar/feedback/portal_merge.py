"""Merging duplicate portal requests: one request, every vote once, every follower kept.

Customers post the same idea in different words; split across duplicates, its demand looks smaller than
it is. Merging moves the duplicate's votes, comments and followers to the request it duplicates, and the
duplicate's page then sends visitors there.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from northstar.core import audit
from northstar.core.errors import Conflict, NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.feedback import portal_subscriptions
from northstar.feedback.models import Moderation, Post, Vote
from northstar.org import access


def _recount(post: Post) -> None:
    """The stored count is the number of counted (confirmed) votes, whatever was there before."""
    post.vote_count = Vote.objects.filter(post=post, confirmed_at__isnull=False).count()
    Post.objects.filter(pk=post.pk).update(vote_count=post.vote_count)


def _move_votes(*, source: Post, target: Post) -> None:
    """One vote per person on the merged request: a person who voted on both (by account or by the
    same address) keeps one vote, counted if either of theirs was."""
    kept = {v.voter: v for v in Vote.objects.select_for_update().filter(post=target)}
    by_email = {v.email: v for v in kept.values() if v.email}
    for vote in Vote.objects.select_for_update().filter(post=source):
        twin = kept.get(vote.voter) or (by_email.get(vote.email) if vote.email else None)
        if twin is None:
            vote.post = target
            vote.save(update_fields=["post"])
            kept[vote.voter] = vote
            if vote.email:
                by_email[vote.email] = vote
            continue
        if twin.confirmed_at is None and vote.confirmed_at is not None:
            twin.confirmed_at = vote.confirmed_at
            twin.save(update_fields=["confirmed_at"])
        vote.delete()


@transaction.atomic
def post_merge(*, actor: User, source: Post, target: Post) -> Post:
    """Merge the duplicate `source` into `target`; returns the target with its new vote count.

    Product leaders and managers only (not stakeholders). Both requests must be live; a request that
    was itself merged cannot take or give more (follow its link instead), which keeps merges one hop.
    """
    access.require_write(actor)
    source, target = (
        Post.objects.select_for_update().get(pk=source.pk),
        Post.objects.select_for_update().get(pk=target.pk),
    )
    if source.pk == target.pk:
        raise ValidationFailed("A request cannot be merged into itself.")
    if source.merged_into_id:
        raise Conflict("This request was already merged into another one.")
    if target.merged_into_id:
        raise ValidationFailed("That request was itself merged: merge into the request it points to.")
    if target.moderation != Moderation.APPROVED:
        raise NotFound("Merge into a published request.")
    target_before = audit.snapshot(target)
    _move_votes(source=source, target=target)
    source.comments.update(post=target)
    portal_subscriptions.move_followers(source=source, target=target)
    Post.objects.filter(Q(merged_into=source)).update(merged_into=target)  # older merges follow along
    before = audit.snapshot(source)
    source.merged_into = target
    source.vote_count = 0
    record_save(actor=actor, instance=source, before=before)
    _recount(target)
    audit.audit_update(actor=actor, instance=target, before=target_before, after=audit.snapshot(target))
    return target
