"""Optimistic concurrency: no edit silently overwrites someone else's.

Every editable record carries a `version` that goes up by one with each saved change. An editor
says which version they started from; a save from an older version is refused with both values
(what is stored now, what they sent), so they can re-apply theirs knowingly. A save that names no
version (an API PATCH without If-Match) still writes only the fields it changed, so two people
changing different fields of one record both keep their change.

How to use it from any app:

* model: inherit `Versioned` (adds `version`) and run `makemigrations`;
* service: nothing to do while updates go through `core.services.record_save` and deletes through
  `core.services.record_delete`: they lock the row, compare versions and bump the version;
* web form: pass `record=` to `core.web.edit_page`; the page carries the version in a hidden field
  and answers a conflict with a page showing both values and a button to save yours again;
* API: `set_etag(response, record)` on GET (and on PATCH/PUT answers), `if_match(request, record)`
  before calling an update or delete service (412 when the ETag is not the stored version).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse

from northstar.core.errors import ApplicationError


class Versioned(models.Model):
    """A record people edit: its version counts saved changes, so stale edits can be refused."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one with every saved change; an edit made from an older version is refused.",
    )

    class Meta:
        abstract = True


class StaleRecord(ApplicationError):
    """Someone saved the record after this editor loaded it (HTTP 412 Precondition Failed).

    `detail` holds `current_version`, `your_version`, `changed_by` and `fields`: one entry per
    field where the stored value ("theirs") and the sent value ("yours") differ.
    """

    status_code = 412


M = TypeVar("M", bound=models.Model)

_ATTR = "_northstar_expected_version"
_TAG = re.compile(r'^\s*(?:W/)?"v?(\d{1,18})"\s*$')


def expect_version(instance: models.Model, version: int | None) -> None:
    """Say which version the editor started from; `record_save`/`record_delete` then refuse any other."""
    setattr(instance, _ATTR, version)


def expected_version(instance: models.Model) -> int | None:
    return getattr(instance, _ATTR, None)


def etag(instance: models.Model) -> str:
    """The ETag of a record's current version, e.g. `"v3"`."""
    return f'"v{instance.version}"'  # type: ignore[attr-defined]


def set_etag(response: HttpResponse, instance: models.Model) -> None:
    """Put the record's ETag on an API answer, so a client can send it back as If-Match."""
    if isinstance(instance, Versioned):
        response["ETag"] = etag(instance)


def parse_if_match(header: str | None) -> set[int] | None:
    """The versions an If-Match header accepts; None when it accepts any (absent or `*`)."""
    if header is None or not header.strip() or header.strip() == "*":
        return None
    versions = set()
    for part in header.split(","):
        match = _TAG.match(part)
        if match is None:
            raise StaleRecord(
                f'If-Match must be an ETag this API gave you (like "v3"); got {part.strip()!r}.',
                detail={"if_match": header},
            )
        versions.add(int(match.group(1)))
    return versions


def if_match(request: HttpRequest, instance: models.Model) -> None:
    """Honour an If-Match header on a write: refuse at once when it names another version, and make
    the save itself refuse if someone else saves first (the row is locked and checked again)."""
    if not isinstance(instance, Versioned):
        return
    versions = parse_if_match(request.headers.get("If-Match"))
    if versions is None:
        return
    if instance.version not in versions:
        raise stale(instance, instance, your_version=min(versions))
    expect_version(instance, instance.version)


def require_version(instance: Versioned | None, expected: int | None, *, what: str) -> None:
    """For records created on first edit (grid cells): refuse when the stored version is not the one the
    editor saw (0 for "there was none yet"); otherwise make the save check it again under its lock."""
    if expected is None:
        return
    current = instance.version if instance is not None else 0
    if current != expected:
        who = _who_changed(instance) if instance is not None else ""
        raise StaleRecord(
            f"{what} was changed{' by ' + who if who else ''} after you opened the page"
            + (f" (it is now {instance})" if instance is not None else "")
            + ": nothing of yours was saved. Enter your value again to save it over theirs.",
            detail={"current_version": current, "your_version": expected, "changed_by": who, "fields": []},
        )
    if instance is not None:
        expect_version(instance, expected)


def submitted_version(raw: Any) -> int | None:
    """The version a form's hidden `version` field carried, if any."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def for_write(request: HttpRequest, instance: M) -> M:
    """An API handler's record about to be changed or deleted, with the request's If-Match applied."""
    if_match(request, instance)
    return instance


def with_etag(response: HttpResponse, instance: M) -> M:
    """An API handler's answer, with the record's ETag on it."""
    set_etag(response, instance)
    return instance


def _display(instance: models.Model, field: models.Field) -> str:
    """A field's value as a person reads it: choice labels, related records by name."""
    if field.is_relation:
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return "—"
        related = field.related_model._default_manager.filter(pk=related_id).first()  # type: ignore[union-attr]
        return str(related) if related is not None else f"#{related_id}"
    value = getattr(instance, field.attname)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return "—"
    return str(value)


def _who_changed(instance: models.Model) -> str:
    from northstar.core.models import AuditEntry

    label = f"{instance._meta.app_label}.{instance._meta.model_name}"
    entry = (
        AuditEntry.objects.filter(record_type=label, record_id=str(instance.pk))
        .select_related("actor")
        .first()
    )
    if entry is None or entry.actor is None:
        return ""
    return entry.actor.get_full_name() or entry.actor.username


SKIPPED = {"id", "version", "created_at", "updated_at"}


def stale(
    yours: models.Model,
    theirs: models.Model,
    *,
    your_version: int | None,
    current_version: int | None = None,
    many: dict[str, tuple[list[str], list[str]]] | None = None,
) -> StaleRecord:
    """The refusal for an edit made from an old version, naming every field where the two differ.

    `current_version` defaults to the stored record's `version`; `many` gives many-to-many values as
    (theirs, yours) label lists.
    """
    fields = []
    for field in yours._meta.concrete_fields:
        if field.name in SKIPPED or not field.editable:
            continue
        if getattr(yours, field.attname) == getattr(theirs, field.attname):
            continue
        fields.append(
            {
                "field": field.name,
                "label": str(field.verbose_name).capitalize(),
                "theirs": _display(theirs, field),
                "yours": _display(yours, field),
            }
        )
    for name, (their_labels, your_labels) in (many or {}).items():
        if sorted(their_labels) != sorted(your_labels):
            fields.append(
                {
                    "field": name,
                    "label": name.replace("_", " ").capitalize(),
                    "theirs": ", ".join(sorted(their_labels)) or "—",
                    "yours": ", ".join(sorted(your_labels)) or "—",
                }
            )
    current = current_version if current_version is not None else getattr(theirs, "version", None)
    who = _who_changed(theirs)
    noun = yours._meta.verbose_name
    by = f" by {who}" if who else ""
    return StaleRecord(
        f"This {noun} was changed{by} after you opened it (it is now at version {current}, you started "
        f"from version {your_version}). Nothing of yours was saved: compare the values, then send your "
        f'change again with If-Match: "v{current}" (or reload the page and save again).',
        detail={
            "current_version": current,
            "your_version": your_version,
            "changed_by": who,
            "fields": fields,
        },
    )


def stale_from_request(instance: models.Model, submitted: Any) -> None:
    """Apply the version a web form submitted (a hidden `version` field) to the record it edits."""
    version = submitted_version(submitted)
    if version is not None:
        expect_version(instance, version)
