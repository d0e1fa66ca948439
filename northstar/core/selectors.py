"""Reads of the audit log and tokens."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core.models import ApiToken, AuditEntry, SignOnIdentity, User


def audit_list(
    *, record_type: str = "", record_id: str = "", actor_id: int | None = None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor")
    if record_type:
        qs = qs.filter(record_type=record_type.lower())
    if record_id:
        qs = qs.filter(record_id=str(record_id))
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs.order_by("-at", "-id")


def audit_record_types() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("record_type", flat=True).distinct())


def user_list() -> QuerySet[User]:
    """Logins for pickers (audit filter, linking a person to a login)."""
    return User.objects.order_by("username").only("id", "username")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def login_list() -> QuerySet[User]:
    """Every login with how it signs in: `signed_on` (through the identity provider), `has_two_factor`."""
    return User.objects.annotate(
        signed_on=Exists(SignOnIdentity.objects.filter(user=OuterRef("pk"))),
        has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    ).order_by("username")
