"""Initiatives in the archive: registered with `northstar.core.archive` when the app is ready."""

from __future__ import annotations

from typing import Any

from northstar.core import archive
from northstar.core.models import User
from northstar.portfolio import approvals, permissions
from northstar.portfolio.models import Initiative


def _can_change(user: User, initiative: Initiative) -> bool:
    return permissions.can_edit_initiative(
        user, product_id=initiative.product_id, owner_id=initiative.owner_id
    )


def _delete(*, actor: User, record: Any) -> None:
    from northstar.portfolio.services import initiative_delete

    initiative_delete(actor=actor, initiative=record)


def _after_archive(initiative: Initiative, actor: User) -> None:
    """An archived initiative waits for no one: its approval request is closed."""
    approvals.pending_close(actor=actor, initiative=initiative, keep=None)


def register() -> None:
    archive.register(
        archive.Kind(
            key="initiative",
            label="initiative",
            plural="initiatives",
            model=Initiative,
            can_change=_can_change,
            require_change=permissions.require_initiative_edit,
            delete=_delete,
            url_name="portfolio:detail",
            title=lambda i: i.title,
            after_archive=_after_archive,
        )
    )
