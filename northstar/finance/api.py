"""REST API for finance, mounted under /api/v1/: budget against actuals, actuals and their import,
people cost derivation, exchange rates and business cases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from northstar.core import concurrency
from northstar.core.errors import NotFound
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.finance import selectors, services
from northstar.finance.imports import actuals_import
from northstar.finance.models import ActualBatch, BenefitKind, BusinessCase, ExchangeRate
from northstar.finance.people_cost import people_cost_derive
from northstar.org.models import ProductLine
from northstar.portfolio.models import Initiative

router = Router(tags=["Finance"])


class SliceOut(Schema):
    label: str
    budget: Decimal
    actual: Decimal
    forecast: Decimal
    variance: float | None
    flag: str
    line_id: int | None = None


class SummaryOut(Schema):
    year: int
    currency: str
    line_id: int | None
    months: list[date]
    actual: list[Decimal]
    budget: list[Decimal]
    forecast: list[Decimal]
    months_spent: int
    run_rate: float
    year_end: float
    total: SliceOut
    quarters: list[SliceOut]
    lines: list[SliceOut]
    capitalisable_share: float | None


def _slice(s: selectors.Slice) -> dict:
    return {
        "label": s.label,
        "budget": s.budget,
        "actual": s.actual,
        "forecast": s.forecast,
        "variance": s.variance,
        "flag": s.flag,
        "line_id": s.line.pk if s.line else None,
    }


class SummaryQuery(Schema):
    year: int = Field(default_factory=lambda: timezone.localdate().year, ge=2000, le=2200)
    line_id: int | None = None


@router.get("/finance/summary", response=SummaryOut)
def finance_summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict:
    """Budget against actuals and forecast for a year (optionally one product line), run-rate to the
    year end, per quarter and per line, with variance flags and the capitalisable share."""
    line = get_or_404(ProductLine, query.line_id) if query.line_id else None
    o = selectors.budget_overview(year=query.year, line=line)
    return {
        "year": o.year,
        "currency": o.currency,
        "line_id": line.pk if line else None,
        "months": o.months,
        "actual": o.actual,
        "budget": o.budget,
        "forecast": o.forecast,
        "months_spent": o.elapsed,
        "run_rate": o.projection.run_rate,
        "year_end": o.projection.year_end,
        "total": _slice(o.total),
        "quarters": [_slice(q) for q in o.quarters],
        "lines": [_slice(r) for r in o.lines],
        "capitalisable_share": o.capex_share,
    }


class ActualOut(Schema):
    id: int
    month: date
    line_id: int | None
    cost_centre: str
    initiative_id: int | None
    team_id: int | None
    category: str
    kind: str
    amount: Decimal
    currency: str
    amount_company: Decimal
    reference: str
    description: str
    batch_id: int


class ActualPage(Schema):
    count: int
    results: list[ActualOut]


class ActualQuery(Schema):
    line_id: int | None = None
    month: date | None = None
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=500)


@router.get("/finance/actuals", response=ActualPage)
def actual_list(request: HttpRequest, query: Query[ActualQuery]) -> dict:
    line = get_or_404(ProductLine, query.line_id) if query.line_id else None
    qs = selectors.actual_list(line=line, month=query.month.replace(day=1) if query.month else None)
    return {"count": qs.count(), "results": list(qs[query.offset : query.offset + query.limit])}


class BatchOut(Schema):
    id: int
    source: str
    file_name: str
    rows: int
    total: Decimal
    currency: str
    first_month: date | None
    last_month: date | None
    created_at: datetime


@router.post("/finance/actuals/import", response={201: BatchOut})
def actual_import(
    request: HttpRequest, file: File[UploadedFile], date_order: str = ""
) -> tuple[int, ActualBatch]:
    """Import a CSV of actuals (multipart field `file`); all rows land or none do, and a refusal names
    the rows at fault (`detail` lists up to 20). `date_order` (dmy or mdy) reads dates like 01/02/2024,
    which are refused without it."""
    return 201, actuals_import(
        actor=user_of(request), stream=file, file_name=file.name or "upload.csv", order=date_order
    )


class PeopleCostIn(Schema):
    month: date


@router.post("/finance/people-cost", response={201: BatchOut})
def people_cost(request: HttpRequest, payload: PeopleCostIn) -> tuple[int, ActualBatch]:
    """Derive a month's people cost from team cost rates and where the teams' time went."""
    return 201, people_cost_derive(actor=user_of(request), month=payload.month)


class RateIn(Schema):
    currency: str = Field(..., min_length=3, max_length=3)
    rate: Decimal = Field(..., gt=0, max_digits=18, decimal_places=8)
    valid_from: date


class RateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_from: date


class RatesOut(Schema):
    company_currency: str
    rates: list[RateOut]


@router.get("/finance/rates", response=RatesOut)
def rate_list(request: HttpRequest) -> dict:
    return {"company_currency": settings.NORTHSTAR_CURRENCY, "rates": selectors.rate_list()}


@router.post("/finance/rates", response={201: RateOut})
def rate_set(request: HttpRequest, payload: RateIn) -> tuple[int, ExchangeRate]:
    return 201, services.exchange_rate_set(actor=user_of(request), **payload.dict())


class EstimateIO(Schema):
    low: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    likely: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    high: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)


class BenefitIO(Schema):
    kind: BenefitKind
    low: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    likely: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    high: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    start: int = Field(1, ge=1, le=120)
    end: int | None = Field(None, ge=1, le=120)


class CaseIn(Schema):
    investment: EstimateIO
    running_cost: EstimateIO
    benefits: list[BenefitIO] = Field(default_factory=list, max_length=3)
    probability: Decimal = Field(..., ge=0, le=1)
    horizon: int = Field(12, ge=1, le=120)
    periods_per_year: int = Field(4)
    annual_rate: Decimal | None = Field(None, ge=0, le=1)
    currency: str | None = Field(None, min_length=3, max_length=3)
    notes: str = Field("", max_length=5000)


class CaseOut(Schema):
    initiative_id: int
    currency: str
    annual_rate: Decimal
    periods_per_year: int
    horizon: int
    probability: Decimal
    investment: EstimateIO
    running_cost: EstimateIO
    benefits: list[BenefitIO]
    notes: str
    npv: float | None
    risk_adjusted_npv: float | None
    irr: float | None
    payback_periods: float | None
    roi: float | None
    npv_p10: float | None
    npv_p50: float | None
    npv_p90: float | None
    probability_positive: float | None

    @staticmethod
    def resolve_investment(obj: BusinessCase) -> dict:
        return {"low": obj.investment_low, "likely": obj.investment_likely, "high": obj.investment_high}

    @staticmethod
    def resolve_running_cost(obj: BusinessCase) -> dict:
        return {"low": obj.running_low, "likely": obj.running_likely, "high": obj.running_high}

    @staticmethod
    def resolve_benefits(obj: BusinessCase) -> list:
        return list(obj.benefits.all())


class CasePage(Schema):
    count: int
    results: list[CaseOut]


class PageQuery(Schema):
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("/finance/cases", response=CasePage)
def case_list(request: HttpRequest, query: Query[PageQuery]) -> dict:
    """Business cases, most valuable (risk-adjusted NPV) first."""
    qs = selectors.case_list().prefetch_related("benefits")
    return {"count": qs.count(), "results": list(qs[query.offset : query.offset + query.limit])}


@router.get("/finance/cases/{initiative_id}", response=CaseOut)
def case_get(request: HttpRequest, response: HttpResponse, initiative_id: int) -> BusinessCase:
    """The case with its ETag: send it back as If-Match on PUT so a case changed meanwhile is refused."""
    case = selectors.case_for(initiative_id)
    if case is None:
        get_or_404(Initiative, initiative_id)
        raise NotFound(f"Initiative {initiative_id} has no business case yet.")
    return concurrency.with_etag(response, case)


@router.put("/finance/cases/{initiative_id}", response=CaseOut)
def case_put(
    request: HttpRequest, response: HttpResponse, initiative_id: int, payload: CaseIn
) -> BusinessCase:
    """Create or replace an initiative's business case; its figures are computed as it is saved."""
    initiative = get_or_404(Initiative, initiative_id, queryset=Initiative.objects.select_related("product"))
    existing = selectors.case_for(initiative.pk)
    if existing is not None:
        concurrency.if_match(request, existing)
    data = payload.dict()
    case = services.business_case_save(
        version=concurrency.expected_version(existing) if existing else None,
        actor=user_of(request),
        initiative=initiative,
        investment=services.Estimate(**data["investment"]),
        running_cost=services.Estimate(**data["running_cost"]),
        benefits=[
            services.BenefitInput(
                b["kind"], services.Estimate(b["low"], b["likely"], b["high"]), b["start"], b["end"]
            )
            for b in data["benefits"]
        ],
        probability=data["probability"],
        horizon=data["horizon"],
        periods_per_year=data["periods_per_year"],
        annual_rate=data["annual_rate"],
        currency=data["currency"],
        notes=data["notes"],
    )
    return concurrency.with_etag(response, case)
