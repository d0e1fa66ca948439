"""API: initiatives (ideas, features, initiatives), their filters and stage moves; prioritisation's
endpoints (prioritisation_api.py) are mounted on the same router."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.errors import ValidationFailed
from northstar.core.markdown import render_markdown
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.portfolio import approvals, selectors, services
from northstar.portfolio.approvals_api import ApprovalOut
from northstar.portfolio.approvals_api import router as approvals_router
from northstar.portfolio.models import Initiative, Kind, Stage
from northstar.portfolio.permissions import require_initiative_edit
from northstar.portfolio.prioritisation_api import router as prioritisation_router

router = Router(tags=["initiatives"])
router.add_router("", prioritisation_router)
router.add_router("", approvals_router)


class InitiativeIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Kind = Kind.IDEA
    stage: Stage = Stage.IDEA
    parent_id: int | None = None
    product_id: int | None = None
    owner_id: int | None = None
    description: str = ""
    problem_statement: str = ""
    evidence_notes: str = ""
    tags: list[str] = []


class InitiativePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    parent_id: int | None = None
    product_id: int | None = None
    owner_id: int | None = None
    description: str | None = None
    problem_statement: str | None = None
    evidence_notes: str | None = None
    tags: list[str] | None = None
    stage: Stage | None = Field(
        None, description="Not changed here: move with POST /initiatives/{id}/move, which checks the gates."
    )


class MoveIn(Schema):
    stage: Stage
    rationale: str = Field("", max_length=2000)


class InitiativeOut(Schema):
    id: int
    version: int
    title: str
    kind: str
    stage: str
    parent_id: int | None
    product_id: int | None
    line_id: int | None
    owner_id: int | None
    description: str
    description_html: str
    problem_statement: str
    evidence_notes: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_line_id(obj: Initiative) -> int | None:
        return obj.product.line_id if obj.product else None

    @staticmethod
    def resolve_description_html(obj: Initiative) -> str:
        return str(render_markdown(obj.description))

    @staticmethod
    def resolve_tags(obj: Initiative) -> list[str]:
        return [t.name for t in obj.tags.all()]


class InitiativeFilterIn(Schema):
    search: str = ""
    line: int | None = None
    product: int | None = None
    stage: str = ""
    owner: int | None = None
    kind: str = ""
    tag: str = ""
    parent: int | None = None


def _detail(initiative_id: int) -> Initiative:
    return get_or_404(Initiative, initiative_id, queryset=selectors.initiative_detail_queryset())


@router.get("/initiatives", response=list[InitiativeOut])
@paginate(Pagination)
def initiative_list(request: HttpRequest, filters: Query[InitiativeFilterIn]) -> object:
    return selectors.initiative_list(selectors.InitiativeFilters(**filters.dict()))


@router.post("/initiatives", response={201: InitiativeOut})
def initiative_create(request: HttpRequest, payload: InitiativeIn) -> tuple[int, Initiative]:
    initiative = services.initiative_create(actor=user_of(request), **payload.dict())
    return 201, _detail(initiative.pk)


class BulkMoveIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=500)
    stage: Stage
    rationale: str = Field("", max_length=2000)


class BulkMoveOut(Schema):
    initiative_id: int
    stage: str
    outcome: str = Field(..., description="moved, waiting (for approval) or refused")
    message: str


@router.post("/initiatives/bulk-move", response=list[BulkMoveOut])
def initiatives_move(request: HttpRequest, payload: BulkMoveIn) -> list[dict]:
    """Move many initiatives to one stage, each through its own gates and approvals; each result says
    what happened to it (a refused one stays where it was)."""
    results = services.initiatives_restage(
        actor=user_of(request), ids=payload.ids, stage=payload.stage, rationale=payload.rationale
    )
    return [
        {
            "initiative_id": r.initiative.pk,
            "stage": r.initiative.stage,
            "outcome": r.outcome,
            "message": r.message,
        }
        for r in results
    ]


@router.get("/initiatives/{initiative_id}", response=InitiativeOut)
def initiative_get(request: HttpRequest, response: HttpResponse, initiative_id: int) -> Initiative:
    """One initiative; its ETag is the version to send back as If-Match when changing it."""
    return with_etag(response, _detail(initiative_id))


@router.patch("/initiatives/{initiative_id}", response=InitiativeOut)
def initiative_update(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: InitiativePatch
) -> Initiative:
    """Change the fields sent (and only those); with If-Match, only if nobody changed it meanwhile.
    The stage is not one of them: a move goes through the gates (`POST .../move`)."""
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    fields = payload.dict(exclude_unset=True)
    if "stage" in fields:
        require_initiative_edit(user_of(request), initiative)
        raise ValidationFailed(
            "PATCH does not change the stage: move the initiative with "
            f"POST /api/v1/initiatives/{initiative_id}/move, which checks the stage gates and records "
            "the move in the decision log.",
            detail={"move": f"/api/v1/initiatives/{initiative_id}/move"},
        )
    services.initiative_update(actor=user_of(request), initiative=initiative, **fields)
    return with_etag(response, _detail(initiative_id))


@router.post("/initiatives/{initiative_id}/move", response={200: InitiativeOut, 202: ApprovalOut})
def initiative_move(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: MoveIn
) -> tuple[int, object]:
    """Move through the stage gates (every gate the move passes over too). When the move needs an
    approval you cannot give, it waits for the approver: 202 with the request."""
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    outcome = approvals.stage_move(
        actor=user_of(request), initiative=initiative, stage=payload.stage, rationale=payload.rationale
    )
    if outcome.request is not None:
        return 202, outcome.request
    return 200, with_etag(response, _detail(initiative_id))


@router.delete("/initiatives/{initiative_id}", response={204: None})
def initiative_delete(request: HttpRequest, initiative_id: int) -> tuple[int, None]:
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    services.initiative_delete(actor=user_of(request), initiative=initiative)
    return 204, None
