"""Template helpers of the reports pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pack_link(url: str, base: str = "") -> str:
    """A source's site path, made absolute for files read outside Northstar (PDF, standalone HTML)."""
    if not url:
        return ""
    return base.rstrip("/") + url if base and url.startswith("/") else url


@register.filter
def tone_class(tone: str) -> str:
    return f"tone-{tone}" if tone else ""


@register.filter
def markdown(text: str) -> str:
    """User Markdown, rendered and sanitised (see northstar.core.markdown)."""
    from northstar.core.markdown import render_markdown

    return render_markdown(text) if text else ""
