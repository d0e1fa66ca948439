"""Notifications that follow other areas' records without those areas knowing about home.

A stage-gate approval request is created once and decided once (portfolio.approvals, under a row
lock), so notifying on its saves tells each person once; home subscribes here instead of every
approval service calling it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

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


def connect() -> None:
    post_save.connect(_approval_saved, sender=ApprovalRequest, dispatch_uid="home-approval-notify")
