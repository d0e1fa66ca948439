"""Uploaded import files: kept private in the data directory until their import job has run.

The upload is saved first, the person maps its columns, then `import_start` queues the job that
imports it (see `northstar.feedback.tasks.import_file`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings

from northstar.core import uploads
from northstar.core.csv_read import date_order
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.org import access


def upload_dir() -> Path:
    """Where uploaded files wait for their import: the data directory (never the database), private."""
    return uploads.private_folder(Path(settings.DATA_DIR) / "imports")


def upload_save(*, actor: User, upload: Any) -> str:
    """Keep an uploaded file (private, within the size limit) for the import job; returns its token.

    Each new upload first clears the uploads left behind (never mapped, failed or interrupted).
    """
    import secrets

    access.require_write(actor)
    uploads.check_size(getattr(upload, "size", None))
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in {".csv", ".eml", ".mbox", ".zip", ".txt", ""}:
        raise ValidationFailed("Upload a .csv file, an .mbox, an .eml, or a .zip of .eml files.")
    uploads_cleanup()
    token = f"{actor.pk}-{secrets.token_hex(12)}{suffix}"
    uploads.save_private(upload_dir(), token, upload.chunks())
    return token


def uploads_cleanup(*, older_than: float = uploads.STALE_AFTER_SECONDS) -> int:
    """Delete uploads nobody imported within `older_than` seconds, except those a queued or running
    import job still needs. Returns how many files were deleted."""
    from northstar.core.models import Job

    waiting = Job.objects.filter(
        task="northstar.feedback.tasks.import_file", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).values_list("kwargs", flat=True)
    keep = {kwargs.get("token", "") for kwargs in waiting if isinstance(kwargs, dict)}
    return uploads.cleanup(upload_dir(), older_than=older_than, keep=keep)


def upload_path(*, actor: User, token: str) -> Path:
    """The saved upload for this token; only the person who uploaded it may use it."""
    if not re.fullmatch(r"\d+-[0-9a-f]{24}(\.[a-z]{1,5})?", token) or not token.startswith(f"{actor.pk}-"):
        raise ValidationFailed("That upload is not yours or has expired: upload the file again.")
    path = upload_dir() / token
    if not path.exists():
        raise ValidationFailed("That upload has expired: upload the file again.")
    return path


def import_start(
    *,
    actor: User,
    token: str,
    kind: str,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    filename: str = "",
    order: str = "",
) -> Any:
    """Queue an import job for a saved upload (the job shows progress and can be cancelled)."""
    from northstar.core.jobs import job_enqueue
    from northstar.feedback.imports import check_mapping, csv_preview

    access.require_write(actor)
    path = upload_path(actor=actor, token=token)
    if kind == "csv":
        headers, _ = csv_preview(path, rows=0)
        check_mapping(headers, mapping or {})
    return job_enqueue(
        task="northstar.feedback.tasks.import_file",
        kwargs={
            "actor_id": actor.pk,
            "token": token,
            "kind": kind,
            "mapping": mapping or {},
            "preset": preset,
            "filename": filename,
            "date_order": date_order(order),
        },
        actor=actor,
        title=f"Import {filename or 'feedback'}",
    )
