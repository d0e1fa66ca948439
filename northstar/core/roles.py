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

#: Roles that see customers' people (names, email addresses and titles of feedback authors, contacts,
#: portal voters and commenters) and the portal's moderation queue. Stakeholders see the customer voice
#: (what was said, by which account) without the people: `northstar.org.access.can_see_customer_people`.
CUSTOMER_PEOPLE_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.PRODUCT_MANAGER})
