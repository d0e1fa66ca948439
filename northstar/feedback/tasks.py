"""Background work of the feedback area: imports and full re-clustering (see northstar.core.jobs)."""

from __future__ import annotations

from northstar.core.jobs import JobContext
from northstar.core.models import User


def _actor(actor_id: int | None) -> User | None:
    return User.objects.filter(pk=actor_id).first() if actor_id else None


def recluster(*, job: JobContext, actor_id: int | None = None, n_themes: int | None = None) -> dict | None:
    """Re-cluster every feedback item into themes, reporting progress."""
    from northstar.feedback.theme_services import themes_recluster

    if job.cancelled:
        return None
    run = themes_recluster(actor=_actor(actor_id), n_themes=n_themes, progress=job.progress)
    return {"themes": run.themes, "items": run.items, "embedder": run.embedder_label, "seconds": run.seconds}


def import_file(
    *,
    job: JobContext,
    actor_id: int,
    token: str,
    kind: str,
    mapping: dict,
    preset: str = "",
    filename: str = "",
    date_order: str = "",
) -> dict | None:
    """Import an uploaded CSV or mail file all-or-nothing; a cancel rolls everything back."""
    from northstar.feedback import imports, theme_services

    actor = _actor(actor_id)
    if actor is None:
        raise RuntimeError("the person who started this import no longer exists")
    path = imports.upload_path(actor=actor, token=token)
    try:
        if kind == "csv":
            batch = imports.feedback_import_csv(
                actor=actor,
                path=path,
                mapping=mapping,
                preset=preset or "generic",
                filename=filename,
                progress=job.progress,
                cancelled=lambda: job.cancelled,
                order=date_order,
            )
        else:
            batch = imports.feedback_import_email(
                actor=actor, path=path, filename=filename, progress=job.progress
            )
    except imports.Cancelled:
        return {"cancelled": True, "added": 0}
    finally:
        path.unlink(missing_ok=True)
    if batch.added and batch.added <= imports.ASSIGN_AFTER_IMPORT_LIMIT:
        job.progress(0.99, "Sorting the new items into themes")
        ids = list(batch.items.filter(theme__isnull=True).values_list("id", flat=True))
        theme_services.themes_assign_new(item_ids=ids)
    return {"batch": batch.pk, "rows": batch.rows, "added": batch.added, "duplicates": batch.duplicates}
