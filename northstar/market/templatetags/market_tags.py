"""Number formats of the market pages: compact money (12.4M), shares and win rates as percents."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def compact(value: float | Decimal | None) -> str:
    """12,400,000 -> "12.4M"; 950 -> "950"; None -> "—"."""
    if value is None:
        return "—"
    number = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            scaled = number / limit
            text = f"{scaled:.0f}" if abs(scaled) >= 100 else f"{scaled:.1f}".removesuffix(".0")
            return text + suffix
    return f"{number:,.0f}"


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """0.237 -> "24%"; None -> "—"."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def size_range(value: object) -> str:
    """A Range as "8M–12M" (low to high)."""
    if value is None:
        return "—"
    return f"{compact(value.low)}–{compact(value.high)}"  # type: ignore[attr-defined]


@register.inclusion_tag("market/_served.html")
def market_segments(*, objective: object = None, initiative: object = None) -> dict:
    """The segments an objective or initiative serves, with their size: `{% market_segments objective=o %}`
    on a strategy or portfolio page (the market area does not edit those pages itself)."""
    from northstar.market import selectors

    rows = selectors.segments_serving(
        objective_id=getattr(objective, "pk", None), initiative_id=getattr(initiative, "pk", None)
    )
    return {"rows": rows, "initiative": initiative}


@register.simple_tag
def market_segment_chart() -> object:
    """The chart of segments by size and our share, for the vision page: `{% market_segment_chart %}`
    (the page loads plotly.js with `_charts_js.html`)."""
    from northstar.market import charts, selectors

    return charts.segment_chart(selectors.segment_rows()) or ""
