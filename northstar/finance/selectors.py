"""Reads of money: budget against actuals and forecast per line, period and initiative; run-rate to
the year end; variance flags; the capitalisable share; business cases and their values for the planner.

Every amount here is in the company currency. Budgets are the planning app's envelopes (per line and
period), converted at the rate valid at the period's start and spread evenly over its months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from northstar.engines import finance as engine
from northstar.finance.models import Actual, ActualBatch, BusinessCase, Category, ExchangeRate, SpendKind
from northstar.finance.money import RateTable, company_currency
from northstar.org.models import ProductLine

#: A line is flagged when its projection is more than this share over or under budget.
TOLERANCE = 0.05
ZERO = Decimal("0")


def months_of(year: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, 13)]


@dataclass
class Slice:
    """Budget, actual and forecast of one line or one quarter, with the variance flag."""

    label: str
    budget: Decimal
    actual: Decimal
    forecast: Decimal
    line: ProductLine | None = None

    @property
    def variance(self) -> float | None:
        return engine.variance(float(self.budget) if self.budget else None, float(self.forecast))

    @property
    def flag(self) -> str:
        return engine.variance_flag(
            float(self.budget) if self.budget else None, float(self.forecast), tolerance=TOLERANCE
        ).value


@dataclass
class Overview:
    """A year of money for the whole portfolio or one product line."""

    year: int
    currency: str
    line: ProductLine | None
    months: list[date]
    elapsed: int  # months with actuals that count as spent (the run-rate looks at these)
    actual: list[Decimal]
    budget: list[Decimal]
    projection: engine.Projection
    quarters: list[Slice]
    lines: list[Slice] = field(default_factory=list)
    people_capex: Decimal = ZERO
    people_total: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Slice:
        return Slice(
            "Year",
            sum(self.budget, ZERO),
            sum(self.actual, ZERO),
            Decimal(str(round(self.projection.year_end, 2))),
        )

    @property
    def forecast(self) -> list[Decimal]:
        """Actual for the months spent, the run-rate for the rest."""
        rate = Decimal(str(round(self.projection.run_rate, 2)))
        return [a if i < self.elapsed else rate for i, a in enumerate(self.actual)]

    @property
    def capex_share(self) -> float | None:
        """Share of people cost that is capitalisable development."""
        return float(self.people_capex / self.people_total) if self.people_total else None


def _monthly_budgets(year: int, line_ids: list[int] | None, rates: RateTable) -> dict[int, list[Decimal]]:
    from northstar.planning.models import BudgetEnvelope

    budgets: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    envelopes = BudgetEnvelope.objects.filter(period__start__year=year).select_related("period")
    if line_ids is not None:
        envelopes = envelopes.filter(line_id__in=line_ids)
    for env in envelopes:
        first = env.period.start
        months = [m for m in months_of(year) if first <= m <= env.period.end]
        if not months:
            continue
        amount = rates.convert(env.amount, env.currency, first)
        if amount is None:
            continue  # a budget in a currency without a rate cannot be compared; the rates page says so
        share = amount / len(months)
        for m in months:
            budgets[env.line_id][m.month - 1] += share
    return budgets


def _elapsed(year: int, latest: date | None, today: date) -> int:
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    last_with_data = latest.month if latest and latest.year == year else 0
    return min(max(last_with_data, today.month - 1), today.month)


def _slice(label: str, budget: list[Decimal], actual: list[Decimal], elapsed: int, months: range) -> Slice:
    projection = engine.run_rate_project([float(a) for a in actual[:elapsed]])
    rate = Decimal(str(round(projection.run_rate, 2)))
    forecast = sum((actual[i] if i < elapsed else rate for i in months), ZERO)
    return Slice(
        label,
        sum((budget[i] for i in months), ZERO),
        sum((actual[i] for i in months if i < elapsed), ZERO),
        forecast,
    )


def budget_overview(*, year: int, line: ProductLine | None = None, today: date | None = None) -> Overview:
    """Budget against actuals and forecast for a year, per quarter and per product line, as known on
    `today`: a pack cut off at the end of June must not count July's spend imported since."""
    today = today or timezone.localdate()
    rates = RateTable()
    actuals = Actual.objects.filter(month__year=year, month__lte=today)
    if line is not None:
        actuals = actuals.filter(line=line)
    per_line: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO] * 12)
    latest: date | None = None
    for line_id, month, total in (
        actuals.values("line_id", "month")
        .annotate(total=Sum("amount_company"))
        .values_list("line_id", "month", "total")
    ):
        per_line[line_id][month.month - 1] += total
        latest = month if latest is None or month > latest else latest
    budgets = _monthly_budgets(year, [line.pk] if line else None, rates)
    elapsed = _elapsed(year, latest, today)
    actual = [sum((row[i] for row in per_line.values()), ZERO) for i in range(12)]
    budget = [sum((row[i] for row in budgets.values()), ZERO) for i in range(12)]
    projection = engine.run_rate_project([float(a) for a in actual[:elapsed]])
    quarters = [_slice(f"Q{q + 1}", budget, actual, elapsed, range(3 * q, 3 * q + 3)) for q in range(4)]
    line_rows = []
    if line is None:
        names = {
            pl.pk: pl for pl in ProductLine.objects.filter(pk__in=[k for k in {*per_line, *budgets} if k])
        }
        for line_id in sorted(names, key=lambda k: names[k].name):
            row = _slice(
                names[line_id].name,
                budgets.get(line_id, [ZERO] * 12),
                per_line.get(line_id, [ZERO] * 12),
                elapsed,
                range(12),
            )
            row.line = names[line_id]
            line_rows.append(row)
        if None in per_line:
            line_rows.append(_slice("No product line", [ZERO] * 12, per_line[None], elapsed, range(12)))
    people = actuals.filter(category=Category.PEOPLE)
    capex = people.filter(kind=SpendKind.CAPEX).aggregate(s=Sum("amount_company"))["s"] or ZERO
    return Overview(
        year=year,
        currency=company_currency(),
        line=line,
        months=months_of(year),
        elapsed=elapsed,
        actual=actual,
        budget=budget,
        projection=projection,
        quarters=quarters,
        lines=line_rows,
        people_capex=capex,
        people_total=people.aggregate(s=Sum("amount_company"))["s"] or ZERO,
        by_category={
            c: t
            for c, t in actuals.values("category")
            .annotate(t=Sum("amount_company"))
            .values_list("category", "t")
        },
    )


def years_with_actuals() -> list[int]:
    return sorted({d.year for d in Actual.objects.dates("month", "year")}, reverse=True)


# ---------------------------------------------------------------------------------------------------
# Initiatives


@dataclass(frozen=True)
class InitiativeMoney:
    """What an initiative was planned to cost, has cost, and will cost at its delivery progress."""

    initiative_id: int
    title: str
    planned: Decimal | None
    actual: Decimal
    progress: float | None  # share of its linked delivery work done (0-1), when linked

    @property
    def forecast(self) -> Decimal:
        if self.planned is None:
            return self.actual
        left = Decimal(str(1 - self.progress)) if self.progress is not None else Decimal("1")
        return max(self.actual, self.actual + self.planned * left) if self.actual else self.planned

    @property
    def flag(self) -> str:
        return engine.variance_flag(
            float(self.planned) if self.planned else None, float(self.forecast), tolerance=TOLERANCE
        ).value


def planned_costs(initiative_ids: Iterable[int]) -> dict[int, Decimal]:
    """Cost of each initiative in the current plan: its team-weeks at its team's weekly rate."""
    from northstar.planning.models import PlanAssignment
    from northstar.planning.selectors import current_plan

    run = current_plan()
    if run is None:
        return {}
    rates = RateTable()
    today = timezone.localdate()
    costs: dict[int, Decimal] = {}
    for initiative_id, effort, rate, currency in PlanAssignment.objects.filter(
        run=run, initiative_id__in=list(initiative_ids), team__isnull=False
    ).values_list("initiative_id", "effort", "team__cost_rate", "team__currency"):
        weeks = Decimal(str(round(sum(float(v) for v in (effort or {}).values()), 2)))
        converted = rates.convert(weeks * rate, currency, today)
        if converted is not None:
            costs[initiative_id] = converted
    return costs


def initiative_money(*, limit: int = 20, line: ProductLine | None = None) -> list[InitiativeMoney]:
    """The initiatives with the most money against them (actual or planned), biggest first."""
    from northstar.delivery.selectors import initiative_progress
    from northstar.portfolio.models import Initiative

    actual_rows = Actual.objects.filter(initiative__isnull=False)
    if line is not None:
        actual_rows = actual_rows.filter(line=line)
    actual = dict(
        actual_rows.values("initiative_id")
        .annotate(t=Sum("amount_company"))
        .values_list("initiative_id", "t")
    )
    planned = planned_costs(Initiative.objects.filter(pk__in=actual.keys()).values_list("id", flat=True))
    ranked = sorted(actual, key=lambda i: -(actual[i] + planned.get(i, ZERO)))[:limit]
    titles = dict(Initiative.objects.filter(pk__in=ranked).values_list("id", "title"))
    progress = initiative_progress(ranked)
    return [
        InitiativeMoney(
            initiative_id=i,
            title=titles.get(i, "?"),
            planned=planned.get(i),
            actual=actual[i],
            progress=progress[i].percent / 100 if i in progress else None,
        )
        for i in ranked
    ]


def initiative_actuals(initiative_id: int) -> dict[str, Decimal]:
    rows = (
        Actual.objects.filter(initiative_id=initiative_id)
        .values("category")
        .annotate(t=Sum("amount_company"))
    )
    return {r["category"]: r["t"] for r in rows}


# ---------------------------------------------------------------------------------------------------
# Lists and business cases


def actual_list(*, line: ProductLine | None = None, month: date | None = None) -> QuerySet[Actual]:
    qs = Actual.objects.select_related("line", "initiative", "team", "batch").order_by("-month", "id")
    if line is not None:
        qs = qs.filter(line=line)
    if month is not None:
        qs = qs.filter(month=month)
    return qs


def batch_list(limit: int = 10) -> list[ActualBatch]:
    return list(ActualBatch.objects.select_related("actor").order_by("-created_at", "-id")[:limit])


def rate_list(limit: int = 200) -> list[ExchangeRate]:
    return list(ExchangeRate.objects.order_by("currency", "-valid_from")[:limit])


def case_list() -> QuerySet[BusinessCase]:
    return BusinessCase.objects.select_related("initiative__product__line").order_by(
        "-risk_adjusted_npv", "id"
    )


def case_for(initiative_id: int) -> BusinessCase | None:
    return (
        BusinessCase.objects.select_related("initiative__product__line")
        .prefetch_related("benefits")
        .filter(initiative_id=initiative_id)
        .first()
    )


def risk_adjusted_values(initiative_ids: Iterable[int]) -> dict[int, float]:
    """Risk-adjusted NPV of each initiative's business case in thousands of the company currency:
    what a scenario valuing by business case gives the planner (negative cases are worth nothing)."""
    rates = RateTable()
    today = timezone.localdate()
    values: dict[int, float] = {}
    for initiative_id, rnpv, currency in BusinessCase.objects.filter(
        initiative_id__in=list(initiative_ids), risk_adjusted_npv__isnull=False
    ).values_list("initiative_id", "risk_adjusted_npv", "currency"):
        rate = rates.rate(currency, today)
        if rate is not None and rnpv is not None:
            values[initiative_id] = round(max(0.0, rnpv * float(rate)) / 1000, 2)
    return values
