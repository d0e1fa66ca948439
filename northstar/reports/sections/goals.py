"""Objectives with progress and confidence; the north-star metric and the KPIs with anomalies."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.health import line_query, share_done, time_elapsed
from northstar.reports.sections import Context
from northstar.reports.sections.common import CHART_ITEMS, TABLE_ROWS, cells, number, pct_value, percent
from northstar.strategy import selectors as strategy
from northstar.strategy.models import Metric

#: Weeks of the north-star chart.
CHART_WEEKS = 26


def objectives(context: Context) -> Section:
    period = context.period
    if period is None:
        return Section(key="objectives", title="Objectives", empty="No planning period covers the cut-off.")
    qs = strategy.objective_queryset().filter(period=period)
    rows = strategy.objective_rows(qs)  # all of the period, so roll-ups count every child
    chosen = [r for r in rows.values() if r.objective.level != "team"]
    if context.line is not None:
        own = set(qs.filter(line_query(context.line)).values_list("pk", flat=True))
        chosen = [r for r in rows.values() if r.objective.pk in own]
    chosen.sort(key=lambda r: (r.objective.level != "company", r.objective.pk))
    if not chosen:
        return Section(key="objectives", title="Objectives", empty=f"No objectives for {period.name} yet.")
    elapsed = time_elapsed(period, context.cut_off)
    with_progress = [share_done(r) for r in chosen if r.progress is not None]
    mean = sum(with_progress) / len(with_progress) if with_progress else None
    dashboard = Source(f"Objectives {period.name}", reverse("strategy:dashboard") + f"?period={period.pk}")
    shown = chosen[:CHART_ITEMS]
    chart = Chart(
        key="objectives.progress",
        kind="bar",
        title=f"Progress of {period.name} objectives",
        categories=tuple(r.objective.title for r in shown),
        series=(
            Series(
                "Progress", tuple(pct_value(share_done(r)) if r.progress is not None else None for r in shown)
            ),
            Series("Time elapsed", tuple(pct_value(elapsed) for _ in shown)),
        ),
        unit="%",
        source=dashboard,
    )
    table_rows = []
    for r in chosen[:TABLE_ROWS]:
        o = r.objective
        scope = o.team.name if o.team is not None else (o.line.name if o.line is not None else "Company")
        behind = r.progress is not None and elapsed - share_done(r) > 0.1
        table_rows.append(
            cells(
                Cell(o.title, reverse("strategy:objective_detail", args=[o.pk])),
                scope,
                o.owner.name,
                Cell(
                    percent(share_done(r)) if r.progress is not None else "—", tone="warn" if behind else ""
                ),
                "—" if r.confidence is None else f"{r.confidence:.1f}/10",
            )
        )
    low = [r for r in chosen if r.confidence is not None and r.confidence < 5]
    figures = (
        Figure("objectives.mean", "Average progress", pct_value(mean), percent(mean), dashboard, unit="%"),
        Figure(
            "objectives.elapsed",
            f"Of {period.name} gone",
            pct_value(elapsed),
            percent(elapsed),
            dashboard,
            unit="%",
        ),
        Figure(
            "objectives.low_confidence",
            "Objectives with confidence below 5",
            len(low),
            str(len(low)),
            dashboard,
            tone="bad" if low else "",
        ),
    )
    return Section(
        key="objectives",
        title="Objectives",
        figures=figures,
        charts=(chart,),
        tables=(
            Table(
                "objectives",
                f"{period.name} objectives",
                ("Objective", "Level", "Owner", "Progress", "Confidence"),
                tuple(table_rows),
                more=max(0, len(chosen) - TABLE_ROWS),
            ),
        ),
        sources=(dashboard,),
    )


def kpis(context: Context) -> Section:
    metrics = Metric.objects.select_related("line").order_by("-is_north_star", "name")
    if context.line is not None:
        metrics = metrics.filter(line=context.line) | Metric.objects.filter(is_north_star=True)
    cards = strategy.kpi_cards(list(metrics), today=context.cut_off, until=context.cut_off)
    if not cards:
        return Section(key="kpis", title="North star and KPIs", empty="No KPIs yet.")
    since = context.cut_off - timedelta(days=28)
    recent = {
        card.metric.pk: [f for when, f in card.flags if since <= when <= context.cut_off] for card in cards
    }
    flagged = sorted(
        cards, key=lambda c: (not c.metric.is_north_star, -len(recent[c.metric.pk]), c.metric.name)
    )
    north = next((c for c in cards if c.metric.is_north_star and c.points), None)
    figures = []
    charts = []
    sources = [Source("KPIs", reverse("strategy:metrics"))]
    if north is not None:
        url = reverse("strategy:metric_detail", args=[north.metric.pk])
        source = Source(north.metric.name, url)
        sources.insert(0, source)
        latest = north.points[-1][1]
        figures.append(
            Figure(
                "north_star.value",
                north.metric.name,
                round(latest, 2),
                number(latest, north.metric.unit),
                source,
            )
        )
        if north.metric.target is not None:
            figures.append(
                Figure(
                    "north_star.target",
                    "Target",
                    north.metric.target,
                    number(north.metric.target, north.metric.unit),
                    source,
                )
            )
        points = north.points[-CHART_WEEKS:]
        charts.append(
            Chart(
                key="north_star.series",
                kind="line",
                title=f"{north.metric.name}, last {len(points)} values",
                categories=tuple(d.isoformat() for d, _ in points),
                series=(Series(north.metric.name, tuple(round(v, 2) for _, v in points)),),
                unit=north.metric.unit if north.metric.unit == "%" else "",
                source=source,
            )
        )
    anomalies = sum(len(v) for v in recent.values())
    figures.append(
        Figure(
            "kpis.recent_anomalies",
            "KPI anomalies, last 4 weeks",
            anomalies,
            str(anomalies),
            sources[-1],
            tone="bad" if anomalies else "",
        )
    )
    rows = []
    for card in flagged[:TABLE_ROWS]:
        m = card.metric
        latest_value = card.latest[1] if card.latest else None
        flags = recent[m.pk]
        trend = "—"
        if card.trend is not None and card.trend.direction != "flat":
            trend = ("↑" if card.trend.direction == "up" else "↓") + (
                " good" if card.trend_is_good else " bad"
            )
        rows.append(
            cells(
                Cell(
                    m.name + (" ★" if m.is_north_star else ""), reverse("strategy:metric_detail", args=[m.pk])
                ),
                number(latest_value, m.unit),
                "—" if m.target is None else number(m.target, m.unit),
                Cell(
                    trend,
                    tone="good" if card.trend_is_good else ("bad" if card.trend_is_good is False else ""),
                ),
                Cell(str(len(flags)) if flags else "—", tone="bad" if flags else ""),
            )
        )
    return Section(
        key="kpis",
        title="North star and KPIs",
        figures=tuple(figures),
        charts=tuple(charts),
        tables=(
            Table(
                "kpis",
                "KPIs",
                ("KPI", "Latest", "Target", "Trend", "Anomalies (4 weeks)"),
                tuple(rows),
                more=max(0, len(cards) - TABLE_ROWS),
            ),
        ),
        sources=tuple(sources),
    )
