"""Users with a role, personal access tokens and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from northstar.core.roles import LEADING_ROLES, Role


class User(AbstractUser):
    """A login. Its role decides what it may see and change; its person (if any) ties it to the org."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAKEHOLDER)

    @property
    def is_leading(self) -> bool:
        """Admins and product leaders may change everything in the product domain."""
        return self.role in LEADING_ROLES

    @property
    def can_write(self) -> bool:
        return self.role != Role.STAKEHOLDER


class ArchiveQuerySet(models.QuerySet):
    def archived(self) -> ArchiveQuerySet:
        return self.filter(archived_at__isnull=False)


class InUseManager(models.Manager.from_queryset(ArchiveQuerySet)):  # type: ignore[misc]
    """The default manager of an archivable record: archived ones are left out of every list, plan,
    count and picker that uses it. `all_objects` reaches them (detail pages, the archive, restoring);
    related-object access (`item.initiative`) always does."""

    def get_queryset(self) -> ArchiveQuerySet:
        return super().get_queryset().filter(archived_at__isnull=True)


class Archivable(models.Model):
    """A record that can be archived: set aside out of the way (out of lists and plans) without losing
    it, and restored. `northstar.core.archive` archives, restores and deletes them, audited."""

    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InUseManager()
    all_objects = models.Manager.from_queryset(ArchiveQuerySet)()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ApiToken(models.Model):
    """A personal access token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, help_text="First characters, shown so a token can be recognised."
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    scope = models.CharField(
        max_length=5,
        choices=Scope.choices,
        default=Scope.WRITE,
        help_text="read: GET requests only; write: also changes, within the owner's own permissions.",
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Refused from then on; empty: never.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditEntry(models.Model):
    """Who changed which record, when, and each field's old and new value."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    record_type = models.CharField(max_length=50, help_text="app_label.model, e.g. portfolio.initiative")
    record_id = models.CharField(max_length=40)
    record_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_type}#{self.record_id}"


class Job(models.Model):
    """A piece of background work (a planning run, a re-clustering, an import) and how far it has got.

    The state lives in the database whatever runs the job (a thread of the web process by default,
    `northstar worker` processes fed through Redis when scaled out), so every page can show progress.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    task = models.CharField(max_length=200, help_text="Dotted path of the task function.")
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0, help_text="0 to 1.")
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has started it (a retry after a crash counts)."
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker holds the job until then, renewing while it works."
    )
    available_at = models.DateTimeField(null=True, blank=True, help_text="Not to be started before then.")
    unique_key = models.CharField(
        max_length=100, blank=True, help_text="At most one queued or running job per non-empty key."
    )

    ACTIVE = ("queued", "running")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unique_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(unique_key=""),
                name="one_active_job_per_key",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="job_queue_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def percent(self) -> int:
        return round(max(0.0, min(1.0, self.progress)) * 100)


class SignOnIdentity(models.Model):
    """The identity provider's account (issuer + subject) a login belongs to.

    Accounts are matched on this pair only, never on an e-mail address, so nobody at the identity
    provider can take over a local account by giving themselves its address.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(default=list, blank=True, help_text="Groups the provider sent at last sign-in.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_login_per_identity")]
        verbose_name_plural = "sign-on identities"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
