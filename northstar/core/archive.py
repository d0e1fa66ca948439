"""Archive, restore and delete, the same way for every kind of record that can be set aside.

Archiving takes a record out of the default lists, counts, pickers and plans (its model's default
manager leaves it out) without losing it: its page stays reachable, the archive lists it, and restoring
puts it back. Deleting is for good. Every step checks the record's own edit rule (each app registers
its kinds with that rule), and the audit log keeps what happened, field by field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from northstar.core import audit
from northstar.core.concurrency import Versioned
from northstar.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.models import Archivable, User

#: The most records one bulk request may touch: lists are paged, and so are bulk actions.
BULK_LIMIT = 500


@dataclass(frozen=True)
class Kind:
    """A kind of archivable record, registered by its app with the rules that apply to it."""

    key: str  # "initiative": used in addresses and the API
    label: str  # "initiative"
    plural: str  # "initiatives"
    model: type[Archivable]
    can_change: Callable[[User, Any], bool]  # the app's one edit rule, for offering the controls
    require_change: Callable[[User, Any], None]  # the same rule, raising the app's refusal
    delete: Callable[..., None]  # the app's delete service: fn(actor=..., record=...)
    url_name: str  # the record's page, taking its id
    title: Callable[[Any], str] = str
    before_archive: Callable[[Any], None] | None = None  # refuses what archiving would break
    after_archive: Callable[[Any, User], None] | None = None  # tidies up (e.g. closes requests)

    def url(self, record: Any) -> str:
        return reverse(self.url_name, args=[record.pk])


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Called by each app's `ready()`; a kind registered twice keeps the latest definition."""
    _KINDS[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.plural)


def kind_get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise NotFound(f"Nothing called {key!r} can be archived: {', '.join(sorted(_KINDS))}.") from None


def kind_of(record: models.Model) -> Kind | None:
    return next((k for k in _KINDS.values() if isinstance(record, k.model)), None)


def record_get(kind: Kind, pk: Any) -> Any:
    """A record of this kind by id, archived or not."""
    record = kind.model.all_objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if record is None:
        raise NotFound(f"No {kind.label} with id {pk}.")
    return record


def _set(record: Archivable, *, actor: User | None, archived: bool) -> None:
    before = audit.snapshot(record)
    record.archived_at = timezone.now() if archived else None
    record.archived_by = actor if archived else None
    fields = ["archived_at", "archived_by"]
    if isinstance(record, Versioned):  # an edit opened before the archive is then refused as stale
        record.version += 1
        fields.append("version")
    record.save(update_fields=fields)
    audit.audit_update(actor=actor, instance=record, before=before, after=audit.snapshot(record))


@transaction.atomic
def record_archive(*, actor: User, kind: Kind, record: Archivable) -> Archivable:
    """Set a record aside: out of lists and plans, still reachable, restorable."""
    kind.require_change(actor, record)
    if record.is_archived:
        raise Conflict(f"The {kind.label} “{kind.title(record)}” is already archived.")
    if kind.before_archive is not None:
        kind.before_archive(record)
    _set(record, actor=actor, archived=True)
    if kind.after_archive is not None:
        kind.after_archive(record, actor)
    return record


@transaction.atomic
def record_restore(*, actor: User, kind: Kind, record: Archivable) -> Archivable:
    """Put an archived record back where it was: in the lists, plans and pickers again."""
    kind.require_change(actor, record)
    if not record.is_archived:
        raise Conflict(f"The {kind.label} “{kind.title(record)}” is not archived.")
    _set(record, actor=actor, archived=False)
    return record


@transaction.atomic
def record_delete(*, actor: User, kind: Kind, record: Archivable) -> None:
    """Delete for good, through the app's own delete service (its rules and its audit entry)."""
    kind.delete(actor=actor, record=record)


def _many(kind: Kind, ids: Iterable[Any]) -> list[Any]:
    wanted = list(dict.fromkeys(int(i) for i in ids if str(i).isdigit()))
    if not wanted:
        raise ValidationFailed(f"Choose the {kind.plural} to act on.")
    if len(wanted) > BULK_LIMIT:
        raise ValidationFailed(f"At most {BULK_LIMIT} {kind.plural} at a time: choose fewer.")
    found = {r.pk: r for r in kind.model.all_objects.filter(pk__in=wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"No {kind.label} with id {', '.join(missing[:10])}.", detail={"missing": missing})
    return [found[i] for i in wanted]


def records_check(
    kind: Kind, actor: User, records: Sequence[Any], check: Callable[[User, Any], None]
) -> None:
    """Refuse the whole batch when any record is refused, naming them (so nothing is half done)."""
    refused: list[tuple[Any, ApplicationError]] = []
    for record in records:
        try:
            check(actor, record)
        except ApplicationError as exc:
            refused.append((record, exc))
    if not refused:
        return
    names = ", ".join(f"“{kind.title(r)}”" for r, _ in refused[:5]) + ("…" if len(refused) > 5 else "")
    first = refused[0][1]
    error = PermissionDenied if isinstance(first, PermissionDenied) else Conflict
    raise error(
        f"Nothing was changed: {len(refused)} of the {len(records)} {kind.plural} cannot be: {names}. "
        f"{first.message}",
        detail={"refused": [r.pk for r, _ in refused]},
    )


@transaction.atomic
def records_archive(*, actor: User, kind: Kind, ids: Iterable[Any]) -> list[Any]:
    """Archive many at once, all or none: one record that may not be archived refuses the batch."""
    records = [r for r in _many(kind, ids) if not r.is_archived]

    def check(user: User, record: Any) -> None:
        kind.require_change(user, record)
        if kind.before_archive is not None:
            kind.before_archive(record)

    records_check(kind, actor, records, check)
    for record in records:
        record_archive(actor=actor, kind=kind, record=record)
    return records


@transaction.atomic
def records_restore(*, actor: User, kind: Kind, ids: Iterable[Any]) -> list[Any]:
    records = [r for r in _many(kind, ids) if r.is_archived]
    records_check(kind, actor, records, kind.require_change)
    for record in records:
        record_restore(actor=actor, kind=kind, record=record)
    return records


def archived(kind: Kind) -> QuerySet[Any]:
    """The archive of one kind, most recently archived first."""
    return kind.model.all_objects.archived().select_related("archived_by").order_by("-archived_at", "-pk")
