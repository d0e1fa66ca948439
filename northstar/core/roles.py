"""The four roles and what each may do, decided in one place."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEADER = "leader", "Product leader"
    PRODUCT_MANAGER = "pm", "Product manager"
    STAKEHOLDER = "stakeholder", "Stakeholder"


#: Roles that may change anything in the product domain.
LEADING_ROLES = frozenset({Role.ADMIN, Role.LEADER})
