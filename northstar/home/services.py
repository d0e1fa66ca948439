"""Writes of the home area: marking home as seen."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from northstar.core.models import User
from northstar.home.models import Visit


def visit_mark_seen(*, user: User, at: datetime | None = None) -> Visit:
    """Start "what changed since my last visit" afresh from now (or `at`). Any signed-in person may."""
    visit, _ = Visit.objects.update_or_create(user=user, defaults={"seen_at": at or timezone.now()})
    return visit
