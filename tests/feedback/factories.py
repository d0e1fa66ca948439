"""Factories of the feedback area: customers, items, themes and portal records with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from northstar.core.models import Job, User
from northstar.feedback.models import (
    Board,
    ChangelogEntry,
    Comment,
    Customer,
    FeedbackItem,
    Moderation,
    Post,
    Segment,
    Source,
    Theme,
)
from northstar.feedback.services import build_item

_seq = itertools.count(1)


def make_customer(
    name: str = "", *, segment: str = Segment.SMB, revenue: str = "10000", currency: str = "EUR"
) -> Customer:
    return Customer.objects.create(
        name=name or f"Customer {next(_seq)}",
        segment=segment,
        annual_revenue=Decimal(revenue),
        currency=currency,
    )


def make_item(
    text: str = "",
    *,
    customer: Customer | None = None,
    source: str = Source.MANUAL,
    theme: Theme | None = None,
    received_at: datetime | None = None,
    author_email: str = "",
) -> FeedbackItem:
    item = build_item(
        text=text or f"Please add feature number {next(_seq)}",
        source=source,
        customer_id=customer.pk if customer else None,
        received_at=received_at or timezone.now(),
        author_email=author_email,
    )
    item.theme = theme
    item.save()
    return item


def make_theme(name: str = "", *, items: int = 0, pinned: bool = False) -> Theme:
    theme = Theme.objects.create(
        name=name or f"Theme {next(_seq)}", pinned=pinned, keywords=[["export", 0.5]]
    )
    for _ in range(items):
        make_item(theme=theme)
    theme.size = items
    theme.save()
    return theme


def make_board(name: str = "", *, public: bool = True) -> Board:
    n = next(_seq)
    return Board.objects.create(name=name or f"Board {n}", slug=f"board-{n}", is_public=public)


def make_post(
    *, board: Board | None = None, title: str = "", body: str = "", moderation: str = Moderation.APPROVED
) -> Post:
    return Post.objects.create(
        board=board or make_board(),
        title=title or f"Request {next(_seq)}",
        body=body,
        moderation=moderation,
        author_email="visitor@example.com",
    )


def make_comment(post: Post, *, moderation: str = Moderation.PENDING) -> Comment:
    return Comment.objects.create(
        post=post, body="Me too", moderation=moderation, author_email="c@example.com"
    )


def make_entry(*, posts: tuple[Post, ...] = ()) -> ChangelogEntry:
    entry = ChangelogEntry.objects.create(title=f"Release {next(_seq)}", body="Shipped it.")
    entry.posts.set(posts)
    return entry


def make_job(user: User) -> Job:
    return Job.objects.create(title="Import x.csv", task="northstar.core.tasks.sample_count", actor=user)
