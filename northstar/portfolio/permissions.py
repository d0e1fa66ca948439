"""Who may change an initiative and everything hanging off it (scores, estimates, dependencies, decisions).

One rule for every write in the portfolio area, used by the services and by views deciding which
controls to offer.
"""

from __future__ import annotations

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.org import access
from northstar.org.models import Person, Product


def _line_of(product_id: int | None) -> int | None:
    if product_id is None:
        return None
    line_id = Product.objects.filter(pk=product_id).values_list("line_id", flat=True).first()
    if line_id is None:
        raise ValidationFailed(f"Unknown product id {product_id}.")
    return line_id


def can_edit_initiative(user: User, *, product_id: int | None, owner_id: int | None) -> bool:
    """Leaders edit anything; PMs edit work in their lines, or work without a product that they own."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    line_id = _line_of(product_id)
    if line_id is None:
        return owner_id is not None and Person.objects.filter(pk=owner_id, user=user).exists()
    return access.can_edit_line(user, line_id)


def require_edit(actor: User, product_id: int | None, owner_id: int | None) -> None:
    access.require_write(actor)
    if can_edit_initiative(actor, product_id=product_id, owner_id=owner_id):
        return
    if product_id is None:
        raise PermissionDenied("Work without a product can only be changed by its owner or a leader.")
    raise PermissionDenied("You can only change initiatives in the product lines you belong to.")


def require_initiative_edit(actor: User, initiative: object) -> None:
    """Refuse a change to an initiative (or its scores, estimate, dependencies, decisions)."""
    require_edit(actor, initiative.product_id, initiative.owner_id)  # type: ignore[attr-defined]


def editable_ids(user: User, initiatives: list) -> set[int]:
    """Which of these initiatives the user may change, in at most one query (for list pages)."""
    if not user.is_authenticated or not user.can_write:
        return set()
    if user.is_leading:
        return {i.pk for i in initiatives}
    lines = access.member_line_ids(user)
    person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        i.pk
        for i in initiatives
        if (i.product_id and i.product.line_id in lines)
        or (not i.product_id and person_id and i.owner_id == person_id)
    }
