"""REST API for market, mounted under /api/v1/: segments and their size estimates, competitors, the
capability matrix, deals (one by one or a CRM export), win/loss, loss reasons as evidence, research notes."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import for_write, with_etag
from northstar.core.errors import ValidationFailed
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.market import api_deals as deals_api
from northstar.market import selectors, services
from northstar.market.models import (
    Capability,
    Competitor,
    Segment,
    SizeEstimate,
)
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.strategy.models import Objective

router = Router(tags=["Market"])


# ---------------------------------------------------------------------------------------------------
# Segments


class MarketRangeOut(Schema):
    low: float
    likely: float
    high: float


class MarketSizeOut(Schema):
    tam: MarketRangeOut
    sam: MarketRangeOut
    som: MarketRangeOut


class MarketEstimateOut(Schema):
    id: int
    segment_id: int
    method: str
    as_of: date
    tam: Decimal
    sam: Decimal
    som: Decimal
    accounts: int | None
    serviceable_accounts: int | None
    obtainable_accounts: int | None
    annual_price: Decimal | None
    spread: Decimal
    growth_rate: Decimal
    source: str
    source_url: str
    note: str
    created_at: datetime


class MarketSegmentOut(Schema):
    id: int
    version: int
    name: str
    dimension: str
    description: str
    customer_segment: str
    currency: str
    size: MarketSizeOut | None = Field(None, description="Current size: the newest estimate, with its range.")
    current_estimate: MarketEstimateOut | None
    our_revenue: Decimal = Field(..., description="Annual revenue of known customers in this segment.")
    customers: int
    share_of_sam: float | None
    objective_ids: list[int]
    initiative_ids: list[int]
    archived_at: datetime | None = Field(None, description="Set when archived: out of lists, still here.")


def _segment_out(row: selectors.SegmentRow) -> dict:
    s = row.segment
    return {
        "id": s.pk,
        "version": s.version,
        "name": s.name,
        "dimension": s.dimension,
        "description": s.description,
        "customer_segment": s.customer_segment,
        "currency": s.currency,
        "size": row.size,
        "current_estimate": row.estimate,
        "our_revenue": row.revenue,
        "customers": row.customers,
        "share_of_sam": row.share_of_sam,
        "objective_ids": [o.pk for o in s.objectives.all()],
        "initiative_ids": [i.pk for i in s.initiatives.all()],
        "archived_at": s.archived_at,
    }


class MarketSegmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    dimension: Segment.Dimension = Segment.Dimension.COMPANY_SIZE
    description: str = ""
    customer_segment: str = Field("", max_length=20)
    currency: str = Field("EUR", min_length=3, max_length=3)


class MarketSegmentPatch(Schema):
    """Only the fields sent change; a null leaves its field as it is."""

    name: str | None = Field(None, min_length=1, max_length=120)
    dimension: Segment.Dimension | None = None
    description: str | None = None
    customer_segment: str | None = Field(None, max_length=20)
    currency: str | None = Field(None, min_length=3, max_length=3)


class MarketEstimateIn(Schema):
    method: SizeEstimate.Method = SizeEstimate.Method.TOP_DOWN
    as_of: date
    source: str = Field(..., min_length=1, max_length=300)
    source_url: str = Field("", max_length=200)
    tam: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    sam: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    som: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    accounts: int | None = Field(None, ge=0, le=2_000_000_000)
    serviceable_accounts: int | None = Field(None, ge=0, le=2_000_000_000)
    obtainable_accounts: int | None = Field(None, ge=0, le=2_000_000_000)
    annual_price: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    spread: Decimal = Field(Decimal("0.2"), ge=0, le=Decimal("0.99"), max_digits=4, decimal_places=2)
    growth_rate: Decimal = Field(Decimal("0"), ge=Decimal("-0.99"), le=99, max_digits=5, decimal_places=3)
    note: str = ""


class MarketServesIn(Schema):
    objective_ids: list[int] = Field(default_factory=list, max_length=500)
    initiative_ids: list[int] = Field(default_factory=list, max_length=500)


def _segment_row(segment_id: int) -> selectors.SegmentRow:
    segment = get_or_404(Segment, segment_id)
    return selectors.segment_rows(Segment.all_objects.filter(pk=segment.pk))[0]  # archived ones too


@router.get("/market/segments", response=list[MarketSegmentOut])
@paginate(Pagination)
def segment_list(request: HttpRequest) -> list[dict]:
    """Segments with their current size (TAM, SAM, SOM as ranges) and our share from known customers."""
    return [
        _segment_out(r)
        for r in selectors.segment_rows(Segment.objects.prefetch_related("objectives", "initiatives"))
    ]


@router.post("/market/segments", response={201: MarketSegmentOut})
def segment_create(request: HttpRequest, payload: MarketSegmentIn) -> tuple[int, dict]:
    segment = services.segment_create(actor=user_of(request), **payload.dict())
    return 201, _segment_out(_segment_row(segment.pk))


@router.get("/market/segments/{segment_id}", response=MarketSegmentOut)
def segment_get(request: HttpRequest, response: HttpResponse, segment_id: int) -> dict:
    row = _segment_row(segment_id)
    with_etag(response, row.segment)
    return _segment_out(row)


@router.patch("/market/segments/{segment_id}", response=MarketSegmentOut)
def segment_update(
    request: HttpRequest, response: HttpResponse, segment_id: int, payload: MarketSegmentPatch
) -> dict:
    segment = for_write(request, get_or_404(Segment, segment_id))
    services.segment_update(
        actor=user_of(request), segment=segment, **payload.dict(exclude_unset=True, exclude_none=True)
    )
    return segment_get(request, response, segment_id)


@router.delete("/market/segments/{segment_id}", response={204: None})
def segment_delete(request: HttpRequest, segment_id: int) -> tuple[int, None]:
    segment = for_write(request, get_or_404(Segment, segment_id))
    services.segment_delete(actor=user_of(request), segment=segment)
    return 204, None


@router.get("/market/segments/{segment_id}/estimates", response=list[MarketEstimateOut])
def estimate_list(request: HttpRequest, segment_id: int) -> list[SizeEstimate]:
    """Every estimate of the segment, oldest first (the history is kept)."""
    return selectors.segment_history(get_or_404(Segment, segment_id))[-500:]


@router.post("/market/segments/{segment_id}/estimates", response={201: MarketEstimateOut})
def estimate_add(
    request: HttpRequest, segment_id: int, payload: MarketEstimateIn
) -> tuple[int, SizeEstimate]:
    segment = get_or_404(Segment, segment_id)
    return 201, services.estimate_add(actor=user_of(request), segment=segment, **payload.dict())


@router.put("/market/segments/{segment_id}/serves", response=MarketSegmentOut)
def segment_serves(request: HttpRequest, segment_id: int, payload: MarketServesIn) -> dict:
    """Set the objectives and initiatives that serve this segment."""
    segment = get_or_404(Segment, segment_id)
    services.segment_serves_set(actor=user_of(request), segment=segment, **payload.dict())
    return _segment_out(_segment_row(segment_id))


# ---------------------------------------------------------------------------------------------------
# Competitors and the matrix


class MarketCompetitorOut(Schema):
    id: int
    version: int
    name: str
    website: str
    positioning: str
    pricing_notes: str
    strengths: str
    weaknesses: str
    links: list[str]
    segment_ids: list[int]
    updated_at: datetime
    archived_at: datetime | None = Field(None, description="Set when archived: out of lists, still here.")

    @staticmethod
    def resolve_links(obj: Competitor) -> list[str]:
        return obj.link_list

    @staticmethod
    def resolve_segment_ids(obj: Competitor) -> list[int]:
        return [s.pk for s in obj.segments.all()]


class MarketCompetitorIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    website: str = Field("", max_length=200)
    positioning: str = ""
    pricing_notes: str = ""
    strengths: str = ""
    weaknesses: str = ""
    links: str = ""
    segment_ids: list[int] = Field(default_factory=list, max_length=500)


class MarketCompetitorPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    website: str | None = Field(None, max_length=200)
    positioning: str | None = None
    pricing_notes: str | None = None
    strengths: str | None = None
    weaknesses: str | None = None
    links: str | None = None
    segment_ids: list[int] | None = Field(None, max_length=500)


@router.get("/market/competitors", response=list[MarketCompetitorOut])
@paginate(Pagination)
def competitor_list(request: HttpRequest) -> object:
    return selectors.competitor_list()


@router.post("/market/competitors", response={201: MarketCompetitorOut})
def competitor_create(request: HttpRequest, payload: MarketCompetitorIn) -> tuple[int, Competitor]:
    return 201, services.competitor_create(actor=user_of(request), **payload.dict())


@router.get("/market/competitors/{competitor_id}", response=MarketCompetitorOut)
def competitor_get(request: HttpRequest, response: HttpResponse, competitor_id: int) -> Competitor:
    return with_etag(response, get_or_404(Competitor, competitor_id))


@router.patch("/market/competitors/{competitor_id}", response=MarketCompetitorOut)
def competitor_update(
    request: HttpRequest, response: HttpResponse, competitor_id: int, payload: MarketCompetitorPatch
) -> Competitor:
    competitor = for_write(request, get_or_404(Competitor, competitor_id))
    saved = services.competitor_update(
        actor=user_of(request), competitor=competitor, **payload.dict(exclude_unset=True, exclude_none=True)
    )
    return with_etag(response, saved)


@router.delete("/market/competitors/{competitor_id}", response={204: None})
def competitor_delete(request: HttpRequest, competitor_id: int) -> tuple[int, None]:
    competitor = for_write(request, get_or_404(Competitor, competitor_id))
    services.competitor_delete(actor=user_of(request), competitor=competitor)
    return 204, None


class MarketCapabilityIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = ""


class MarketCapabilityOut(Schema):
    id: int
    version: int
    name: str
    description: str
    position: int


@router.get("/market/capabilities", response=list[MarketCapabilityOut])
def capability_list(request: HttpRequest) -> object:
    return Capability.objects.all()[:500]


@router.post("/market/capabilities", response={201: MarketCapabilityOut})
def capability_create(request: HttpRequest, payload: MarketCapabilityIn) -> tuple[int, Capability]:
    return 201, services.capability_create(actor=user_of(request), **payload.dict())


class MarketRatingIn(Schema):
    capability_id: int
    competitor_id: int | None = None
    product_id: int | None = None
    score: int = Field(..., ge=0, le=5)
    note: str = Field("", max_length=300)
    rated_on: date


class MarketRatingOut(Schema):
    id: int
    capability_id: int
    competitor_id: int | None
    product_id: int | None
    score: int
    note: str
    rated_on: date


class MarketColumnOut(Schema):
    key: str = Field(..., description='"p<id>" for our product, "c<id>" for a competitor.')
    label: str
    ours: bool


class MarketMatrixRowOut(Schema):
    capability: MarketCapabilityOut
    cells: list[MarketRatingOut | None]


class MarketMatrixOut(Schema):
    columns: list[MarketColumnOut]
    rows: list[MarketMatrixRowOut]


def _ids(text: str) -> list[int] | None:
    if not text.strip():
        return None
    try:
        ids = [int(x) for x in text.split(",") if x.strip()][:100]
    except ValueError:
        ids = [-1]
    if any(not 0 < i < 2**63 for i in ids):
        raise ValidationFailed("Give ids as a comma-separated list, e.g. 3,5,8.")
    return ids


@router.get("/market/matrix", response=MarketMatrixOut)
def matrix_get(request: HttpRequest, competitors: str = "", products: str = "") -> dict:
    """The capability matrix: current rating per cell. `competitors` / `products`: comma-separated ids."""
    columns, rows = selectors.matrix(competitor_ids=_ids(competitors), product_ids=_ids(products))
    return {
        "columns": columns,
        "rows": [{"capability": r.capability, "cells": [c.rating for c in r.cells]} for r in rows],
    }


@router.post("/market/ratings", response={201: MarketRatingOut})
def rating_set(request: HttpRequest, payload: MarketRatingIn) -> tuple[int, object]:
    """Rate one cell; the previous rating of the cell is kept as history."""
    capability = get_or_404(Capability, payload.capability_id)
    competitor = get_or_404(Competitor, payload.competitor_id) if payload.competitor_id is not None else None
    product = get_or_404(Product, payload.product_id) if payload.product_id is not None else None
    return 201, services.rating_set(
        actor=user_of(request),
        capability=capability,
        competitor=competitor,
        product=product,
        score=payload.score,
        note=payload.note,
        rated_on=payload.rated_on,
    )


class MarketChangeOut(Schema):
    day: date
    kind: str
    text: str


@router.get("/market/changes", response=list[MarketChangeOut])
def changes(request: HttpRequest, since: date) -> object:
    """What changed since a day: ratings, size estimates, competitor profiles, research notes (≤ 200)."""
    return selectors.changes_since(since)


class MarketLostDemandOut(Schema):
    reasons: list[str]
    deals: int
    amount: dict[str, Decimal]


class MarketEvidenceOut(Schema):
    initiative_id: int
    segments: list[MarketSegmentOut]
    lost_demand: MarketLostDemandOut
    note_ids: list[int]


@router.get("/market/initiatives/{initiative_id}/evidence", response=MarketEvidenceOut)
def initiative_evidence(request: HttpRequest, initiative_id: int) -> dict:
    """Market evidence for one idea: the segments it serves (with size), the deals lost for the reasons
    linked to it (its demand in money), and the research notes that mention it."""
    initiative = get_or_404(Initiative, initiative_id)
    lost = selectors.lost_demand_for_initiatives([initiative.pk])[initiative.pk]
    return {
        "initiative_id": initiative.pk,
        "segments": [_segment_out(r) for r in selectors.segments_serving(initiative_id=initiative.pk)],
        "lost_demand": lost,
        "note_ids": [n.pk for n in selectors.notes_for(initiative_id=initiative.pk)],
    }


@router.get("/market/objectives/{objective_id}/segments", response=list[MarketSegmentOut])
def objective_segments(request: HttpRequest, objective_id: int) -> list[dict]:
    """The segments an objective serves, with their size and our share."""
    objective = get_or_404(Objective, objective_id)
    return [_segment_out(r) for r in selectors.segments_serving(objective_id=objective.pk)]


# Deals and research notes live in their own module, under the same paths and tag.
router.add_router("", deals_api.router)
