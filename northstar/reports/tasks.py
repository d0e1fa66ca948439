"""Background jobs of the reports area (run through northstar.core.jobs)."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext
from northstar.reports import digests


def mail_send(*, job: JobContext, frequency: str = "") -> dict[str, Any]:
    """Send the digests that are due, then the status-update reminders that are due."""
    job.progress(0.0, "Sending digests")
    sent = digests.digests_send(frequency=frequency or None, progress=lambda f, m: job.progress(f * 0.9, m))
    reminders = digests.status_reminders_send()
    return {"digests": sent, "reminders": reminders}
