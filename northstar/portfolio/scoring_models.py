"""Prioritisation inputs: what each framework reads about an initiative, estimates, and the weighted model.

Scores are computed by `northstar.engines.scoring` and stored next to their inputs whenever an input
changes, so a ranked list of 10,000 initiatives is one ordered query instead of 10,000 engine calls.
The engine stays the only place a score is defined; the stored numbers are a cache of its verdict.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.numbers import number_text
from northstar.org.models import Skill
from northstar.portfolio.models import Initiative

#: The frameworks Northstar can rank by, in the order the tabs show them.
FRAMEWORK_KEYS = ("rice", "ice", "wsjf", "value_effort", "kano", "weighted")


class ReachSource(models.TextChoices):
    """Where RICE reach comes from: a person's estimate, or the customers asking for it (feedback)."""

    MANUAL = "manual", "Estimated by hand"
    EVIDENCE = "evidence", "From evidence"


class KanoCategoryChoice(models.TextChoices):
    MUST_BE = "must-be", "Must-be"
    ONE_DIMENSIONAL = "one-dimensional", "One-dimensional"
    ATTRACTIVE = "attractive", "Attractive"
    INDIFFERENT = "indifferent", "Indifferent"
    REVERSE = "reverse", "Reverse"


def _range(low: float, high: float | None = None) -> list:
    validators: list = [MinValueValidator(low)]
    if high is not None:
        validators.append(MaxValueValidator(high))
    return validators


class ScoringInput(Versioned):
    """Every framework input of one initiative, plus the scores the engine last computed from them.

    Inputs are shared between frameworks: `confidence` (a percentage) and effort feed RICE, ICE and
    value vs effort alike. Effort is the PERT expectation of the per-skill estimate when there is one,
    otherwise the rough single number in `effort`. Reach is `reach` when `reach_source` is manual, or
    `reach_evidence` (written by the evidence provider, see `portfolio.scoring.reach_evidence_set`)
    when it is evidence.
    """

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, primary_key=True, related_name="scoring"
    )
    reach = models.FloatField(null=True, blank=True, validators=_range(0))
    reach_source = models.CharField(max_length=10, choices=ReachSource.choices, default=ReachSource.MANUAL)
    reach_evidence = models.FloatField(
        null=True, blank=True, help_text="Reach computed from evidence; written by the feedback area."
    )
    reach_evidence_note = models.CharField(max_length=200, blank=True)
    impact = models.FloatField(null=True, blank=True, help_text="RICE impact: 0.25, 0.5, 1, 2 or 3.")
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Percent, 0-100."
    )
    ice_impact = models.FloatField(null=True, blank=True, validators=_range(1, 10))
    ease = models.FloatField(null=True, blank=True, validators=_range(1, 10))
    value = models.FloatField(null=True, blank=True, validators=_range(0, 10))
    business_value = models.FloatField(null=True, blank=True, validators=_range(0))
    time_criticality = models.FloatField(null=True, blank=True, validators=_range(0))
    risk_reduction = models.FloatField(null=True, blank=True, validators=_range(0))
    job_size = models.FloatField(null=True, blank=True, validators=_range(0))
    effort = models.FloatField(
        null=True, blank=True, validators=_range(0), help_text="Rough effort in team-weeks, until estimated."
    )
    estimated_effort = models.FloatField(null=True, blank=True, help_text="PERT expected team-weeks.")
    estimated_effort_sd = models.FloatField(null=True, blank=True)
    kano = models.JSONField(default=dict, blank=True, help_text="Kano survey: {category: respondents}.")

    rice_score = models.FloatField(null=True, blank=True)
    ice_score = models.FloatField(null=True, blank=True)
    wsjf_score = models.FloatField(null=True, blank=True)
    value_effort_score = models.FloatField(null=True, blank=True)
    kano_score = models.FloatField(null=True, blank=True)
    weighted_score = models.FloatField(null=True, blank=True)
    quadrant = models.CharField(max_length=20, blank=True)
    kano_category = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "scoring input"
        indexes = [
            models.Index(fields=[f"-{key}_score"], name=f"scoring_{key}_desc") for key in FRAMEWORK_KEYS
        ]

    def __str__(self) -> str:
        return f"Scores of {self.initiative_id}"

    @property
    def effective_effort(self) -> float | None:
        return self.estimated_effort if self.estimated_effort is not None else self.effort

    @property
    def effective_reach(self) -> float | None:
        return self.reach_evidence if self.reach_source == ReachSource.EVIDENCE else self.reach


class EstimateLine(models.Model):
    """One skill's share of an initiative's effort, as a low / likely / high range in team-weeks."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="estimate_lines")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    low = models.DecimalField(max_digits=8, decimal_places=2, validators=_range(0))
    likely = models.DecimalField(max_digits=8, decimal_places=2, validators=_range(0))
    high = models.DecimalField(max_digits=8, decimal_places=2, validators=_range(0))

    class Meta:
        ordering = ["skill__name"]
        constraints = [models.UniqueConstraint(fields=["initiative", "skill"], name="one_estimate_per_skill")]

    def __str__(self) -> str:
        weeks = "/".join(number_text(w) for w in (self.low, self.likely, self.high))
        return f"{self.skill.name}: {weeks} team-weeks"


class CriterionDirection(models.TextChoices):
    BENEFIT = "benefit", "Higher is better"
    COST = "cost", "Lower is better"


class ScoringCriterion(Versioned):
    """One criterion of the organisation's weighted model, with its relative weight and rating scale.

    `objective_id` ties the criterion to a strategic objective of the strategy area. It is a plain
    integer (not a foreign key) so the portfolio does not depend on the strategy app's tables.
    """

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    weight = models.DecimalField(max_digits=6, decimal_places=2, validators=_range(0))
    direction = models.CharField(max_length=10, choices=CriterionDirection.choices, default="benefit")
    minimum = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    maximum = models.DecimalField(max_digits=8, decimal_places=2, default=10)
    objective_id = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "scoring criteria"

    def __str__(self) -> str:
        return self.label


class CriterionRating(models.Model):
    """How an initiative rates on one weighted-model criterion."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="criterion_ratings")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="ratings")
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "criterion"], name="one_rating_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.value}"


class FrameworkSetting(models.Model):
    """Whether a framework is active for the organisation; a framework without a row is active."""

    key = models.CharField(max_length=20, unique=True, choices=[(k, k) for k in FRAMEWORK_KEYS])
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.key}: {'on' if self.active else 'off'}"
