"""The career framework, review cycles with 360 feedback, growth and 1:1s, and hiring.

People are `org.Person`: a person's rung on the ladder is their org level, so the ladder and the org
chart never disagree. Who may read what is decided in `northstar.people.access`, once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.numbers import MoneyField
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


# Growth and 1:1s ------------------------------------------------------------------------------------


class GrowthPlan(Versioned):
    """A person's plan to grow: goals tied to competencies, seen by them, their managers and leaders."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="growth_plans")
    title = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class GrowthGoal(Versioned):
    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="goals")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "target_date", "pk"]

    def __str__(self) -> str:
        return f"Goal on {self.competency}"


class GrowthCheckIn(Versioned):
    goal = models.ForeignKey(GrowthGoal, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Check-in on {self.goal}"


class OneOnOne(Versioned):
    """A recurring 1:1 between a manager and a report: a shared agenda, action items and private notes."""

    manager = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="one_on_ones_held")
    report = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="one_on_ones")
    cadence_days = models.PositiveSmallIntegerField(default=7)
    next_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_on"]
        verbose_name = "1:1"
        verbose_name_plural = "1:1s"
        constraints = [models.UniqueConstraint(fields=["manager", "report"], name="one_on_one_per_pair")]

    def __str__(self) -> str:
        return f"1:1 {self.manager} / {self.report}"


class AgendaItem(Versioned):
    """A topic either side adds; it stays on the agenda until it is marked discussed."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="agenda")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    discussed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["discussed_on", "created_at"]

    def __str__(self) -> str:
        return "Agenda item"


class ActionItem(Versioned):
    """Something someone will do; carried forward from 1:1 to 1:1 until done."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "created_at"]

    def __str__(self) -> str:
        return "Action item"


class PrivateNote(Versioned):
    """A note about a 1:1 that only its author can ever read (not the other side, not a leader)."""

    one_on_one = models.ForeignKey(OneOnOne, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "Private note"


class MentoringPair(Versioned):
    """A mentor and a mentee, often across the reporting line; their notes are the pair's alone."""

    mentor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentoring")
    mentee = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mentored_by")
    focus = models.CharField(max_length=160, blank=True)
    started_on = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [models.UniqueConstraint(fields=["mentor", "mentee"], name="mentoring_pair_once")]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee}"


class MentoringNote(Versioned):
    pair = models.ForeignKey(MentoringPair, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "Mentoring note"


# Hiring -------------------------------------------------------------------------------------------------


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"


class Requisition(Versioned):
    """An approved slot to hire into: role, level, line, hiring manager and team, cost."""

    title = models.CharField(max_length=160)
    level = models.ForeignKey(CareerLevel, on_delete=models.PROTECT, related_name="requisitions")
    line = models.ForeignKey(
        "org.ProductLine", null=True, blank=True, on_delete=models.PROTECT, related_name="requisitions"
    )
    hiring_manager = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="requisitions_managed")
    hiring_team = models.ManyToManyField(Person, blank=True, related_name="hiring_teams")
    status = models.CharField(
        max_length=10, choices=RequisitionStatus.choices, default=RequisitionStatus.DRAFT
    )
    description = models.TextField(
        blank=True, help_text="The job description, drafted from the ladder level."
    )
    annual_cost = MoneyField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    leader_approval = models.BooleanField(
        default=True, help_text="The product leader approves every offer or rejection (product hires)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "title"]

    def __str__(self) -> str:
        return self.title


class Stage(models.TextChoices):
    APPLIED = "applied", "Applied"
    SCREEN = "screen", "Screen"
    INTERVIEWS = "interviews", "Interviews"
    DEBRIEF = "debrief", "Debrief"
    OFFER = "offer", "Offer"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


#: Stages in pipeline order, for pass-through rates.
PIPELINE = [Stage.APPLIED, Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF, Stage.OFFER, Stage.HIRED]
CLOSED_STAGES = {Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN}


class Source(models.TextChoices):
    INBOUND = "inbound", "Applied directly"
    REFERRAL = "referral", "Referral"
    SOURCED = "sourced", "Sourced"
    AGENCY = "agency", "Agency"
    INTERNAL = "internal", "Internal move"


class Candidate(Versioned):
    """Someone in a requisition's pipeline; seen by its hiring team, the leaders and admins only."""

    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.INBOUND)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.APPLIED)
    applied_on = models.DateField()
    cv_name = models.CharField(max_length=200, blank=True, help_text="The CV's file name as uploaded.")
    cv_file = models.CharField(
        max_length=64,
        blank=True,
        help_text="The stored CV's name in the data directory (never served inline).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "email"], name="candidate_once_per_requisition")
        ]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    """A candidate's move between stages: time to hire and pass-through are read from these."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    on = models.DateField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class Recommendation(models.TextChoices):
    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"


class Interview(Versioned):
    """One interviewer's part in a loop: the competencies they cover and their scorecard."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="interviews")
    interviewer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interviews")
    competencies = models.ManyToManyField(Competency, related_name="+")
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "interviewer"], name="interview_once_per_interviewer"
            )
        ]

    def __str__(self) -> str:
        return f"Interview of {self.candidate} by {self.interviewer}"


class ScorecardRating(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=10, choices=Rating.choices)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["competency__position"]

    def __str__(self) -> str:
        return f"{self.competency}: {self.rating}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the product leader"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class HireDecision(Versioned):
    """The hiring team's proposal (offer or reject, with the reason) and the leader's final say on it."""

    class Kind(models.TextChoices):
        OFFER = "offer", "Make an offer"
        REJECT = "reject", "Reject"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.candidate}"


class HeadcountPlan(Versioned):
    """Approved hiring slots for a product line in a planning period, and what each costs a year."""

    line = models.ForeignKey("org.ProductLine", on_delete=models.CASCADE, related_name="headcount_plans")
    period = models.ForeignKey("strategy.PlanningPeriod", on_delete=models.PROTECT, related_name="+")
    slots = models.PositiveSmallIntegerField()
    cost_per_slot = MoneyField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        ordering = ["period__start", "line__name"]
        constraints = [
            models.UniqueConstraint(fields=["line", "period"], name="headcount_once_per_line_period")
        ]

    def __str__(self) -> str:
        return f"Headcount {self.line} {self.period}"
