"""The roadmap timeline (swimlanes of bars over periods) drawn by matplotlib: PNG for slides, and
PDF pages printed by WeasyPrint from SVG, text kept as text in the fonts of `fonts` (CJK included).

The layout (lanes, bar positions in CSS pixels) comes from the roadmap page's own layout, so every
format shows what the page shows. A tall roadmap becomes several PDF pages, each with the period
header, instead of one page too long to print.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from html import escape

from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from northstar.rendering import charts, fonts, pdf

INK, MUTED, RULE = "#1e232d", "#5a6270", "#d2d6de"
BAR_HEIGHT = 20.0
HEADER = 28.0
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


TITLE = 56.0


def _draw(g: Gantt, top: float, bottom: float, *, framed: bool = False) -> MplFigure:
    """The rows between `top` and `bottom` (CSS px) under the period header; `framed` adds the
    title above and the legend below (the PNG). One axes in pixel units: 1 unit = 1 CSS px."""
    above = HEADER + (TITLE if framed else 0)
    below = _legend_height(g) if framed else 0
    span = bottom - top + above + below
    figure = MplFigure(figsize=(g.width / 100, span / 100), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, g.width)
    origin = top - above
    ax.set_ylim(origin + span, origin)
    ax.axis("off")
    head = top - HEADER
    columns = [
        Rectangle((g.label_width + k * g.column, head), g.column - 1, bottom - head)
        for k in range(len(g.periods))
    ]
    ax.add_collection(
        PatchCollection(
            columns,
            facecolors=["#f0f2f6" if k % 2 == 0 else "#f6f7fa" for k in range(len(columns))],
            edgecolors="none",
        )
    )
    for k, name in enumerate(g.periods):
        ax.text(g.label_width + k * g.column + 6, head + 18, name, fontsize=9, fontweight="bold", color=INK)
    rules, bars, colours = [], [], []
    for lane in g.lanes:
        if lane.y + lane.height < top or lane.y > bottom:
            continue
        if lane.y >= top:
            rules.append([(0, lane.y), (g.width, lane.y)])
        ax.text(4, max(lane.y, top) + 16, lane.name[:26], fontsize=9, fontweight="bold", color=INK)
        for bar in lane.bars:
            if bar.y + BAR_HEIGHT < top or bar.y > bottom:
                continue
            bars.append(Rectangle((bar.x, bar.y), bar.w, BAR_HEIGHT))
            colours.append(bar.colour)
            ax.text(bar.x + 5, bar.y + 14, bar.text, fontsize=7.5, color="white")
    ax.add_collection(LineCollection(rules, colors=RULE, linewidths=0.8))
    ax.add_collection(PatchCollection(bars, facecolors=colours, edgecolors="none"))
    arrows = [
        [(x1, y1), (x2, y2)] for x1, y1, x2, y2 in g.arrows if top <= min(y1, y2) and max(y1, y2) <= bottom
    ]
    if arrows:
        ax.add_collection(LineCollection(arrows, colors=MUTED, linewidths=0.8))
    if framed:
        ax.text(8, origin + 24, g.title[:120], fontsize=14, fontweight="bold", color=INK)
        ax.text(8, origin + 44, g.subtitle[:200], fontsize=9, color=MUTED)
        swatches = []
        for k, (label, colour) in enumerate(g.legend):
            row, col = divmod(k, 3)
            x, y = 8 + col * g.width / 3, bottom + 10 + row * 16
            swatches.append(Rectangle((x, y), 10, 10, facecolor=colour))
            ax.text(x + 14, y + 9, label[:60], fontsize=8, color=INK)
        ax.add_collection(PatchCollection(swatches, match_original=True))
    return figure


def png(g: Gantt) -> bytes:
    """The whole timeline as one PNG with its title and legend, at twice the page's scale (less for a
    roadmap so tall that twice would pass `MAX_PIXELS`)."""
    with charts.style():
        figure = _draw(g, HEADER, g.height, framed=True)
        height = figure.get_figheight() * 100
        scale = min(2.0, math.sqrt(MAX_PIXELS / max(1.0, g.width * height)))
        return charts.figure_png(figure, dpi=max(50, int(100 * scale)))


def pages(g: Gantt) -> list[str]:
    """The timeline as SVG pages of at most `PAGE_BODY` px of rows each, every one with the header."""
    out: list[str] = []
    top = HEADER
    with charts.style():
        while top < g.height or not out:
            bottom = min(g.height, top + PAGE_BODY)
            out.append(charts.figure_svg(_draw(g, top, bottom)))
            top = bottom
    return out


def to_pdf(g: Gantt) -> bytes:
    """PDF pages sized to the timeline: title, subtitle, legend on the first, the header on each."""
    width = g.width + 48
    images = "".join(
        f'<section class="page"><img alt="Roadmap, part {n + 1}" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"></section>'
        for n, svg in enumerate(pages(g))
    )
    legend = "".join(
        f'<li><span style="background:{escape(colour)}"></span>{escape(label)}</li>'
        for label, colour in g.legend
    )
    html = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: {width:.0f}px {PAGE_BODY + HEADER + 160:.0f}px; margin: 24px;
  @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 9px; color: {MUTED}; }} }}
body {{ font-family: {fonts.css_stack()}; color: {INK}; margin: 0; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }} p {{ color: {MUTED}; font-size: 11px; margin: 0 0 8px; }}
ul {{ list-style: none; padding: 0; margin: 0 0 8px; columns: 3; font-size: 10px; }}
li span {{ display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }}
.page {{ break-after: page; }} .page:last-child {{ break-after: auto; }} img {{ width: {g.width:.0f}px; }}
</style></head><body><h1>{escape(g.title)}</h1><p>{escape(g.subtitle)}</p><ul>{legend}</ul>{images}</body></html>"""
    return pdf.html_to_pdf(html)
