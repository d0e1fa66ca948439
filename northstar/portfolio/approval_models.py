"""Stage-gate approvals: a move into a stage that needs someone's yes waits for it, in the open."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from northstar.org.models import Person
from northstar.portfolio.decision_models import Approver
from northstar.portfolio.models import Initiative, Stage


class ApprovalRequest(models.Model):
    """A stage move waiting for approval: asked by one person, decided by the approver, with reasons.

    At most one request per initiative is pending. The decision log records the request, the approval
    (followed by the move itself) or the rejection with its reason.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="approval_requests")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    approver = models.CharField(max_length=20, choices=Approver.choices)
    approver_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals_to_give",
        help_text="The line's director, when the approver is the line's director.",
    )
    why_needed = models.CharField(max_length=300, help_text="The rule that asks for approval, in words.")
    rationale = models.TextField(blank=True, help_text="Why the requester wants the move.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="approvals_requested"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True, help_text="The approver's reason (required to reject).")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status="pending"),
                name="one_pending_approval_per_initiative",
            )
        ]
        indexes = [
            models.Index(fields=["status", "approver", "-created_at"]),
            models.Index(fields=["approver_person", "status"]),
        ]

    def __str__(self) -> str:
        return (
            f"Move “{self.initiative}” to {self.get_to_stage_display()} ({self.get_status_display().lower()})"
        )
