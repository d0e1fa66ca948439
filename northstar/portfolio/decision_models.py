"""How work is governed: dependencies between initiatives, stage gates, and the decision log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.numbers import MoneyField
from northstar.org.models import Person
from northstar.portfolio.models import Initiative, Stage


class Dependency(Versioned):
    """`initiative` requires `requires`: it cannot be delivered before `requires` is.

    "A blocks B" is stored as "B requires A", so there is one kind of edge and one cycle check.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="requirements")
    requires = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="required_by")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["initiative", "requires"], name="dependency_once"),
            models.CheckConstraint(
                condition=~models.Q(initiative=models.F("requires")), name="dependency_not_on_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} requires {self.requires_id}"


class Approver(models.TextChoices):
    """Who must say yes before an initiative enters a stage (set per stage by a product leader)."""

    LINE_DIRECTOR = "line_director", "The product line's director"
    LEADER = "leader", "A product leader"


class StageGate(Versioned):
    """What an initiative needs before it may enter `stage`; `requirements` are keys of
    `governance.REQUIREMENTS` (set by admins). `approver`, when set, must also say yes to the move, for
    every move or only for work whose expected cost is above `approval_above` (set by product leaders)."""

    stage = models.CharField(max_length=20, choices=Stage.choices, unique=True)
    requirements = models.JSONField(default=list, blank=True)
    approver = models.CharField(max_length=20, blank=True, choices=Approver.choices)
    approval_above = MoneyField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Only work expected to cost more than this needs the approval; empty: all work.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Gate into {self.get_stage_display()}"


class DecisionKind(models.TextChoices):
    DECISION = "decision", "Decision"
    STAGE_CHANGE = "stage_change", "Stage change"
    APPROVAL = "approval", "Approval"


class Decision(Versioned):
    """An entry of the decision log: what was decided about an initiative, by whom, when and why.

    Stage changes are logged automatically (kind `stage_change`, with the stages); explicit decisions
    carry the options considered. The log is append-only: a changed mind is a new decision.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.DECISION)
    title = models.CharField(max_length=200)
    options = models.TextField(blank=True, help_text="The options considered, one per line.")
    decision = models.TextField()
    rationale = models.TextField(blank=True)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["initiative", "-decided_on"]),
            models.Index(fields=["-decided_on", "-id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def option_list(self) -> list[str]:
        return [line.strip("-• ").strip() for line in self.options.splitlines() if line.strip("-• ").strip()]
