"""API: initiatives (ideas, features, initiatives), their filters and stage moves; prioritisation's
endpoints (prioritisation_api.py) are mounted on the same router."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.markdown import render_markdown
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.portfolio import selectors, services
from northstar.portfolio.models import Initiative, Kind, Stage
from northstar.portfolio.prioritisation_api import router as prioritisation_router

router = Router(tags=["initiatives"])
router.add_router("", prioritisation_router)


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
        return obj.product.line_id if obj.product_id else None

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
    initiative = services.initiative_create(actor=request.auth, **payload.dict())
    return 201, _detail(initiative.pk)


@router.get("/initiatives/{initiative_id}", response=InitiativeOut)
def initiative_get(request: HttpRequest, response: HttpResponse, initiative_id: int) -> Initiative:
    """One initiative; its ETag is the version to send back as If-Match when changing it."""
    return with_etag(response, _detail(initiative_id))


@router.patch("/initiatives/{initiative_id}", response=InitiativeOut)
def initiative_update(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: InitiativePatch
) -> Initiative:
    """Change the fields sent (and only those); with If-Match, only if nobody changed it meanwhile."""
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    services.initiative_update(actor=request.auth, initiative=initiative, **payload.dict(exclude_unset=True))
    return with_etag(response, _detail(initiative_id))


@router.post("/initiatives/{initiative_id}/move", response=InitiativeOut)
def initiative_move(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: MoveIn
) -> Initiative:
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    services.initiative_move(
        actor=request.auth, initiative=initiative, stage=payload.stage, rationale=payload.rationale
    )
    return with_etag(response, _detail(initiative_id))


@router.delete("/initiatives/{initiative_id}", response={204: None})
def initiative_delete(request: HttpRequest, initiative_id: int) -> tuple[int, None]:
    initiative = for_write(request, get_or_404(Initiative, initiative_id))
    services.initiative_delete(actor=request.auth, initiative=initiative)
    return 204, None
