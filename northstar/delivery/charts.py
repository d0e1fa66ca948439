"""Delivery charts: the burn-up with its forecast cone, drawn like the strategy charts (plotly figures
as plain dicts rendered on the server)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.safestring import SafeString

from northstar.strategy.charts import ACCENT, BAD, FONT, INK_3, TARGET, _axis, _html

CONE = "rgba(45, 91, 125, 0.18)"


def burn_up_chart(data: dict[str, Any], *, title: str = "") -> SafeString:
    """Work done so far (solid), the P50 forecast (dashed) inside its P10-P90 cone, the scope, and
    the committed date as a vertical line."""
    xs = [d.isoformat() for d in data["weeks"]]
    traces: list[dict] = []
    if data.get("history"):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Done",
                "x": [d.isoformat() for d, _ in data["history"]] + [data["start"].isoformat()],
                "y": [v for _, v in data["history"]] + [data["done"]],
                "line": {"color": INK_3, "width": 2},
                "hovertemplate": "%{x|%d %b}: %{y:.0f} done<extra></extra>",
            }
        )
    traces += [
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": list(data["p90"]),
            "name": "P90",
            "line": {"width": 0, "color": ACCENT},
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": list(data["p10"]),
            "name": "P10–P90 cone",
            "fill": "tonexty",
            "fillcolor": CONE,
            "line": {"width": 0, "color": ACCENT},
            "hovertemplate": "%{x|%d %b}: P10 %{y:.0f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": list(data["p50"]),
            "name": "P50 forecast",
            "line": {"color": ACCENT, "width": 2, "dash": "dash"},
            "hovertemplate": "%{x|%d %b}: P50 %{y:.0f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": [xs[0], xs[-1]] if xs else [],
            "y": [data["scope"]] * 2,
            "name": "Scope (with growth)",
            "line": {"color": TARGET, "width": 1.5, "dash": "dot"},
            "hovertemplate": "scope %{y:.0f}<extra></extra>",
        },
    ]
    shapes, notes = [], []
    last = data["weeks"][-1] if data["weeks"] else data["start"]
    committed = data.get("committed")
    if committed and committed > last + timedelta(weeks=26):
        committed = None  # far beyond the cone: saying so in words beats squashing the chart
    if committed:
        day = committed.isoformat()
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": BAD, "width": 1.5, "dash": "dot"},
            }
        )
        notes.append(
            {
                "x": day,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "committed",
                "showarrow": False,
                "font": {"color": BAD, "size": 11},
                "yanchor": "bottom",
            }
        )
    layout = {
        "margin": {"l": 10, "r": 10, "t": 24, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": FONT,
        "legend": {"orientation": "h", "y": -0.2, "font": {"size": 11}},
        "xaxis": _axis("", type="date"),
        "yaxis": _axis("items done", rangemode="tozero"),
        "shapes": shapes,
        "annotations": notes,
        "hovermode": "x unified",
    }
    if title:
        layout["title"] = {"text": title, "font": {"size": 13}}
    return _html({"data": traces, "layout": layout}, height=320)
