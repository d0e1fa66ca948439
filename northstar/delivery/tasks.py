"""Background jobs of the delivery area: they call services and return what happened."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext
from northstar.delivery.sync import delivery_sync


def connection_sync(*, job: JobContext, connection_id: int, actor_id: int | None = None) -> dict[str, Any]:
    """Sync one connection; a failure is recorded on the run and the next sync resumes it."""
    job.progress(0.0, "Asking the tool for what changed")
    result = delivery_sync(connection_id=connection_id, actor_id=actor_id, job=job)
    job.progress(1.0, f"{result['items']:,} items in {result['pages']} pages")
    return result
