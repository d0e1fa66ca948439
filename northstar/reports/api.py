"""REST API for reports, mounted under /api/v1/: status updates, portfolio health, packs (list,
create, edit, issue, download each format) and the section registry. Thin: rules live in services."""

from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core import concurrency
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org.models import ProductLine
from northstar.reports import health, render, selectors, services
from northstar.reports.models import Pack, StatusUpdate
from northstar.reports.sections import SECTIONS, TEMPLATE_SECTIONS
from northstar.strategy.models import PlanningPeriod

router = Router(tags=["Reports"])


class SignalOut(Schema):
    signal: str
    status: str
    reason: str
    url: str


class RiskIn(Schema):
    description: str = Field(..., max_length=300)
    owner_id: int | None = None
    mitigation: str = ""
    severity: str = "medium"


class RiskOut(Schema):
    description: str
    owner_id: int | None
    mitigation: str
    severity: str


class StatusUpdateIn(Schema):
    period_id: int
    status: str
    override_reason: str = ""
    highlights: str = ""
    lowlights: str = ""
    asks: str = ""
    risks: list[RiskIn] = Field(default_factory=list, max_length=services.MAX_RISKS)


class StatusUpdateOut(Schema):
    id: int
    line_id: int
    period: str
    status: str
    proposed_status: str
    proposal: list[SignalOut]
    override_reason: str
    highlights: str
    lowlights: str
    asks: str
    risks: list[RiskOut]
    created_at: datetime

    @staticmethod
    def resolve_period(obj: StatusUpdate) -> str:
        return obj.period.name

    @staticmethod
    def resolve_risks(obj: StatusUpdate) -> list[dict]:
        return [
            {
                "description": r.description,
                "owner_id": r.owner_id,
                "mitigation": r.mitigation,
                "severity": r.severity,
            }
            for r in obj.risks.all()
        ]


@router.get("/reports/lines/{line_id}/updates", response=list[StatusUpdateOut])
@paginate(Pagination)
def status_updates(request: HttpRequest, line_id: int) -> object:
    """A line's status history, newest period first."""
    return selectors.status_history(get_or_404(ProductLine, line_id))


@router.post("/reports/lines/{line_id}/updates", response={201: StatusUpdateOut})
def status_update_post(request: HttpRequest, line_id: int, data: StatusUpdateIn) -> object:
    """Post a status; a status other than the proposed one needs `override_reason`."""
    line = get_or_404(ProductLine, line_id)
    period = get_or_404(PlanningPeriod, data.period_id)
    update = services.status_update_create(
        actor=user_of(request),
        line=line,
        period=period,
        status=data.status,
        override_reason=data.override_reason,
        highlights=data.highlights,
        lowlights=data.lowlights,
        asks=data.asks,
        risks=[services.RiskInput(**r.dict()) for r in data.risks],
    )
    return 201, update


class LineHealthOut(Schema):
    line_id: int
    line: str
    status: str
    posted: bool
    proposed: str
    signals: list[SignalOut]
    progress: float | None
    confidence: float | None
    kpi_flags: int
    slipped: int
    roadmap_items: int
    budget: dict[str, float]
    spend_variance: float | None
    demand_items: int
    demand_customers: int


class HealthOut(Schema):
    period: str | None
    day: date
    elapsed: float
    lines: list[LineHealthOut]


class HealthQuery(Schema):
    on: date | None = None


@router.get("/reports/health", response=HealthOut)
def portfolio_health(request: HttpRequest, query: Query[HealthQuery]) -> object:
    """Every line's status (posted, else proposed) with the signals and figures behind it."""
    from django.utils import timezone

    day = health.check_day(query.on, "The date") if query.on else timezone.localdate()
    result = health.portfolio_health(today=day)
    return {
        "period": result.period.name if result.period else None,
        "day": result.today,
        "elapsed": result.elapsed,
        "lines": [
            {
                "line_id": r.line.pk,
                "line": r.line.name,
                "status": r.status,
                "posted": r.update is not None,
                "proposed": r.proposed,
                "signals": [s.as_dict() for s in r.signals],
                "progress": r.progress,
                "confidence": r.confidence,
                "kpi_flags": r.kpi_flags,
                "slipped": r.slipped,
                "roadmap_items": r.roadmap_items,
                "budget": r.budget,
                "spend_variance": r.variance,
                "demand_items": r.demand_items,
                "demand_customers": r.demand_customers,
            }
            for r in result.lines
        ],
    }


class SectionOut(Schema):
    key: str
    title: str
    description: str
    templates: list[str]


@router.get("/reports/sections", response=list[SectionOut])
def sections(request: HttpRequest) -> object:
    """Sections a pack can hold, and the templates that include each by default."""
    return [
        {
            "key": s.key,
            "title": s.title,
            "description": s.description,
            "templates": [t for t, keys in TEMPLATE_SECTIONS.items() if s.key in keys],
        }
        for s in SECTIONS.values()
    ]


class PackSectionIO(Schema):
    key: str
    narrative: str = ""


class PackIn(Schema):
    template: str
    cut_off: date
    title: str = ""
    line_id: int | None = None
    sections: list[str] | None = Field(None, max_length=len(SECTIONS))


class PackPatch(Schema):
    title: str | None = None
    cut_off: date | None = None
    sections: list[PackSectionIO] | None = Field(None, max_length=len(SECTIONS))


class PackOut(Schema):
    id: int
    template: str
    title: str
    line_id: int | None
    cut_off: date
    state: str
    issued_at: datetime | None
    previous_id: int | None
    sections: list[PackSectionIO]
    files: dict[str, str]

    @staticmethod
    def resolve_sections(obj: Pack) -> list[dict]:
        return [{"key": s.key, "narrative": s.narrative} for s in obj.sections.all()]

    @staticmethod
    def resolve_files(obj: Pack) -> dict[str, str]:
        return {fmt: meta["sha256"] for fmt, meta in (obj.files or {}).items()}


class PackFilter(Schema):
    state: str = ""
    template: str = ""


@router.get("/reports/packs", response=list[PackOut])
@paginate(Pagination)
def pack_list(request: HttpRequest, filters: Query[PackFilter]) -> object:
    return selectors.pack_list(state=filters.state, template=filters.template).prefetch_related("sections")


@router.post("/reports/packs", response={201: PackOut})
def pack_create(request: HttpRequest, data: PackIn) -> object:
    line = get_or_404(ProductLine, data.line_id) if data.line_id else None
    pack = services.pack_create(
        actor=user_of(request),
        template=data.template,
        cut_off=data.cut_off,
        title=data.title,
        line=line,
        sections=data.sections,
    )
    return 201, pack


@router.get("/reports/packs/{pack_id}", response=PackOut)
def pack_get(request: HttpRequest, response: HttpResponse, pack_id: int) -> object:
    return concurrency.with_etag(response, services.get_pack(pack_id))


@router.patch("/reports/packs/{pack_id}", response=PackOut)
def pack_patch(request: HttpRequest, response: HttpResponse, pack_id: int, data: PackPatch) -> object:
    """Change a draft; `sections` (when given) replaces the list: keys in order, each with its narrative.
    Send the ETag of your GET as If-Match: a draft someone changed meanwhile is refused (412)."""
    pack = concurrency.for_write(request, services.get_pack(pack_id))
    saved = services.pack_update(
        actor=user_of(request),
        pack=pack,
        title=data.title,
        cut_off=data.cut_off,
        sections=[(s.key, s.narrative) for s in data.sections] if data.sections is not None else None,
    )
    return concurrency.with_etag(response, saved)


class PackIssueJobOut(Schema):
    id: int
    title: str
    status: str
    progress: float


@router.post("/reports/packs/{pack_id}/issue", response={202: PackIssueJobOut})
def pack_issue(request: HttpRequest, pack_id: int) -> tuple[int, object]:
    """Start freezing a draft in the background: its data snapshot and its PPTX, PDF and HTML files are
    stored and never change. Poll `GET /api/v1/jobs/{id}`; the pack reads `issued` once it succeeded
    (a failed job leaves it a draft, with the reason in the job's `error`)."""
    return 202, services.pack_issue_start(actor=user_of(request), pack=services.get_pack(pack_id))


@router.get("/reports/packs/{pack_id}/download/{fmt}", response={200: None})
def pack_download(request: HttpRequest, pack_id: int, fmt: str) -> HttpResponse:
    """The pack as pptx, pdf, html (or json, its data). Issued packs: the stored file, byte for byte."""
    pack = services.get_pack(pack_id)
    data = services.pack_file(pack, fmt)
    response = HttpResponse(data, content_type=render.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{pack.template}-{pack.cut_off:%Y-%m-%d}-{pack.pk}.{fmt}"'
    )
    return response
