"""The headline, the portfolio health table and a line's own status."""

from __future__ import annotations

from django.urls import reverse

from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.health import latest_updates
from northstar.reports.models import Status
from northstar.reports.sections import Context
from northstar.reports.sections.common import TABLE_ROWS, TONE, cells, money, pct_value, percent, plural


def _health_source(context: Context) -> Source:
    return Source("Portfolio health", reverse("reports:health") + f"?date={context.cut_off.isoformat()}")


def headline(context: Context) -> Section:
    h = context.health
    lines = len(h.lines)
    on_track = h.count(Status.ON_TRACK)
    progress = [r.progress for r in h.lines if r.progress is not None]
    mean = sum(progress) / len(progress) if progress else None
    flags = sum(r.kpi_flags for r in h.lines)
    slipped = sum(r.slipped for r in h.lines)
    source = _health_source(context)
    figures = (
        Figure("lines.on_track", "Lines on track", on_track, f"{on_track} of {lines}", source),
        Figure(
            "objectives.progress",
            "Average objective progress",
            pct_value(mean),
            percent(mean),
            Source(
                "Objectives", reverse("strategy:dashboard") + (f"?period={h.period.pk}" if h.period else "")
            ),
            unit="%",
        ),
        Figure(
            "kpis.anomalies",
            "KPI anomalies (4 weeks, bad way)",
            flags,
            f"{flags}",
            Source("KPIs", reverse("strategy:metrics")),
            tone="bad" if flags else "",
        ),
        Figure(
            "roadmap.slipped",
            "Roadmap items slipped",
            slipped,
            f"{slipped}",
            Source(h.roadmap.title, reverse("planning:published", args=[h.roadmap.pk]))
            if h.roadmap
            else None,
            tone="bad" if slipped else "",
        ),
    )
    period = h.period.name if h.period else "no period"
    notes = (
        f"{period}: {h.elapsed:.0%} of the period gone. {plural(on_track, 'line')} on track, "
        f"{h.count(Status.AT_RISK)} at risk, {h.count(Status.OFF_TRACK)} off track."
    )
    return Section(
        key="headline",
        title="Headline",
        figures=figures,
        sources=tuple(f.source for f in figures if f.source),
        notes=notes,
    )


def portfolio(context: Context) -> Section:
    h = context.health
    if not h.lines:
        return Section(key="health", title="Portfolio health", empty="No product lines yet.")
    rows = []
    for r in h.lines[:TABLE_ROWS]:
        line_url = reverse("reports:line_status", args=[r.line.pk])
        status_url = reverse("reports:status_detail", args=[r.update.pk]) if r.update else line_url
        status = r.status_label + ("" if r.update else " (proposed)")
        rows.append(
            cells(
                Cell(r.line.name, line_url),
                Cell(status, status_url, TONE.get(r.status, "")),
                Cell(
                    percent(r.progress),
                    reverse("strategy:dashboard") + (f"?period={h.period.pk}" if h.period else ""),
                ),
                Cell("—" if r.confidence is None else f"{r.confidence:.1f}/10"),
                Cell(str(r.kpi_flags), reverse("strategy:metrics"), "bad" if r.kpi_flags else ""),
                Cell(
                    f"{r.slipped} of {r.roadmap_items}",
                    reverse("planning:published", args=[h.roadmap.pk]) + f"?line={r.line.pk}"
                    if h.roadmap
                    else "",
                    "warn" if r.slipped else "",
                ),
                Cell(money(r.budget), reverse("planning:budgets")),
                Cell(f"{r.demand_items} items, {r.demand_customers} customers", reverse("feedback:demand")),
            )
        )
    table = Table(
        key="health",
        title="Lines",
        columns=(
            "Line",
            "Status",
            "Objectives",
            "Confidence",
            "KPI flags",
            "Slipped",
            "Budget",
            "Demand (90 days)",
        ),
        rows=tuple(rows),
        more=max(0, len(h.lines) - TABLE_ROWS),
    )
    with_progress = [r for r in h.lines if r.progress is not None][:TABLE_ROWS]
    charts: tuple[Chart, ...] = ()
    if with_progress:
        charts = (
            Chart(
                key="health.progress",
                kind="bar",
                title="Objective progress against time elapsed",
                categories=tuple(r.line.name for r in with_progress),
                series=(
                    Series("Progress", tuple(pct_value(r.progress) for r in with_progress)),
                    Series("Time elapsed", tuple(pct_value(h.elapsed) for _ in with_progress)),
                ),
                unit="%",
                source=_health_source(context),
            ),
        )
    reasons = [
        f"{r.line.name}: {r.status_label}"
        + (f" — {'; '.join(s.reason for s in r.signals)}" if r.signals else "")
        for r in h.lines
    ]
    return Section(
        key="health",
        title="Portfolio health",
        charts=charts,
        tables=(table,),
        sources=(_health_source(context),),
        notes="\n".join(reasons),
    )


def line_status(context: Context) -> Section:
    line = context.line
    period = context.period
    if line is None:
        return Section(key="status", title="Line status", empty="A line review names its product line.")
    update = latest_updates(period, before=context.cut_off).get(line.pk) if period else None
    if update is None:
        return Section(
            key="status",
            title=f"{line.name} status",
            empty=f"No status update for {period.name if period else 'this period'} yet.",
        )
    url = reverse("reports:status_detail", args=[update.pk])
    source = Source(f"{line.name} status update, {update.created_at:%d %b %Y}", url)
    figures = (
        Figure("status", "Status", None, update.get_status_display(), source, tone=TONE[update.status]),
        Figure(
            "status.proposed", "Proposed from the data", None, update.get_proposed_status_display(), source
        ),
    )
    rows = [
        cells("Highlights", update.highlights or "—"),
        cells("Lowlights", update.lowlights or "—"),
        cells("Asks and decisions needed", update.asks or "—"),
    ]
    if update.is_override:
        rows.append(cells("Why the status differs", update.override_reason))
    risks = [
        cells(r.description, r.owner.name if r.owner else "—", r.get_severity_display(), r.mitigation or "—")
        for r in update.risks.select_related("owner")[:TABLE_ROWS]
    ]
    tables = [Table("status.update", "The update", ("", ""), tuple(rows))]
    if risks:
        tables.append(
            Table("status.risks", "Risks", ("Risk", "Owner", "Severity", "Mitigation"), tuple(risks))
        )
    return Section(
        key="status",
        title=f"{line.name} status",
        figures=figures,
        tables=tuple(tables),
        sources=(source,),
        notes="\n".join(f"{p['status']}: {p['reason']}" for p in update.proposal),
    )
