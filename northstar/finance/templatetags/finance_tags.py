"""Money formatting for the finance and delivery pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """1234567.8 -> "1,234,568 EUR"; None -> "—". Whole units: these pages compare, they do not book."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if x != x:
        return "—"
    return f"{x:,.0f}{' ' + currency if currency else ''}"


@register.filter
def signed_pct(value: Any, digits: int = 1) -> str:
    """0.123 -> "+12.3%"; None -> "—"."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if x != x:
        return "—"
    return f"{x * 100:+.{int(digits)}f}%"


FLAG_LABELS = {
    "over": "Over budget",
    "under": "Under budget",
    "on_track": "On track",
    "no_budget": "No budget",
}


@register.filter
def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """0.623 -> "62%"; None -> "—"."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if x != x:
        return "—"
    return f"{x * 100:.{int(digits)}f}%"
