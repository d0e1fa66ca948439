"""Money: what was actually spent (imported or derived from where the teams' time went), the rates that
turn other currencies into the company currency, and business cases per initiative.

Amounts are `Decimal` with a currency; every actual also keeps its value in the company currency
(`NORTHSTAR_CURRENCY`) at the rate valid in its month, so totals never need converting again and a
later rate change does not rewrite history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from northstar.core.concurrency import Versioned
from northstar.core.numbers import MoneyField, money_text
from northstar.org.models import ProductLine, Team
from northstar.portfolio.models import Initiative


def money_field(**options: Any) -> models.DecimalField:
    """An amount of money: up to 99,999,999,999,999.99."""
    return MoneyField(max_digits=16, decimal_places=2, **options)


class ExchangeRate(models.Model):
    """One unit of `currency` is worth `rate` units of the company currency from `valid_from` on."""

    currency = models.CharField(max_length=3)
    rate = models.DecimalField(
        max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )
    valid_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_one_per_currency_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from}"


class CostCentre(Versioned):
    """A finance system's cost centre code, and the product line its spend belongs to."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120, blank=True)
    line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="cost_centres"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Category(models.TextChoices):
    PEOPLE = "people", "People"
    TOOLS = "tools", "Tools"
    SERVICES = "services", "Services"
    OTHER = "other", "Other"


class SpendKind(models.TextChoices):
    """Capital expenditure (capitalisable development) or operating expenditure."""

    CAPEX = "capex", "Capex"
    OPEX = "opex", "Opex"


class ActualBatch(models.Model):
    """Actuals that landed together, for traceability: a finance system's CSV file (imports land whole
    or not at all), or one month of people cost derived from where the teams' time went."""

    class Source(models.TextChoices):
        IMPORT = "import", "Imported file"
        DERIVED = "derived", "Derived people cost"

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    file_name = models.CharField(max_length=255, help_text="The file, or what was derived.")
    rows = models.PositiveIntegerField()
    total = money_field(help_text="In the company currency.")
    currency = models.CharField(max_length=3)
    first_month = models.DateField(null=True, blank=True)
    last_month = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


class Actual(models.Model):
    """Money spent in one month on one product line (and, when known, one initiative and team).

    Its batch says where it came from: a finance system's file, or people cost derived from team cost
    rates and where the teams' time went. `fingerprint` identifies an imported row, so the same row
    cannot be imported twice.
    """

    month = models.DateField(help_text="First day of the month the money was spent in.")
    line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="actuals"
    )
    cost_centre = models.CharField(max_length=40, blank=True)
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="actuals"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="actuals")
    category = models.CharField(max_length=10, choices=Category.choices)
    kind = models.CharField(max_length=5, choices=SpendKind.choices, default=SpendKind.OPEX)
    amount = money_field()
    currency = models.CharField(max_length=3)
    amount_company = money_field(help_text="In the company currency, at the month's rate.")
    batch = models.ForeignKey(ActualBatch, on_delete=models.CASCADE, related_name="actuals")
    reference = models.CharField(max_length=80, blank=True, help_text="Invoice or journal id, if any.")
    description = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "id"]
        indexes = [
            models.Index(fields=["month", "line"]),
            models.Index(fields=["initiative", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_category_display()}: {money_text(self.amount, self.currency)}"


class BusinessCase(Versioned):
    """What an initiative costs and brings, per period, with how sure we are.

    Inputs are three-point estimates (low, likely, high) in `currency`; the computed figures are
    stored with the case when it is saved, so lists and the planner can rank by them without
    re-simulating. `periods_per_year` is 4 (quarters) or 12 (months).
    """

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="business_case")
    currency = models.CharField(max_length=3)
    annual_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Discount rate a year (0.10 = 10%).",
    )
    periods_per_year = models.PositiveSmallIntegerField(default=4, choices=[(4, "Quarters"), (12, "Months")])
    horizon = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(120)], help_text="Periods ahead."
    )
    probability = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.7"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Probability of success (0-1).",
    )
    investment_low = money_field(default=Decimal("0"))
    investment_likely = money_field(default=Decimal("0"))
    investment_high = money_field(default=Decimal("0"))
    running_low = money_field(default=Decimal("0"))
    running_likely = money_field(default=Decimal("0"))
    running_high = money_field(default=Decimal("0"))
    notes = models.TextField(blank=True)
    # Computed when saved (northstar.engines.finance):
    npv = models.FloatField(null=True, blank=True)
    risk_adjusted_npv = models.FloatField(null=True, blank=True)
    irr = models.FloatField(null=True, blank=True, help_text="A year.")
    payback_periods = models.FloatField(null=True, blank=True)
    roi = models.FloatField(null=True, blank=True)
    npv_p10 = models.FloatField(null=True, blank=True)
    npv_p50 = models.FloatField(null=True, blank=True)
    npv_p90 = models.FloatField(null=True, blank=True)
    probability_positive = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-risk_adjusted_npv", "id"]

    def __str__(self) -> str:
        return f"Business case: {self.initiative}"


class BenefitKind(models.TextChoices):
    NEW_REVENUE = "new_revenue", "New revenue"
    RETAINED_REVENUE = "retained_revenue", "Retained revenue"
    SAVINGS = "savings", "Savings"


class Benefit(models.Model):
    """Money a case brings in every period from `start` to `end` (1-based, inclusive; empty end = to
    the horizon), as a three-point estimate."""

    case = models.ForeignKey(BusinessCase, on_delete=models.CASCADE, related_name="benefits")
    kind = models.CharField(max_length=20, choices=BenefitKind.choices)
    low = money_field()
    likely = money_field()
    high = money_field()
    start = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    end = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["case", "kind"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="benefit_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.likely}"
