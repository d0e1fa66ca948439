"""What each type-ahead picker searches (see `northstar.core.forms.Picker`), with permissions applied.

A picker asks for at most `LIMIT` matches at a time, so a list of 10,000 people or initiatives costs
one bounded query per keystroke pause, never a page carrying every row. Names that start with what
was typed come first; a number (or "#42") also finds the record with that id, for anyone who has one.
Archived records are left out (their default managers do that), as they are from every other list.

A picker whose choice will be changed (evidence linked to an idea, work aligned to an objective)
names that purpose, and then offers only what the person may change: the same rule the submit
checks (`portfolio.permissions`), so nobody picks an idea only to be refused it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.forms import PICK_TO_CHANGE
from northstar.core.models import User
from northstar.feedback.models import Customer
from northstar.org.models import Person
from northstar.portfolio.models import Initiative
from northstar.portfolio.permissions import editable_initiatives
from northstar.strategy.models import KeyResult, Metric, Objective

#: Most matches one request returns (a screenful: typing narrows it further).
LIMIT = 20
#: Longest query looked at.
MAX_QUERY = 100


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    detail: str


@dataclass(frozen=True)
class PickerSource:
    kind: str
    noun: str  # "people", in "No people match"
    queryset: Callable[[], QuerySet[Any]]
    field: str  # the column typed text is matched against
    label: Callable[[Any], str]
    detail: Callable[[Any], str]
    allowed: Callable[[User], bool] = lambda user: user.is_authenticated
    #: Per purpose, how to narrow the queryset to what `user` may use for it.
    purposes: dict[str, Callable[[User, QuerySet[Any]], QuerySet[Any]]] = dataclass_field(
        default_factory=dict
    )


def _signed_in(user: User) -> bool:
    return user.is_authenticated


def _user_label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


SOURCES: dict[str, PickerSource] = {
    s.kind: s
    for s in [
        PickerSource(
            "person",
            "people",
            lambda: Person.objects.only("id", "name", "title"),
            "name",
            lambda p: p.name,
            lambda p: p.title,
        ),
        PickerSource(
            "initiative",
            "initiatives",
            lambda: Initiative.objects.select_related("product").only(
                "id", "title", "stage", "product__name"
            ),
            "title",
            lambda i: i.title,
            lambda i: " · ".join(
                x for x in [f"#{i.pk}", i.get_stage_display(), i.product.name if i.product else ""] if x
            ),
            purposes={PICK_TO_CHANGE: editable_initiatives},
        ),
        PickerSource(
            "objective",
            "objectives",
            lambda: Objective.objects.select_related("period").only(
                "id", "title", "line_id", "team_id", "period__name"
            ),
            "title",
            lambda o: o.title,
            lambda o: f"{o.level_label} · {o.period.name}",
        ),
        PickerSource(
            "key_result",
            "key results",
            lambda: KeyResult.objects.select_related("objective").only("id", "title", "objective__title"),
            "title",
            lambda k: k.title,
            lambda k: k.objective.title,
        ),
        PickerSource(
            "metric",
            "KPIs",
            lambda: Metric.objects.only("id", "name", "unit"),
            "name",
            lambda m: m.name,
            lambda m: m.unit,
        ),
        PickerSource(
            "customer",
            "customers",
            lambda: Customer.objects.only("id", "name", "segment"),
            "name",
            lambda c: c.name,
            lambda c: c.get_segment_display(),
        ),
        PickerSource(
            "user",
            "sign-in accounts",
            lambda: User.objects.only("id", "username", "first_name", "last_name"),
            "username",
            _user_label,
            lambda u: u.get_role_display(),
            # Logins are an admin matter: only leaders link people to them and filter the audit log.
            allowed=lambda user: user.is_authenticated and user.is_leading,
        ),
    ]
}


def source_for(*, user: User, kind: str) -> PickerSource:
    source = SOURCES.get(kind)
    if source is None:
        raise NotFound(f"There is no picker for “{kind}”.")
    if not source.allowed(user):
        raise PermissionDenied(f"Your role cannot pick {source.noun}.")
    return source


def options(*, user: User, kind: str, query: str, purpose: str = "") -> tuple[list[Option], bool]:
    """The first `LIMIT` records of `kind` matching `query` that `user` may pick (for `purpose`, when
    the picker names one), and whether more match."""
    source = source_for(user=user, kind=kind)
    query = " ".join(query.split())[:MAX_QUERY]
    qs = source.queryset()
    if purpose:
        narrow = source.purposes.get(purpose)
        if narrow is None:
            raise ValidationFailed(f"There is no “{purpose[:40]}” picker for {source.noun}.")
        qs = narrow(user, qs)
    field = source.field
    if source.kind == "user":
        for word in query.split():
            qs = qs.filter(
                Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
    elif query:
        number = query.lstrip("#")
        match = Q(**{f"{field}__icontains": query})
        if number.isdigit() and len(number) < 10:
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    if query:
        qs = qs.annotate(
            _starts=Case(
                When(**{f"{field}__istartswith": query}, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("_starts", field, "pk")
    else:
        qs = qs.order_by(field, "pk")
    rows = list(qs[: LIMIT + 1])
    found = [Option(value=r.pk, label=source.label(r), detail=source.detail(r)) for r in rows[:LIMIT]]
    return found, len(rows) > LIMIT
