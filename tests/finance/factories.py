"""Finance records for tests: rates, actuals in a batch, business cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from northstar.finance.models import Actual, ActualBatch, Category, ExchangeRate, SpendKind
from northstar.finance.services import BenefitInput, Estimate, business_case_save
from northstar.planning.models import BudgetEnvelope
from northstar.strategy.models import PlanningPeriod


def make_rate(currency: str = "USD", rate: str = "0.9", valid_from: date = date(2020, 1, 1)) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, rate=Decimal(rate), valid_from=valid_from)


def make_actuals(rows: list[dict[str, Any]], *, name: str = "ledger.csv") -> ActualBatch:
    batch = ActualBatch.objects.create(file_name=name, rows=len(rows), total=Decimal("0"), currency="EUR")
    for row in rows:
        amount = Decimal(str(row.pop("amount")))
        Actual.objects.create(
            batch=batch,
            amount=amount,
            currency="EUR",
            amount_company=amount,
            category=row.pop("category", Category.TOOLS),
            kind=row.pop("kind", SpendKind.OPEX),
            **row,
        )
    return batch


def make_quarters(year: int) -> list[PlanningPeriod]:
    ends = {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30), 4: date(year, 12, 31)}
    return [
        PlanningPeriod.objects.get_or_create(
            name=f"{year}-Q{q}", defaults={"start": date(year, 3 * q - 2, 1), "end": ends[q]}
        )[0]
        for q in range(1, 5)
    ]


def make_budget(line, period: PlanningPeriod, amount: str) -> BudgetEnvelope:
    return BudgetEnvelope.objects.create(line=line, period=period, amount=Decimal(amount), currency="EUR")


def make_case(actor, initiative, **kw: Any):
    data: dict[str, Any] = {
        "investment": Estimate(80_000, 100_000, 150_000),
        "running_cost": Estimate(4_000, 5_000, 8_000),
        "benefits": [
            BenefitInput("new_revenue", Estimate(10_000, 30_000, 60_000), start=2),
            BenefitInput("savings", Estimate(4_000, 5_000, 6_000)),
        ],
        "probability": "0.7",
    }
    data.update(kw)
    return business_case_save(actor=actor, initiative=initiative, **data)
