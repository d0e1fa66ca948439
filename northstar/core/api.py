"""API: who am I, personal access tokens, and the audit log."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from northstar.core import jobs, selectors, services
from northstar.core.models import AuditEntry
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
    user = request.auth
    person = getattr(user, "person", None)
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "person_id": getattr(person, "pk", None),
    }


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> list:
    return list(selectors.api_token_list(user=request.auth))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn) -> tuple[int, dict]:
    token, raw = services.api_token_create(
        user=request.auth, name=payload.name, scope=payload.scope, expires_in_days=payload.expires_in_days
    )
    return 201, {**TokenOut.from_orm(token).dict(), "token": raw}


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> tuple[int, None]:
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return 204, None


@router.get("/audit", response=list[AuditOut], tags=["audit"])
@paginate(PageNumberPagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]) -> object:
    """Every create, update and delete, newest first; filter by record to see one record's history."""
    access.require_audit_reader(request.auth)
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
    return jobs.job_get(job_id=job_id, user=request.auth)


@router.post("/jobs/{job_id}/cancel", response=JobOut, tags=["jobs"])
def job_cancel(request: HttpRequest, job_id: int) -> object:
    job = jobs.job_get(job_id=job_id, user=request.auth)
    return jobs.job_cancel(job=job, actor=request.auth)
