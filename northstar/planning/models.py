"""The roadmap area: capacity and budget envelopes per planning period, scenarios (named sets of
assumptions), plans the optimiser (or a person) produced for a scenario, published roadmaps with what
changed between them, and read-only share links.

Periods are `northstar.strategy.models.PlanningPeriod`, so goals and plans share one calendar.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.models import Archivable, Job
from northstar.core.numbers import MoneyField, money_text
from northstar.org.models import ProductLine, Skill, Team
from northstar.portfolio.models import Initiative, Stage, Tag
from northstar.strategy.models import Objective, PlanningPeriod

#: Stages whose work the optimiser may schedule unless a scenario says otherwise.
DEFAULT_STAGES = [Stage.DISCOVERY.value, Stage.PLANNED.value, Stage.IN_DELIVERY.value]


class Capacity(Versioned):
    """What one team can give one skill in one period, in team-weeks.

    Derived from the team's members and an availability factor (holidays, on-call, attrition) by
    `capacity_derive`; a person may overwrite any cell, which marks it `is_override` so a later
    derivation leaves it alone.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="capacities")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(PlanningPeriod, on_delete=models.CASCADE, related_name="capacities")
    weeks = models.DecimalField(max_digits=8, decimal_places=1, validators=[MinValueValidator(Decimal("0"))])
    availability = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Share of the period people can give to planned work.",
    )
    is_override = models.BooleanField(default=False, help_text="Set by hand; derivation keeps it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "capacities"
        constraints = [
            models.UniqueConstraint(fields=["team", "skill", "period"], name="capacity_one_per_cell")
        ]
        indexes = [models.Index(fields=["period", "team"])]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.skill_id}/{self.period_id}: {self.weeks}"


class BudgetEnvelope(Versioned):
    """The money a product line may spend on planned work in one period."""

    line = models.ForeignKey(ProductLine, on_delete=models.CASCADE, related_name="budgets")
    period = models.ForeignKey(PlanningPeriod, on_delete=models.CASCADE, related_name="budgets")
    amount = MoneyField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default="EUR")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "period"], name="budget_one_per_line_period")]

    def __str__(self) -> str:
        return f"{self.line_id}/{self.period_id}: {money_text(self.amount, self.currency)}"


class ValueSource(models.TextChoices):
    """Which stored prioritisation score becomes an initiative's value in the optimiser.

    Scores that already divide by effort (RICE, WSJF) are multiplied back by it: the optimiser weighs
    effort itself through capacity, and dividing twice would punish big bets.
    """

    WEIGHTED = "weighted", "Weighted model score"
    RICE = "rice", "RICE reach × impact × confidence"
    WSJF = "wsjf", "WSJF cost of delay"
    ICE = "ice", "ICE score"
    VALUE = "value", "Value rating (0-10)"
    NPV = "npv", "Risk-adjusted NPV of the business case (thousands)"


class Scenario(Versioned, Archivable):
    """A named set of planning assumptions (horizon, value source, budget and capacity factors, rules).

    Scenarios are copied from a base and then changed, so "+2 backend engineers from Q3" differs from
    the plan of record by exactly the assumptions added. `is_primary` marks the plan of record whose
    latest plan is "the current plan".
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    base = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    line = models.ForeignKey(
        ProductLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scenarios",
        help_text="Plan one product line only; empty plans the whole portfolio.",
    )
    first_period = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")
    last_period = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")
    value_source = models.CharField(max_length=10, choices=ValueSource.choices, default=ValueSource.WEIGHTED)
    budget_factor = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="1 = budgets as set; 0.9 = budget -10%.",
    )
    capacity_factor = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    discount = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9"))],
        help_text="Value lost per period of delay (0.05 = 5% a quarter), so earlier delivery counts.",
    )
    stages = models.JSONField(default=list, help_text="Stages whose initiatives may be scheduled.")
    time_limit = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(600)], help_text="Seconds."
    )
    is_primary = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class AssumptionKind(models.TextChoices):
    MANDATORY = "mandatory", "Must be in the plan"
    EXCLUDE = "exclude", "Keep out of the plan"
    PIN = "pin", "Pin to a period (and team)"
    MIN_SHARE = "min_share", "At least this share of capacity on"
    MAX_SHARE = "max_share", "At most this share of capacity on"
    CAPACITY = "capacity", "People added (or removed) from a period"


class Assumption(Versioned):
    """One rule of a scenario. Which fields matter depends on `kind`:

    mandatory / exclude: `initiative`; pin: `initiative`, `period`, optional `team`;
    min_share / max_share: `share` of used capacity on an `objective` or a `tag` (e.g. "tech-debt" for
    maintenance); capacity: `people` (may be negative) of `skill` in `team` from `period` onwards.
    """

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="assumptions")
    kind = models.CharField(max_length=12, choices=AssumptionKind.choices)
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        PlanningPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    share = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    people = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"


class PlanRun(models.Model):
    """A plan for a scenario: the optimiser's answer, the greedy baseline, or a person's edit of one.

    It stores the proof that comes with an optimised plan (value, proven bound, gap, binding
    constraints, why each candidate was left out) and the verdict of the engine's independent checker
    (`violations`, empty for a valid plan). An edited plan keeps `parent` (the plan it was edited
    from), its pins (assignments marked `pinned`) and the initiatives `removed` by hand, so
    "re-optimise around my pins" can keep them.
    """

    class Kind(models.TextChoices):
        OPTIMISED = "optimised", "Optimised"
        GREEDY = "greedy", "Greedy baseline"
        EDITED = "edited", "Edited by hand"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        INFEASIBLE = "infeasible", "No plan possible"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OPTIMISED)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="edits")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    solver_status = models.CharField(max_length=20, blank=True)
    method = models.CharField(max_length=40, blank=True)
    value = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    greedy_value = models.FloatField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    candidates = models.PositiveIntegerField(default=0)
    binding = models.JSONField(default=list, blank=True)
    exclusions = models.JSONField(default=dict, blank=True, help_text="{initiative id: reason}")
    diagnosis = models.JSONField(default=list, blank=True)
    violations = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True, help_text="Initiative ids removed by hand.")
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scenario", "status", "-finished_at"])]
        constraints = [
            # One plan being worked out per scenario at a time, held by the database itself so ten
            # people pressing "Optimise" at once start one run, not ten.
            models.UniqueConstraint(
                fields=["scenario"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_run_per_scenario",
            )
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} of {self.scenario_id} ({self.get_kind_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def has_plan(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.DONE and not self.violations


class PlanAssignment(models.Model):
    """One initiative in a plan: the team that does it and the periods it spans (inclusive)."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="assignments")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(ProductLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    start = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")
    end = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")
    value = models.FloatField(default=0)
    effort = models.JSONField(default=dict, help_text="{skill name: team-weeks in total}")
    pinned = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "initiative"], name="assignment_once_per_plan")]
        indexes = [models.Index(fields=["run", "line"])]

    def __str__(self) -> str:
        return f"{self.initiative_id} in plan {self.run_id}"


class Roadmap(models.Model):
    """A published roadmap: a frozen copy of a plan with a date and a note; what stakeholders see."""

    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    published_on = models.DateField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(PlanRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scenario_name = models.CharField(max_length=120, blank=True)
    value = models.FloatField(null=True, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.published_on})"


class RoadmapEntry(models.Model):
    """One initiative of a published roadmap, frozen: later edits of the initiative do not change it."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="entries")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    line = models.ForeignKey(ProductLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    line_name = models.CharField(max_length=120, blank=True)
    team_name = models.CharField(max_length=120, blank=True)
    stage = models.CharField(max_length=20, blank=True)
    objective = models.CharField(max_length=200, blank=True)
    start = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")
    end = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["line_name", "start__start", "title"]
        indexes = [models.Index(fields=["roadmap", "line"])]

    def __str__(self) -> str:
        return self.title


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added"
    DROPPED = "dropped", "Dropped"
    SLIPPED = "slipped", "Slipped"
    PULLED_IN = "pulled_in", "Pulled in"


class RoadmapChange(Versioned):
    """What changed in a published roadmap since the one before it, with the reason recorded."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="changes")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    before = models.CharField(max_length=40, blank=True, help_text="Periods before, e.g. 2026-Q3 → 2026-Q4.")
    after = models.CharField(max_length=40, blank=True)
    shift = models.SmallIntegerField(default=0, help_text="Periods later (+) or earlier (-).")
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ShareLink(models.Model):
    """A read-only link for stakeholders without a login; the token is the only key, so it is long,
    random and revocable. With no `roadmap` it always shows the latest published roadmap."""

    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120)
    roadmap = models.ForeignKey(
        Roadmap, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
