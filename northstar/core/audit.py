"""Field-level audit records, written by services in the same transaction as the change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from northstar.core.models import AuditEntry, User

Snapshot = dict[str, Any]

#: Fields whose values are secrets: the log records that they changed, never what they hold.
SECRET_FIELDS = frozenset({"token", "password", "digest", "secret", "api_key", "key_digest", "totp_secret"})
REDACTED = "[redacted]"
#: Bookkeeping columns that are not edits.
UNAUDITED_FIELDS = frozenset({"created_at", "updated_at", "version"})


def is_secret(name: str) -> bool:
    """A field holding a credential (share-link and API tokens, passwords, keys' digests, secrets)."""
    name = name.lower()
    return name in SECRET_FIELDS or name.endswith(("_token", "_password", "_secret"))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(instance: models.Model, *, many: dict[str, list[Any]] | None = None) -> Snapshot:
    """The auditable state of a record: its concrete fields, plus any many-to-many values given.

    Foreign keys are recorded by id (`owner_id`), so the log never needs another query to write.
    """
    state: Snapshot = {}
    for field in instance._meta.concrete_fields:
        if field.name in UNAUDITED_FIELDS:
            continue
        state[field.attname] = _plain(getattr(instance, field.attname))
    for name, values in (many or {}).items():
        state[name] = sorted(_plain(v) for v in values)
    return state


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed; secrets are recorded as changed, not shown."""
    return {
        key: [_hide(key, before.get(key)), _hide(key, after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _hide(key: str, value: Any) -> Any:
    return REDACTED if value not in (None, "") and is_secret(key) else value


def _label(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def audit_create(*, actor: User | None, instance: models.Model, after: Snapshot) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        record_type=_label(instance),
        record_id=str(instance.pk),
        record_repr=str(instance)[:200],
        changes=diff({}, after),
    )


def audit_update(
    *, actor: User | None, instance: models.Model, before: Snapshot, after: Snapshot
) -> AuditEntry | None:
    """Record an update; nothing is written when no field changed."""
    changes = diff(before, after)
    if not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        record_type=_label(instance),
        record_id=str(instance.pk),
        record_repr=str(instance)[:200],
        changes=changes,
    )


def audit_delete(*, actor: User | None, instance: models.Model, before: Snapshot, pk: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        record_type=_label(instance),
        record_id=str(pk),
        record_repr=str(instance)[:200],
        changes=diff(before, {}),
    )
