"""Analytics pieces other areas' pages show: an initiative's friction evidence (portfolio page) and
friction across the portfolio (strategy dashboard). Each reads through the selectors."""

from __future__ import annotations

from typing import Any

from django import template

from northstar.analytics import selectors

register = template.Library()


@register.inclusion_tag("analytics/_initiative_friction.html")
def initiative_friction(initiative: Any) -> dict[str, Any]:
    """The friction linked to an initiative as evidence, and the people it hurt (its reach share)."""
    links = list(selectors.evidence_for_initiative(initiative.pk).order_by("-users", "-created_at"))
    return {"initiative": initiative, "links": links, "people": sum(link.users for link in links)}


@register.inclusion_tag("analytics/_friction_summary.html")
def friction_summary(limit: int = 5) -> dict[str, Any]:
    return {"summary": selectors.friction_summary(limit=limit)}
