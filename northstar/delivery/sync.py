"""Bringing work items in: the upsert every path shares (sync, export files, webhooks) and the sync.

A sync asks the tool for what changed since the connection's `synced_through`, page by page. Each
page lands in one transaction together with the run's cursor, so a sync stopped half-way (a crash, a
cancel, a rate limit too long to wait out) leaves every stored item whole, and the next sync resumes
from that cursor instead of starting over. `synced_through` moves only when a sync completes, to the
time it began, so nothing changed during a sync is missed by the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from northstar.core.errors import ApplicationError, Conflict, NotFound
from northstar.core.jobs import JobContext
from northstar.delivery.models import Connection, SyncRun, TeamMapping, WorkItem
from northstar.delivery.sources import Record, StatusPatch, source_for

UPDATED_FIELDS = [
    "key",
    "title",
    "kind",
    "status",
    "state",
    "points",
    "parent",
    "parent_key",
    "source_key",
    "team",
    "sprint",
    "url",
    "due_on",
    "created_in_tool",
    "updated_in_tool",
    "done_at",
    "synced_at",
]


def team_map(connection: Connection) -> dict[str, int]:
    return dict(TeamMapping.objects.filter(connection=connection).values_list("source_key", "team_id"))


def items_upsert(connection: Connection, records: Iterable[Record], *, teams: dict[str, int]) -> int:
    """Insert or update records by their id in the tool, in one statement, linking each to its
    container when that is already known (containers arriving later are linked by `parents_resolve`)."""
    rows = {r.external_id: r for r in records}  # the last word on an item within one batch wins
    if not rows:
        return 0
    wanted = {r.parent_key for r in rows.values() if r.parent_key}
    parents = (
        dict(WorkItem.objects.filter(connection=connection, key__in=wanted).values_list("key", "id"))
        if wanted
        else {}
    )
    now = timezone.now()
    objects = [
        WorkItem(
            connection=connection,
            external_id=r.external_id[:120],
            key=r.key[:160],
            title=r.title[:300] or r.key[:300],
            kind=r.kind,
            status=r.status[:80],
            state=r.state,
            points=r.points,
            parent_id=parents.get(r.parent_key),
            parent_key=r.parent_key[:120],
            source_key=r.source_key[:120],
            team_id=teams.get(r.source_key),
            sprint=r.sprint[:120],
            url=r.url[:500],
            due_on=r.due_on,
            created_in_tool=r.created,
            updated_in_tool=r.updated,
            done_at=r.done_at,
            synced_at=now,
        )
        for r in rows.values()
    ]
    WorkItem.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["connection", "external_id"],
        update_fields=UPDATED_FIELDS,
        batch_size=500,
    )
    return len(objects)


def patches_apply(connection: Connection, patches: Iterable[StatusPatch]) -> int:
    """Statuses a board sets (GitHub Projects): the status name, and the state unless the item is done."""
    changed = 0
    for patch in patches:
        items = WorkItem.objects.filter(connection=connection, key=patch.key)
        if patch.state:
            changed += items.exclude(state__in=("done", "cancelled")).update(
                status=patch.status, state=patch.state
            )
        else:
            changed += items.update(status=patch.status)
    return changed


def parents_resolve(connection: Connection) -> int:
    """Link items to containers that arrived after them (or changed): one update per container."""
    orphans = (
        WorkItem.objects.filter(connection=connection)
        .exclude(parent_key="")
        .filter(parent__isnull=True)
        .values_list("parent_key", flat=True)
        .distinct()
    )
    keys = list(orphans)
    linked = 0
    if not keys:
        return 0
    parents = dict(WorkItem.objects.filter(connection=connection, key__in=keys).values_list("key", "id"))
    for key, parent_id in parents.items():
        linked += WorkItem.objects.filter(connection=connection, parent_key=key, parent__isnull=True).update(
            parent_id=parent_id
        )
    return linked


def _claim(connection: Connection, *, job: JobContext | None, actor_id: int | None) -> SyncRun:
    """Start a run, resuming the last one that stopped part-way; refuse a second sync at once."""
    with transaction.atomic():
        Connection.objects.select_for_update().filter(pk=connection.pk).first()
        latest = (
            connection.runs.filter(kind=SyncRun.Kind.API)
            .select_related("job")
            .order_by("-started_at", "-id")
            .first()
        )
        job_id = job.job_id if job else None
        if (
            latest is not None
            and latest.status == SyncRun.Status.RUNNING
            and latest.job is not None
            and latest.job.is_active
            and latest.job_id != job_id
        ):
            raise Conflict("This connection is already syncing: wait for that sync to finish.")
        resume = (
            latest
            if latest is not None and latest.status in (SyncRun.Status.FAILED, SyncRun.Status.RUNNING)
            else None
        )
        run = SyncRun.objects.create(
            connection=connection,
            kind=SyncRun.Kind.API,
            job_id=job_id,
            actor_id=actor_id,
            since=resume.since if resume else connection.synced_through,
            started_through=resume.started_through if resume else timezone.now(),
            phase=resume.phase if resume else "",
            cursor=resume.cursor if resume else "",
            pages=resume.pages if resume else 0,
            items=resume.items if resume else 0,
        )
        if resume is not None:
            SyncRun.objects.filter(pk=resume.pk).update(
                status=SyncRun.Status.RESUMED, finished_at=timezone.now()
            )
    return run


def _stop(run: SyncRun, message: str) -> None:
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.FAILED, error=message[:5000], finished_at=timezone.now()
    )


def delivery_sync(
    *,
    connection_id: int,
    actor_id: int | None = None,
    job: JobContext | None = None,
    sleep: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Sync one connection from its tool (resuming an interrupted sync); returns what it did."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        raise NotFound(f"No delivery connection with id {connection_id}.")
    source = source_for(connection, sleep=sleep)
    run = _claim(connection, job=job, actor_id=actor_id)
    resumed_from = (run.phase, run.pages) if run.phase else None
    teams = team_map(connection)
    phases = list(source.phases)
    start = phases.index(run.phase) if run.phase in phases else 0
    try:
        for index in range(start, len(phases)):
            phase = phases[index]
            cursor = run.cursor if index == start else ""
            while True:
                page = source.fetch(phase, cursor, run.since)
                with transaction.atomic():
                    stored = items_upsert(connection, page.records, teams=teams)
                    patches_apply(connection, page.patches)
                    run.pages += 1
                    run.items += stored
                    if page.next_cursor:
                        run.phase, run.cursor = phase, page.next_cursor
                    else:
                        run.phase = phases[index + 1] if index + 1 < len(phases) else "done"
                        run.cursor = ""
                    run.save(update_fields=["pages", "items", "phase", "cursor"])
                if job is not None:
                    job.progress(
                        (index + 0.5) / len(phases), f"{phase}: {run.items:,} items, page {run.pages}"
                    )
                    if job.cancelled:
                        _stop(
                            run,
                            f"Cancelled after {run.pages} pages; the next sync resumes from there.",
                        )
                        return {"items": run.items, "pages": run.pages, "status": "cancelled"}
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
    except ApplicationError as exc:
        _stop(run, exc.message)
        raise
    except Exception as exc:
        _stop(run, f"{exc.__class__.__name__}: {exc}")
        raise
    finally:
        source.http.close()
    changed = run.items > 0
    with transaction.atomic():
        linked = parents_resolve(connection) if changed else 0
        Connection.objects.filter(pk=connection.pk).update(synced_through=run.started_through)
        SyncRun.objects.filter(pk=run.pk).update(
            status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now(), phase="done", cursor=""
        )
    if changed:  # nothing new: no suggestion or key result can have moved
        from northstar.delivery.services import after_items_changed

        after_items_changed(connection)
    return {
        "items": run.items,
        "pages": run.pages,
        "linked_to_containers": linked,
        "requests": source.http.requests,
        "waited_seconds": round(source.http.waited, 2),
        "resumed_from": list(resumed_from) if resumed_from else None,
        "status": "succeeded",
    }
