"""The roadmap timeline (swimlanes of bars over periods): PNG drawn by Pillow, PDF printed by
WeasyPrint from HTML, both in the fonts of `fonts` (CJK included).

The layout (lanes, bar positions in CSS pixels) comes from the roadmap page's own layout, so every
format shows what the page shows. A tall roadmap becomes several PDF pages, each with the period
header, instead of one page too long to print.

Why not matplotlib (as the pack charts are): a published roadmap has a thousand labelled bars, and
matplotlib lays out every text through its own FreeType wrapper (tens of ms each), so the large demo's
roadmap took over 30 s. Pillow (FreeType with HarfBuzz shaping through raqm) draws the same labels in
well under a millisecond each. For the PDF, labels are HTML boxes that Pango lays out once each;
shapes without text (columns, rules, bars, dependency lines) are one inline SVG per page (WeasyPrint
lays SVG text out letter by letter, so no text goes there).
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import TYPE_CHECKING

from northstar.rendering import fonts, pdf

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

INK, MUTED, RULE = "#1e232d", "#5a6270", "#d2d6de"
COLUMN_EVEN, COLUMN_ODD = "#f0f2f6", "#f6f7fa"
BAR_HEIGHT = 20.0
HEADER = 28.0
TITLE = 56.0
#: Rows of bars per PDF page (24 px each): an A3-landscape-sized page at the page's scale.
PAGE_BODY = 1000.0
#: Most pixels a PNG gets; a very tall roadmap is drawn at a smaller scale rather than not at all.
MAX_PIXELS = 36_000_000


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    colour: str
    text: str


@dataclass(frozen=True)
class Lane:
    name: str
    y: float
    height: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Gantt:
    """A laid-out timeline in CSS pixels: period columns after a label column, lanes of bars."""

    title: str
    subtitle: str
    periods: tuple[str, ...]
    lanes: tuple[Lane, ...]
    arrows: tuple[tuple[float, float, float, float], ...]
    legend: tuple[tuple[str, str], ...]
    width: float
    height: float
    label_width: float
    column: float


def _legend_height(g: Gantt) -> float:
    return 16.0 * math.ceil(len(g.legend) / 3) + 12


# PNG ---------------------------------------------------------------------------------------------


class _Writer:
    """Text in Pillow with glyph-by-glyph fallback through `fonts.FAMILIES` (Pillow draws a run in one
    font, so a name mixing Latin and CJK is split into runs, each in the first font that has it)."""

    def __init__(self, draw: ImageDraw.ImageDraw, scale: float) -> None:
        self.draw = draw
        self.scale = scale

    def text(self, x: float, y: float, text: str, size: float, colour: str, *, bold: bool = False) -> None:
        """`text` with its baseline at (x, y) in CSS px; `size` in points (as the page's CSS)."""
        px = max(4, round(size * 96 / 72 * self.scale))
        cursor = x * self.scale
        for font_file, run in _runs(text, bold):
            font = _pil_font(font_file, px)
            self.draw.text((cursor, y * self.scale), run, font=font, fill=colour, anchor="ls")
            cursor += font.getlength(run)


def _runs(text: str, bold: bool) -> list[tuple[tuple[str, int], str]]:
    faces = fonts.font_files(bold=bold)
    runs: list[tuple[tuple[str, int], str]] = []
    for char in text:
        face = next((f for f, covered in faces if ord(char) in covered), faces[0][0])
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return runs


@cache
def _pil_font(face: tuple[str, int], px: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(face[0], px, index=face[1])


def png(g: Gantt) -> bytes:
    """The whole timeline as one PNG with its title and legend, at twice the page's scale (less for a
    roadmap so tall that twice would pass `MAX_PIXELS`)."""
    from PIL import Image, ImageDraw

    above, below = TITLE + HEADER, _legend_height(g)
    height = above + (g.height - HEADER) + below
    scale = min(2.0, math.sqrt(MAX_PIXELS / max(1.0, g.width * height)))
    image = Image.new("RGB", (max(1, round(g.width * scale)), max(1, round(height * scale))), "white")
    draw = ImageDraw.Draw(image)
    writer = _Writer(draw, scale)
    shift = above - HEADER  # page y (the header starts at 0) to image y

    def box(x: float, y: float, w: float, h: float, colour: str) -> None:
        x0, y0 = x * scale, (y + shift) * scale
        draw.rectangle(
            (x0, y0, max(x0, (x + w) * scale - 1), max(y0, (y + shift + h) * scale - 1)), fill=colour
        )

    for k, name in enumerate(g.periods):
        x = g.label_width + k * g.column
        box(x, 0, g.column - 1, g.height, COLUMN_EVEN if k % 2 == 0 else COLUMN_ODD)
        writer.text(x + 6, shift + 18, name, 9, INK, bold=True)
    for lane in g.lanes:
        box(0, lane.y, g.width, max(1 / scale, 0.8), RULE)
        writer.text(4, lane.y + shift + 16, lane.name[:26], 9, INK, bold=True)
        for bar in lane.bars:
            box(bar.x, bar.y, bar.w, BAR_HEIGHT, bar.colour)
            writer.text(bar.x + 5, bar.y + shift + 14, bar.text, 7.5, "white")
    for x1, y1, x2, y2 in g.arrows:
        draw.line(
            (x1 * scale, (y1 + shift) * scale, x2 * scale, (y2 + shift) * scale),
            fill=MUTED,
            width=max(1, round(scale)),
        )
    writer.text(8, 24, g.title[:120], 14, INK, bold=True)
    writer.text(8, 44, g.subtitle[:200], 9, MUTED)
    for k, (label, colour) in enumerate(g.legend):
        row, col = divmod(k, 3)
        x, y = 8 + col * g.width / 3, g.height + shift + 10 + row * 16
        draw.rectangle((x * scale, y * scale, (x + 10) * scale, (y + 10) * scale), fill=colour)
        writer.text(x + 14, y + 9, label[:60], 8, INK)
    out = io.BytesIO()
    # Fast zlib level: a roadmap PNG is large and drawn once (then cached); size matters less than time.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


# PDF ---------------------------------------------------------------------------------------------


def _page_breaks(g: Gantt) -> list[tuple[float, float]]:
    """Slices of at most `PAGE_BODY` px of rows, cut between rows of bars (never through a bar)."""
    starts = sorted({bar.y for lane in g.lanes for bar in lane.bars})
    slices: list[tuple[float, float]] = []
    top = HEADER
    while top < g.height or not slices:
        bottom = min(g.height, top + PAGE_BODY)
        cut = [y for y in starts if top < y < bottom < y + BAR_HEIGHT]
        if cut and cut[0] > top:
            bottom = cut[0]
        slices.append((top, bottom))
        if bottom <= top:
            break
        top = bottom
    return slices


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _page(g: Gantt, top: float, bottom: float, classes: dict[tuple[str, float], str]) -> str:
    """One page: an SVG of the shapes (no text), and the texts as positioned HTML boxes over it."""
    height = bottom - top + HEADER
    shapes: list[str] = []
    texts: list[str] = []
    for k, name in enumerate(g.periods):
        x = g.label_width + k * g.column
        fill = COLUMN_EVEN if k % 2 == 0 else COLUMN_ODD
        shapes.append(
            f'<rect x="{_num(x)}" y="0" width="{_num(g.column - 1)}" height="{_num(height)}" fill="{fill}"/>'
        )
        texts.append(f'<b class="period" style="left:{_num(x + 6)}px">{escape(name)}</b>')
    rows: dict[float, list[Bar]] = defaultdict(list)
    for lane in g.lanes:
        if lane.y + lane.height <= top or lane.y >= bottom:
            continue
        if lane.y >= top:
            y = lane.y - top + HEADER
            shapes.append(f'<rect x="0" y="{_num(y)}" width="{_num(g.width)}" height="0.8" fill="{RULE}"/>')
        name_top = _num(max(lane.y, top) - top + HEADER + 4)
        texts.append(f'<b class="lane" style="top:{name_top}px">{escape(lane.name[:26])}</b>')
        for bar in lane.bars:
            if top <= bar.y < bottom:
                y = bar.y - top + HEADER
                shapes.append(
                    f'<rect x="{_num(bar.x)}" y="{_num(y)}" width="{_num(bar.w)}" '
                    f'height="{_num(BAR_HEIGHT)}" fill="{escape(bar.colour)}"/>'
                )
                rows[bar.y].append(bar)
    for x1, y1, x2, y2 in g.arrows:
        if top <= min(y1, y2) and max(y1, y2) <= bottom:
            shapes.append(
                f'<line x1="{_num(x1)}" y1="{_num(y1 - top + HEADER)}" x2="{_num(x2)}" '
                f'y2="{_num(y2 - top + HEADER)}" stroke="{MUTED}" stroke-width="0.8"/>'
            )
    for y, bars in rows.items():
        # One positioned row per line of bars; each label is placed by a shared class for its x.
        labels = "".join(
            f'<span class="{classes.setdefault(("x", bar.x), f"x{len(classes)}")} '
            f'{classes.setdefault(("w", bar.w), f"w{len(classes)}")}">{escape(bar.text)}</span>'
            for bar in bars
        )
        texts.append(f'<div class="row" style="top:{_num(y - top + HEADER)}px">{labels}</div>')
    svg = (
        f'<svg class="shapes" xmlns="http://www.w3.org/2000/svg" width="{_num(g.width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(g.width)} {_num(height)}">{"".join(shapes)}</svg>'
    )
    return f'<section class="page" style="height:{_num(height)}px">{svg}{"".join(texts)}</section>'


def to_pdf(g: Gantt) -> bytes:
    """PDF pages sized to the timeline: title, subtitle, legend on the first, the header on each."""
    classes: dict[tuple[str, float], str] = {}
    body = "".join(_page(g, top, bottom, classes) for top, bottom in _page_breaks(g))
    # Every box gets its width: a positioned box without one is shrunk to fit, which lays its text
    # out once more to measure it (a large share of a thousand-label page's time).
    positions = "".join(
        f".{name}{{left:{_num(value + 5)}px}}"
        if kind == "x"
        else f".{name}{{width:{_num(max(1, value - 5))}px}}"
        for (kind, value), name in classes.items()
    )
    legend = "".join(
        f'<li><span style="background:{escape(colour)}"></span>{escape(label)}</li>'
        for label, colour in g.legend
    )
    width = g.width + 48
    html = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width:.0f}px {PAGE_BODY + HEADER + 160:.0f}px; margin: 24px;
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 9px; color: {MUTED}; }} }}
body {{ font-family: {fonts.css_stack()}; color: {INK}; margin: 0; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} p {{ color: {MUTED}; font-size: 11px; margin: 0 0 8px; }}
ul {{ list-style: none; padding: 0; margin: 0 0 8px; columns: 3; font-size: 10px; }}
li span {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }}
.page {{ position: relative; width: {g.width:.0f}px; break-after: page; break-inside: avoid; }}
.page:last-child {{ break-after: auto; }}
.shapes {{ position: absolute; left: 0; top: 0; }}
.period, .lane {{ position: absolute; font-size: 9pt; white-space: nowrap; }}
.period {{ top: 7px; width: {max(1.0, g.column - 8):.0f}px; overflow: hidden; }}
.lane {{ left: 4px; width: {max(1.0, g.label_width - 8):.0f}px; overflow: hidden; }}
.row {{ position: absolute; left: 0; height: {BAR_HEIGHT:.0f}px; width: {g.width:.0f}px; }}
.row span {{ position: absolute; top: 0; line-height: {BAR_HEIGHT:.0f}px; font-size: 7.5pt; color: white;
  white-space: nowrap; }}
{positions}
</style></head><body><h1>{escape(g.title)}</h1><p>{escape(g.subtitle)}</p><ul>{legend}</ul>{body}</body></html>"""
    return pdf.html_to_pdf(html)
