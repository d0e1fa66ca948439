"""Market and competition: segments and their sizes, competitors and a capability matrix, deals won and
lost (with their reasons), and dated research notes. Evidence for strategy: segments serve objectives and
initiatives, loss reasons feed ideas, notes link to both."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from northstar.core.concurrency import Versioned
from northstar.core.models import Archivable
from northstar.core.numbers import MoneyField
from northstar.feedback.models import Customer
from northstar.feedback.models import Segment as CustomerSegment
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.strategy.models import Objective

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


class Segment(Versioned, Archivable):
    """A market segment we size and target: cut by industry, company size, region or our own dimension.

    `customer_segment` ties it to the segment our known customers are filed under (feedback.Customer), so
    our current revenue in it, and so our share, comes from the customers Northstar already knows.
    Archived segments keep their name (names are unique) and their deals, out of lists and win rates.
    """

    class Dimension(models.TextChoices):
        INDUSTRY = "industry", "Industry"
        COMPANY_SIZE = "company_size", "Company size"
        REGION = "region", "Region"
        OTHER = "other", "Our own"

    name = models.CharField(max_length=120, unique=True)
    dimension = models.CharField(max_length=20, choices=Dimension.choices, default=Dimension.COMPANY_SIZE)
    description = models.TextField(blank=True)
    customer_segment = models.CharField(
        max_length=20,
        choices=CustomerSegment.choices,
        blank=True,
        help_text="Customers filed under this segment count as our revenue in it.",
    )
    currency = models.CharField(max_length=3, default="EUR")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="market_segments")
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="market_segments")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SizeEstimate(models.Model):
    """One dated estimate of a segment's size. Estimates are added, never changed: the newest is the
    current one, the older ones are the history of what we believed and when.

    Top-down estimates give TAM, SAM and SOM from a study; bottom-up ones give account counts and an
    annual price, and TAM/SAM/SOM are computed from them (engines.market.size).
    """

    class Method(models.TextChoices):
        TOP_DOWN = "top_down", "Top-down (from a study)"
        BOTTOM_UP = "bottom_up", "Bottom-up (accounts × price)"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="estimates")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.TOP_DOWN)
    as_of = models.DateField(help_text="The date the estimate describes.")
    tam = MoneyField(**MONEY, validators=[MinValueValidator(0)], help_text="Total market a year.")
    sam = MoneyField(**MONEY, validators=[MinValueValidator(0)], help_text="The part we can serve.")
    som = MoneyField(**MONEY, validators=[MinValueValidator(0)], help_text="The part we can win.")
    accounts = models.PositiveIntegerField(null=True, blank=True)
    serviceable_accounts = models.PositiveIntegerField(null=True, blank=True)
    obtainable_accounts = models.PositiveIntegerField(null=True, blank=True)
    annual_price = MoneyField(**MONEY, null=True, blank=True, validators=[MinValueValidator(0)])
    spread = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.2"),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.99"))],
        help_text="How unsure: 0.2 shows the range ±20 %.",
    )
    growth_rate = models.DecimalField(
        max_digits=5,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("-0.99"))],
        help_text="Assumed annual growth, 0.12 = 12 % a year.",
    )
    source = models.CharField(max_length=300, help_text="Where the numbers come from.")
    source_url = models.URLField(blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = "size estimate"

    def __str__(self) -> str:
        return f"{self.segment} as of {self.as_of}"


class Competitor(Versioned, Archivable):
    """A company we meet in deals: how it positions itself, whom it serves, what it charges, where it is
    strong and weak. Archived competitors keep their name, ratings and deals, out of lists and the matrix."""

    name = models.CharField(max_length=120, unique=True)
    website = models.URLField(blank=True)
    positioning = models.TextField(blank=True)
    pricing_notes = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    weaknesses = models.TextField(blank=True)
    links = models.TextField(
        blank=True, help_text="One address per line: reviews, pricing pages, teardown docs."
    )
    segments = models.ManyToManyField(Segment, blank=True, related_name="competitors")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Capability(Versioned):
    """A row of the comparison matrix, defined once: something buyers compare products on."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One dated cell of the matrix: how well a product of ours, or a competitor, does a capability
    (0 none .. 5 best in class), with a note. Ratings are added, never changed: the newest per cell is
    the current one, so "what changed since" is the ratings dated after a day."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="ratings")
    competitor = models.ForeignKey(
        Competitor, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    note = models.CharField(max_length=300, blank=True)
    rated_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(competitor__isnull=True, product__isnull=False)
                | Q(competitor__isnull=False, product__isnull=True),
                name="market_rating_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.competitor or self.product} · {self.capability}: {self.score}"


class Outcome(models.TextChoices):
    WON = "won", "Won"
    LOST = "lost", "Lost"
    NO_DECISION = "no_decision", "No decision"
    OPEN = "open", "Open"


class DealBatch(models.Model):
    """One CRM export imported: which file, which preset, how many deals, who."""

    filename = models.CharField(max_length=255)
    preset = models.CharField(max_length=40)
    rows = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "deal import"

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} deals)"


class Deal(models.Model):
    """A sales opportunity as the CRM closed it. Deals are imported (or added) and not edited here: the
    CRM is their record; importing the same deal id again is refused."""

    external_id = models.CharField(max_length=120, unique=True, help_text="The deal id in the CRM.")
    name = models.CharField(max_length=200)
    account = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    amount = MoneyField(**MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="EUR")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    competitor = models.ForeignKey(
        Competitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    closed_on = models.DateField(db_index=True)
    batch = models.ForeignKey(
        DealBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_outcome_display()})"


class DealReason(models.Model):
    """One reason a deal gives for its outcome, normalised (trimmed, lower case) so reasons add up."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="reasons")
    reason = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["deal", "id"]
        constraints = [models.UniqueConstraint(fields=["deal", "reason"], name="market_deal_reason_unique")]

    def __str__(self) -> str:
        return self.reason


class ReasonLink(models.Model):
    """A loss reason as evidence for an idea, the way a feedback item is: every deal lost for that reason
    adds its amount to the idea's demand in money."""

    reason = models.CharField(max_length=200, help_text="Normalised (lower case) as deals carry it.")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="market_reasons")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reason", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reason", "initiative"], name="market_reason_link_unique")
        ]

    def __str__(self) -> str:
        return f"“{self.reason}” → {self.initiative}"


class ResearchNote(Versioned):
    """A dated note on a market trend or a piece of research (an interview, a study), tagged and linked to
    the segments, objectives and initiatives it bears on."""

    class Kind(models.TextChoices):
        TREND = "trend", "Market trend"
        INTERVIEW = "interview", "Interview"
        STUDY = "study", "Study"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TREND)
    noted_on = models.DateField()
    body = models.TextField(blank=True, help_text="Markdown.")
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated, e.g. ai, pricing.")
    source_url = models.URLField(blank=True)
    segments = models.ManyToManyField(Segment, blank=True, related_name="notes")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="market_notes")
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="market_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name = "research note"

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]
