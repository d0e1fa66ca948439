"""Strategy: the vision, objectives and key results per planning period, KPIs and alignment of work."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from northstar.core.concurrency import Versioned
from northstar.core.models import Archivable
from northstar.org.models import Person, ProductLine, Team
from northstar.portfolio.models import Initiative


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class PlanningPeriod(Versioned):
    """A time bucket plans and goals are set for, e.g. "2026-Q3".

    Objectives are set per period today; the roadmap (the planning app) will reuse this model rather
    than define its own, so goals and plans share one calendar.
    """

    class Kind(models.TextChoices):
        QUARTER = "quarter", "Quarter"
        MONTH = "month", "Month"

    name = models.CharField(max_length=20, unique=True, help_text='e.g. "2026-Q3" or "2026-07".')
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.QUARTER)
    start = models.DateField()
    end = models.DateField(help_text="Last day of the period.")

    class Meta:
        ordering = ["start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="period_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class VisionVersion(models.Model):
    """One saved version of the product vision and strategy (Markdown). The newest is the current one;
    older versions are kept so a leader can see how the strategy changed and diff any two."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    note = models.CharField(max_length=200, blank=True, help_text="What changed in this version.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Vision v{self.number}: {self.title}"


class Level(models.TextChoices):
    COMPANY = "company", "Company"
    LINE = "line", "Product line"
    TEAM = "team", "Team"


class Objective(Versioned, Archivable):
    """A qualitative goal for a period, at company, product-line or team level.

    Objectives cascade: a line objective may sit under a company objective, a team objective under a
    company objective or an objective of its own line. Exactly one level applies: no line and no team is
    a company objective; a team objective names only its team (its line follows from the team).
    """

    period = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="objectives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown: why this matters now.")
    line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="objectives")
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="How much this objective counts in its parent's progress.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period__start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(line__isnull=True) | Q(team__isnull=True), name="objective_one_level"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def level(self) -> str:
        if self.team_id:
            return Level.TEAM
        if self.line_id:
            return Level.LINE
        return Level.COMPANY

    @property
    def level_label(self) -> str:
        return Level(self.level).label


class Metric(Versioned, Archivable):
    """A KPI: what is measured, in which unit, which way is good, and how values combine.

    `drives` places it in the north-star tree: an input metric drives the metric above it; the
    north-star metric drives nothing. Metrics of a product line may be changed by that line's PMs;
    company metrics (no line) by leaders.
    """

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum"
        AVERAGE = "average", "Average"
        LAST = "last", "Last value"

    key = models.SlugField(
        max_length=60, unique=True, help_text="Used in CSV imports and the API, e.g. weekly_active_merchants."
    )
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=30, blank=True, help_text='e.g. "merchants", "%", "EUR", "ms".')
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    aggregation = models.CharField(
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text="How values combine. Sum: a flow (signups); over time and across dimensions it adds up. "
        "Average: a rate (conversion); averaged both ways. Last value: a stock (active merchants); over "
        "time the latest counts, across dimensions it adds up.",
    )
    target = models.FloatField(null=True, blank=True, help_text="Where this metric should be.")
    line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="metrics"
    )
    drives = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="drivers"
    )
    is_north_star = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_north_star"], condition=Q(is_north_star=True), name="one_north_star_metric"
            )
        ]

    def __str__(self) -> str:
        return self.name


class MetricValue(models.Model):
    """One measurement of a metric on a date, optionally for one dimension (a region, a plan...).

    Values are floats: KPIs are measurements, not money. One value per metric, date and dimension;
    importing the same point again replaces it.
    """

    # No index of its own: the unique (metric, date, dimension) index serves lookups by metric, and one
    # index fewer makes a million-row import noticeably faster. The database foreign key stays:
    # integrity belongs in the database, and the import benchmark's floor pays for the same key.
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="values", db_index=False)
    date = models.DateField()
    value = models.FloatField()
    dimension = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["metric", "date", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "date", "dimension"], name="metric_value_unique_point")
        ]

    def __str__(self) -> str:
        suffix = f" [{self.dimension}]" if self.dimension else ""
        return f"{self.metric_id} {self.date}{suffix}: {self.value}"


class MetricImport(models.Model):
    """A CSV file of metric values that landed (imports land whole or not at all), for traceability."""

    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    metrics = models.PositiveIntegerField(help_text="How many different metrics the file touched.")
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


class KeyResult(Versioned):
    """A measurable result that shows an objective is met: a metric moving from a baseline to a target,
    or a milestone reached. Progress is computed from these fields, never typed.

    A key result bound to a KPI (`metric`) takes its current value from that KPI's latest value.
    """

    class Kind(models.TextChoices):
        METRIC = "metric", "Metric"
        MILESTONE = "milestone", "Milestone"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.METRIC)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="key_results"
    )
    unit = models.CharField(max_length=30, blank=True)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    current = models.FloatField(
        null=True, blank=True, help_text="Latest value from a check-in or the bound KPI; 1 = milestone done."
    )
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)], help_text="Latest check-in's 0-10."
    )
    metric = models.ForeignKey(
        Metric, null=True, blank=True, on_delete=models.SET_NULL, related_name="key_results"
    )
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective", "id"]

    def __str__(self) -> str:
        return self.title


class CheckIn(models.Model):
    """An owner's update on a key result: the value now, how confident they are, and why."""

    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="check_ins")
    value = models.FloatField()
    confidence = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], help_text="0 = will not happen, 10 = certain."
    )
    comment = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "check-in"

    def __str__(self) -> str:
        return f"{self.key_result_id}: {self.value} ({self.confidence}/10)"


class Alignment(Versioned):
    """A piece of work contributing to an objective (optionally to one of its key results).

    `weight` splits an initiative's effort between the things it is aligned to: an initiative aligned
    to two objectives with weights 3 and 1 puts three quarters of its effort behind the first.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="alignments")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="alignments")
    key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="alignments"
    )
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Relative share of this initiative's effort.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["objective", "initiative"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "objective"],
                condition=Q(key_result__isnull=True),
                name="alignment_unique_objective",
            ),
            models.UniqueConstraint(
                fields=["initiative", "key_result"],
                condition=Q(key_result__isnull=False),
                name="alignment_unique_key_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} → {self.objective_id}"
