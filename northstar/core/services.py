"""Shared write mechanics: validate, save and audit a record in one transaction-friendly step."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from northstar.core import audit, concurrency
from northstar.core.concurrency import Versioned
from northstar.core.errors import Conflict, NotFound, ValidationFailed
from northstar.core.models import ApiToken, User
from northstar.core.roles import Role
from northstar.core.validation import validate

M = TypeVar("M", bound=models.Model)


def get_or_404(model: type[M], pk: Any, *, queryset: models.QuerySet[M] | None = None) -> M:
    """Fetch a record by id or raise NotFound naming what was missing.

    Archived records are found too (they stay reachable by their address); lists leave them out.
    """
    qs = queryset if queryset is not None else model._base_manager.all()
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(f"No {model._meta.verbose_name} with id {pk}.") from None


def m2m_labels(instance: models.Model, names: Iterable[str]) -> dict[str, list[str]]:
    """What the named many-to-many fields hold, by name, so the audit log reads 'tags: a → a, b'."""
    if instance.pk is None:
        return {name: [] for name in names}
    return {name: [str(obj) for obj in getattr(instance, name).all()] for name in names}


def record_save(
    *,
    actor: User | None,
    instance: M,
    before: audit.Snapshot | None,
    m2m: dict[str, list[Any]] | None = None,
) -> M:
    """Validate and save a record, set the given many-to-many ids, and audit the field changes.

    `before` is None for a create. An update writes only the fields that differ from `before`, so
    two people changing different fields of one record both keep their change; on a `Versioned`
    record it locks the row, refuses an edit made from an older version than the stored one (see
    `core.concurrency`) and bumps the version. Callers run this inside `transaction.atomic` with
    their own checks, so a refusal anywhere leaves nothing half-written.
    """
    validate(instance)
    m2m = m2m or {}
    changed: list[str] = []
    try:
        with transaction.atomic():
            if before is None:
                instance.save()
            else:
                changed = _changed_fields(instance, before)
                current = _lock(instance, m2m)
                if changed:
                    if current is not None:
                        instance.version = current + 1  # type: ignore[attr-defined]
                        changed.append("version")
                    instance.save(update_fields=changed + _auto_now_fields(instance))
    except IntegrityError as exc:
        raise Conflict(f"This {instance._meta.verbose_name} clashes with an existing record: {exc}") from None
    for name, ids in m2m.items():
        getattr(instance, name).set(ids)
    after = audit.snapshot(instance, many=m2m_labels(instance, m2m))
    if before is None:
        audit.audit_create(actor=actor, instance=instance, after=after)
        return instance
    entry = audit.audit_update(actor=actor, instance=instance, before=before, after=after)
    if entry is not None and not changed and isinstance(instance, Versioned):
        # Only many-to-many values changed: the record is still a new version of itself.
        type(instance)._base_manager.filter(pk=instance.pk).update(version=F("version") + 1)
        instance.version += 1
    return instance


def _changed_fields(instance: models.Model, before: audit.Snapshot) -> list[str]:
    """The concrete fields whose value differs from the snapshot taken before the change."""
    now = audit.snapshot(instance)
    return [
        field.attname
        for field in instance._meta.concrete_fields
        if field.attname in now
        and (field.attname not in before or before[field.attname] != now[field.attname])
        and not field.primary_key
    ]


def _auto_now_fields(instance: models.Model) -> list[str]:
    return [f.attname for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]


def _lock(instance: models.Model, m2m: dict[str, list[Any]]) -> int | None:
    """Lock the stored row for this update and check the version the editor started from.

    Returns the stored version (None for a record without one). A row deleted meanwhile is NotFound.
    """
    model = type(instance)
    versioned = isinstance(instance, Versioned)
    column = "version" if versioned else "pk"
    row = model._base_manager.select_for_update().filter(pk=instance.pk).values_list(column, flat=True)
    stored = row.first()
    if stored is None:
        raise NotFound(f"This {model._meta.verbose_name} was deleted by someone else meanwhile.")
    if not versioned:
        return None
    expected = concurrency.expected_version(instance)
    if expected is not None and expected != stored:
        theirs = model._base_manager.get(pk=instance.pk)
        many = {
            name: (m2m_labels(theirs, [name])[name], _labels(model, name, ids)) for name, ids in m2m.items()
        }
        raise concurrency.stale(instance, theirs, your_version=expected, many=many)
    return int(stored)


def _labels(model: type[models.Model], name: str, ids: list[Any]) -> list[str]:
    related = model._meta.get_field(name).related_model
    return [str(obj) for obj in related._default_manager.filter(pk__in=ids)]  # type: ignore[union-attr]


def record_delete(*, actor: User | None, instance: models.Model, blocked_by: str) -> None:
    """Delete a record and audit it; a protected reference becomes a clear refusal, not a 500.

    A `Versioned` record is deleted only if it is still at the version the editor saw (when they
    said which: an API DELETE with If-Match).
    """
    before = audit.snapshot(instance)
    pk = instance.pk
    try:
        with transaction.atomic():
            if concurrency.expected_version(instance) is not None:
                _lock(instance, {})
            instance.delete()
    except models.ProtectedError as exc:
        names = ", ".join(sorted({str(o) for o in exc.protected_objects})[:5])
        raise Conflict(f"{instance} cannot be deleted while {blocked_by}: {names}.") from None
    audit.audit_delete(actor=actor, instance=instance, before=before, pk=pk)


def ancestor_ids(model: type[models.Model], start_id: Any, *, parent_field: str) -> list[Any]:
    """Ids from `start_id` up its parent chain (manager, parent initiative...), one query per step.

    Empty when `start_id` does not exist; stops at the first repeat, so stored cycles cannot hang it.
    """
    chain: list[Any] = []
    current = start_id
    while current is not None and current not in chain:
        row = model._default_manager.filter(pk=current).values_list(parent_field, flat=True)
        if not row:
            break
        chain.append(current)
        current = row[0]
    return chain


def label_ids(model: type[models.Model], names: Iterable[str], *, what: str) -> list[int]:
    """Ids of name-only records (skills, tags), created on first use; names are kept lower-case."""
    ids = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if len(name) > 40:
            raise ValidationFailed(f"{what} names are at most 40 characters: {name[:40]}…")
        ids.append(model._default_manager.get_or_create(name=name)[0].pk)
    return sorted(set(ids))


#: How precisely a token's "last used" is kept: finer would cost a write on every API call.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "nst_"  # noqa: S105 - a public marker, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


#: The longest a token may live; a shorter life can be asked for.
TOKEN_MAX_DAYS = 366


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.WRITE, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a personal access token; the raw value is returned once and never stored.

    `scope` read limits it to reading; `expires_in_days` (1 to 366, None for never) ends it.
    """
    name = name.strip()
    if not name:
        raise ValidationFailed("A token needs a name, so you can tell your tokens apart.")
    if scope not in ApiToken.Scope.values:
        raise ValidationFailed(f"Unknown scope {scope!r}: choose read or write.")
    if expires_in_days is not None and not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise ValidationFailed(f"A token expires after 1 to {TOKEN_MAX_DAYS} days, or never.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:10], digest=_digest(raw), scope=scope, expires_at=expires
    )
    return token, raw


def api_token_find(raw: str) -> ApiToken | None:
    """The live token a raw value belongs to (its user active, not expired), or None."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.user.is_active or token.is_expired:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most one write a minute
    return token


def api_token_user(raw: str) -> User | None:
    """The active user a raw, live token belongs to, or None."""
    token = api_token_find(raw)
    return token.user if token is not None else None


def api_token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound(f"You have no API token with id {token_id}.")


@transaction.atomic
def user_create(*, username: str, password: str, role: str, email: str = "") -> User:
    """Create a login with a role; refuses an unknown role or a username already taken."""
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role {role!r}: choose one of {', '.join(Role.values)}.")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"A user called {username!r} already exists.")
    user = User(username=username, email=email, role=role, is_staff=role == Role.ADMIN)
    user.set_password(password)
    validate(user, exclude=["password"])
    user.save()
    return user
