"""The product division: who reports to whom, which lines they own, which teams build what."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.numbers import MoneyField


class Level(models.TextChoices):
    """The product career ladder, top to bottom, plus the specialist leads who report to the CPO."""

    CPO = "cpo", "Chief Product Officer"
    VP = "vp", "VP of Product"
    DIRECTOR = "director", "Director of Product"
    GROUP_PM = "group_pm", "Group Product Manager"
    PRINCIPAL_PM = "principal_pm", "Principal Product Manager"
    SENIOR_PM = "senior_pm", "Senior Product Manager"
    PM = "pm", "Product Manager"
    APM = "apm", "Associate Product Manager"
    UX_LEAD = "ux_lead", "Head of UX"
    ANALYTICS_LEAD = "analytics_lead", "Head of Product Analytics"
    MARKETING_LEAD = "marketing_lead", "Head of Product Marketing"
    ENGINEER = "engineer", "Engineer"
    DESIGNER = "designer", "Designer"
    ANALYST = "analyst", "Analyst"


#: Rank on the ladder; lower is more senior. Used to order the org chart, never to check permissions.
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(Level)}


class Skill(models.Model):
    """A kind of work a team can do, e.g. backend, frontend, mobile, data, design."""

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(Versioned):
    """Someone in (or working with) the product division."""

    name = models.CharField(max_length=120)
    email = models.EmailField(unique=True)
    title = models.CharField(max_length=120)
    level = models.CharField(max_length=20, choices=Level.choices)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class ProductLine(Versioned):
    """A group of products with one accountable director and the teams that build them."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    director = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="directed_lines")
    owners = models.ManyToManyField(Person, blank=True, related_name="owned_lines")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(Versioned):
    """Something customers use, inside one product line."""

    line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["line", "name"], name="product_name_unique_in_line")]

    def __str__(self) -> str:
        return self.name


class Team(Versioned):
    """A delivery team in a product line, with its skills, members and weekly cost."""

    line = models.ForeignKey(ProductLine, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120, unique=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="teams")
    members = models.ManyToManyField(Person, blank=True, related_name="teams")
    cost_rate = MoneyField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Cost of one team-week.",
    )
    currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
