"""Delivery pieces other areas' pages show: the forecast's at-risk flags (roadmap, strategy
dashboard) and an initiative's delivery card (portfolio page). Each reads through the selectors."""

from __future__ import annotations

from typing import Any

from django import template

from northstar.delivery import selectors

register = template.Library()


@register.inclusion_tag("delivery/_forecast_flags.html")
def forecast_flags(limit: int = 8) -> dict[str, Any]:
    """The latest forecast's at-risk initiatives (P85 past the committed date)."""
    return {"summary": selectors.forecast_summary(limit=limit)}


@register.inclusion_tag("delivery/_initiative_card.html")
def initiative_delivery(initiative: Any) -> dict[str, Any]:
    forecast = selectors.latest_forecast()
    line = forecast.lines.filter(initiative_id=initiative.pk).first() if forecast else None
    return {
        "initiative": initiative,
        "progress": selectors.initiative_progress([initiative.pk]).get(initiative.pk),
        "line": line,
    }
