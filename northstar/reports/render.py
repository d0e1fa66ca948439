"""A pack's document in each format, all from the one `spec.Document`: the web page and standalone
HTML (charts as inline SVG), the PDF printed from that HTML by WeasyPrint, and the PPTX with native
charts. Pure functions of the document (and the slide template), so an issued pack renders the same."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from northstar.core.markdown import render_markdown
from northstar.rendering.spec import Chart, Document, Section

FORMATS = ("html", "pdf", "pptx")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "json": "application/json",
}


@dataclass(frozen=True)
class SectionView:
    section: Section
    narrative: SafeString
    charts: list[tuple[Chart, SafeString]]  # (chart, inline SVG or an <img> of it)

    @property
    def has_content(self) -> bool:
        return bool(self.section.figures or self.section.charts or self.section.tables)


def _chart_markup(chart: Chart, *, inline: bool) -> SafeString:
    from northstar.rendering import charts  # matplotlib loads on first use, not with the URLconf

    # matplotlib's own SVG of our specification: chart text is XML-escaped by matplotlib.
    if inline:
        return mark_safe(charts.svg(chart))  # noqa: S308
    return format_html('<img src="{}" alt="{}">', charts.svg_data_uri(chart), chart.title)


def section_views(document: Document, *, inline: bool = True) -> list[SectionView]:
    """Sections ready for the template; `inline=False` gives charts as SVG images (for WeasyPrint)."""
    return [
        SectionView(
            section=s,
            narrative=render_markdown(s.narrative),
            charts=[(c, _chart_markup(c, inline=inline)) for c in s.charts],
        )
        for s in document.sections
    ]


@cache
def stylesheet() -> str:
    found = finders.find("reports/pack.css")
    return Path(str(found)).read_text(encoding="utf-8") if found else ""


def html(document: Document, *, mode: str = "file") -> str:
    """A standalone HTML file (styles inline, links absolute); `mode="print"` for the PDF."""
    return render_to_string(
        "reports/pack_standalone.html",
        {
            "document": document,
            "sections": section_views(document, inline=mode != "print"),
            "base": document.base_url,
            "css": mark_safe(stylesheet()),  # noqa: S308 - our own stylesheet
            "mode": mode,
        },
    )


def to_pdf(document: Document) -> bytes:
    from northstar.rendering import pdf  # WeasyPrint loads on first use

    return pdf.html_to_pdf(html(document, mode="print"))


def to_pptx(document: Document, *, template: Path | None = None) -> bytes:
    from northstar.rendering import slides

    return slides.deck(document, template=template)


def render(document: Document, fmt: str, *, template: Path | None = None) -> bytes:
    if fmt == "html":
        return html(document).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(document)
    if fmt == "pptx":
        return to_pptx(document, template=template)
    raise ValueError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)}.")
