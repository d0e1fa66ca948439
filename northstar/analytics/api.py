"""REST API for analytics, mounted under /api/v1/: event capture (public, by site key), sites, bulk
import, funnels, retention, friction and friction evidence."""

import json
import math
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from northstar.analytics import funnels, ingest, selectors, services
from northstar.analytics.models import Event, FrictionEvidence, Funnel, Site
from northstar.core.concurrency import for_write, with_etag
from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org.models import Product
from northstar.portfolio.models import Initiative

router = Router(tags=["Analytics"])

#: A batch body is refused unread above this size (413): 500 events of a few hundred bytes fit.
MAX_BODY = 512 * 1024


class ErrorOut(Schema):
    message: str
    detail: Any = None


# Capture -------------------------------------------------------------------------------------------

Text64 = Field(..., min_length=1, max_length=64)
PropValue = str | int | float | bool


class EventIn(BaseModel):
    """One event from the snippet. Unknown fields are refused: there is no place for input values.
    A plain pydantic model (the endpoint validates it itself): a third of the cost of a ninja Schema."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["pageview", "click", "error", "custom", "vital"]
    at: datetime
    visitor: str = Text64
    path: str = Field(..., min_length=1, max_length=300, pattern=r"^/")
    user: str = Field("", max_length=120)
    account: str = Field("", max_length=120)
    name: str = Field("", max_length=120)
    selector: str = Field("", max_length=300)
    x: int | None = Field(None, ge=0, le=100_000)
    y: int | None = Field(None, ge=0, le=1_000_000)
    dead: bool = False
    value: float | None = Field(None, ge=0, le=1e9)
    stack: str = Field("", max_length=4000)
    props: dict[str, PropValue] = Field(default_factory=dict, max_length=20)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(..., min_length=1, max_length=48)
    consent: bool = True
    #: Random per batch and kept across its retries (snippets from before it send none).
    batch_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    events: list[EventIn] = Field(..., min_length=1, max_length=ingest.MAX_BATCH)


class CapturedOut(Schema):
    stored: int
    dropped: int
    message: str


def _inline(schema: dict) -> dict:
    """The schema with its $defs inlined, so it can sit in the OpenAPI request body as it is."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _props_ok(event: EventIn) -> None:
    for name, value in event.props.items():
        if len(name) > 60 or (isinstance(value, str) and len(value) > 200):
            raise ValidationFailed("Property names are at most 60 characters and text values at most 200.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationFailed("Property values must be finite numbers.")


@router.post(
    "/analytics/collect",
    response={202: CapturedOut, 413: ErrorOut},
    auth=None,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(BatchIn.model_json_schema())}},
        }
    },
)
def collect(request: HttpRequest, response: HttpResponse) -> tuple[int, dict]:
    """The snippet sends batches here with its site's key (as text/plain, so no preflight). 202 once
    stored; events from bots, with Do-Not-Track or without required consent are dropped (and said so).
    Bad batches get a 4xx that says why and are counted on the site's page."""
    try:
        size = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        size = 0
    if size > MAX_BODY:
        return 413, {"message": f"A batch is at most {MAX_BODY // 1024} KB: send fewer events at once."}
    body = request.body
    if len(body) > MAX_BODY:
        return 413, {"message": f"A batch is at most {MAX_BODY // 1024} KB: send fewer events at once."}
    try:
        # Parsed and shape-checked in one pass (pydantic's JSON mode); the body is read again only
        # to name the site of a refused batch.
        batch = BatchIn.model_validate_json(body)
        for event in batch.events:
            if event.props:
                _props_ok(event)
    except PydanticValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ApplicationError("The batch is not JSON.") from None
        services.site_count_rejected(key=_key_of(body))
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'batch'}: {e['msg']}" for e in exc.errors()[:5]]
        raise ValidationFailed(
            "Invalid batch: " + "; ".join(parts),
            detail=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()[:20]],
        ) from None
    except ValidationFailed:
        services.site_count_rejected(key=batch.key)
        raise
    origin = request.headers.get("Origin", "")
    site = services.site_active(batch.key)
    _cors(response, site, origin)
    try:
        captured = ingest.events_capture(
            key=batch.key,
            site=site,
            events=batch.model_dump()["events"],
            origin=origin,
            user_agent=request.headers.get("User-Agent", ""),
            do_not_track=request.headers.get("DNT") == "1",
            consent=batch.consent,
            batch_id=batch.batch_id or "",
        )
    except ValidationFailed:
        services.site_count_rejected(key=batch.key)
        raise
    if captured.duplicate:
        message = "Already received this batch: its events are stored once."
    elif captured.stored:
        message = f"Stored {captured.stored} events."
    else:
        message = f"Dropped ({captured.reason})."
    return 202, {"stored": captured.stored, "dropped": captured.dropped, "message": message}


def _key_of(body: bytes) -> str:
    """The site key of a batch that failed its shape check, when it names one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    key = data.get("key") if isinstance(data, dict) else None
    return key if isinstance(key, str) else ""


def _cors(response: HttpResponse, site: Site | None, origin: str) -> None:
    """Let the site's own pages read the answer (and so see a 429 and back off)."""
    if site is not None and origin and (not site.origins or origin.rstrip("/") in site.origins):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"


# Sites ---------------------------------------------------------------------------------------------


class SiteIn(Schema):
    product_id: int
    name: str = Field(..., min_length=1, max_length=120)
    allowed_origins: str = Field("", max_length=2000)
    retention_days: int = Field(90, ge=1, le=730)
    consent_required: bool = False


class SitePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    allowed_origins: str | None = Field(None, max_length=2000)
    retention_days: int | None = Field(None, ge=1, le=730)
    consent_required: bool | None = None
    active: bool | None = None


class SiteOut(Schema):
    id: int
    version: int
    product_id: int
    name: str
    key: str
    allowed_origins: str
    retention_days: int
    consent_required: bool
    active: bool
    rejected_batches: int


class ImportIn(Schema):
    csv: str = Field(..., min_length=1, description="CSV text: at,type,visitor,path[,user,account,name,...]")


class ImportOut(Schema):
    imported: int


@router.get("/analytics/sites", response=list[SiteOut])
@paginate(Pagination)
def site_list(request: HttpRequest) -> object:
    return selectors.site_list()


@router.post("/analytics/sites", response={201: SiteOut})
def site_create(request: HttpRequest, payload: SiteIn) -> tuple[int, Site]:
    product = get_or_404(Product, payload.product_id)
    data = payload.dict(exclude={"product_id"})
    return 201, services.site_create(actor=user_of(request), product=product, **data)


@router.get("/analytics/sites/{site_id}", response=SiteOut)
def site_get(request: HttpRequest, response: HttpResponse, site_id: int) -> Site:
    return with_etag(response, get_or_404(Site, site_id))


@router.patch("/analytics/sites/{site_id}", response=SiteOut)
def site_update(request: HttpRequest, response: HttpResponse, site_id: int, payload: SitePatch) -> Site:
    """Change only the fields sent; with If-Match, refused (412) when someone changed the site since."""
    site = for_write(request, get_or_404(Site, site_id, queryset=Site.objects.select_related("product")))
    saved = services.site_update(actor=user_of(request), site=site, **payload.dict(exclude_unset=True))
    return with_etag(response, saved)


@router.post("/analytics/sites/{site_id}/import", response={201: ImportOut})
def events_import(request: HttpRequest, site_id: int, payload: ImportIn) -> tuple[int, dict]:
    """Bulk import of past events as CSV; all rows land or none do (the failing row is named)."""
    site = get_or_404(Site, site_id, queryset=Site.objects.select_related("product"))
    return 201, {"imported": ingest.events_import(actor=user_of(request), site=site, text=payload.csv)}


class EventOut(Schema):
    id: int
    at: datetime
    type: str
    visitor: str
    user: str
    account: str
    path: str
    name: str
    selector: str
    x: int | None
    y: int | None
    dead: bool
    value: float | None

    @staticmethod
    def resolve_type(obj: Event) -> str:
        return {v: k for k, v in ingest.KINDS.items()}[obj.kind]

    @staticmethod
    def resolve_user(obj: Event) -> str:
        return obj.user_ref


@router.get("/analytics/sites/{site_id}/events", response=list[EventOut])
@paginate(Pagination)
def event_export(
    request: HttpRequest, site_id: int, since: date | None = None, until: date | None = None
) -> object:
    """A site's events, oldest first, optionally from `since` up to (not including) `until`."""
    site = get_or_404(Site, site_id)
    events = Event.objects.filter(site_id=site.pk)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lt=until)
    return events.order_by("at", "id")


# Funnels and retention -----------------------------------------------------------------------------


class StepIn(Schema):
    kind: Literal["page", "event"]
    match: str = Field(..., min_length=1, max_length=300)


class FunnelIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    steps: list[StepIn] = Field(..., min_length=2, max_length=10)
    window_hours: int = Field(24, ge=1, le=24 * 90)


class FunnelOut(Schema):
    id: int
    version: int
    site_id: int
    name: str
    steps: list[StepIn]
    window_hours: int


class StepOut(Schema):
    number: int
    label: str
    reached: int
    conversion: float
    step_conversion: float
    dropped: int


class FunnelSegmentOut(Schema):
    segment: str
    reached: list[int]


class FunnelReportOut(Schema):
    funnel: FunnelOut
    days: int
    steps: list[StepOut]
    steepest_drop_step: int | None
    overall_conversion: float
    breakdown_by: str
    breakdown: list[FunnelSegmentOut]


@router.get("/analytics/sites/{site_id}/funnels", response=list[FunnelOut])
def funnel_list(request: HttpRequest, site_id: int) -> object:
    return selectors.funnel_list(get_or_404(Site, site_id))[:200]


@router.post("/analytics/sites/{site_id}/funnels", response={201: FunnelOut})
def funnel_create(request: HttpRequest, site_id: int, payload: FunnelIn) -> tuple[int, Funnel]:
    site = get_or_404(Site, site_id, queryset=Site.objects.select_related("product"))
    data = payload.dict()
    return 201, services.funnel_create(actor=user_of(request), site=site, **data)


@router.get("/analytics/funnels/{funnel_id}", response=FunnelReportOut)
def funnel_get(
    request: HttpRequest,
    funnel_id: int,
    days: int = Query(30, ge=1, le=365),
    by: str = Query("identified", max_length=65, description="identified, account or prop:NAME"),
) -> dict:
    """The funnel with its conversion per step over the last `days` days, broken down by `by`."""
    funnel = get_or_404(Funnel, funnel_id, queryset=Funnel.objects.select_related("site"))
    report = funnels.funnel_report(funnel, days=days, by=by)
    return {
        "funnel": funnel,
        "days": days,
        "steps": report.steps,
        "steepest_drop_step": report.steepest,
        "overall_conversion": report.overall,
        "breakdown_by": report.by,
        "breakdown": [{"segment": name, "reached": list(counts)} for name, counts in report.breakdown],
    }


@router.delete("/analytics/funnels/{funnel_id}", response={204: None})
def funnel_delete(request: HttpRequest, funnel_id: int) -> tuple[int, None]:
    funnel = get_or_404(Funnel, funnel_id, queryset=Funnel.objects.select_related("site__product"))
    services.funnel_delete(actor=user_of(request), funnel=funnel)
    return 204, None


class CohortOut(Schema):
    week_start: date
    size: int
    active: list[float]


@router.get("/analytics/sites/{site_id}/retention", response=list[CohortOut])
def retention(request: HttpRequest, site_id: int, weeks: int = Query(8, ge=1, le=26)) -> list[dict]:
    """Weekly cohorts: people by the week they were first seen, and the share active each week since."""
    report = funnels.retention_report(get_or_404(Site, site_id), weeks=weeks)
    return [{"week_start": w.date(), "size": c.size, "active": list(c.active)} for w, c in report.cohorts]


# Friction ------------------------------------------------------------------------------------------


class FrictionOut(Schema):
    signal: str
    label: str
    path: str
    element: str
    users: int
    occurrences: int
    sessions: int
    revenue: float
    trend: float | None
    examples: list[str]


@router.get("/analytics/sites/{site_id}/friction", response=list[FrictionOut])
def friction(
    request: HttpRequest,
    site_id: int,
    days: int = Query(7, ge=1, le=90),
    limit: int = Query(50, ge=1, le=200),
) -> list:
    """Friction issues of the last `days` days ranked by users affected, then their accounts' revenue."""
    return selectors.friction_report(get_or_404(Site, site_id), days=days, limit=limit)


class EvidenceIn(Schema):
    site_id: int
    initiative_id: int
    signal: Literal["rage_click", "dead_click", "error_click", "error", "slow_page", "funnel_drop"]
    path: str = Field("", max_length=300)
    selector: str = Field("", max_length=300)
    funnel_id: int | None = None
    step: int | None = Field(None, ge=1, le=10)
    users: int = Field(0, ge=0, le=1_000_000_000)
    note: str = Field("", max_length=300)


class EvidenceOut(Schema):
    id: int
    site_id: int
    initiative_id: int
    signal: str
    path: str
    selector: str
    funnel_id: int | None
    step: int | None
    users: int
    note: str


@router.post("/analytics/evidence", response={201: EvidenceOut})
def evidence_link(request: HttpRequest, payload: EvidenceIn) -> tuple[int, FrictionEvidence]:
    """Link a friction issue, or a funnel step's drop-off, to an initiative as evidence."""
    site = get_or_404(Site, payload.site_id)
    initiative = get_or_404(Initiative, payload.initiative_id)
    funnel = get_or_404(Funnel, payload.funnel_id) if payload.funnel_id is not None else None
    data = payload.dict(exclude={"site_id", "initiative_id", "funnel_id"})
    return 201, services.evidence_link(
        actor=user_of(request), site=site, initiative=initiative, funnel=funnel, **data
    )


@router.get("/analytics/initiatives/{initiative_id}/evidence", response=list[EvidenceOut])
def evidence_list(request: HttpRequest, initiative_id: int) -> object:
    initiative = get_or_404(Initiative, initiative_id)
    return selectors.evidence_for_initiative(initiative.pk)[:200]
