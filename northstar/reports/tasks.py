"""Background jobs of the reports area (run through northstar.core.jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from northstar.core.jobs import JobContext
from northstar.reports import digests


def mail_send(*, job: JobContext, frequency: str = "") -> dict[str, Any]:
    """Send the digests that are due, then the status-update reminders that are due."""
    job.progress(0.0, "Sending digests")
    sent = digests.digests_send(frequency=frequency or None, progress=lambda f, m: job.progress(f * 0.9, m))
    reminders = digests.status_reminders_send()
    return {"digests": sent, "reminders": reminders}


def pack_issue(
    *, job: JobContext, pack_id: int, actor_id: int | None = None, as_of: str = ""
) -> dict[str, Any]:
    """Issue a draft pack: read its data, render PPTX, PDF and HTML, then freeze it (all or nothing).
    `as_of` (ISO time) dates the issue, as the demo's pack issued at the end of last quarter is.

    A failure leaves the draft as it was (no files) and the job failed with the reason; a cancel
    does the same and the job ends cancelled.
    """
    from northstar.core.errors import Conflict
    from northstar.core.models import User
    from northstar.reports import services
    from northstar.reports.models import Pack

    pack = Pack.objects.filter(pk=pack_id).first()
    if pack is None:
        raise Conflict("The pack was deleted before it could be issued.")
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        issued = services.pack_freeze(
            pack=pack,
            actor=actor,
            as_of=datetime.fromisoformat(as_of) if as_of else None,
            progress=job.progress,
            job=job,
        )
    except services.IssueCancelled:
        return {"pack_id": pack_id, "cancelled": True}
    return {
        "pack_id": issued.pk,
        "issued_at": issued.issued_at.isoformat() if issued.issued_at else "",
        "files": {fmt: meta["bytes"] for fmt, meta in issued.files.items()},
    }
