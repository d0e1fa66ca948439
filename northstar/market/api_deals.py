"""REST API for deals (won and lost, with their reasons and win/loss rates) and research notes,
mounted with the market API under the same paths and tag."""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.market import imports, selectors, services
from northstar.market.models import (
    Competitor,
    Deal,
    Outcome,
    ReasonLink,
    ResearchNote,
    Segment,
)
from northstar.portfolio.models import Initiative

Money = Field(..., ge=0, max_digits=16, decimal_places=2)

router = Router()  # tagged "Market" by the market router it is added to


# ---------------------------------------------------------------------------------------------------
# Deals and win/loss


class MarketDealOut(Schema):
    id: int
    external_id: str
    name: str
    account: str
    customer_id: int | None
    segment_id: int | None
    amount: Decimal
    currency: str
    outcome: str
    competitor_id: int | None
    closed_on: date
    reasons: list[str]

    @staticmethod
    def resolve_reasons(obj: Deal) -> list[str]:
        return [r.reason for r in obj.reasons.all()]


class MarketDealIn(Schema):
    external_id: str = Field(..., min_length=1, max_length=120)
    name: str = Field(..., min_length=1, max_length=200)
    account: str = Field(..., min_length=1, max_length=200)
    amount: Decimal = Money
    currency: str = Field("EUR", min_length=3, max_length=3)
    outcome: Outcome
    closed_on: date
    segment_id: int | None = None
    competitor_id: int | None = None
    reasons: list[str] = Field(default_factory=list, max_length=50)


class MarketDealFilter(Schema):
    outcome: Outcome | None = None
    segment_id: int | None = None
    competitor_id: int | None = None
    reason: str = ""


@router.get("/market/deals", response=list[MarketDealOut])
@paginate(Pagination)
def deal_list(request: HttpRequest, filters: Query[MarketDealFilter]) -> object:
    qs = selectors.deal_queryset()
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.segment_id:
        qs = qs.filter(segment_id=filters.segment_id)
    if filters.competitor_id:
        qs = qs.filter(competitor_id=filters.competitor_id)
    if filters.reason:
        qs = qs.filter(reasons__reason=filters.reason.strip().lower())
    return qs


@router.post("/market/deals", response={201: MarketDealOut})
def deal_create(request: HttpRequest, payload: MarketDealIn) -> tuple[int, Deal]:
    data = payload.dict()
    segment_id, competitor_id = data.pop("segment_id"), data.pop("competitor_id")
    deal = services.deal_create(
        actor=user_of(request),
        segment=get_or_404(Segment, segment_id) if segment_id is not None else None,
        competitor=get_or_404(Competitor, competitor_id) if competitor_id is not None else None,
        **data,
    )
    return 201, selectors.deal_queryset().get(pk=deal.pk)


class MarketImportOut(Schema):
    batch_id: int
    deals: int
    won: int
    lost: int


@router.post("/market/deals/import", response={201: MarketImportOut})
def deal_import(
    request: HttpRequest,
    file: File[UploadedFile],
    preset: Literal["northstar", "hubspot", "salesforce"] = "northstar",
    date_order: str = "",
) -> tuple[int, dict]:
    """Import a CRM export (multipart field `file`, CSV). All or nothing: a refusal names the failing rows
    in `detail` (up to 20: row, column, message). `date_order` (dmy or mdy) reads dates like 01/02/2026,
    which are refused without it."""
    result = imports.deals_import(
        actor=user_of(request),
        stream=file,
        filename=file.name or "deals.csv",
        preset=preset,
        order=date_order,
    )
    return 201, {"batch_id": result.batch.pk, "deals": result.deals, "won": result.won, "lost": result.lost}


class MarketRateOut(Schema):
    label: str
    key: int | str | None
    won: int
    lost: int
    rate: float | None
    low: float | None = Field(None, description="90 % Wilson interval, lower bound.")
    high: float | None
    won_amount: float
    lost_amount: float


def _rate_out(label: str, key: object, rate: object, won_amount: float = 0, lost_amount: float = 0) -> dict:
    return {
        "label": label,
        "key": key,
        "won": rate.won,  # type: ignore[attr-defined]
        "lost": rate.lost,  # type: ignore[attr-defined]
        "rate": rate.rate,  # type: ignore[attr-defined]
        "low": rate.low,  # type: ignore[attr-defined]
        "high": rate.high,  # type: ignore[attr-defined]
        "won_amount": won_amount,
        "lost_amount": lost_amount,
    }


class MarketReasonOut(Schema):
    reason: str
    deals: int
    amount: float
    initiative_ids: list[int]


class MarketWinLossOut(Schema):
    since: date | None
    until: date | None
    overall: MarketRateOut
    by_segment: list[MarketRateOut]
    by_competitor: list[MarketRateOut]
    by_quarter: list[MarketRateOut]
    quarter_trend_per_quarter: float | None = Field(None, description="Slope of the quarterly win rate.")
    top_loss_reasons: list[MarketReasonOut]


@router.get("/market/win-loss", response=MarketWinLossOut)
def win_loss(
    request: HttpRequest,
    since: date | None = None,
    until: date | None = None,
    segment_id: int | None = None,
    competitor_id: int | None = None,
) -> dict:
    """Win rates with 90 % intervals (default window: the year up to the newest deal) and top loss reasons."""
    wl = selectors.win_loss(since=since, until=until, segment_id=segment_id, competitor_id=competitor_id)

    def rows(items: list[selectors.LabelledRate]) -> list[dict]:
        return [_rate_out(r.label, r.key, r.rate, r.won_amount, r.lost_amount) for r in items]

    return {
        "since": wl.since,
        "until": wl.until,
        "overall": _rate_out("All deals", None, wl.overall),
        "by_segment": rows(wl.by_segment),
        "by_competitor": rows(wl.by_competitor),
        "by_quarter": rows(wl.by_quarter),
        "quarter_trend_per_quarter": wl.quarter_trend.slope if wl.quarter_trend else None,
        "top_loss_reasons": [
            {
                "reason": r.reason,
                "deals": r.deals,
                "amount": r.amount,
                "initiative_ids": [lk.initiative_id for lk in r.links],
            }
            for r in wl.reasons
        ],
    }


class MarketReasonLinkIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    initiative_id: int


class MarketReasonLinkOut(Schema):
    id: int
    reason: str
    initiative_id: int


@router.post("/market/reason-links", response={201: MarketReasonLinkOut})
def reason_link_create(request: HttpRequest, payload: MarketReasonLinkIn) -> tuple[int, ReasonLink]:
    """Link a loss reason to an idea as evidence: its lost deals count in the idea's market demand."""
    initiative = get_or_404(Initiative, payload.initiative_id)
    return 201, services.reason_link_create(
        actor=user_of(request), reason=payload.reason, initiative=initiative
    )


@router.delete("/market/reason-links/{link_id}", response={204: None})
def reason_link_delete(request: HttpRequest, link_id: int) -> tuple[int, None]:
    link = get_or_404(ReasonLink, link_id, queryset=ReasonLink.objects.select_related("initiative"))
    services.reason_link_delete(actor=user_of(request), link=link)
    return 204, None


# ---------------------------------------------------------------------------------------------------
# Research notes


class MarketNoteOut(Schema):
    id: int
    version: int
    title: str
    kind: str
    noted_on: date
    body: str
    tags: list[str]
    source_url: str
    segment_ids: list[int]
    objective_ids: list[int]
    initiative_ids: list[int]

    @staticmethod
    def resolve_tags(obj: ResearchNote) -> list[str]:
        return obj.tag_list

    @staticmethod
    def resolve_segment_ids(obj: ResearchNote) -> list[int]:
        return [o.pk for o in obj.segments.all()]

    @staticmethod
    def resolve_objective_ids(obj: ResearchNote) -> list[int]:
        return [o.pk for o in obj.objectives.all()]

    @staticmethod
    def resolve_initiative_ids(obj: ResearchNote) -> list[int]:
        return [o.pk for o in obj.initiatives.all()]


class MarketNoteIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: ResearchNote.Kind = ResearchNote.Kind.TREND
    noted_on: date
    body: str = ""
    tags: str = Field("", max_length=300)
    source_url: str = Field("", max_length=200)
    segment_ids: list[int] = Field(default_factory=list, max_length=500)
    objective_ids: list[int] = Field(default_factory=list, max_length=500)
    initiative_ids: list[int] = Field(default_factory=list, max_length=500)


class MarketNotePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: ResearchNote.Kind | None = None
    noted_on: date | None = None
    body: str | None = None
    tags: str | None = Field(None, max_length=300)
    source_url: str | None = Field(None, max_length=200)
    segment_ids: list[int] | None = Field(None, max_length=500)
    objective_ids: list[int] | None = Field(None, max_length=500)
    initiative_ids: list[int] | None = Field(None, max_length=500)


class MarketNoteFilter(Schema):
    q: str = Field("", max_length=200, description="Words in the title, body or tags.")
    tag: str = Field("", max_length=60)
    kind: ResearchNote.Kind | None = None
    segment_id: int | None = None


@router.get("/market/notes", response=list[MarketNoteOut])
@paginate(Pagination)
def note_list(request: HttpRequest, filters: Query[MarketNoteFilter]) -> object:
    return selectors.note_search(
        text=filters.q, tag=filters.tag, kind=filters.kind or "", segment_id=filters.segment_id
    )


@router.post("/market/notes", response={201: MarketNoteOut})
def note_create(request: HttpRequest, payload: MarketNoteIn) -> tuple[int, ResearchNote]:
    return 201, services.note_create(actor=user_of(request), **payload.dict())


@router.get("/market/notes/{note_id}", response=MarketNoteOut)
def note_get(request: HttpRequest, response: HttpResponse, note_id: int) -> ResearchNote:
    return with_etag(response, get_or_404(ResearchNote, note_id))


@router.patch("/market/notes/{note_id}", response=MarketNoteOut)
def note_update(
    request: HttpRequest, response: HttpResponse, note_id: int, payload: MarketNotePatch
) -> ResearchNote:
    note = for_write(request, get_or_404(ResearchNote, note_id))
    saved = services.note_update(
        actor=user_of(request), note=note, **payload.dict(exclude_unset=True, exclude_none=True)
    )
    return with_etag(response, saved)


@router.delete("/market/notes/{note_id}", response={204: None})
def note_delete(request: HttpRequest, note_id: int) -> tuple[int, None]:
    note = for_write(request, get_or_404(ResearchNote, note_id))
    services.note_delete(actor=user_of(request), note=note)
    return 204, None
