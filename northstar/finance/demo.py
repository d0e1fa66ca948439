"""The demo company's finance records: exchange rates, a cost centre per line, a year of non-people
spend imported as a finance system would export it (tools in EUR, agencies partly in USD and GBP),
finance budgets for the year, and business cases for the twenty most valuable initiatives.

People cost is derived by the delivery demo (it runs next) from the work the teams finished, so the
year of actuals is complete once both have loaded. The demo's budgets are the finance plan: the
planning demo's envelopes for the same quarters are raised to what each line is expected to cost in
full (people at their full cost rate, plus tools and services), one line a little over, one under.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from northstar.engines.finance import ThreePoint
from northstar.finance.imports import actuals_import
from northstar.finance.models import ActualBatch, BusinessCase, CostCentre, ExchangeRate
from northstar.finance.services import BenefitInput, Estimate, business_case_save
from northstar.org.models import ProductLine, Team
from northstar.portfolio.models import Initiative, Stage

#: How each line's year lands against its finance budget in the demo: over, on track, under.
LINE_BUDGET_FACTORS = (Decimal("0.93"), Decimal("1.01"), Decimal("1.12"))
CASES = 20


def months_back(today: date, count: int) -> list[date]:
    """The `count` full months before the current one, oldest first (the demo's year of actuals:
    imported spend here, people cost derived by the delivery demo)."""
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _ledger(months: list[date], lines: list[ProductLine], rng: random.Random) -> str:
    rows = ["period,cost_centre,category,kind,amount,currency,reference,description"]
    for m, month in enumerate(months):
        for i, line in enumerate(lines):
            teams = max(1, line.teams.count())
            code = f"CC-{100 + i}"
            tools = 2_400 * teams * (1 + 0.1 * rng.random())
            rows.append(f"{month:%Y-%m},{code},tools,opex,{tools:.2f},EUR,TL-{m}-{i},Software licences")
            agency = 6_000 * (1 + rng.random())
            currency = ("EUR", "USD", "GBP")[i % 3]
            kind = "capex" if i % 2 == 0 else "opex"
            rows.append(
                f"{month:%Y-%m},{code},services,{kind},{agency:.2f},{currency},AG-{m}-{i},Design agency"
            )
            if m % 3 == 0:
                rows.append(
                    f"{month:%Y-%m},{code},other,opex,{1_800 * (1 + rng.random()):.2f},EUR,EV-{m}-{i},Events"
                )
    return "\n".join(rows) + "\n"


def _budgets(months: list[date], lines: list[ProductLine]) -> int:
    """Raise (or add) each line's quarterly envelopes to its expected full cost for the year."""
    from northstar.planning.models import BudgetEnvelope
    from northstar.planning.services import periods_ensure

    periods = periods_ensure(actor=None, count=5, start=months[0])
    sizes = dict(Team.objects.annotate(n=Count("members")).values_list("id", "n"))
    changed = 0
    for i, line in enumerate(lines):
        weekly = sum((t.cost_rate * sizes.get(t.pk, 0) for t in line.teams.all()), Decimal("0"))
        extra = Decimal(2_400 * max(1, line.teams.count()) + 9_000)  # tools, agencies, events a month
        factor = LINE_BUDGET_FACTORS[i % len(LINE_BUDGET_FACTORS)]
        for period in periods:
            weeks = Decimal((period.end - period.start).days + 1) / 7
            amount = ((weekly * weeks + extra * 3) * factor).quantize(Decimal("1000"))
            envelope, created = BudgetEnvelope.objects.get_or_create(
                line=line, period=period, defaults={"amount": amount, "currency": "EUR"}
            )
            if not created and envelope.amount < amount:
                envelope.amount = amount
                envelope.save(update_fields=["amount", "updated_at"])
            changed += 1
    return changed


def _cases(rng: random.Random) -> int:
    """Business cases for the twenty initiatives the weighted model ranks highest."""
    top = (
        Initiative.objects.filter(
            stage__in=(Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY),
            product__isnull=False,
            scoring__isnull=False,
        )
        .select_related("product")
        .order_by("-scoring__weighted_score", "id")[:CASES]
    )
    made = 0
    for rank, initiative in enumerate(top):
        if BusinessCase.objects.filter(initiative=initiative).exists():
            continue
        size = rng.choice((60_000, 120_000, 250_000, 400_000))
        revenue = size * rng.uniform(0.08, 0.3)
        spread = ThreePoint(0.6, 1.0, 1.6)
        business_case_save(
            actor=None,
            initiative=initiative,
            investment=Estimate(round(size * 0.8), size, round(size * 1.5)),
            running_cost=Estimate(round(size * 0.02), round(size * 0.03), round(size * 0.06)),
            benefits=[
                BenefitInput(
                    "new_revenue" if rank % 3 else "retained_revenue",
                    Estimate(*(round(revenue * f) for f in (spread.low, spread.likely, spread.high))),
                    start=rng.choice((2, 3, 4)),
                ),
                BenefitInput("savings", Estimate(round(size * 0.01), round(size * 0.02), round(size * 0.04))),
            ],
            probability=Decimal(str(rng.choice((0.5, 0.6, 0.7, 0.8, 0.9)))),
            notes="Demo case: revenue from the pricing team's model, costs from the line's estimate.",
        )
        made += 1
    return made


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    if ActualBatch.objects.exists():
        return {}
    rng = random.Random(seed * 17 + 3)
    months = months_back(timezone.localdate(), 12)
    for currency, rate in (("USD", "0.92"), ("GBP", "1.17")):
        ExchangeRate.objects.get_or_create(
            currency=currency, valid_from=months[0] - timedelta(days=365), defaults={"rate": Decimal(rate)}
        )
        ExchangeRate.objects.get_or_create(
            currency=currency, valid_from=months[6], defaults={"rate": Decimal(rate) * Decimal("1.02")}
        )
    lines = list(ProductLine.objects.order_by("name").prefetch_related("teams"))
    for i, line in enumerate(lines):
        CostCentre.objects.get_or_create(code=f"CC-{100 + i}", defaults={"name": line.name, "line": line})
    batch = actuals_import(
        actor=None,
        stream=io.StringIO(_ledger(months, lines, rng)),
        file_name=f"ledger-{months[0]:%Y-%m}-{months[-1]:%Y-%m}.csv",
    )
    return {
        "exchange rates": ExchangeRate.objects.count(),
        "actuals (non-people)": batch.rows,
        "finance budgets": _budgets(months, lines),
        "business cases": _cases(rng),
    }
