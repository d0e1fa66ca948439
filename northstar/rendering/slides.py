"""PowerPoint decks from a `spec.Document`, with native charts and tables (python-pptx).

Charts are chart objects with their numbers inside (PowerPoint, Keynote and LibreOffice can edit
them), never pictures. Each slide footnotes its sources and the as-of time; the speaker notes carry
the section's narrative and its sources with links. Given a company template (.pptx), slides use its
layouts, so its master, theme fonts, colours and logo carry through; without one, python-pptx's
default 16:9 deck with Northstar's palette.

Slides per section: one with the narrative, key figures and the first chart, then one per further
chart and one per table (`slides_for`), so a reader of the deck can predict its length.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide, SlideLayout
from pptx.util import Emu, Inches, Pt

from northstar.rendering.charts import PALETTE
from northstar.rendering.spec import Chart, Document, Section, Table

_KINDS = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "stacked_column": XL_CHART_TYPE.COLUMN_STACKED,
}
WIDE = (Inches(13.333), Inches(7.5))
MAX_TABLE_ROWS = 12
TONES = {
    "good": RGBColor(0x0F, 0x9D, 0x76),
    "warn": RGBColor(0xD9, 0x82, 0x2B),
    "bad": RGBColor(0xC0, 0x39, 0x2B),
}
MUTED = RGBColor(0x5A, 0x62, 0x70)


def slides_for(section: Section) -> int:
    """How many slides a section takes: one, plus one per further chart and one per table."""
    return 1 + max(0, len(section.charts) - 1) + len(section.tables)


def plain(markdown: str) -> str:
    """Markdown as plain text for slides and notes: bullets kept, emphasis and link syntax dropped."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", markdown)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*#+\s*", "", line)
        line = re.sub(r"^\s*[-*+]\s+", "• ", line)
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


class _Deck:
    def __init__(self, document: Document, template: Path | None) -> None:
        self.document = document
        self.branded = template is not None
        self.prs: PresentationType = Presentation(str(template)) if template else Presentation()
        if template is None:
            self.prs.slide_width, self.prs.slide_height = WIDE
        else:
            _drop_slides(self.prs)
        self.width = int(self.prs.slide_width or WIDE[0])
        self.height = int(self.prs.slide_height or WIDE[1])
        self.margin = Emu(int(self.width * 0.04))

    # Layouts --------------------------------------------------------------------------------------

    def _layout(self, *names: str) -> SlideLayout:
        layouts = list(self.prs.slide_layouts)
        for name in names:
            for layout in layouts:
                if layout.name.lower() == name:
                    return layout
        with_title = [
            lay for lay in layouts if any(p.placeholder_format.type == 1 for p in list(lay.placeholders))
        ]
        return min(with_title or layouts, key=lambda lay: len(lay.placeholders))

    def _slide(self, title: str) -> Slide:
        slide = self.prs.slides.add_slide(self._layout("title only"))
        for shape in list(slide.placeholders):
            if shape.placeholder_format.idx != 0:  # keep only the title; body placeholders stay unused
                shape._element.getparent().remove(shape._element)
        if slide.shapes.title is not None:
            slide.shapes.title.text = title
            if not self.branded:  # the default template's title sits for 4:3; span the wide slide
                shape = slide.shapes.title
                shape.left, shape.top = Emu(self.margin), Emu(int(self.height * 0.04))
                shape.width, shape.height = Emu(self.width - 2 * self.margin), Emu(int(self.height * 0.13))
                title_frame = shape.text_frame
                title_frame.paragraphs[0].font.size = Pt(28)
                title_frame.paragraphs[0].font.bold = True
        else:
            self._text(slide, title, top=self.margin, height=Inches(0.8), size=28, bold=True)
        return slide

    @property
    def _body_top(self) -> int:
        return int(self.height * 0.2)

    @property
    def _body_bottom(self) -> int:
        return int(self.height * 0.9)

    # Pieces ---------------------------------------------------------------------------------------

    def _text(
        self,
        slide: Slide,
        text: str,
        *,
        top: int,
        height: int,
        left: int | None = None,
        width: int | None = None,
        size: int = 14,
        bold: bool = False,
        colour: RGBColor | None = None,
    ):
        box = slide.shapes.add_textbox(
            Emu(left if left is not None else self.margin),
            Emu(top),
            Emu(width if width is not None else self.width - 2 * self.margin),
            Emu(height),
        )
        frame = box.text_frame
        frame.word_wrap = True
        for k, line in enumerate(text.splitlines() or [""]):
            paragraph = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.font.bold = bold
            if colour is not None:
                paragraph.font.color.rgb = colour
        return box

    def _footnote(self, slide: Slide, section: Section) -> None:
        names = "; ".join(s.label for s in section.sources[:6])
        more = f" and {len(section.sources) - 6} more" if len(section.sources) > 6 else ""
        note = (f"Sources: {names}{more}. " if names else "") + f"Data as of {self.document.as_of}."
        self._text(slide, note, top=int(self.height * 0.93), height=Inches(0.4), size=9, colour=MUTED)

    def _notes(self, slide: Slide, section: Section, extra: str = "") -> None:
        parts = [plain(section.narrative), plain(section.notes), extra]
        if section.sources:
            parts.append(
                "Sources:\n" + "\n".join(f"• {s.label}: {self.document.link(s.url)}" for s in section.sources)
            )
        parts.append(f"Data as of {self.document.as_of}.")
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            frame.text = "\n\n".join(p for p in parts if p)

    def _figures(self, slide: Slide, section: Section, *, top: int, width: int) -> int:
        figures = section.figures[:4]
        if not figures:
            return top
        each = width // len(figures)
        for k, figure in enumerate(figures):
            left = self.margin + k * each
            self._text(
                slide,
                figure.text,
                top=top,
                height=Inches(0.6),
                left=left,
                width=each - Inches(0.1),
                size=24,
                bold=True,
                colour=TONES.get(figure.tone),
            )
            caption = figure.label + (f" · {figure.change}" if figure.change else "")
            self._text(
                slide,
                caption,
                top=top + Inches(0.6),
                height=Inches(0.5),
                left=left,
                width=each - Inches(0.1),
                size=10,
                colour=MUTED,
            )
        return top + int(Inches(1.2))

    def _chart(self, slide: Slide, chart: Chart, *, left: int, top: int, width: int, height: int) -> None:
        data = CategoryChartData(number_format='0"%"' if chart.unit == "%" else "#,##0.##")
        data.categories = list(chart.categories)
        for s in chart.series:
            data.add_series(s.name, list(s.values))
        frame: Any = slide.shapes.add_chart(
            _KINDS[chart.kind],
            Emu(left),
            Emu(top),
            Emu(width),
            Emu(height),
            data,  # type: ignore[arg-type]
        )
        graphic = frame.chart
        graphic.has_title = True
        graphic.chart_title.text_frame.text = chart.title
        graphic.chart_title.text_frame.paragraphs[0].font.size = Pt(12)
        graphic.has_legend = len(chart.series) > 1
        if graphic.has_legend:
            graphic.legend.position = XL_LEGEND_POSITION.BOTTOM
            graphic.legend.include_in_layout = False
            graphic.legend.font.size = Pt(10)
        plot = graphic.plots[0]
        if chart.kind in ("bar", "column", "stacked_column"):
            plot.gap_width = 60
            if chart.kind != "stacked_column":
                plot.has_data_labels = True
                plot.data_labels.number_format = data.number_format
                plot.data_labels.number_format_is_linked = False
                plot.data_labels.font.size = Pt(9)
        if chart.kind == "bar":
            graphic.category_axis.reverse_order = True  # first category on top, as in the web page
        graphic.category_axis.tick_labels.font.size = Pt(9)
        graphic.value_axis.tick_labels.font.size = Pt(9)
        graphic.value_axis.tick_labels.number_format = data.number_format
        graphic.value_axis.tick_labels.number_format_is_linked = False
        if not self.branded:
            for k, series in enumerate(plot.series):
                colour = RGBColor.from_string(PALETTE[k % len(PALETTE)].lstrip("#"))
                if chart.kind == "line":
                    series.format.line.color.rgb = colour
                else:
                    series.format.fill.solid()
                    series.format.fill.fore_color.rgb = colour

    def _table(self, slide: Slide, table: Table, *, top: int) -> None:
        rows = table.rows[:MAX_TABLE_ROWS]
        height = min(self._body_bottom - top, int(Inches(0.4)) * (len(rows) + 1))
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(table.columns),
            Emu(self.margin),
            Emu(top),
            Emu(self.width - 2 * self.margin),
            Emu(height),
        )
        grid = shape.table
        for c, name in enumerate(table.columns):
            grid.cell(0, c).text = name
            grid.cell(0, c).text_frame.paragraphs[0].font.size = Pt(11)
            grid.cell(0, c).text_frame.paragraphs[0].font.bold = True
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row):
                target = grid.cell(r, c)
                target.text = cell.text
                paragraph = target.text_frame.paragraphs[0]
                paragraph.font.size = Pt(10)
                if cell.tone in TONES:
                    paragraph.font.color.rgb = TONES[cell.tone]
        left_out = table.more + max(0, len(table.rows) - MAX_TABLE_ROWS)
        if left_out:
            self._text(
                slide,
                f"… and {left_out} more (see the web page).",
                top=top + height + Inches(0.05),
                height=Inches(0.3),
                size=9,
                colour=MUTED,
            )

    # Slides ---------------------------------------------------------------------------------------

    def title_slide(self) -> None:
        slide = self.prs.slides.add_slide(self._layout("title slide"))
        if slide.shapes.title is not None:
            slide.shapes.title.text = self.document.title
        subtitle = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
        line = f"{self.document.subtitle}\nData as of {self.document.as_of}"
        if subtitle is not None:
            subtitle.text = line
        else:
            self._text(slide, line, top=int(self.height * 0.6), height=Inches(1), size=16)
        slide.notes_slide.notes_text_frame.text = (
            f"{self.document.subtitle}\nData as of {self.document.as_of}."
        )

    def section(self, section: Section) -> None:
        slide = self._slide(section.title)
        top = self._body_top
        body_width = self.width - 2 * self.margin
        if section.empty and not (section.figures or section.charts or section.tables):
            self._text(slide, section.empty, top=top, height=Inches(1), size=16, colour=MUTED)
            if section.narrative:
                self._text(
                    slide, plain(section.narrative)[:900], top=top + Inches(1.1), height=Inches(3), size=14
                )
            self._footnote(slide, section)
            self._notes(slide, section)
            return
        has_chart = bool(section.charts)
        text_width = body_width // 2 - Inches(0.2) if has_chart else body_width
        top = self._figures(slide, section, top=top, width=text_width if has_chart else body_width)
        if section.narrative:
            self._text(
                slide,
                plain(section.narrative)[:900],
                top=top,
                height=self._body_bottom - top,
                width=text_width,
                size=14,
            )
        if has_chart:
            self._chart(
                slide,
                section.charts[0],
                left=self.margin + body_width // 2,
                top=self._body_top,
                width=body_width // 2,
                height=self._body_bottom - self._body_top,
            )
        self._footnote(slide, section)
        self._notes(slide, section)
        for chart in section.charts[1:]:
            extra = self._slide(f"{section.title}: {chart.title}")
            self._chart(
                extra,
                chart,
                left=self.margin,
                top=self._body_top,
                width=body_width,
                height=self._body_bottom - self._body_top,
            )
            self._footnote(extra, section)
            self._notes(extra, section)
        for table in section.tables:
            extra = self._slide(f"{section.title}: {table.title}")
            self._table(extra, table, top=self._body_top)
            self._footnote(extra, section)
            self._notes(extra, section)

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def _drop_slides(prs: PresentationType) -> None:
    """A template's own example slides go; its masters and layouts stay."""
    id_list = prs.slides._sldIdLst
    for slide_id in list(id_list):
        prs.part.drop_rel(slide_id.rId)
        id_list.remove(slide_id)


def deck(document: Document, *, template: Path | None = None) -> bytes:
    """The document as a .pptx file: a title slide, then each section's slides."""
    builder = _Deck(document, template)
    builder.title_slide()
    for section in document.sections:
        builder.section(section)
    return builder.bytes()


def check_template(path: Path) -> tuple[int, int]:
    """Open an uploaded template as python-pptx would; returns (layouts, slides). Raises on a bad file."""
    prs = Presentation(str(path))
    return len(prs.slide_layouts), len(prs.slides)
