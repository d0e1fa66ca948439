"""Market charts as figure specs that northstar/app.js draws (`data-plotly-figure`), no inline script."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from plotly.utils import PlotlyJSONEncoder

from northstar.market.selectors import LabelledRate, SegmentRow
from northstar.strategy.charts import ACCENT, BAD, CONFIG, FONT, GOOD, GRID, INK_3, TARGET


def _html(figure: dict, *, height: int, label: str) -> SafeString:
    figure["layout"].setdefault("height", height)
    chart_id = f"chart-{uuid.uuid4().hex[:12]}"
    data = json_script({**figure, "config": CONFIG}, f"{chart_id}-figure", encoder=PlotlyJSONEncoder)
    return format_html(
        '{}<div class="chart-figure" id="{}" data-plotly-figure="{}-figure" role="img" aria-label="{}" '
        'style="height:{}px;width:100%"></div>',
        data,
        chart_id,
        chart_id,
        label,
        height,
    )


def _axis(title: str = "", **extra: object) -> dict:
    return {
        "title": {"text": title, "font": {"size": 11, "color": INK_3}},
        "gridcolor": GRID,
        "zeroline": False,
        "tickfont": {"size": 11, "color": INK_3},
        "automargin": True,
        **extra,
    }


def segment_chart(rows: Sequence[SegmentRow]) -> SafeString | None:
    """Segments by size: SAM and SOM as bars with their range, our revenue beside them."""
    sized = [r for r in rows if r.size is not None]
    if not sized:
        return None
    names = [r.segment.name for r in sized]

    def bar(name: str, values: list[float], lows: list[float], highs: list[float], colour: str) -> dict:
        return {
            "type": "bar",
            "name": name,
            "x": names,
            "y": values,
            "marker": {"color": colour},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [h - v for h, v in zip(highs, values, strict=True)],
                "arrayminus": [v - lo for lo, v in zip(lows, values, strict=True)],
                "color": INK_3,
                "thickness": 1,
            },
            "hovertemplate": f"%{{x}}: {name} %{{y:,.0f}}<extra></extra>",
        }

    traces = [
        bar("SAM", [r.size.sam.likely for r in sized], [r.size.sam.low for r in sized],  # type: ignore[union-attr]
            [r.size.sam.high for r in sized], ACCENT),  # type: ignore[union-attr]
        bar("SOM", [r.size.som.likely for r in sized], [r.size.som.low for r in sized],  # type: ignore[union-attr]
            [r.size.som.high for r in sized], TARGET),  # type: ignore[union-attr]
        {
            "type": "bar",
            "name": "Our revenue",
            "x": names,
            "y": [float(r.revenue) for r in sized],
            "marker": {"color": GOOD},
            "text": [f"{r.share_of_sam:.1%} of SAM" if r.share_of_sam is not None else "" for r in sized],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{x}: our revenue %{y:,.0f} (%{text})<extra></extra>",
        },
    ]  # fmt: skip
    layout = {
        "barmode": "group",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": _axis(),
        "yaxis": _axis(
            "A year", rangemode="tozero", type="log" if _spread_out(sized) else "linear", tickformat="~s"
        ),
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "font": FONT,
    }
    return _html({"data": traces, "layout": layout}, height=320, label="Segments by size and our share")


def _spread_out(rows: Sequence[SegmentRow]) -> bool:
    """A log axis when the largest SAM is more than 50 times the smallest non-zero revenue or SOM."""
    values = [v for r in rows for v in (r.size.sam.likely, r.size.som.likely, float(r.revenue)) if v > 0]  # type: ignore[union-attr]
    return bool(values) and max(values) / min(values) > 50


def win_rate_chart(rows: Sequence[LabelledRate]) -> SafeString | None:
    """Quarterly win rate with its 90 % interval as a band."""
    points = [r for r in rows if r.rate.rate is not None]
    if len(points) < 2:
        return None
    x = [r.label for r in points]
    traces = [
        {
            "type": "scatter",
            "x": x + x[::-1],
            "y": [r.rate.high * 100 for r in points] + [r.rate.low * 100 for r in points[::-1]],  # type: ignore[operator]
            "fill": "toself",
            "fillcolor": "rgba(45,91,125,0.12)",
            "line": {"width": 0},
            "hoverinfo": "skip",
            "name": "90 % interval",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [r.rate.rate * 100 for r in points],  # type: ignore[operator]
            "line": {"color": ACCENT, "width": 2},
            "customdata": [[r.rate.won, r.rate.lost] for r in points],
            "hovertemplate": "%{x}: %{y:.0f}% (%{customdata[0]} won, %{customdata[1]} lost)<extra></extra>",
            "name": "Win rate",
        },
    ]
    layout = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": _axis(),
        "yaxis": _axis("Win rate", ticksuffix="%", range=[0, 100]),
        "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "font": FONT,
    }
    return _html({"data": traces, "layout": layout}, height=240, label="Win rate by quarter")


__all__ = ["BAD", "segment_chart", "win_rate_chart"]
