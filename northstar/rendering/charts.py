"""Charts drawn by matplotlib from a `spec.Chart`: SVG for web pages and PDFs, PNG for images.

SVG text is kept as text (`svg.fonttype = none`), so a PDF printed from it can be searched and copied,
and the browser or WeasyPrint picks each glyph from the font list in `fonts` (CJK included). The
object-oriented API is used (no pyplot), so charts can be drawn from several threads at once.
Output is deterministic: the same chart gives the same bytes, which keeps stored packs comparable.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import matplotlib
from matplotlib.figure import Figure as MplFigure

from northstar.rendering import fonts
from northstar.rendering.spec import Chart

#: Series colours, in order (the same palette the PPTX charts use).
PALETTE = ("#3559e0", "#0f9d76", "#d9822b", "#8e44ad", "#c0392b", "#16a2b8", "#6b8e23", "#b5651d")
INK = "#1e232d"
MUTED = "#5a6270"
GRID = "#d2d6de"

_RC: dict = {
    "svg.fonttype": "none",
    "svg.hashsalt": "northstar",
    "font.size": 10,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
    "text.parse_math": False,  # a "$" in a name is a dollar sign, not mathtext
}


@contextmanager
def style() -> Iterator[None]:
    """Northstar's chart style, for this drawing only (never the process-wide defaults)."""
    with matplotlib.rc_context({**_RC, "font.family": list(fonts.matplotlib_families())}):
        yield


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f}%"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _short(label: str, width: int = 28) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def draw(chart: Chart, *, width: float = 8.0, height: float | None = None) -> MplFigure:
    """The chart as a matplotlib figure (inches), sized to its categories."""
    n = max(1, len(chart.categories))
    if height is None:
        height = (
            max(2.2, min(7.0, 0.9 + 0.32 * n * max(1, len(chart.series)))) if chart.kind == "bar" else 3.4
        )
    figure = MplFigure(figsize=(width, height))
    ax = figure.add_subplot()
    labels = [_short(c) for c in chart.categories]
    positions = list(range(n))
    count = max(1, len(chart.series))
    ax.grid(True, axis="x" if chart.kind == "bar" else "y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    if chart.kind == "line":
        for k, s in enumerate(chart.series):
            points = [(i, v) for i, v in enumerate(s.values) if v is not None]
            ax.plot(
                [i for i, _ in points],
                [v for _, v in points],
                color=PALETTE[k % len(PALETTE)],
                linewidth=1.8,
                label=s.name,
            )
        step = max(1, n // 8)
        ax.set_xticks(positions[::step], labels[::step])
    elif chart.kind == "stacked_column":
        bottoms = [0.0] * n
        for k, s in enumerate(chart.series):
            values = [v or 0.0 for v in s.values]
            ax.bar(
                positions, values, bottom=bottoms, color=PALETTE[k % len(PALETTE)], label=s.name, width=0.6
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        for i, total in enumerate(bottoms):
            ax.annotate(
                _format(total, chart.unit),
                (i, total),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
        ax.set_xticks(positions, labels)
    else:
        thickness = 0.8 / count
        for k, s in enumerate(chart.series):
            offsets = [p - 0.4 + thickness * (k + 0.5) for p in positions]
            values = [v or 0.0 for v in s.values]
            colour = PALETTE[k % len(PALETTE)]
            if chart.kind == "bar":
                bars = ax.barh(offsets, values, height=thickness * 0.9, color=colour, label=s.name)
            else:
                bars = ax.bar(offsets, values, width=thickness * 0.9, color=colour, label=s.name)
            ax.bar_label(
                bars,
                labels=[_format(v, chart.unit) if v is not None else "" for v in s.values],
                fontsize=8,
                padding=2,
                color=INK,
            )
        if chart.kind == "bar":
            ax.set_yticks(positions, labels)
            ax.invert_yaxis()
            ax.margins(x=0.12)
        else:
            ax.set_xticks(positions, labels)
            ax.margins(y=0.12)
    if chart.kind != "bar" and n > 4:
        for tick in ax.get_xticklabels():
            tick.set_rotation(30)
            tick.set_horizontalalignment("right")
    if chart.unit == "%":
        ax.xaxis.set_major_formatter("{x:.0f}%") if chart.kind == "bar" else ax.yaxis.set_major_formatter(
            "{x:.0f}%"
        )
    if len(chart.series) > 1:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    return figure


@lru_cache(maxsize=256)
def svg(chart: Chart, *, width: float = 8.0) -> str:
    """The chart as an SVG document (text kept as text). Charts are frozen values, so the web page,
    the HTML file and the PDF of one pack draw each chart once."""
    with style():
        figure = draw(chart, width=width)
        return figure_svg(figure)


def svg_data_uri(chart: Chart, *, width: float = 8.0) -> str:
    """The SVG as a data: URI, for an <img> (how WeasyPrint draws it with its own SVG renderer)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(chart, width=width).encode("utf-8")).decode(
        "ascii"
    )


def png(chart: Chart, *, width: float = 8.0, dpi: int = 150) -> bytes:
    with style():
        return figure_png(draw(chart, width=width), dpi=dpi)


def figure_svg(figure: MplFigure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return _strip_prolog(out.getvalue())


def figure_png(figure: MplFigure, *, dpi: int = 150) -> bytes:
    out = io.BytesIO()
    # Fast zlib level: a roadmap PNG is large and drawn once (then cached); size matters less than time.
    figure.savefig(out, format="png", dpi=dpi, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _strip_prolog(document: str) -> str:
    """Drop the XML declaration and DOCTYPE, so the SVG can sit inline in an HTML page."""
    start = document.find("<svg")
    return document[start:] if start >= 0 else document
