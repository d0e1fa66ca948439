"""API: who am I, personal access tokens, and the audit log."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core import archive, jobs, selectors, services
from northstar.core.models import AuditEntry
from northstar.core.pagination import Pagination
from northstar.core.web import user_of
from northstar.org import access

router = Router(tags=["core"])


class MeOut(Schema):
    id: int
    username: str
    role: str
    person_id: int | None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    scope: Literal["read", "write"] = Field("write", description="read: GET only; write: changes too.")
    expires_in_days: int | None = Field(
        90, ge=1, le=366, description="Days until the token is refused; null for a token that never expires."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself; shown once, store it now.")


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str | None
    action: str
    record_type: str
    record_id: str
    record_repr: str
    changes: dict

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str | None:
        return obj.actor.username if obj.actor else None


class AuditFilter(Schema):
    record_type: str = Field("", description="app_label.model, e.g. portfolio.initiative")
    record_id: str = ""
    actor_id: int | None = None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict:
    user = user_of(request)
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "person_id": getattr(person, "pk", None),
    }


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> list:
    return list(selectors.api_token_list(user=user_of(request)))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict]:
    token, raw = services.api_token_create(
        user=user_of(request), name=payload.name, scope=payload.scope, expires_in_days=payload.expires_in_days
    )
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> tuple[int, None]:
    services.api_token_revoke(user=user_of(request), token_id=token_id)
    return 204, None


@router.get("/audit", response=list[AuditOut], tags=["audit"])
@paginate(Pagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]) -> object:
    """Every create, update and delete, newest first; filter by record to see one record's history."""
    access.require_audit_reader(user_of(request))
    return selectors.audit_list(**filters.dict())


class JobOut(Schema):
    id: int
    title: str
    status: str
    progress: float
    message: str
    result: dict | None
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def job_get(request: HttpRequest, job_id: int) -> object:
    """A background job's progress (planning runs, re-clustering, imports)."""
    return jobs.job_get(job_id=job_id, user=user_of(request))


@router.post("/jobs/{job_id}/cancel", response=JobOut, tags=["jobs"])
def job_cancel(request: HttpRequest, job_id: int) -> object:
    job = jobs.job_get(job_id=job_id, user=user_of(request))
    return jobs.job_cancel(job=job, actor=user_of(request))


# Archive -----------------------------------------------------------------------------------------


class ArchivedOut(Schema):
    kind: str
    id: int
    title: str
    archived: bool
    archived_at: datetime | None
    archived_by: str | None


class IdsIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=archive.BULK_LIMIT)


def _archived_out(kind: archive.Kind, record: object) -> dict:
    by = getattr(record, "archived_by", None)
    return {
        "kind": kind.key,
        "id": record.pk,  # type: ignore[attr-defined]
        "title": kind.title(record),
        "archived": record.is_archived,  # type: ignore[attr-defined]
        "archived_at": record.archived_at,  # type: ignore[attr-defined]
        "archived_by": by.username if by is not None else None,
    }


class _ArchivedPage:
    """One kind's archive as a sliceable sequence of API rows (the paginator slices it)."""

    def __init__(self, kind: archive.Kind) -> None:
        self.kind, self.records = kind, archive.archived(kind)

    def __len__(self) -> int:
        return self.records.count()

    def __getitem__(self, window: slice) -> list[dict]:
        return [_archived_out(self.kind, r) for r in self.records[window]]


@router.get("/archive", response=list[ArchivedOut], tags=["archive"])
@paginate(Pagination)
def archive_list(request: HttpRequest, kind: str) -> object:
    """Archived records of one kind (initiative, objective, kpi, scenario, feedback), newest first."""
    return _ArchivedPage(archive.kind_get(kind))


@router.post("/archive/{kind}/restore", response=list[ArchivedOut], tags=["archive"])
def restore_many(request: HttpRequest, kind: str, payload: IdsIn) -> list[dict]:
    """Restore many at once, all or none. (Declared before the one-record routes, which it would match.)"""
    k = archive.kind_get(kind)
    return [
        _archived_out(k, r) for r in archive.records_restore(actor=user_of(request), kind=k, ids=payload.ids)
    ]


@router.post("/archive/{kind}/{record_id}", response=ArchivedOut, tags=["archive"])
def archive_record(request: HttpRequest, kind: str, record_id: int) -> dict:
    """Archive one record: out of lists and plans, still reachable, restorable."""
    k = archive.kind_get(kind)
    record = archive.record_archive(actor=user_of(request), kind=k, record=archive.record_get(k, record_id))
    return _archived_out(k, record)


@router.post("/archive/{kind}/{record_id}/restore", response=ArchivedOut, tags=["archive"])
def archive_restore(request: HttpRequest, kind: str, record_id: int) -> dict:
    k = archive.kind_get(kind)
    record = archive.record_restore(actor=user_of(request), kind=k, record=archive.record_get(k, record_id))
    return _archived_out(k, record)


@router.delete("/archive/{kind}/{record_id}", response={204: None}, tags=["archive"])
def archive_delete(request: HttpRequest, kind: str, record_id: int) -> tuple[int, None]:
    """Delete for good (the audit log keeps what it was)."""
    k = archive.kind_get(kind)
    archive.record_delete(actor=user_of(request), kind=k, record=archive.record_get(k, record_id))
    return 204, None


@router.post("/archive/{kind}", response=list[ArchivedOut], tags=["archive"])
def archive_many(request: HttpRequest, kind: str, payload: IdsIn) -> list[dict]:
    """Archive many at once, all or none (at most 500)."""
    k = archive.kind_get(kind)
    return [
        _archived_out(k, r) for r in archive.records_archive(actor=user_of(request), kind=k, ids=payload.ids)
    ]
