"""Small formatting filters of the roadmap pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """0.0123 -> "1.2%"; None or NaN -> "—"."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if x != x or abs(x) == float("inf"):
        return "—"
    return f"{x * 100:.{int(digits)}f}%"


@register.filter
def num(value: Any, digits: int = 0) -> str:
    """A number with thousands separators; None -> "—"."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "—"
    if x != x:
        return "—"
    return f"{x:,.{int(digits)}f}"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def periods_moved(shift: Any) -> str:
    """How far a change moved work, without a sign (the kind says which way): -1 -> "by 1 period"."""
    try:
        n = abs(int(shift))
    except (TypeError, ValueError):
        return ""
    return f"by {n} period{'s' if n != 1 else ''}" if n else ""
