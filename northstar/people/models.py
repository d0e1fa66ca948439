"""The career framework, review cycles with 360 feedback, growth and 1:1s, and hiring.

People are `org.Person`: a person's rung on the ladder is their org level, so the ladder and the org
chart never disagree. Who may read what is decided in `northstar.people.access`, once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.org.models import Level, Person


class Track(models.TextChoices):
    """The ladders a person can climb."""

    IC = "ic", "Individual contributor"
    MANAGEMENT = "management", "Management"
    DESIGN = "design", "User experience"
    ANALYTICS = "analytics", "Product analytics"
    MARKETING = "marketing", "Product marketing"


class CareerLevel(Versioned):
    """One rung of a track, tied to the org level people at that rung hold."""

    org_level = models.CharField(max_length=20, choices=Level.choices, unique=True)
    track = models.CharField(max_length=20, choices=Track.choices)
    rank = models.PositiveSmallIntegerField(help_text="1 is the first rung of the track.")
    summary = models.TextField(blank=True, help_text="What someone at this level is trusted with.")

    class Meta:
        ordering = ["track", "rank"]
        constraints = [models.UniqueConstraint(fields=["track", "rank"], name="career_level_rank_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return Level(self.org_level).label


class Competency(Versioned):
    """Something the ladder measures, in a group (e.g. discovery, strategy, execution)."""

    name = models.CharField(max_length=80, unique=True)
    group = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class Expectation(Versioned):
    """What a competency looks like at one level: one cell of the career matrix."""

    level = models.ForeignKey(CareerLevel, on_delete=models.CASCADE, related_name="expectations")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="expectations")
    text = models.TextField()

    class Meta:
        ordering = ["competency__position", "competency__name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "competency"], name="expectation_one_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.competency} at {self.level}"


# Reviews ------------------------------------------------------------------------------------------


class CycleStatus(models.TextChoices):
    OPEN = "open", "Open: reviews being written"
    CALIBRATION = "calibration", "Calibration"
    SIGNED_OFF = "signed_off", "Signed off: outcomes shared"


class Rating(models.TextChoices):
    BELOW = "below", "Below expectations"
    MEETS = "meets", "Meets expectations"
    ABOVE = "above", "Above expectations"


#: Ratings as numbers, for averages and outliers.
RATING_SCORE = {Rating.BELOW: -1, Rating.MEETS: 0, Rating.ABOVE: 1}


class ReviewCycle(Versioned):
    """A review period the leader opens: who takes part and by when each part is due."""

    name = models.CharField(max_length=120, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    self_due = models.DateField(help_text="Self reviews due.")
    feedback_due = models.DateField(help_text="360 feedback due.")
    manager_due = models.DateField(help_text="Manager reviews due.")
    status = models.CharField(max_length=20, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "name"]

    def __str__(self) -> str:
        return self.name


class Review(Versioned):
    """One person's review in a cycle: the calibrated rating and the outcome they are shown."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviews")
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews_as_manager"
    )
    final_rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    promotion = models.BooleanField(default=False, help_text="Promoted to the next level at sign-off.")
    outcome = models.TextField(blank=True, help_text="What the person is told at sign-off.")

    class Meta:
        ordering = ["person__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "person"], name="review_one_per_cycle")]

    def __str__(self) -> str:
        return f"{self.person} · {self.cycle}"


class FeedbackKind(models.TextChoices):
    SELF = "self", "Self review"
    MANAGER = "manager", "Manager review"
    PEER = "peer", "360 feedback"


class Relationship(models.TextChoices):
    PEER = "peer", "Peer"
    ENGINEERING = "engineering", "Engineering counterpart"
    DESIGN = "design", "Design counterpart"
    STAKEHOLDER = "stakeholder", "Stakeholder"


class Feedback(Versioned):
    """One author's assessment in a review: self, manager or 360. Peer feedback is only ever shown
    aggregated (see `people.selectors.review_view`)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_written")
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, blank=True)
    requested_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overall = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    summary = models.TextField(blank=True)
    promotion_recommended = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(fields=["review", "author", "kind"], name="feedback_one_per_author")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.review.person}"


class CompetencyRating(models.Model):
    """One competency rated in a submitted assessment, with the evidence for it."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["competency__position", "competency__name"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "competency"], name="rating_one_per_competency")
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.rating}"
