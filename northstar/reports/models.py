"""Reporting: line status updates (with the status Northstar proposed and why), packs for the board,
the executive team and product-line reviews (draft until issued, then frozen on disk), share links,
the company slide template, and digest subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from northstar.core.concurrency import Versioned
from northstar.org.models import Person, ProductLine
from northstar.strategy.models import PlanningPeriod


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


#: Worse statuses sort higher, so "the worst signal wins" is a max().
STATUS_RANK = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}


class StatusUpdate(models.Model):
    """A product line's status for a reporting period, posted by its director or a delegate.

    `proposed_status` and `proposal` keep what Northstar suggested from the data and why, so an
    override (a `status` other than the proposal) always shows next to the evidence and its reason.
    Updates are never edited: a new update for the same period supersedes the last, and the history
    of every line stays readable.
    """

    line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="status_updates")
    period = models.ForeignKey(PlanningPeriod, on_delete=models.PROTECT, related_name="status_updates")
    status = models.CharField(max_length=10, choices=Status.choices)
    proposed_status = models.CharField(max_length=10, choices=Status.choices)
    proposal = models.JSONField(
        default=list, blank=True, help_text="[{signal, status, reason, url}] behind the proposed status."
    )
    override_reason = models.TextField(blank=True)
    highlights = models.TextField(blank=True, help_text="Markdown.")
    lowlights = models.TextField(blank=True, help_text="Markdown.")
    asks = models.TextField(blank=True, help_text="Asks and decisions needed (Markdown).")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["line", "period", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.line} {self.period}: {self.get_status_display()}"

    @property
    def is_override(self) -> bool:
        return self.status != self.proposed_status


class Risk(models.Model):
    """A risk named in a status update: what could go wrong, who owns it, and how it is mitigated."""

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    update = models.ForeignKey(StatusUpdate, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mitigation = models.TextField(blank=True)
    severity = models.CharField(max_length=6, choices=Severity.choices, default=Severity.MEDIUM)

    class Meta:
        ordering = ["update", "id"]

    def __str__(self) -> str:
        return self.description


class StatusReminder(models.Model):
    """When the last reminder to post a line's update for a period went out (so none is sent twice)."""

    line = models.ForeignKey(ProductLine, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(PlanningPeriod, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "period"], name="reminder_one_per_line_period")
        ]

    def __str__(self) -> str:
        return f"Reminder {self.line_id}/{self.period_id} at {self.sent_at:%Y-%m-%d}"


class PackTemplate(models.TextChoices):
    BOARD = "board", "Board pack (quarterly)"
    EXECUTIVE = "executive", "Executive update (monthly)"
    LINE_REVIEW = "line_review", "Product-line review"


class Pack(Versioned):
    """A report for the board, the executive team or a product-line review.

    A draft reads the data live each time it is shown. Issuing freezes it: the data it showed (a
    JSON snapshot) and its PPTX, PDF and HTML files are written once under the data directory
    (`files`, with each file's SHA-256) and never change again, whatever happens to the records.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    template = models.CharField(max_length=12, choices=PackTemplate.choices)
    title = models.CharField(max_length=200)
    line = models.ForeignKey(
        ProductLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="packs",
        help_text="The line a product-line review covers.",
    )
    cut_off = models.DateField(help_text="Data up to and including this day.")
    state = models.CharField(max_length=6, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The issued pack of the same template that 'since the last pack' compared with.",
    )
    files = models.JSONField(
        default=dict, blank=True, help_text="{format: {path, sha256, bytes}} of the issued files."
    )

    class Meta:
        ordering = ["-cut_off", "-id"]
        indexes = [models.Index(fields=["template", "state", "-issued_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED


class PackSection(models.Model):
    """A section chosen for a pack, in its place, with the leader's narrative (Markdown)."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    narrative = models.TextField(blank=True)

    class Meta:
        ordering = ["pack", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["pack", "key"], name="pack_section_once")]

    def __str__(self) -> str:
        return f"{self.pack_id}:{self.key}"


class PackShareLink(models.Model):
    """A read-only, revocable link to an issued pack for readers without a login."""

    pack = models.ForeignKey(Pack, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SlideTemplate(models.Model):
    """The company's PowerPoint template: packs' slides use its layouts, master, fonts and colours.

    The file lives in the data directory (`path`, relative to it); only one template is active.
    """

    name = models.CharField(max_length=120)
    path = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    layouts = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_slides"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class DigestSubscription(models.Model):
    """A person's email digest: weekly or monthly; `token` is the key of its one-click unsubscribe."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(max_length=7, choices=Frequency.choices, default=Frequency.WEEKLY)
    is_active = models.BooleanField(default=True)
    token = models.CharField(max_length=64, unique=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_frequency_display()}"
