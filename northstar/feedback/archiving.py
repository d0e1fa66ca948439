"""Feedback items in the archive: registered with `northstar.core.archive` when the app is ready.

Anyone who triages (product managers, leaders, admins) may archive and restore feedback; deleting it
for good is for leaders (the feedback service's own rule).
"""

from __future__ import annotations

from typing import Any

from northstar.core import archive
from northstar.core.models import User
from northstar.feedback import services
from northstar.feedback.models import FeedbackItem
from northstar.org import access


def _can_change(user: User, item: FeedbackItem) -> bool:
    return user.is_authenticated and user.can_write


def _require_change(user: User, item: FeedbackItem) -> None:
    access.require_write(user)


def _delete(*, actor: User, record: Any) -> None:
    services.feedback_delete(actor=actor, item=record)


def _after(item: FeedbackItem, actor: User) -> None:
    """The ideas it was evidence for count it no more: their reach is worked out again."""
    ids = list(item.links.values_list("initiative_id", flat=True))
    if ids:
        services.evidence_reach_refresh(initiative_ids=ids)


def register() -> None:
    archive.register(
        archive.Kind(
            key="feedback",
            label="feedback item",
            plural="feedback items",
            model=FeedbackItem,
            can_change=_can_change,
            require_change=_require_change,
            delete=_delete,
            url_name="feedback:item_detail",
            title=lambda i: (i.title or i.text)[:80],
            after_archive=_after,
        )
    )
