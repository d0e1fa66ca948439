"""Who may change what: roles, plus product-line membership for product managers.

The product-line rule lives here once: `line_scope(user)` says which lines a user may change, and
`can_edit_line` / `require_line_edit` ask it about one line. Every service that writes something
belonging to a line (products, teams, capacity, scenarios, objectives, initiatives and everything
hanging off them: scores, estimates, dependencies, decisions, evidence links, alignment) calls
`require_line_edit`, directly or through `portfolio.permissions.require_initiative_edit`. Pages
that show edit controls for many rows ask one `LineScope` per request, so a list costs one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from northstar.core.errors import PermissionDenied
from northstar.core.models import User
from northstar.core.roles import CUSTOMER_PEOPLE_ROLES, Role
from northstar.org.models import Person, ProductLine

READ_ONLY = "Your role is read-only: ask a product leader to make this change."


def member_line_ids(user: User) -> set[int]:
    """The product lines a user's person belongs to: directs, owns, or sits in one of its teams."""
    if not user.is_authenticated:
        return set()
    return set(
        ProductLine.objects.filter(
            Q(director__user=user) | Q(owners__user=user) | Q(teams__members__user=user)
        ).values_list("id", flat=True)
    )


@dataclass(frozen=True)
class LineScope:
    """What one user may change in the product domain, resolved once.

    Leaders and admins: everything. Stakeholders (and anyone signed out): nothing. Product managers:
    the lines they belong to, and work that belongs to no line but is their own (owned by their person).
    """

    writes: bool
    everything: bool
    line_ids: frozenset[int]
    person_id: int | None

    def allows(self, line_id: int | None, *, owner_id: int | None = None) -> bool:
        if not self.writes:
            return False
        if self.everything:
            return True
        if line_id is None:
            return owner_id is not None and owner_id == self.person_id
        return line_id in self.line_ids

    def where(self, *, line: str, owner: str) -> Q:
        """`allows` as a filter, for lists of what may be picked or changed (bounded in the database,
        not after it): `line` and `owner` name the record's line and owning person's id columns.

        The same three cases as `allows`, read off the same resolved scope; `tests/test_line_rule.py`
        checks the two agree record by record."""
        if not self.writes:
            return Q(pk__in=[])
        if self.everything:
            return Q()
        mine = Q(**{f"{line}__in": self.line_ids})
        if self.person_id is not None:
            mine |= Q(**{f"{line}__isnull": True, owner: self.person_id})
        return mine


NOBODY = LineScope(writes=False, everything=False, line_ids=frozenset(), person_id=None)


def line_scope(user: User) -> LineScope:
    """The one product-line rule, for one user (at most two queries, none for leaders)."""
    if not user.is_authenticated or not user.can_write:
        return NOBODY
    if user.is_leading:
        return LineScope(writes=True, everything=True, line_ids=frozenset(), person_id=None)
    person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    return LineScope(
        writes=True, everything=False, line_ids=frozenset(member_line_ids(user)), person_id=person_id
    )


def require_write(user: User) -> None:
    """Refuse stakeholders (and anyone signed out) any change."""
    if not user.is_authenticated or not user.can_write:
        raise PermissionDenied(READ_ONLY)


def require_leading(user: User, what: str = "this") -> None:
    """Only admins and product leaders may change the shape of the organisation."""
    if not user.is_authenticated or not user.is_leading:
        raise PermissionDenied(f"Only product leaders and admins can change {what}.")


def require_audit_reader(user: User) -> None:
    if not user.is_authenticated or not user.is_leading:
        raise PermissionDenied("Only product leaders and admins can read the audit log.")


def require_admin(user: User) -> None:
    if not user.is_authenticated or user.role != Role.ADMIN:
        raise PermissionDenied("Only admins can do this.")


def can_edit_line(user: User, line_id: int | None, *, owner_id: int | None = None) -> bool:
    """May this user change something of this product line (or, with no line, this owner's work)?"""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return line_scope(user).allows(line_id, owner_id=owner_id)


def require_line_edit(user: User, line_id: int | None, what: str, *, owner_id: int | None = None) -> None:
    """Product managers change only what belongs to the product lines they belong to.

    With no line, only a leader may, or the person owning the work (for work that has an owner).
    """
    require_write(user)
    if can_edit_line(user, line_id, owner_id=owner_id):
        return
    if line_id is None:
        raise PermissionDenied(
            f"{what.capitalize()} outside a product line can only be changed by their owner or a leader."
        )
    raise PermissionDenied(f"You can only change {what} in the product lines you belong to.")


def can_see_customer_people(user: User) -> bool:
    """THE visibility rule for customers' people, applied by every page, fragment and API response.

    Who said something (a feedback author's name and email address), who to call at an account (its
    contacts), who voted or commented on the portal, and the moderation queue (unpublished posts and
    comments, with their authors' addresses) are for the people who work with customers: product
    managers, leaders and admins. Stakeholders read the customer voice without the people: the text,
    the account it came from (name, segment, revenue), themes, demand and the published portal.
    """
    return user.is_authenticated and user.role in CUSTOMER_PEOPLE_ROLES


def require_customer_people(user: User) -> None:
    if not can_see_customer_people(user):
        raise PermissionDenied(
            "Customers' contact details are for product managers and leaders: your role sees the "
            "feedback and the accounts, not the people."
        )
