"""Finance charts, drawn the way the strategy charts are (plotly figures as plain dicts, rendered on the
server; plotly.js is served once by `core.views.plotly_js`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from northstar.engines.finance import Distribution, Swing
from northstar.finance.selectors import Overview
from northstar.strategy.charts import ACCENT, BAD, FONT, GOOD, INK_3, TARGET, _axis, _html

LIGHT = "#b9c9d6"


def _layout(**extra: object) -> dict:
    return {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": FONT,
        "legend": {"orientation": "h", "y": -0.18, "font": {"size": 11}},
        **extra,
    }


def variance_chart(overview: Overview) -> SafeString:
    """Monthly spend (actual, then the run-rate forecast) as bars against the monthly budget, and the
    cumulative picture as lines: where the year lands against where it was meant to."""
    xs = [m.isoformat() for m in overview.months]
    actual = [float(a) if i < overview.elapsed else None for i, a in enumerate(overview.actual)]
    projected = [float(f) if i >= overview.elapsed else None for i, f in enumerate(overview.forecast)]
    budget = [float(b) for b in overview.budget]
    cumulative_budget, cumulative_forecast, running_b, running_f = [], [], 0.0, 0.0
    for b, f in zip(budget, overview.forecast, strict=True):
        running_b += b
        running_f += float(f)
        cumulative_budget.append(running_b)
        cumulative_forecast.append(running_f)
    money = "%{y:,.0f} " + overview.currency
    traces: list[dict] = [
        {
            "type": "bar",
            "x": xs,
            "y": actual,
            "name": "Actual",
            "marker": {"color": ACCENT},
            "hovertemplate": "%{x|%b %Y} actual: " + money + "<extra></extra>",
        },
        {
            "type": "bar",
            "x": xs,
            "y": projected,
            "name": "Forecast (run-rate)",
            "marker": {"color": LIGHT},
            "hovertemplate": "%{x|%b %Y} forecast: " + money + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": xs,
            "y": budget,
            "name": "Budget",
            "line": {"color": TARGET, "width": 2, "dash": "dot"},
            "hovertemplate": "%{x|%b %Y} budget: " + money + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": cumulative_forecast,
            "name": "Cumulative forecast",
            "yaxis": "y2",
            "line": {"color": BAD if overview.total.flag == "over" else GOOD, "width": 2},
            "hovertemplate": "to %{x|%b %Y}: " + money + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": cumulative_budget,
            "name": "Cumulative budget",
            "yaxis": "y2",
            "line": {"color": INK_3, "width": 1.5, "dash": "dash"},
            "hovertemplate": "to %{x|%b %Y}: " + money + "<extra></extra>",
        },
    ]
    layout = _layout(
        barmode="overlay",
        xaxis=_axis("", tickformat="%b"),
        yaxis=_axis(f"per month ({overview.currency})", rangemode="tozero"),
        yaxis2=_axis("cumulative", overlaying="y", side="right", rangemode="tozero", showgrid=False),
        hovermode="x unified",
    )
    return _html({"data": traces, "layout": layout}, height=340)


def line_variance_chart(rows: Sequence[tuple[str, float]]) -> SafeString:
    """Each line's projected variance against its budget, over budget in red."""
    if not rows:
        return SafeString("")
    names = [r[0] for r in rows]
    shares = [r[1] * 100 for r in rows]
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": names,
        "x": shares,
        "marker": {"color": [BAD if s > 5 else GOOD if s >= -5 else ACCENT for s in shares]},
        "hovertemplate": "%{y}: %{x:+.1f}% against budget<extra></extra>",
    }
    layout = _layout(
        xaxis=_axis("projected vs budget (%)", zeroline=True), yaxis=_axis("", autorange="reversed")
    )
    return _html({"data": [trace], "layout": layout}, height=max(160, 34 * len(rows) + 60))


def cashflow_chart(
    costs: Sequence[float], benefits: Sequence[float], *, currency: str, unit: str
) -> SafeString:
    periods = list(range(len(costs)))
    cumulative, running = [], 0.0
    for c, b in zip(costs, benefits, strict=True):
        running += b - c
        cumulative.append(running)
    traces = [
        {"type": "bar", "x": periods, "y": [-c for c in costs], "name": "Costs", "marker": {"color": BAD}},
        {"type": "bar", "x": periods, "y": list(benefits), "name": "Benefits", "marker": {"color": GOOD}},
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": periods,
            "y": cumulative,
            "name": "Cumulative",
            "line": {"color": ACCENT, "width": 2},
        },
    ]
    layout = _layout(
        barmode="relative",
        xaxis=_axis(unit, dtick=1),
        yaxis=_axis(currency, zeroline=True),
        hovermode="x unified",
    )
    return _html({"data": traces, "layout": layout}, height=300)


def npv_histogram(spread: Distribution, *, currency: str) -> SafeString:
    xs = [c for c, _ in spread.histogram]
    ys = [n for _, n in spread.histogram]
    trace = {
        "type": "bar",
        "x": xs,
        "y": ys,
        "marker": {"color": LIGHT},
        "hovertemplate": "NPV ≈ %{x:,.0f} " + currency + ": %{y} draws<extra></extra>",
    }
    shapes, notes = [], []
    for name, value, colour in (
        ("P10", spread.p10, BAD),
        ("P50", spread.p50, ACCENT),
        ("P90", spread.p90, GOOD),
    ):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": value,
                "x1": value,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 2, "dash": "dot"},
            }
        )
        notes.append(
            {
                "x": value,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": name,
                "showarrow": False,
                "font": {"color": colour, "size": 11},
                "yanchor": "bottom",
            }
        )
    layout = _layout(
        xaxis=_axis(f"NPV ({currency})"),
        yaxis=_axis("draws"),
        shapes=shapes,
        annotations=notes,
        bargap=0.05,
        showlegend=False,
    )
    layout["margin"]["t"] = 24
    return _html({"data": [trace], "layout": layout}, height=280)


def tornado_chart(swings: Sequence[Swing], *, likely: float, currency: str) -> SafeString:
    """Bars from the NPV with each input at its low to the NPV with it at its high, widest on top."""
    if not swings:
        return SafeString("")
    names = [s.name for s in swings]
    lows = [s.npv_low - likely for s in swings]
    highs = [s.npv_high - likely for s in swings]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": lows,
            "base": likely,
            "name": "Input at its low",
            "marker": {"color": BAD},
            "customdata": [s.npv_low for s in swings],
            "hovertemplate": "%{y} low: NPV %{customdata:,.0f} " + currency + "<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": names,
            "x": highs,
            "base": likely,
            "name": "Input at its high",
            "marker": {"color": GOOD},
            "customdata": [s.npv_high for s in swings],
            "hovertemplate": "%{y} high: NPV %{customdata:,.0f} " + currency + "<extra></extra>",
        },
    ]
    layout = _layout(
        barmode="overlay",
        xaxis=_axis(f"NPV ({currency})"),
        yaxis=_axis("", autorange="reversed"),
        shapes=[
            {
                "type": "line",
                "x0": likely,
                "x1": likely,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": INK_3, "width": 1},
            }
        ],
    )
    return _html({"data": traces, "layout": layout}, height=max(180, 40 * len(swings) + 80))
