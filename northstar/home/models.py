"""What the leader's day needs of its own: when each person last looked at home."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from northstar.core.concurrency import Versioned


class Visit(models.Model):
    """When a person last marked home as seen: "what changed since my last visit" counts from here.

    Written only by an explicit POST (reads never write), so a reload never loses the changes a person
    has not looked at yet.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw home at {self.seen_at:%Y-%m-%d %H:%M}"


class SearchEntry(models.Model):
    """One searchable record, flattened to a title and a body: the global search's index.

    Derived data: kept in step with the records by `home.indexing` (on every save and delete) and
    rebuilt whole by `search_reindex`. The full-text index over it is the database's own: an FTS5
    table on SQLite, a GIN index over a stored `tsvector` column on PostgreSQL (see migrations 0003 and
    0009).
    """

    kind = models.CharField(max_length=20)
    record_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="A short line under the title.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "record_id"], name="search_entry_once")]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}: {self.title}"


class Notification(models.Model):
    """Something a person should know about, shown in their in-app list until read.

    Written by services (a mention, a reply, an approval asked of them or decided for them), never
    edited in place: it is read (read_at set) or it is not.
    """

    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        REPLY = "reply", "Replied to you"
        APPROVAL_REQUESTED = "approval_requested", "Approval requested"
        APPROVAL_DECIDED = "approval_decided", "Approval decided"
        CHECK_IN_DUE = "check_in_due", "Check-in due"
        ROADMAP_CHANGE = "roadmap_change", "Roadmap change"
        KPI_ANOMALY = "kpi_anomaly", "KPI anomaly"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True, help_text="The page of what it is about.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Comment(Versioned):
    """A comment on an initiative or an objective, in Markdown, @mentioning people by login name.

    A reply names its `parent`; replies to replies stay one level deep (under the first comment).
    """

    class Target(models.TextChoices):
        INITIATIVE = "initiative", "Initiative"
        OBJECTIVE = "objective", "Objective"
        PLAN = "plan", "Plan"
        DECISION = "decision", "Decision"

    target = models.CharField(max_length=20, choices=Target.choices)
    target_id = models.PositiveBigIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="Markdown; @name mentions a colleague by their login name.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target", "target_id", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class NotificationSettings(Versioned):
    """How a person wants to hear about their notifications beyond the in-app list."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each, as it happens"
        DAILY = "daily", "One email a day with what I have not read"
        OFF = "off", "No email: the list in Northstar is enough"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.CharField(max_length=10, choices=Email.choices, default=Email.IMMEDIATE)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class Follow(models.Model):
    """Someone following an initiative: its stage moves and its changes on a published roadmap reach
    them as notifications (by email as their notification settings say)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        "portfolio.Initiative", on_delete=models.CASCADE, related_name="+", db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "initiative"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.initiative_id}"
