"""Background work of the analytics area: writing captured events from the ingest buffer."""

from __future__ import annotations

from northstar.analytics import ingest
from northstar.core.jobs import JobContext


def events_drain(*, job: JobContext, chunk: int = ingest.DRAIN_CHUNK) -> dict[str, int]:
    """Write every spooled batch into the event table, `chunk` batches per transaction (see
    `ingest.events_drain`)."""
    total = max(1, ingest.spool_pending())

    def progress(written: int) -> None:
        job.progress(min(1.0, written / total), f"{written:,} events written")

    return {"events": ingest.events_drain(chunk=max(1, chunk), progress=progress)}
