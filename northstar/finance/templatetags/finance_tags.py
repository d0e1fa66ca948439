"""Money formatting for the finance and delivery pages (numbers as the roadmap pages show them)."""

from __future__ import annotations

from typing import Any

from django import template

from northstar.core.numbers import money_text
from northstar.planning.templatetags.planning_tags import pct

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """1234567.8 -> "€1,234,568" (the company currency unless named); None -> "—". The one money rule
    (core.numbers), in whole units: these pages compare, they do not book."""
    return money_text(value, currency, cents=False)


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """0.623 -> "62%"; None -> "—"."""
    return pct(value, digits)


@register.filter
def signed_pct(value: Any, digits: int = 1) -> str:
    """0.123 -> "+12.3%"; None -> "—"."""
    shown = pct(value, digits)
    return shown if shown == "—" or shown.startswith("-") else "+" + shown


FLAG_LABELS = {
    "over": "Over budget",
    "under": "Under budget",
    "on_track": "On track",
    "no_budget": "No budget",
}


@register.filter
def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)
