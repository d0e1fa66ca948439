"""The roadmap: what shipped this period, what comes next, and what changed since the last baseline."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse

from northstar.planning.models import RoadmapChange, RoadmapEntry
from northstar.portfolio.models import Decision, DecisionKind, Stage
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.health import roadmap_at
from northstar.reports.sections import Context
from northstar.reports.sections.common import TABLE_ROWS, cells
from northstar.strategy.models import PlanningPeriod

CHART_PERIODS = 6


def roadmap(context: Context) -> Section:
    published = roadmap_at(context.cut_off)
    period = context.period
    if published is None:
        return Section(key="roadmap", title="Roadmap", empty="No roadmap has been published yet.")
    roadmap_url = reverse("planning:published", args=[published.pk])
    source = Source(f"{published.title} (published {published.published_on:%d %b %Y})", roadmap_url)
    entries = RoadmapEntry.objects.filter(roadmap=published)
    changes = RoadmapChange.objects.filter(roadmap=published)
    shipped = Decision.objects.filter(kind=DecisionKind.STAGE_CHANGE, to_stage=Stage.LAUNCHED)
    if period is not None:
        shipped = shipped.filter(decided_on__gte=period.start, decided_on__lte=context.cut_off)
    else:
        shipped = shipped.none()
    if context.line is not None:
        entries = entries.filter(line=context.line)
        changes = changes.filter(initiative__product__line=context.line)
        shipped = shipped.filter(initiative__product__line=context.line)
        roadmap_url += f"?line={context.line.pk}"
    # Work per period and line, counted in the period it starts (one grouped query).
    per: dict[tuple[str, str], int] = defaultdict(int)
    starts: dict[str, object] = {}
    for line_name, start_name, start_day, n in (
        entries.values_list("line_name", "start__name", "start__start").annotate(n=Count("id")).order_by()
    ):
        per[(line_name or "Unassigned", start_name)] += n
        starts[start_name] = start_day
    names = sorted(starts, key=lambda name: starts[name])[:CHART_PERIODS]  # type: ignore[return-value, arg-type]
    lines = sorted({line for line, _ in per})
    charts: tuple[Chart, ...] = ()
    if names:
        charts = (
            Chart(
                key="roadmap.per_period",
                kind="stacked_column",
                title="Roadmap items by the period they start",
                categories=tuple(names),
                series=tuple(
                    Series(line, tuple(float(per.get((line, n), 0)) for n in names)) for line in lines
                ),
                source=source,
            ),
        )
    next_period = (
        PlanningPeriod.objects.filter(kind=period.kind, start__gt=period.end).order_by("start").first()
        if period
        else None
    )
    upcoming = (
        entries.filter(start=next_period).order_by("line_name", "title") if next_period else entries.none()
    )
    shipped_total = shipped.count()
    upcoming_total = upcoming.count()
    by_kind = dict(changes.values_list("kind").annotate(n=Count("id")).order_by())
    figures = (
        Figure("roadmap.items", "Items on the roadmap", entries.count(), f"{entries.count():,}", source),
        Figure(
            "roadmap.shipped",
            f"Shipped in {period.name if period else 'the period'}",
            shipped_total,
            f"{shipped_total:,}",
            Source("Decision log", reverse("portfolio:decisions")),
        ),
        Figure(
            "roadmap.next",
            f"Starting in {next_period.name if next_period else 'the next period'}",
            upcoming_total,
            f"{upcoming_total:,}",
            source,
        ),
        Figure(
            "roadmap.changed.slipped",
            "Slipped since the last baseline",
            by_kind.get("slipped", 0),
            str(by_kind.get("slipped", 0)),
            source,
            tone="bad" if by_kind.get("slipped") else "",
        ),
    )
    tables = [
        Table(
            "roadmap.shipped",
            "What shipped",
            ("Initiative", "Launched on", "Decided by"),
            tuple(
                cells(
                    Cell(d.initiative.title, reverse("portfolio:detail", args=[d.initiative_id])),
                    f"{d.decided_on:%d %b %Y}",
                    d.decided_by.name if d.decided_by else "—",
                )
                for d in shipped.select_related("initiative", "decided_by").order_by("-decided_on", "-id")[
                    :TABLE_ROWS
                ]
            ),
            more=max(0, shipped_total - TABLE_ROWS),
        ),
        Table(
            "roadmap.next",
            f"What is next ({next_period.name})" if next_period else "What is next",
            ("Initiative", "Line", "Team", "Until"),
            tuple(
                cells(
                    Cell(
                        e.title,
                        reverse("portfolio:detail", args=[e.initiative_id]) if e.initiative_id else "",
                    ),
                    e.line_name or "—",
                    e.team_name or "—",
                    e.end.name,
                )
                for e in upcoming.select_related("end")[:TABLE_ROWS]
            ),
            more=max(0, upcoming_total - TABLE_ROWS),
        ),
    ]
    change_total = sum(by_kind.values())
    tables.append(
        Table(
            "roadmap.changes",
            "What changed since the last baseline",
            ("Initiative", "Change", "Before", "After", "Why"),
            tuple(
                cells(
                    Cell(
                        c.title,
                        reverse("portfolio:detail", args=[c.initiative_id]) if c.initiative_id else "",
                    ),
                    Cell(c.get_kind_display(), tone="bad" if c.kind == "slipped" else ""),
                    c.before or "—",
                    c.after or "—",
                    c.reason or "—",
                )
                for c in changes.order_by("kind", "title")[:TABLE_ROWS]
            ),
            more=max(0, change_total - TABLE_ROWS),
        )
    )
    return Section(
        key="roadmap",
        title="Roadmap",
        figures=figures,
        charts=charts,
        tables=tuple(tables),
        sources=(source, Source("Decision log", reverse("portfolio:decisions"))),
        notes=", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(by_kind.items())),
    )
