"""Background jobs of the home area (run through northstar.core.jobs)."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext
from northstar.home import mail


def notifications_email(*, job: JobContext, ids: list[int]) -> dict[str, Any]:
    """Email new notifications to the people who want them at once."""
    return {"sent": mail.notifications_email(ids=ids)}


def notification_digests_send(*, job: JobContext) -> dict[str, Any]:
    """Send the daily notification digests that are due."""
    return {"sent": mail.notification_digests_send()}
