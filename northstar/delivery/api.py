"""REST API for delivery, mounted under /api/v1/: connections, syncs and export files, work items,
links to initiatives, key results fed by delivery, and forecasts."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.models import Job
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.delivery import forecasting, selectors, services
from northstar.delivery.imports import work_items_import
from northstar.delivery.models import (
    Connection,
    DeliveryForecast,
    InitiativeLink,
    State,
    SyncRun,
    Tool,
    WorkItem,
)
from northstar.org.models import Team
from northstar.portfolio.models import Initiative
from northstar.strategy.models import KeyResult

router = Router(tags=["Delivery"])


class ConnectionIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    tool: Tool
    scope: str = Field(..., min_length=1, max_length=500)
    base_url: str = Field("", max_length=200)
    account: str = Field("", max_length=200)
    token: str | None = Field(None, max_length=500)
    webhook_secret: str | None = Field(None, max_length=200)
    github_project: str = Field("", max_length=120)
    points_field: str = Field("customfield_10016", max_length=60)


class ConnectionOut(Schema):
    id: int
    name: str
    tool: str
    base_url: str
    scope: str
    account: str
    has_token: bool
    has_webhook_secret: bool
    synced_through: datetime | None

    @staticmethod
    def resolve_has_webhook_secret(obj: Connection) -> bool:
        return bool(obj.webhook_secret_encrypted)


@router.get("/delivery/connections", response=list[ConnectionOut])
def connection_list(request: HttpRequest) -> list[Connection]:
    return list(selectors.connection_list()[:200])


@router.post("/delivery/connections", response={201: ConnectionOut})
def connection_create(request: HttpRequest, payload: ConnectionIn) -> tuple[int, Connection]:
    """Connect a tool. The token and webhook secret are stored encrypted and never returned."""
    return 201, services.connection_save(actor=user_of(request), **payload.dict())


@router.get("/delivery/connections/{connection_id}", response=ConnectionOut)
def connection_get(request: HttpRequest, connection_id: int) -> Connection:
    return get_or_404(Connection, connection_id)


class SyncJobOut(Schema):
    id: int
    title: str
    status: str
    progress: float


@router.post("/delivery/connections/{connection_id}/sync", response={202: SyncJobOut})
def connection_sync(request: HttpRequest, connection_id: int) -> tuple[int, Job]:
    """Start a sync in the background (it resumes an interrupted one); poll the job for its result."""
    return 202, services.sync_start(actor=user_of(request), connection=get_or_404(Connection, connection_id))


class SyncRunOut(Schema):
    id: int
    kind: str
    status: str
    items: int
    pages: int
    file_name: str
    error: str
    started_at: datetime
    finished_at: datetime | None


@router.get("/delivery/connections/{connection_id}/runs", response=list[SyncRunOut])
def connection_runs(request: HttpRequest, connection_id: int) -> list[SyncRun]:
    return selectors.sync_runs(get_or_404(Connection, connection_id), limit=50)


@router.post("/delivery/connections/{connection_id}/import", response={201: SyncRunOut})
def connection_import(
    request: HttpRequest, connection_id: int, file: File[UploadedFile], date_order: str = ""
) -> tuple[int, SyncRun]:
    """Take in the tool's export file (multipart field `file`); all items land or none do.
    `date_order` (dmy or mdy) reads dates like 01/02/2024, which are refused without it."""
    connection = get_or_404(Connection, connection_id)
    return 201, work_items_import(
        actor=user_of(request),
        connection=connection,
        stream=file,
        file_name=file.name or "export.csv",
        order=date_order,
    )


class TeamMapIn(Schema):
    source_key: str = Field(..., min_length=1, max_length=120)
    team_id: int | None = None


class TeamMapOut(Schema):
    source_key: str
    team_id: int | None
    items_moved: int


@router.put("/delivery/connections/{connection_id}/teams", response=TeamMapOut)
def team_map(request: HttpRequest, connection_id: int, payload: TeamMapIn) -> dict:
    connection = get_or_404(Connection, connection_id)
    team = get_or_404(Team, payload.team_id) if payload.team_id else None
    moved = services.team_mapping_set(
        actor=user_of(request), connection=connection, source_key=payload.source_key, team=team
    )
    return {"source_key": payload.source_key, "team_id": payload.team_id, "items_moved": moved}


class ItemOut(Schema):
    id: int
    connection_id: int
    external_id: str
    key: str
    title: str
    kind: str
    status: str
    state: str
    points: float | None
    parent_id: int | None
    team_id: int | None
    sprint: str
    url: str
    due_on: date | None
    updated_in_tool: datetime | None
    done_at: datetime | None


class ItemPage(Schema):
    count: int
    results: list[ItemOut]


class ItemQuery(Schema):
    connection_id: int | None = None
    container_id: int | None = None
    state: State | None = None
    containers_only: bool = False
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=500)


@router.get("/delivery/items", response=ItemPage)
def item_list(request: HttpRequest, query: Query[ItemQuery]) -> dict:
    qs = WorkItem.objects.order_by("connection_id", "key")
    if query.connection_id:
        qs = qs.filter(connection_id=query.connection_id)
    if query.container_id:
        qs = qs.filter(parent_id=query.container_id)
    if query.state:
        qs = qs.filter(state=query.state)
    if query.containers_only:
        qs = qs.filter(kind__in=WorkItem.CONTAINERS)
    return {"count": qs.count(), "results": list(qs[query.offset : query.offset + query.limit])}


class WorkLinkOut(Schema):
    id: int
    initiative_id: int
    container_id: int
    container_key: str
    status: str
    score: float

    @staticmethod
    def resolve_container_key(obj: InitiativeLink) -> str:
        return obj.container.key


class WorkLinkIn(Schema):
    initiative_id: int
    container_id: int


class LinkDecisionIn(Schema):
    confirm: bool


class LinkQuery(Schema):
    status: InitiativeLink.Status | None = None
    initiative_id: int | None = None
    limit: int = Field(100, ge=1, le=500)


@router.get("/delivery/links", response=list[WorkLinkOut])
def link_list(request: HttpRequest, query: Query[LinkQuery]) -> list[InitiativeLink]:
    qs = InitiativeLink.objects.select_related("container").order_by("-score", "id")
    if query.status:
        qs = qs.filter(status=query.status)
    if query.initiative_id:
        qs = qs.filter(initiative_id=query.initiative_id)
    return list(qs[: query.limit])


@router.post("/delivery/links", response={201: WorkLinkOut})
def link_create(request: HttpRequest, payload: WorkLinkIn) -> tuple[int, InitiativeLink]:
    """Link an epic, project or milestone to an initiative (confirmed at once)."""
    initiative = get_or_404(
        Initiative, payload.initiative_id, queryset=Initiative.objects.select_related("product")
    )
    container = get_or_404(WorkItem, payload.container_id)
    return 201, services.link_create(actor=user_of(request), initiative=initiative, container=container)


@router.post("/delivery/links/{link_id}/decision", response=WorkLinkOut)
def link_decide(request: HttpRequest, link_id: int, payload: LinkDecisionIn) -> InitiativeLink:
    link = get_or_404(
        InitiativeLink,
        link_id,
        queryset=InitiativeLink.objects.select_related("initiative__product", "container"),
    )
    return services.link_decide(actor=user_of(request), link=link, confirm=payload.confirm)


class ProgressOut(Schema):
    initiative_id: int
    done_items: int
    total_items: int
    done_points: float
    total_points: float
    percent: float


@router.get("/delivery/initiatives/{initiative_id}/progress", response=ProgressOut)
def initiative_progress(request: HttpRequest, initiative_id: int) -> dict:
    """Done against total of the initiative's confirmed delivery links (cancelled work counts in neither)."""
    get_or_404(Initiative, initiative_id)
    progress = selectors.initiative_progress([initiative_id]).get(initiative_id)
    if progress is None:
        return {
            "initiative_id": initiative_id,
            "done_items": 0,
            "total_items": 0,
            "done_points": 0.0,
            "total_points": 0.0,
            "percent": 0.0,
        }
    return {
        "initiative_id": initiative_id,
        "done_items": progress.done_items,
        "total_items": progress.total_items,
        "done_points": progress.done_points,
        "total_points": progress.total_points,
        "percent": round(progress.percent, 2),
    }


class FeedIn(Schema):
    container_id: int | None


class FeedOut(Schema):
    key_result_id: int
    container_id: int | None
    current: float | None


@router.put("/delivery/key-results/{key_result_id}/feed", response=FeedOut)
def key_result_feed(request: HttpRequest, key_result_id: int, payload: FeedIn) -> dict:
    """Let a key result follow a container's progress (null stops it)."""
    kr = get_or_404(KeyResult, key_result_id, queryset=KeyResult.objects.select_related("objective__team"))
    container = get_or_404(WorkItem, payload.container_id) if payload.container_id else None
    services.key_result_feed_set(actor=user_of(request), key_result=kr, container=container)
    kr.refresh_from_db()
    return {"key_result_id": kr.pk, "container_id": payload.container_id, "current": kr.current}


class ForecastIn(Schema):
    scope_growth: float = Field(0.1, ge=0, le=2)
    simulations: int = Field(10_000, ge=100, le=50_000)
    history_weeks: int = Field(26, ge=4, le=104)
    seed: int = Field(0, ge=0, le=2**31)


class ForecastLineOut(Schema):
    initiative_id: int | None
    title: str
    team_id: int | None
    position: int
    remaining: float
    from_delivery: bool
    p50: date | None
    p85: date | None
    p95: date | None
    committed: date | None
    on_time: float | None
    late: bool


class ForecastOut(Schema):
    id: int
    roadmap_id: int | None
    start: date
    simulations: int
    scope_growth: float
    history_weeks: int
    p50: date | None
    p85: date | None
    p95: date | None
    unforecastable: dict[str, str]
    created_at: datetime
    line_count: int
    lines: list[ForecastLineOut]


class LinesQuery(Schema):
    late_only: bool = False
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=1000)


def _forecast_out(forecast: DeliveryForecast, query: LinesQuery) -> dict:
    lines = selectors.forecast_lines(forecast)
    if query.late_only:
        lines = lines.filter(late=True)
    return {
        **{
            f: getattr(forecast, f)
            for f in (
                "id",
                "roadmap_id",
                "start",
                "simulations",
                "scope_growth",
                "history_weeks",
                "p50",
                "p85",
                "p95",
                "unforecastable",
                "created_at",
            )
        },
        "line_count": lines.count(),
        "lines": list(lines[query.offset : query.offset + query.limit]),
    }


@router.post("/delivery/forecasts", response={201: ForecastOut})
def forecast_create(request: HttpRequest, payload: ForecastIn) -> tuple[int, dict]:
    """Forecast the published roadmap (P50/P85/P95 per initiative and for the roadmap) and store it."""
    made = forecasting.forecast_run(actor=user_of(request), **payload.dict())
    return 201, _forecast_out(made, LinesQuery(late_only=False, offset=0, limit=100))


@router.get("/delivery/forecasts/latest", response=ForecastOut)
def forecast_latest(request: HttpRequest, query: Query[LinesQuery]) -> dict:
    latest = selectors.latest_forecast()
    if latest is None:
        raise NotFound("No forecast yet: run one with POST /api/v1/delivery/forecasts.")
    return _forecast_out(latest, query)


class ConeOut(Schema):
    start: date
    weeks: list[date]
    p10: list[float]
    p50: list[float]
    p90: list[float]
    scope: float
    done: float
    committed: date | None


class ConeQuery(Schema):
    initiative_id: int | None = None
    weeks: int = Field(26, ge=1, le=260)


@router.get("/delivery/forecasts/latest/burn-up", response=ConeOut)
def forecast_burn_up(request: HttpRequest, query: Query[ConeQuery]) -> dict:
    """The burn-up's forecast cone (P10/P50/P90 of work done per week) of one initiative or the roadmap."""
    latest = selectors.latest_forecast()
    if latest is None:
        raise NotFound("No forecast yet.")
    if (
        query.initiative_id is not None
        and not latest.lines.filter(initiative_id=query.initiative_id).exists()
    ):
        raise ValidationFailed(f"Initiative {query.initiative_id} is not on the forecast roadmap.")
    data = forecasting.burn_up(initiative_id=query.initiative_id, forecast=latest, weeks=query.weeks)
    return {k: v for k, v in data.items() if k != "history"}
