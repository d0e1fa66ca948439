"""Charts of the analytics pages, as Plotly figures drawn by northstar/app.js (no inline script)."""

from __future__ import annotations

import uuid

from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from plotly.utils import PlotlyJSONEncoder

from northstar.analytics.funnels import FunnelReport, RetentionReport

INK_3 = "#626874"
ACCENT = "#2d5b7d"
BAD = "#9e3a3a"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12, "color": "#1f2430"}
CONFIG = {"displayModeBar": False, "responsive": True}


def _html(figure: dict, *, height: int) -> SafeString:
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


def _layout(**extra: object) -> dict:
    return {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 10, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        **extra,
    }


def funnel_chart(report: FunnelReport) -> SafeString:
    """Users reaching each step, the steepest drop in red."""
    labels = [f"{s.number}. {s.label}" for s in report.steps]
    colors = [BAD if s.number == report.steepest else ACCENT for s in report.steps]
    text = [f"{s.reached:,} ({s.conversion:.0%})" for s in report.steps]
    figure = {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": [s.reached for s in report.steps],
                "text": text,
                "textposition": "auto",
                "marker": {"color": colors},
                "hoverinfo": "x+text",
            }
        ],
        "layout": _layout(yaxis={"title": {"text": "users"}, "rangemode": "tozero"}),
    }
    return _html(figure, height=300)


def retention_chart(report: RetentionReport) -> SafeString:
    """One line per cohort: the share still active each week after the first."""
    data = []
    for start, cohort in report.cohorts:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{start:%d %b} ({cohort.size})",
                "x": list(range(len(cohort.active))),
                "y": [round(v * 100, 1) for v in cohort.active],
            }
        )
    figure = {
        "data": data,
        "layout": _layout(
            showlegend=True,
            xaxis={"title": {"text": "weeks since first seen"}, "dtick": 1},
            yaxis={"title": {"text": "% active"}, "range": [0, 105]},
        ),
    }
    return _html(figure, height=320)
