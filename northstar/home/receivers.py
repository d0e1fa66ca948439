"""Notifications that follow other areas' records without those areas knowing about home.

A stage-gate approval request is created once and decided once (portfolio.approvals, under a row
lock), so notifying on its saves tells each person once; home subscribes here instead of every
approval service calling it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from northstar.core.models import AuditEntry
from northstar.planning.models import Roadmap
from northstar.portfolio.models import ApprovalRequest


def _approval_saved(
    sender: type, instance: ApprovalRequest, created: bool, raw: bool = False, **kw: Any
) -> None:
    if raw:
        return
    from northstar.home.services import approval_notify

    # In the request's own transaction: a refused approval leaves no notification behind.
    with transaction.atomic():
        approval_notify(request=instance, created=created)


def _audited(sender: type, instance: AuditEntry, created: bool, raw: bool = False, **kw: Any) -> None:
    """An initiative's stage move, however it was made (web, API, bulk, approval), is in its audit
    entry: its followers hear of it from there, in the move's own transaction."""
    if raw or not created or instance.record_type != "portfolio.initiative":
        return
    stage = (instance.changes or {}).get("stage")
    if instance.action != AuditEntry.Action.UPDATE or not isinstance(stage, list) or len(stage) != 2:
        return
    from northstar.home.services import initiative_moved_notify

    initiative_moved_notify(
        initiative_id=int(instance.record_id), old=stage[0], new=stage[1], actor=instance.actor
    )


def _roadmap_saved(sender: type, instance: Roadmap, created: bool, raw: bool = False, **kw: Any) -> None:
    """A published roadmap's changes are written after the roadmap itself: tell followers once the
    publishing transaction has committed them."""
    if raw or not created:
        return
    from northstar.home.services import roadmap_changes_notify

    roadmap_id = instance.pk
    transaction.on_commit(lambda: roadmap_changes_notify(roadmap_id=roadmap_id))


def connect() -> None:
    post_save.connect(_approval_saved, sender=ApprovalRequest, dispatch_uid="home-approval-notify")
    post_save.connect(_audited, sender=AuditEntry, dispatch_uid="home-followers-moves")
    post_save.connect(_roadmap_saved, sender=Roadmap, dispatch_uid="home-followers-roadmap")
