"""Number formatting for strategy pages: KPI values, signed changes and percentages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def num(value: float | None) -> str:
    """A KPI value as a person reads it: 12,480 / 3.42 / 0.0871; an em dash when missing."""
    if value is None:
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    if magnitude >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


@register.filter
def signed(value: float | None) -> str:
    """A change with its sign: +1,200 / −3.5."""
    if value is None:
        return "—"
    text = num(abs(value))
    return ("+" if value >= 0 else "−") + text


@register.filter
def signed_percent(value: float | None, digits: int = 1) -> str:
    """A ratio as a signed percentage: 0.123 -> +12.3%."""
    if value is None:
        return ""
    return ("+" if value >= 0 else "−") + f"{abs(value) * 100:.{int(digits)}f}%"
