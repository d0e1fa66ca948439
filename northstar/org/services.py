"""Every change to people, product lines, products and teams: checked, saved and audited here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from northstar.core import audit, numbers
from northstar.core.errors import Conflict, ValidationFailed
from northstar.core.models import User
from northstar.core.services import (
    ancestor_ids,
    get_or_404,
    label_ids,
    m2m_labels,
    record_delete,
    record_save,
)
from northstar.core.validation import assign
from northstar.org import access
from northstar.org.models import Level, Person, Product, ProductLine, Skill, Team

PERSON_FIELDS = {"name", "email", "title", "level", "manager_id", "user_id"}
LINE_FIELDS = {"name", "description", "director_id"}
PRODUCT_FIELDS = {"name", "description", "line_id"}
TEAM_FIELDS = {"name", "line_id", "cost_rate", "currency"}


def _existing_ids(model: type[Person], ids: Iterable[int], what: str) -> list[int]:
    ids = sorted(set(ids))
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(f"Unknown {what} id(s): {', '.join(map(str, missing))}.", detail=missing)
    return ids


def _check_reporting_line(person: Person) -> None:
    """Refuse a manager that would make someone report to themselves, directly or not."""
    if person.manager_id is None:
        return
    if person.pk is not None and person.manager_id == person.pk:
        raise Conflict(f"{person.name} cannot be their own manager.")
    chain = ancestor_ids(Person, person.manager_id, parent_field="manager_id")
    if not chain:
        raise ValidationFailed(f"Unknown manager id {person.manager_id}.")
    if person.pk is not None and person.pk in chain:
        manager = Person.objects.get(pk=person.manager_id)
        raise Conflict(
            f"{person.name} cannot report to {manager.name}: {manager.name} already reports to "
            f"{person.name}, which would make a reporting cycle."
        )


# People ------------------------------------------------------------------------------------------


@transaction.atomic
def person_create(*, actor: User, **data: Any) -> Person:
    access.require_leading(actor, "the people in the organisation")
    person = Person()
    assign(person, data, allowed=PERSON_FIELDS)
    _check_reporting_line(person)
    return record_save(actor=actor, instance=person, before=None)


@transaction.atomic
def person_update(*, actor: User, person: Person, **data: Any) -> Person:
    access.require_leading(actor, "the people in the organisation")
    before = audit.snapshot(person)
    assign(person, data, allowed=PERSON_FIELDS)
    _check_reporting_line(person)
    return record_save(actor=actor, instance=person, before=before)


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    access.require_leading(actor, "the people in the organisation")
    record_delete(actor=actor, instance=person, blocked_by="they manage people or direct product lines")


# Product lines -----------------------------------------------------------------------------------


def _check_owners(line: ProductLine, owner_ids: list[int]) -> None:
    """A line has exactly one director: another director may not be added as a second one."""
    other_directors = Person.objects.filter(pk__in=owner_ids, level=Level.DIRECTOR).exclude(
        pk=line.director_id
    )
    extra = list(other_directors.values_list("name", flat=True))
    if extra:
        director = Person.objects.filter(pk=line.director_id).values_list("name", flat=True).first()
        raise Conflict(
            f"{line.name or 'This line'} already has a director ({director}); a product line has exactly "
            f"one. Change the director instead of adding {', '.join(extra)}."
        )


def _check_director(line: ProductLine) -> None:
    if line.director_id is None:
        raise ValidationFailed("A product line needs exactly one director.")
    level = Person.objects.filter(pk=line.director_id).values_list("level", flat=True).first()
    if level is None:
        raise ValidationFailed(f"Unknown director id {line.director_id}.")


@transaction.atomic
def line_create(*, actor: User, owner_ids: Iterable[int] = (), **data: Any) -> ProductLine:
    access.require_leading(actor, "product lines")
    line = ProductLine()
    assign(line, data, allowed=LINE_FIELDS)
    _check_director(line)
    owners = _existing_ids(Person, owner_ids, "person")
    _check_owners(line, owners)
    return record_save(actor=actor, instance=line, before=None, m2m={"owners": owners})


@transaction.atomic
def line_update(
    *, actor: User, line: ProductLine, owner_ids: Iterable[int] | None = None, **data: Any
) -> ProductLine:
    access.require_leading(actor, "product lines")
    m2m_names = ["owners"] if owner_ids is not None else []
    before = audit.snapshot(line, many=m2m_labels(line, m2m_names))
    assign(line, data, allowed=LINE_FIELDS)
    _check_director(line)
    m2m: dict[str, list[Any]] = {}
    if owner_ids is not None:
        m2m["owners"] = _existing_ids(Person, owner_ids, "person")
    owners = m2m["owners"] if "owners" in m2m else list(line.owners.values_list("pk", flat=True))
    _check_owners(line, owners)
    return record_save(actor=actor, instance=line, before=before, m2m=m2m)


@transaction.atomic
def line_delete(*, actor: User, line: ProductLine) -> None:
    access.require_leading(actor, "product lines")
    record_delete(actor=actor, instance=line, blocked_by="it still has products or teams")


# Products ----------------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor: User, **data: Any) -> Product:
    access.require_line_edit(actor, data.get("line_id"), "products")
    product = Product()
    assign(product, data, allowed=PRODUCT_FIELDS)
    return record_save(actor=actor, instance=product, before=None)


@transaction.atomic
def product_update(*, actor: User, product: Product, **data: Any) -> Product:
    access.require_line_edit(actor, product.line_id, "products")
    if "line_id" in data:
        access.require_line_edit(actor, data["line_id"], "products")
    before = audit.snapshot(product)
    assign(product, data, allowed=PRODUCT_FIELDS)
    return record_save(actor=actor, instance=product, before=before)


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    access.require_line_edit(actor, product.line_id, "products")
    record_delete(actor=actor, instance=product, blocked_by="initiatives belong to it")


# Teams -------------------------------------------------------------------------------------------


def _clean_team(data: dict[str, Any]) -> dict[str, Any]:
    if "line_id" in data and data["line_id"] is None:
        raise ValidationFailed("A team must belong to a product line: choose the line it builds for.")
    if "cost_rate" in data:
        data["cost_rate"] = numbers.decimal_in(
            data["cost_rate"], what="Cost rate", **numbers.decimal_limits(Team, "cost_rate")
        )
    if "currency" in data:
        data["currency"] = str(data["currency"]).upper()
    return data


@transaction.atomic
def team_create(
    *, actor: User, skills: Iterable[str] = (), member_ids: Iterable[int] = (), **data: Any
) -> Team:
    data = _clean_team(data)
    if data.get("line_id") is None:
        raise ValidationFailed("A team must belong to a product line: choose the line it builds for.")
    access.require_line_edit(actor, data["line_id"], "teams")
    team = Team()
    assign(team, data, allowed=TEAM_FIELDS)
    m2m = {
        "skills": label_ids(Skill, skills, what="Skill"),
        "members": _existing_ids(Person, member_ids, "person"),
    }
    return record_save(actor=actor, instance=team, before=None, m2m=m2m)


@transaction.atomic
def team_update(
    *,
    actor: User,
    team: Team,
    skills: Iterable[str] | None = None,
    member_ids: Iterable[int] | None = None,
    **data: Any,
) -> Team:
    data = _clean_team(data)
    access.require_line_edit(actor, team.line_id, "teams")
    if "line_id" in data and data["line_id"] != team.line_id:
        access.require_line_edit(actor, data["line_id"], "teams")
        _check_line_keeps_a_team(team)
    m2m: dict[str, list[Any]] = {}
    if skills is not None:
        m2m["skills"] = label_ids(Skill, skills, what="Skill")
    if member_ids is not None:
        m2m["members"] = _existing_ids(Person, member_ids, "person")
    before = audit.snapshot(team, many=m2m_labels(team, m2m))
    assign(team, data, allowed=TEAM_FIELDS)
    return record_save(actor=actor, instance=team, before=before, m2m=m2m)


def _check_line_keeps_a_team(team: Team) -> None:
    """A product line has one or more teams: its last team cannot leave it."""
    if not Team.objects.filter(line_id=team.line_id).exclude(pk=team.pk).exists():
        raise Conflict(f"{team.line} must keep at least one team; {team.name} is its last.")


@transaction.atomic
def team_delete(*, actor: User, team: Team) -> None:
    access.require_line_edit(actor, team.line_id, "teams")
    _check_line_keeps_a_team(team)
    record_delete(actor=actor, instance=team, blocked_by="it is still referenced")


__all__ = [
    "get_or_404",
    "line_create",
    "line_delete",
    "line_update",
    "person_create",
    "person_delete",
    "person_update",
    "product_create",
    "product_delete",
    "product_update",
    "team_create",
    "team_delete",
    "team_update",
]
