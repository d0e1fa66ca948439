"""Initiatives: one model for ideas, features and initiatives, nested through `parent`."""

from __future__ import annotations

from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.models import Archivable
from northstar.org.models import Person, Product


class Kind(models.TextChoices):
    IDEA = "idea", "Idea"
    FEATURE = "feature", "Feature"
    INITIATIVE = "initiative", "Initiative"


class Stage(models.TextChoices):
    """The life of a piece of work, from an idea to a measured outcome (or set aside)."""

    IDEA = "idea", "Idea"
    DISCOVERY = "discovery", "Discovery"
    PLANNED = "planned", "Planned"
    IN_DELIVERY = "in_delivery", "In delivery"
    LAUNCHED = "launched", "Launched"
    MEASURED = "measured", "Measured"
    PARKED = "parked", "Parked"
    KILLED = "killed", "Killed"


#: The main path, in order. Parked and killed sit beside it.
STAGE_PATH = [Stage.IDEA, Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY, Stage.LAUNCHED, Stage.MEASURED]


class Tag(models.Model):
    """A free label, e.g. 'enterprise' or 'tech-debt'."""

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(Versioned, Archivable):
    """A piece of product work: an idea, a feature or an initiative, possibly inside a larger one."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.IDEA)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="initiatives"
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA)
    description = models.TextField(blank=True, help_text="Markdown.")
    problem_statement = models.TextField(
        blank=True, help_text="Whose problem this solves and why it matters now (Markdown)."
    )
    evidence_notes = models.TextField(
        "evidence",
        blank=True,
        help_text="What tells us the problem is real: feedback, data, interviews (Markdown).",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="initiatives")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "-updated_at"]),
            models.Index(fields=["product", "stage"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["-updated_at", "-id"]),
        ]

    def __str__(self) -> str:
        return self.title


# Prioritisation models live in their own modules; importing them here registers them with Django
# and keeps `from northstar.portfolio.models import ...` working for all of them.
from northstar.portfolio.approval_models import ApprovalRequest  # noqa: E402
from northstar.portfolio.decision_models import (  # noqa: E402
    Approver,
    Decision,
    DecisionKind,
    Dependency,
    StageGate,
)
from northstar.portfolio.scoring_models import (  # noqa: E402
    FRAMEWORK_KEYS,
    CriterionDirection,
    CriterionRating,
    EstimateLine,
    FrameworkSetting,
    KanoCategoryChoice,
    ReachSource,
    ScoringCriterion,
    ScoringInput,
)

__all__ = [
    "FRAMEWORK_KEYS",
    "STAGE_PATH",
    "ApprovalRequest",
    "Approver",
    "CriterionDirection",
    "CriterionRating",
    "Decision",
    "DecisionKind",
    "Dependency",
    "EstimateLine",
    "FrameworkSetting",
    "Initiative",
    "KanoCategoryChoice",
    "Kind",
    "ReachSource",
    "ScoringCriterion",
    "ScoringInput",
    "Stage",
    "StageGate",
    "Tag",
]
