"""Reads of the home area: comment threads and a person's notifications."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from northstar.core.markdown import render_markdown
from northstar.core.models import User
from northstar.home.models import Comment, Follow, Notification

#: Most comments a thread shows (the newest are kept when there are more).
THREAD_LIMIT = 200


@dataclass
class ThreadItem:
    comment: Comment
    html: str
    replies: list[ThreadItem] = field(default_factory=list)


def comment_thread(*, target: str, target_id: int) -> list[ThreadItem]:
    """A record's comments, oldest first, each with its replies, rendered and sanitised. One query."""
    comments = list(
        Comment.objects.filter(target=target, target_id=target_id)
        .select_related("author")
        .order_by("-created_at", "-id")[:THREAD_LIMIT]
    )
    comments.reverse()
    items = {c.pk: ThreadItem(c, render_markdown(c.body)) for c in comments}
    roots: list[ThreadItem] = []
    for comment in comments:
        item = items[comment.pk]
        parent = items.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(item)
    return roots


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("actor").order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def is_following(*, user: User, initiative_id: int) -> bool:
    return Follow.objects.filter(user=user, initiative_id=initiative_id).exists()
