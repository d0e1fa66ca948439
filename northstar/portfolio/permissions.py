"""Who may change an initiative and everything hanging off it (scores, estimates, dependencies,
decisions, evidence links, alignment): the product-line rule of `org.access`, applied to the line of
the initiative's product (or, for work without a product, to its owner)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.org import access
from northstar.org.models import Product
from northstar.portfolio.models import Initiative


def line_of(product_id: int | None) -> int | None:
    """The product line a product belongs to; refuses an unknown product id."""
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
    return access.can_edit_line(user, line_of(product_id), owner_id=owner_id)


def require_edit(actor: User, product_id: int | None, owner_id: int | None) -> None:
    access.require_line_edit(actor, line_of(product_id), "initiatives", owner_id=owner_id)


def require_initiative_edit(actor: User, initiative: Any) -> None:
    """Refuse a change to an initiative or anything hanging off it (scores, estimate, dependencies,
    decisions, evidence links, alignment)."""
    require_edit(actor, initiative.product_id, initiative.owner_id)


def editable_ids(user: User, initiatives: list) -> set[int]:
    """Which of these initiatives the user may change, in at most two queries (for list pages)."""
    scope = access.line_scope(user)
    return {
        i.pk
        for i in initiatives
        if scope.allows(i.product.line_id if i.product_id else None, owner_id=i.owner_id)
    }


def editable_initiatives(user: User, initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """Narrow a query to the initiatives `user` may change (the line scope's filter, at most two
    queries to resolve it): what a picker offers when the chosen one will be changed."""
    return initiatives.filter(access.line_scope(user).where(line="product__line_id", owner="owner_id"))
