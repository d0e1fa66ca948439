"""Delivery in reports: the forecast section of a pack - when the roadmap lands, at 50/85/95%
confidence, and the initiatives most likely to miss their committed dates.

Read by `northstar.reports.sections.pending.forecast`. It shows the latest forecast run on or before
the pack's cut-off (`selectors.forecast_summary(as_of=...)`), so an issued pack keeps saying what was
known then; a line review shows only that line's teams' work.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from northstar.delivery import selectors
from northstar.rendering.spec import Cell, Figure, Section, Source, Table

#: At-risk initiatives listed, least likely to make it first.
ROWS = 8


def _day(value: Any) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def _initiative_url(initiative_id: int | None) -> str:
    return reverse("portfolio:detail", args=[initiative_id]) if initiative_id else ""


def pack_section(context: Any) -> Section:
    summary = selectors.forecast_summary(
        limit=ROWS, line_ids=[context.line.pk] if context.line else None, as_of=context.cut_off
    )
    forecast = summary.forecast
    if forecast is None:
        return Section(
            key="forecast",
            title="Delivery forecast",
            empty="No data yet: run a forecast under Delivery → Forecast once work is synced from the tools.",
        )
    source = Source(f"Delivery forecast of {forecast.created_at:%d %b %Y}", reverse("delivery:forecast"))
    share = summary.on_track_share
    figures = (
        Figure(
            "forecast.p85",
            "Roadmap lands (85% confidence)",
            None,
            _day(forecast.p85),
            source,
        ),
        Figure("forecast.p50", "Roadmap lands (50%)", None, _day(forecast.p50), source),
        Figure(
            "forecast.on_track",
            "Initiatives on track for their dates",
            share * 100 if share is not None else None,
            f"{share * 100:.0f}% of {summary.forecast_total}" if share is not None else "—",
            source,
            unit="%",
            tone="" if share is None else "good" if share >= 0.8 else "bad" if share < 0.5 else "",
        ),
    )
    tables: tuple[Table, ...] = ()
    if summary.at_risk:
        tables = (
            Table(
                key="forecast.at_risk",
                title="Most likely to miss their dates",
                columns=("Initiative", "Team", "Committed", "85% by", "Chance on time"),
                rows=tuple(
                    (
                        Cell(
                            line.title,
                            reverse("portfolio:detail", args=[line.initiative_id])
                            if line.initiative_id
                            else "",
                        ),
                        Cell(line.team.name if line.team else "—"),
                        Cell(_day(line.committed)),
                        Cell(_day(line.p85), tone="bad"),
                        Cell(f"{line.on_time * 100:.0f}%" if line.on_time is not None else "—"),
                    )
                    for line in summary.at_risk
                ),
                more=max(0, summary.at_risk_total - len(summary.at_risk)),
            ),
        )
    return Section(
        key="forecast",
        title="Delivery forecast",
        figures=figures,
        tables=tables,
        sources=(source,),
        notes=f"{forecast.simulations:,} simulated futures at each team's recent pace, with work growing "
        f"by {forecast.scope_growth * 100:.0f}% on average.",
    )
