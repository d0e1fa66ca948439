"""The audit log as people read it: field labels instead of column names, the names of related
records instead of their ids ("Owner: Ana Ortiz → Ben Brook", not "owner_id: 6 → 7"), and numbers
as people read them ("Amount: €100,000 → €120,000", not "100000.00 → 120000.00"; see core.numbers).

The log stores ids on purpose (writing it never costs another query, see `core.audit.snapshot`);
names are looked up when a page shows entries, one query per kind of related record on the page,
so a renamed person shows under their current name and a deleted one is still marked by id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from northstar.core import numbers
from northstar.core.models import AuditEntry


@dataclass(frozen=True)
class Change:
    label: str
    old: Any
    new: Any


def _model(record_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(record_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.get_fields():
        if getattr(field, "attname", None) == key or (field.many_to_many and field.name == key):
            return field if isinstance(field, models.Field) else None
    return None


def _label(field: models.Field | None, key: str) -> str:
    text = str(field.verbose_name) if field is not None else key.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def _ids(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int | str) and v != ""]


def _missing(value: Any) -> str:
    """A related value not found by key: an id of a record since deleted, or (tags and other many-to-many
    values the snapshot keeps by name) already the name itself."""
    return f"#{value} (deleted)" if isinstance(value, int) or str(value).isdigit() else str(value)


def readable(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The entries, each with `readable_changes`: a list of `Change` with labels and names."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    parsed: list[list[tuple[str, models.Field | None, Any, Any]]] = []
    for entry in entries:
        model = _model(entry.record_type)
        rows = []
        for key, pair in (entry.changes or {}).items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            field = _field(model, key)
            if field is not None and field.related_model is not None:
                wanted[field.related_model].update(_ids(old) + _ids(new))
            rows.append((key, field, old, new))
        parsed.append(rows)
    currencies = _currencies(entries, parsed)
    names: dict[type[models.Model], dict[str, str]] = {}
    for related, ids in wanted.items():
        try:
            found = list(related._base_manager.filter(pk__in=list(ids)))
        except (ValueError, TypeError, ValidationError):  # an id of another shape than the key's
            found = []
        names[related] = {str(obj.pk): str(obj) for obj in found}

    def show(field: models.Field | None, value: Any, currency: str) -> Any:
        if value == []:
            return None  # an empty list of tags, owners...: shown as nothing, not "[]"
        if value in (None, "") or field is None:
            return value
        if field.related_model is not None:
            known = names.get(field.related_model, {})
            shown = [known.get(str(v)) or _missing(v) for v in _ids(value)]
            return ", ".join(shown) if isinstance(value, list) else (shown[0] if shown else value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return _number(field, value, currency)

    for entry, rows, (old_currency, new_currency) in zip(entries, parsed, currencies, strict=True):
        entry.readable_changes = [  # type: ignore[attr-defined]
            Change(
                label=_label(field, key),
                old=show(field, old, old_currency),
                new=show(field, new, new_currency),
            )
            for key, field, old, new in rows
        ]
    return entries


def _number(field: models.Field, value: Any, currency: str) -> Any:
    """A stored number as people read it: money with its currency, and decimals (weeks, people,
    reach) without trailing zeros, so a whole count reads "12", not "12.0". Whole-number columns
    (counts, but also years and ranks, which take no thousands separator), text, dates and yes/no
    show as stored."""
    if isinstance(field, numbers.MoneyField):
        shown = numbers.money_text(value, currency)
    elif isinstance(field, models.DecimalField | models.FloatField):
        shown = numbers.number_text(value)
    else:
        return value
    return value if shown == numbers.NO_NUMBER else shown


def _currencies(
    entries: list[AuditEntry], parsed: list[list[tuple[str, models.Field | None, Any, Any]]]
) -> list[tuple[str, str]]:
    """Per entry, the currency of its money before and after: the change's own `currency` when it
    changed too, else the record's (one query per kind of record with money on the page), else the
    company currency."""
    company = settings.NORTHSTAR_CURRENCY
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    for entry, rows in zip(entries, parsed, strict=True):
        model = _model(entry.record_type)
        has_money = any(isinstance(field, numbers.MoneyField) for _, field, _, _ in rows)
        if has_money and model is not None and _field(model, "currency") is not None:
            wanted[model].add(entry.record_id)
    current: dict[tuple[type[models.Model], str], str] = {}
    for model, ids in wanted.items():
        try:
            found = model._base_manager.filter(pk__in=list(ids)).values_list("pk", "currency")
            current.update({(model, str(pk)): code for pk, code in found})
        except (ValueError, TypeError, ValidationError):
            continue
    out = []
    for entry, rows in zip(entries, parsed, strict=True):
        model = _model(entry.record_type)
        record = current.get((model, entry.record_id), company) if model is not None else company
        changed = {key: (old, new) for key, _, old, new in rows}
        old, new = changed.get("currency", (record, record))
        out.append((str(old or record), str(new or record)))
    return out
