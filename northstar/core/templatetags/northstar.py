"""Small template helpers for the web UI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse

from northstar.core import numbers
from northstar.core.forms import Picker
from northstar.core.models import AuditEntry
from northstar.core.web import AT
from northstar.org.access import can_see_customer_people

register = template.Library()

#: Audited record types that have a page of their own, and that page's URL name.
RECORD_PAGES = {
    "portfolio.initiative": "portfolio:detail",
    "org.person": "org:person_detail",
    "org.productline": "org:line_detail",
    "org.team": "org:team_detail",
}


@register.filter
def record_url(entry: AuditEntry) -> str:
    """The page of the record an audit entry is about; empty when it has none or was deleted."""
    name = RECORD_PAGES.get(entry.record_type)
    if name is None or entry.action == AuditEntry.Action.DELETE or not entry.record_id.isdigit():
        return ""
    return reverse(name, args=[int(entry.record_id)])


@register.filter
def money(value: Any, currency: str = "") -> str:
    """`{{ amount|money:currency }}`: "€120,000" (see core.numbers.money_text)."""
    return numbers.money_text(value, currency)


@register.filter
def count(value: Any) -> str:
    """`{{ n|count }}`: "12,000", never "12000.0"."""
    return numbers.count_text(value)


@register.filter
def number(value: Any, places: int = 2) -> str:
    """`{{ x|number }}`: at most two decimals, no trailing zeros, thousands separated."""
    return numbers.number_text(value, places)


@register.filter
def percent(fraction: Any, digits: Any = None) -> str:
    """`{{ share|percent }}` for a 0-1 share: "62%", "1.2%"."""
    return numbers.percent_text(fraction, None if digits in (None, "") else int(digits))


@register.filter
def flash_at(messages: Iterable[Any] | None, at: str | None) -> list[Any]:
    """The messages meant for one section (`at`), or with no `at` those for the top of the page."""
    wanted = f"{AT}{at}" if at else ""
    return [m for m in messages or () if (m.extra_tags or "") == wanted]


@register.filter
def sees_customer_people(user: Any) -> bool:
    """`{% if user|sees_customer_people %}`: the one visibility rule (org.access), in templates."""
    return can_see_customer_people(user)


@register.inclusion_tag("core/_archive_actions.html", takes_context=True)
def archive_actions(context: Any, record: Any) -> dict[str, Any]:
    """On a record's page: "Archive…" for those who may, or the archived banner with Restore."""
    from northstar.core import archive

    kind = archive.kind_of(record)
    user = context.get("user")
    allowed = kind is not None and user is not None and kind.can_change(user, record)
    return {"kind": kind, "record": record, "allowed": allowed, "request": context.get("request")}


@register.simple_tag
def picker(
    kind: str,
    name: str,
    *,
    id: str,
    suffix: Any = "",
    value: Any = None,
    label: str = "",
    required: bool = False,
    purpose: str = "",
) -> str:
    """A type-ahead picker in a hand-written form: `{% picker "initiative" "initiative" id="x" %}`
    (`suffix` makes the id unique when a page repeats the form, e.g. per row; `purpose="edit"` offers
    only records the person may change)."""
    chosen = [(str(value), label)] if value not in (None, "") else []
    attrs: dict[str, Any] = {"id": f"{id}-{suffix}" if suffix != "" else id}
    if required:
        attrs["required"] = True
    return Picker(kind, purpose=purpose).render_chosen(name, chosen, attrs)
