"""Plotly charts built on the server as figures the page draws. plotly.js is served once, deferred, by
`core.views.plotly_js` (see `templates/_charts_js.html`). Figures are plain dicts (no validation pass),
which keeps a dashboard of 25 sparklines well inside its time budget."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe
from plotly.utils import PlotlyJSONEncoder

from northstar.engines.metrics.detect import Flag, FlagKind

INK = "#1f2430"
INK_3 = "#626874"
GRID = "#ece9e1"
ACCENT = "#2d5b7d"
GOOD = "#2f6b4f"
BAD = "#9e3a3a"
TARGET = "#c99a3b"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": INK}
CONFIG = {"displayModeBar": False, "responsive": True}


def _html(figure: dict, *, height: int) -> SafeString:
    """The figure as JSON data beside an empty chart box; the site's own script (northstar/app.js)
    draws it, so no inline script is needed and the Content-Security-Policy can forbid them."""
    figure["layout"].setdefault("height", height)
    chart_id = f"chart-{uuid.uuid4().hex[:12]}"
    data = json_script({**figure, "config": CONFIG}, f"{chart_id}-figure", encoder=PlotlyJSONEncoder)
    return format_html(
        '{}<div class="chart-figure" id="{}" data-plotly-figure="{}-figure" '
        'style="height:{}px;width:100%"></div>',
        data,
        chart_id,
        chart_id,
        height,
    )


def _unit_suffix(unit: str) -> str:
    return f" {unit}" if unit and unit != "%" else unit


def _axis(title: str = "", **extra: object) -> dict:
    return {
        "title": {"text": title, "font": {"size": 11, "color": INK_3}},
        "gridcolor": GRID,
        "zeroline": False,
        "tickfont": {"size": 11, "color": INK_3},
        "automargin": True,
        **extra,
    }


def sparkline(
    points: Sequence[tuple[date, float]], *, unit: str, target: float | None, good_up: bool
) -> SafeString:
    """A small line of the last values, the target as a dotted line, hover shows date and value."""
    if not points:
        return mark_safe("")
    xs = [p[0].isoformat() for p in points]
    ys = [p[1] for p in points]
    traces: list[dict] = [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines",
            "line": {"color": ACCENT, "width": 1.6},
            "hovertemplate": "%{x|%d %b %Y}: %{y:,.4~g}" + _unit_suffix(unit) + "<extra></extra>",
        }
    ]
    shapes = []
    if target is not None:
        shapes.append(_target_line(target))
    layout = {
        "margin": {"l": 2, "r": 2, "t": 4, "b": 4},
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "rangemode": "normal"},
        "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "shapes": shapes,
        "font": FONT,
        "hovermode": "x",
    }
    return _html({"data": traces, "layout": layout}, height=56)


def _target_line(target: float) -> dict:
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": target,
        "y1": target,
        "line": {"color": TARGET, "width": 1.2, "dash": "dot"},
    }


def metric_chart(
    points: Sequence[tuple[date, float]],
    *,
    name: str,
    unit: str,
    target: float | None,
    baseline: Sequence[float],
    flags: Sequence[Flag],
) -> SafeString:
    """The KPI's full chart: values, the expected baseline, spikes marked, level shifts drawn as lines."""
    xs = [p[0].isoformat() for p in points]
    ys = [p[1] for p in points]
    suffix = _unit_suffix(unit)
    traces: list[dict] = [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "name": name,
            "mode": "lines+markers",
            "marker": {"size": 4, "color": ACCENT},
            "line": {"color": ACCENT, "width": 2},
            "hovertemplate": "%{x|%d %b %Y}: %{y:,.4~g}" + suffix + "<extra></extra>",
        }
    ]
    if len(baseline) == len(ys) and flags:
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": list(baseline),
                "name": "Expected (trend + season)",
                "mode": "lines",
                "line": {"color": INK_3, "width": 1, "dash": "dot"},
                "hovertemplate": "expected %{y:,.4~g}" + suffix + "<extra></extra>",
            }
        )
    spikes = [f for f in flags if f.kind is FlagKind.SPIKE]
    if spikes:
        traces.append(
            {
                "type": "scatter",
                "x": [xs[f.index] for f in spikes],
                "y": [f.value for f in spikes],
                "name": "Spike",
                "mode": "markers",
                "marker": {"size": 11, "color": BAD, "symbol": "circle-open", "line": {"width": 2.5}},
                "text": [_change_text(f, unit) for f in spikes],
                "hovertemplate": "%{x|%d %b %Y}: %{text}<extra>spike</extra>",
            }
        )
    shapes = [_target_line(target)] if target is not None else []
    annotations = []
    for f in flags:
        if f.kind is not FlagKind.SHIFT:
            continue
        shapes.append(
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": xs[f.index],
                "x1": xs[f.index],
                "line": {"color": BAD, "width": 1.5, "dash": "dash"},
            }
        )
        annotations.append(
            {
                "x": xs[f.index],
                "y": 1,
                "yref": "paper",
                "text": "shift " + _change_text(f, unit),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 11, "color": BAD},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    if target is not None:
        annotations.append(
            {
                "x": 1,
                "xref": "paper",
                "y": target,
                "text": f"target {target:,.4g}{suffix}",
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": 11, "color": "#805b13"},
            }
        )
    layout = {
        "margin": {"l": 10, "r": 10, "t": 24, "b": 10},
        "xaxis": _axis("Week", type="date", tickformat="%b %Y"),
        "yaxis": _axis(unit or "value", tickformat=",.4~g"),
        "legend": {"orientation": "h", "y": -0.2, "font": {"size": 11}},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "shapes": shapes,
        "annotations": annotations,
        "font": FONT,
        "hovermode": "closest",
    }
    return _html({"data": traces, "layout": layout}, height=340)


def _change_text(flag: Flag, unit: str) -> str:
    sign = "+" if flag.change >= 0 else "−"
    text = f"{sign}{abs(flag.change):,.4g}{_unit_suffix(unit)}"
    if flag.relative is not None:
        text += f" ({sign}{abs(flag.relative):.0%})"
    return text


#: The narrowest date axis a check-in chart shows: left to itself, plotly zooms one check-in (or a few on
#: one day) down to milliseconds.
MIN_SPAN = timedelta(days=14)


def _day_range(history: Sequence[tuple[str, float, int]]) -> list[str]:
    """The x range of a check-in chart: the check-ins' span, widened to at least two weeks around them."""
    moments = [datetime.fromisoformat(h[0]) for h in history]
    first, last = min(moments), max(moments)
    pad = max((MIN_SPAN - (last - first)) / 2, timedelta(days=1))
    return [(first - pad).isoformat(), (last + pad).isoformat()]


def check_in_chart(
    history: Sequence[tuple[str, float, int]], *, unit: str, baseline: float | None, target: float | None
) -> SafeString:
    """Check-ins over time (value as a step line, confidence on hover), with baseline and target lines."""
    if not history:
        return mark_safe("")
    suffix = _unit_suffix(unit)
    traces = [
        {
            "type": "scatter",
            "x": [h[0] for h in history],
            "y": [h[1] for h in history],
            "customdata": [h[2] for h in history],
            "name": "Check-ins",
            "mode": "lines+markers",
            "line": {"shape": "hv", "color": ACCENT, "width": 2},
            "marker": {"size": 7},
            "hovertemplate": "%{x|%d %b %Y}: %{y:,.4~g}"
            + suffix
            + ", confidence %{customdata}/10<extra></extra>",
        }
    ]
    shapes, annotations = [], []
    for label, value, colour in (("baseline", baseline, INK_3), ("target", target, TARGET)):
        if value is None:
            continue
        shapes.append({**_target_line(value), "line": {"color": colour, "width": 1.2, "dash": "dot"}})
        annotations.append(
            {
                "x": 0,
                "xref": "paper",
                "y": value,
                "text": f"{label} {value:,.4g}{suffix}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": colour},
            }
        )
    layout = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": _axis("Check-in date", type="date", tickformat="%d %b %Y", range=_day_range(history)),
        "yaxis": _axis(unit or "value", tickformat=",.4~g"),
        "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "shapes": shapes,
        "annotations": annotations,
        "font": FONT,
    }
    return _html({"data": traces, "layout": layout}, height=260)


def effort_chart(rows: Sequence[tuple[str, float]], *, unaligned: float) -> SafeString:
    """Share of active effort by objective, plus the unaligned share, as horizontal bars in percent."""
    labels = [label if len(label) <= 48 else label[:47] + "…" for label, _ in rows] + ["Aligned to nothing"]
    shares = [share * 100 for _, share in rows] + [unaligned * 100]
    colours = [ACCENT] * len(rows) + [BAD]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": shares,
            "marker": {"color": colours},
            "text": [f"{s:.0f}%" for s in shares],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{x:.1f}% of active effort<extra></extra>",
        }
    ]
    layout = {
        "margin": {"l": 10, "r": 30, "t": 10, "b": 10},
        "xaxis": _axis("Share of active effort (%)", ticksuffix="%", rangemode="tozero"),
        "yaxis": {"autorange": "reversed", "automargin": True, "tickfont": {"size": 12}},
        "showlegend": False,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "font": FONT,
        "bargap": 0.35,
    }
    return _html({"data": traces, "layout": layout}, height=max(180, 34 * len(labels) + 70))
