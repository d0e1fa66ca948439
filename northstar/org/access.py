"""Who may change what: roles, plus product-line membership for product managers.

Every view and API handler goes through these checks, so the rules live in one place.
"""

from __future__ import annotations

from django.db.models import Q

from northstar.core.errors import PermissionDenied
from northstar.core.models import User
from northstar.core.roles import CUSTOMER_PEOPLE_ROLES, Role
from northstar.org.models import ProductLine


def member_line_ids(user: User) -> set[int]:
    """The product lines a user's person belongs to: directs, owns, or sits in one of its teams."""
    if not user.is_authenticated:
        return set()
    return set(
        ProductLine.objects.filter(
            Q(director__user=user) | Q(owners__user=user) | Q(teams__members__user=user)
        ).values_list("id", flat=True)
    )


def require_write(user: User) -> None:
    """Refuse stakeholders (and anyone signed out) any change."""
    if not user.is_authenticated or not user.can_write:
        raise PermissionDenied("Your role is read-only: ask a product leader to make this change.")


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


def can_edit_line(user: User, line_id: int | None) -> bool:
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return line_id is not None and line_id in member_line_ids(user)


def require_line_edit(user: User, line_id: int | None, what: str) -> None:
    """Product managers edit only within the product lines they belong to."""
    require_write(user)
    if not can_edit_line(user, line_id):
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
