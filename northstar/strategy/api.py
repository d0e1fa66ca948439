"""API of the strategy area: periods, the vision, objectives and key results with check-ins, KPIs and
their values (pushed or read, with flags), the north-star tree and the alignment of work."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, set_etag, with_etag
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.engines.metrics.detect import Flag
from northstar.strategy import metric_values, metrics, selectors, services
from northstar.strategy.models import (
    Alignment,
    CheckIn,
    Direction,
    KeyResult,
    Metric,
    Objective,
    PlanningPeriod,
    VisionVersion,
)

router = Router(tags=["strategy"])

# ---------------------------------------------------------------------------------------------------
# Schemas


class PeriodIn(Schema):
    name: str = Field(..., min_length=1, max_length=20)
    kind: PlanningPeriod.Kind = PlanningPeriod.Kind.QUARTER
    start: date
    end: date


class PeriodOut(Schema):
    id: int
    name: str
    kind: str
    start: date
    end: date


class VisionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str
    note: str = ""


class VisionOut(Schema):
    number: int
    title: str
    body: str
    note: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: VisionVersion) -> str | None:
        return obj.author.username if obj.author else None


class KeyResultIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: KeyResult.Kind = KeyResult.Kind.METRIC
    owner_id: int | None = None
    unit: str = ""
    direction: Direction = Direction.UP
    baseline: float | None = None
    target: float | None = None
    metric_id: int | None = None
    weight: Decimal = Decimal("1")


class KeyResultPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: KeyResult.Kind | None = None
    owner_id: int | None = None
    unit: str | None = None
    direction: Direction | None = None
    baseline: float | None = None
    target: float | None = None
    metric_id: int | None = None
    weight: Decimal | None = None


class KeyResultOut(Schema):
    id: int
    version: int
    objective_id: int
    title: str
    kind: str
    owner_id: int | None
    unit: str
    direction: str
    baseline: float | None
    target: float | None
    current: float | None
    confidence: int | None
    metric_id: int | None
    weight: Decimal
    progress: float

    @staticmethod
    def resolve_progress(obj: KeyResult) -> float:
        return round(selectors.key_result_progress(obj), 2)


class ObjectiveIn(Schema):
    period_id: int
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    line_id: int | None = None
    team_id: int | None = None
    parent_id: int | None = None
    owner_id: int
    weight: Decimal = Decimal("1")


class ObjectivePatch(Schema):
    period_id: int | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    line_id: int | None = None
    team_id: int | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    weight: Decimal | None = None


class ObjectiveOut(Schema):
    id: int
    version: int
    period_id: int
    title: str
    description: str
    level: str
    line_id: int | None
    team_id: int | None
    parent_id: int | None
    owner_id: int
    weight: Decimal
    progress: float | None
    confidence: float | None
    key_results: list[KeyResultOut]


def _objective_out(row: selectors.ObjectiveRow) -> dict:
    o = row.objective
    return {
        "id": o.pk,
        "version": o.version,
        "period_id": o.period_id,
        "title": o.title,
        "description": o.description,
        "level": o.level,
        "line_id": o.line_id,
        "team_id": o.team_id,
        "parent_id": o.parent_id,
        "owner_id": o.owner_id,
        "weight": o.weight,
        "progress": round(row.progress, 2) if row.progress is not None else None,
        "confidence": row.confidence,
        "key_results": [kr for kr, _ in row.key_results],
    }


class CheckInIn(Schema):
    value: float | None = None
    confidence: int = Field(..., ge=0, le=10)
    comment: str = ""


class CheckInOut(Schema):
    id: int
    key_result_id: int
    value: float
    confidence: int
    comment: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: CheckIn) -> str | None:
        return obj.author.username if obj.author else None


class MetricIn(Schema):
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""
    unit: str = ""
    direction: Direction = Direction.UP
    aggregation: Metric.Aggregation = Metric.Aggregation.SUM
    target: float | None = None
    line_id: int | None = None
    drives_id: int | None = None
    is_north_star: bool = False


class MetricPatch(Schema):
    key: str | None = Field(None, min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    aggregation: Metric.Aggregation | None = None
    target: float | None = None
    line_id: int | None = None
    drives_id: int | None = None
    is_north_star: bool | None = None


class MetricOut(Schema):
    id: int
    version: int
    key: str
    name: str
    description: str
    unit: str
    direction: str
    aggregation: str
    target: float | None
    line_id: int | None
    drives_id: int | None
    is_north_star: bool


class PointIn(Schema):
    date: date
    value: float
    dimension: str = ""


class PushIn(Schema):
    points: list[PointIn] = Field(..., min_length=1, max_length=100_000)


class PushOut(Schema):
    rows: int
    first_date: date | None
    last_date: date | None


class PointOut(Schema):
    date: date
    value: float


class FlagOut(Schema):
    date: date
    kind: str
    value: float
    expected: float
    change: float
    relative: float | None


class SeriesOut(Schema):
    metric: MetricOut
    points: list[PointOut]
    flags: list[FlagOut]
    trend_relative: float | None
    trend_lag: int | None


class AnomalyOut(FlagOut):
    metric_id: int
    metric_key: str


class TreeNodeOut(Schema):
    metric_id: int
    key: str
    name: str
    unit: str
    latest_date: date | None
    latest_value: float | None
    target: float | None
    trend_relative: float | None
    drivers: list["TreeNodeOut"]


class AlignmentIn(Schema):
    initiative_id: int
    objective_id: int
    key_result_id: int | None = None
    weight: Decimal = Field(Decimal("1"), gt=0)


class AlignmentOut(Schema):
    id: int
    initiative_id: int
    objective_id: int
    key_result_id: int | None
    weight: Decimal


class AlignedObjectiveOut(Schema):
    objective_id: int
    title: str
    effort: float
    share: float
    initiative_ids: list[int]


class AlignmentOverviewOut(Schema):
    period_id: int | None
    total_effort: float = Field(
        ..., description="Team-weeks of active work (estimates; unsized work at the median)."
    )
    active_initiatives: int
    unaligned_effort: float
    unaligned_initiative_ids: list[int]
    objectives_without_work: list[int]
    objectives: list[AlignedObjectiveOut]


# ---------------------------------------------------------------------------------------------------
# Periods and the vision


@router.get("/periods", response=list[PeriodOut])
def period_list(request: HttpRequest) -> object:
    return selectors.period_list()


@router.post("/periods", response={201: PeriodOut})
def period_create(request: HttpRequest, payload: PeriodIn) -> tuple[int, PlanningPeriod]:
    return 201, services.period_create(actor=user_of(request), **payload.dict())


@router.get("/vision", response=list[VisionOut])
def vision_list(request: HttpRequest) -> object:
    """Every saved version of the vision, newest first."""
    return selectors.vision_versions()


@router.post("/vision", response={201: VisionOut})
def vision_save(request: HttpRequest, payload: VisionIn) -> tuple[int, VisionVersion]:
    return 201, services.vision_save(actor=user_of(request), **payload.dict())


# ---------------------------------------------------------------------------------------------------
# Objectives, key results, check-ins


def _objective_row(objective_id: int) -> selectors.ObjectiveRow:
    objective = get_or_404(
        Objective, objective_id, queryset=selectors.objective_queryset(include_archived=True)
    )
    return selectors.objective_detail(objective)


@router.get("/objectives", response=list[ObjectiveOut])
@paginate(Pagination)
def objective_list(request: HttpRequest, period: str = "") -> list[dict]:
    """The objectives of a period (by id or name; default: the current one) with computed progress,
    in cascade order (each objective before the ones that serve it)."""
    chosen = selectors.period_choose(list(selectors.period_list()), period or None)
    return [_objective_out(row) for row in selectors.flatten(selectors.objective_tree(chosen))]


@router.post("/objectives", response={201: ObjectiveOut})
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> tuple[int, dict]:
    objective = services.objective_create(actor=user_of(request), **payload.dict())
    return 201, _objective_out(_objective_row(objective.pk))


@router.get("/objectives/{objective_id}", response=ObjectiveOut)
def objective_get(request: HttpRequest, response: HttpResponse, objective_id: int) -> dict:
    row = _objective_row(objective_id)
    set_etag(response, row.objective)
    return _objective_out(row)


@router.patch("/objectives/{objective_id}", response=ObjectiveOut)
def objective_update(
    request: HttpRequest, response: HttpResponse, objective_id: int, payload: ObjectivePatch
) -> dict:
    objective = for_write(request, get_or_404(Objective, objective_id))
    services.objective_update(actor=user_of(request), objective=objective, **payload.dict(exclude_unset=True))
    return objective_get(request, response, objective_id)


@router.delete("/objectives/{objective_id}", response={204: None})
def objective_delete(request: HttpRequest, objective_id: int) -> tuple[int, None]:
    objective = for_write(request, get_or_404(Objective, objective_id))
    services.objective_delete(actor=user_of(request), objective=objective)
    return 204, None


@router.post("/objectives/{objective_id}/key-results", response={201: KeyResultOut})
def key_result_create(request: HttpRequest, objective_id: int, payload: KeyResultIn) -> tuple[int, KeyResult]:
    objective = get_or_404(Objective, objective_id)
    return 201, services.key_result_create(actor=user_of(request), objective=objective, **payload.dict())


def _key_result(key_result_id: int) -> KeyResult:
    return get_or_404(KeyResult, key_result_id, queryset=KeyResult.objects.select_related("objective"))


@router.get("/key-results/{key_result_id}", response=KeyResultOut)
def key_result_get(request: HttpRequest, response: HttpResponse, key_result_id: int) -> KeyResult:
    return with_etag(response, _key_result(key_result_id))


@router.patch("/key-results/{key_result_id}", response=KeyResultOut)
def key_result_update(
    request: HttpRequest, response: HttpResponse, key_result_id: int, payload: KeyResultPatch
) -> KeyResult:
    kr = for_write(request, _key_result(key_result_id))
    saved = services.key_result_update(
        actor=user_of(request), key_result=kr, **payload.dict(exclude_unset=True)
    )
    return with_etag(response, saved)


@router.delete("/key-results/{key_result_id}", response={204: None})
def key_result_delete(request: HttpRequest, key_result_id: int) -> tuple[int, None]:
    services.key_result_delete(
        actor=user_of(request), key_result=for_write(request, _key_result(key_result_id))
    )
    return 204, None


@router.get("/key-results/{key_result_id}/check-ins", response=list[CheckInOut])
def check_in_list(request: HttpRequest, key_result_id: int) -> object:
    return selectors.check_in_history(_key_result(key_result_id))


@router.post("/key-results/{key_result_id}/check-ins", response={201: CheckInOut})
def check_in_create(request: HttpRequest, key_result_id: int, payload: CheckInIn) -> tuple[int, CheckIn]:
    kr = _key_result(key_result_id)
    return 201, services.check_in_create(actor=user_of(request), key_result=kr, **payload.dict())


# ---------------------------------------------------------------------------------------------------
# KPIs


@router.get("/metrics", response=list[MetricOut])
def metric_list(request: HttpRequest) -> object:
    return Metric.objects.order_by("name")


@router.post("/metrics", response={201: MetricOut})
def metric_create(request: HttpRequest, payload: MetricIn) -> tuple[int, Metric]:
    return 201, metrics.metric_create(actor=user_of(request), **payload.dict())


@router.get("/metrics/{metric_id}", response=SeriesOut)
def metric_get(request: HttpRequest, response: HttpResponse, metric_id: int) -> dict:
    """The KPI with its last two years of values (one per date), its flags and its trend."""
    metric = with_etag(response, get_or_404(Metric, metric_id))
    (card,) = selectors.kpi_cards([metric])
    return {
        "metric": metric,
        "points": [{"date": d, "value": v} for d, v in card.points],
        "flags": [_flag(d, f) for d, f in card.flags],
        "trend_relative": card.trend.relative if card.trend else None,
        "trend_lag": card.trend.lag if card.trend else None,
    }


def _flag(when: date, flag: Flag) -> dict:
    return {
        "date": when,
        "kind": str(flag.kind),
        "value": flag.value,
        "expected": flag.expected,
        "change": flag.change,
        "relative": flag.relative,
    }


@router.patch("/metrics/{metric_id}", response=MetricOut)
def metric_update(
    request: HttpRequest, response: HttpResponse, metric_id: int, payload: MetricPatch
) -> Metric:
    metric = for_write(request, get_or_404(Metric, metric_id))
    saved = metrics.metric_update(actor=user_of(request), metric=metric, **payload.dict(exclude_unset=True))
    return with_etag(response, saved)


@router.post("/metrics/{metric_id}/values", response={201: PushOut})
def metric_values_push(request: HttpRequest, metric_id: int, payload: PushIn) -> tuple[int, object]:
    """Push values (a date, a value, an optional dimension each); all land or none do. A point already
    stored for the same date and dimension is replaced."""
    metric = get_or_404(Metric, metric_id)
    record = metric_values.metric_values_push(
        actor=user_of(request), metric=metric, points=[(p.date, p.value, p.dimension) for p in payload.points]
    )
    return 201, record


@router.get("/anomalies", response=list[AnomalyOut])
def anomaly_list(request: HttpRequest, limit: int = Query(50, ge=1, le=500)) -> list[dict]:
    """Flagged points across every KPI, newest first."""
    cards = selectors.kpi_cards(selectors.metric_list())
    return [
        {**_flag(a.date, a.flag), "metric_id": a.metric.pk, "metric_key": a.metric.key}
        for a in selectors.anomalies(cards, limit=limit)
    ]


@router.get("/north-star-tree", response=list[TreeNodeOut])
def north_star_tree(request: HttpRequest) -> list[dict]:
    cards = selectors.kpi_cards(selectors.metric_list())

    def node(n: selectors.TreeNode) -> dict:
        latest = n.card.latest
        return {
            "metric_id": n.card.metric.pk,
            "key": n.card.metric.key,
            "name": n.card.metric.name,
            "unit": n.card.metric.unit,
            "latest_date": latest[0] if latest else None,
            "latest_value": latest[1] if latest else None,
            "target": n.card.metric.target,
            "trend_relative": n.card.trend.relative if n.card.trend else None,
            "drivers": [node(c) for c in n.children],
        }

    return [node(root) for root in selectors.north_star_tree(cards)]


# ---------------------------------------------------------------------------------------------------
# Alignment


@router.get("/alignment", response=AlignmentOverviewOut)
def alignment_overview(request: HttpRequest, period: str = "") -> dict:
    chosen = selectors.period_choose(list(selectors.period_list()), period or None)
    overview = selectors.alignment_overview(chosen)
    return {
        "period_id": chosen.pk if chosen else None,
        "total_effort": overview.total_effort,
        "active_initiatives": overview.active_count,
        "unaligned_effort": overview.unaligned_effort,
        "unaligned_initiative_ids": [i.pk for i in overview.unaligned],
        "objectives_without_work": [o.row.objective.pk for o in overview.objectives_without_work],
        "objectives": [
            {
                "objective_id": o.row.objective.pk,
                "title": o.row.objective.title,
                "effort": o.effort,
                "share": o.share,
                "initiative_ids": [i.pk for i, _ in o.initiatives],
            }
            for o in overview.objectives
        ],
    }


@router.post("/alignments", response={201: AlignmentOut})
def alignment_create(request: HttpRequest, payload: AlignmentIn) -> tuple[int, Alignment]:
    from northstar.portfolio.models import Initiative

    key_result = get_or_404(KeyResult, payload.key_result_id) if payload.key_result_id else None
    link = services.alignment_create(
        actor=user_of(request),
        initiative=get_or_404(Initiative, payload.initiative_id),
        objective=get_or_404(Objective, payload.objective_id),
        key_result=key_result,
        weight=payload.weight,
    )
    return 201, link


@router.delete("/alignments/{alignment_id}", response={204: None})
def alignment_delete(request: HttpRequest, alignment_id: int) -> tuple[int, None]:
    link = get_or_404(Alignment, alignment_id, queryset=Alignment.objects.select_related("initiative"))
    services.alignment_delete(actor=user_of(request), alignment=link)
    return 204, None
