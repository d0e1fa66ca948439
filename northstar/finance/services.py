"""Finance use cases: exchange rates, cost centres and business cases. Every write runs in a
transaction, is audited and checks who may make it (imports live in `imports.py`, derived people cost
in `people_cost.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from northstar.core import audit, concurrency
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.engines import finance as engine
from northstar.finance.models import Benefit, BenefitKind, BusinessCase, CostCentre, ExchangeRate
from northstar.finance.money import RateTable, company_currency, company_discount_rate
from northstar.org import access
from northstar.org.models import ProductLine
from northstar.portfolio.models import Initiative

#: Draws of the NPV simulation stored with every case.
CASE_SIMULATIONS = 10_000


def _decimal(raw: Any, what: str) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{what} must be a number; got {raw!r}.") from None
    if not value.is_finite() or abs(value) >= Decimal("1e13"):
        raise ValidationFailed(f"{what} must be a finite number below 10 trillion; got {raw!r}.")
    return value


def _currency(raw: str) -> str:
    code = (raw or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationFailed(f"A currency is a three-letter code such as EUR; got {raw!r}.")
    return code


# ---------------------------------------------------------------------------------------------------
# Rates and cost centres


@transaction.atomic
def exchange_rate_set(*, actor: User, currency: str, rate: Any, valid_from: date) -> ExchangeRate:
    """Record what one unit of a currency is worth in the company currency from a day on."""
    access.require_leading(actor, "exchange rates")
    code = _currency(currency)
    if code == company_currency():
        raise ValidationFailed(f"{code} is the company currency: it is always worth exactly 1.")
    value = _decimal(rate, "The rate")
    if value <= 0:
        raise ValidationFailed("An exchange rate must be above zero.")
    existing = ExchangeRate.objects.filter(currency=code, valid_from=valid_from).first()
    before = audit.snapshot(existing) if existing else None
    record = existing or ExchangeRate(currency=code, valid_from=valid_from)
    record.rate = value.quantize(Decimal("0.00000001"))
    return record_save(actor=actor, instance=record, before=before)


def exchange_rate_delete(*, actor: User, rate: ExchangeRate) -> None:
    access.require_leading(actor, "exchange rates")
    with transaction.atomic():
        record_delete(actor=actor, instance=rate, blocked_by="it is in use")


@transaction.atomic
def cost_centre_save(
    *, actor: User, code: str, name: str = "", line: ProductLine | None = None
) -> CostCentre:
    """Map a finance system's cost centre to a product line (created on first use)."""
    access.require_leading(actor, "cost centres")
    code = code.strip()
    if not code or len(code) > 40:
        raise ValidationFailed("A cost centre code has 1 to 40 characters.")
    existing = CostCentre.objects.filter(code=code).first()
    before = audit.snapshot(existing) if existing else None
    record = existing or CostCentre(code=code)
    record.name = name.strip()[:120]
    record.line = line
    return record_save(actor=actor, instance=record, before=before)


# ---------------------------------------------------------------------------------------------------
# Business cases


@dataclass(frozen=True)
class Estimate:
    """A three-point estimate as typed by a person (validated by `business_case_save`)."""

    low: Any
    likely: Any
    high: Any


@dataclass(frozen=True)
class BenefitInput:
    kind: str
    estimate: Estimate
    start: int = 1
    end: int | None = None


def _three(estimate: Estimate, what: str) -> tuple[Decimal, Decimal, Decimal]:
    low = _decimal(estimate.low, f"{what} (low)")
    likely = _decimal(estimate.likely, f"{what} (likely)")
    high = _decimal(estimate.high, f"{what} (high)")
    if not low <= likely <= high:
        raise ValidationFailed(f"{what}: low ≤ likely ≤ high, got {low}, {likely}, {high}.")
    if low < 0:
        raise ValidationFailed(f"{what} cannot be negative.")
    return low, likely, high


def case_model(case: BusinessCase, benefits: list[Benefit]) -> engine.Case:
    """A stored case as the finance engine's `Case`."""

    def tp(low: Decimal, likely: Decimal, high: Decimal) -> engine.ThreePoint:
        return engine.ThreePoint(float(low), float(likely), float(high))

    return engine.Case(
        investment=tp(case.investment_low, case.investment_likely, case.investment_high),
        running_cost=tp(case.running_low, case.running_likely, case.running_high),
        benefits=tuple(
            engine.Benefit(b.get_kind_display(), tp(b.low, b.likely, b.high), start=b.start, end=b.end)
            for b in benefits
        ),
        horizon=case.horizon,
        annual_rate=float(case.annual_rate),
        periods_per_year=case.periods_per_year,
        probability=float(case.probability),
    )


def _compute(case: BusinessCase, benefits: list[Benefit]) -> None:
    model = case_model(case, benefits)
    figures = engine.evaluate(model)
    spread = engine.simulate(model, simulations=CASE_SIMULATIONS, seed=case.initiative_id)
    case.npv = round(figures.npv, 2)
    case.risk_adjusted_npv = round(figures.risk_adjusted_npv, 2)
    case.irr = figures.irr
    case.payback_periods = figures.payback_periods
    case.roi = figures.roi
    case.npv_p10, case.npv_p50, case.npv_p90 = (round(v, 2) for v in (spread.p10, spread.p50, spread.p90))
    case.probability_positive = spread.probability_positive


@transaction.atomic
def business_case_save(
    *,
    actor: User | None,
    initiative: Initiative,
    investment: Estimate,
    running_cost: Estimate,
    benefits: list[BenefitInput],
    probability: Any,
    horizon: int = 12,
    periods_per_year: int = 4,
    annual_rate: Any | None = None,
    currency: str | None = None,
    notes: str = "",
    version: int | None = None,
) -> BusinessCase:
    """Create or replace an initiative's business case and compute its figures (NPV, risk-adjusted
    NPV, IRR, payback, ROI and the simulated NPV spread) in the same transaction. `actor` None is
    the system (the demo loader). `version` is the one the editor started from (0: there was none):
    a case saved by someone else meanwhile is refused, never overwritten."""
    line_id = initiative.product.line_id if initiative.product is not None else None
    if actor is not None:
        access.require_line_edit(actor, line_id, "business cases")
    code = _currency(currency or company_currency())
    if not RateTable().knows(code):
        raise ValidationFailed(f"Currency {code} is unknown: add its exchange rate first.")
    if periods_per_year not in (4, 12):
        raise ValidationFailed("A business case counts in quarters (4 a year) or months (12).")
    if not 1 <= int(horizon) <= 120:
        raise ValidationFailed("The horizon is between 1 and 120 periods.")
    chance = _decimal(probability, "Probability of success")
    if not 0 <= chance <= 1:
        raise ValidationFailed("Probability of success is between 0 and 1 (0.7 = 70%).")
    rate = company_discount_rate() if annual_rate in (None, "") else _decimal(annual_rate, "Discount rate")
    if not 0 <= rate <= 1:
        raise ValidationFailed("The discount rate is between 0 and 1 a year (0.10 = 10%).")
    kinds = [b.kind for b in benefits]
    if len(set(kinds)) != len(kinds) or not set(kinds) <= set(BenefitKind.values):
        raise ValidationFailed(f"Benefits are one each of: {', '.join(BenefitKind.values)}.")

    existing = BusinessCase.objects.filter(initiative=initiative).first()
    concurrency.require_version(existing, version, what="This business case")
    before = audit.snapshot(existing) if existing else None
    case = existing or BusinessCase(initiative=initiative)
    case.currency = code
    case.annual_rate = rate.quantize(Decimal("0.0001"))
    case.periods_per_year = periods_per_year
    case.horizon = int(horizon)
    case.probability = chance.quantize(Decimal("0.01"))
    case.investment_low, case.investment_likely, case.investment_high = _three(investment, "Investment")
    case.running_low, case.running_likely, case.running_high = _three(running_cost, "Running cost")
    case.notes = notes
    rows: list[Benefit] = []
    for b in benefits:
        low, likely, high = _three(b.estimate, BenefitKind(b.kind).label)
        if b.start < 1 or (b.end is not None and b.end < b.start):
            raise ValidationFailed(
                f"{BenefitKind(b.kind).label}: start from period 1 and end after it starts."
            )
        rows.append(Benefit(kind=b.kind, low=low, likely=likely, high=high, start=b.start, end=b.end))
    _compute(case, rows)
    record_save(actor=actor, instance=case, before=before)
    case.benefits.all().delete()
    for row in rows:
        row.case = case
    Benefit.objects.bulk_create(rows)
    return case
