"""The people area's board-pack section: headcount, open roles and hiring (counts only: no candidate,
review or 1:1 content ever reaches a pack). Wired in by `northstar.reports.sections.pending.org`."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse

from northstar.org.models import Person
from northstar.people.hiring_selectors import hiring_metrics
from northstar.people.models import CareerLevel, Requisition, RequisitionStatus, Stage, Track
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.reports.sections import Context

#: Open roles listed in the pack; the rest are counted.
MAX_ROLES = 8


def pack_section(context: Context) -> Section:
    """Headcount by track, open roles (with their yearly cost) and the hiring funnel, at the pack's
    scope (one line's roles for a line review, all of them for the board)."""
    people = Person.objects.all()
    if context.line is not None:
        people = people.filter(
            Q(teams__line=context.line) | Q(directed_lines=context.line) | Q(owned_lines=context.line)
        ).distinct()
    tracks = dict(CareerLevel.objects.values_list("org_level", "track"))
    by_track = Counter(tracks.get(level, "") for level in people.values_list("level", flat=True))
    roles = Requisition.objects.filter(status__in=[RequisitionStatus.APPROVED, RequisitionStatus.OPEN])
    if context.line is not None:
        roles = roles.filter(line=context.line)
    roles = roles.select_related("level", "line").annotate(
        in_pipeline=Count("candidates", filter=~Q(candidates__stage__in=[Stage.REJECTED, Stage.WITHDRAWN]))
    )
    open_roles = list(roles.order_by("title"))
    source = Source("People & hiring", reverse("people:requisitions"))
    headcount = sum(by_track.values())
    empty = "No people or open roles yet."
    if not headcount and not open_roles:
        return Section(key="org", title="Org and hiring", empty=empty)
    costs: dict[str, float] = {}
    for role in open_roles:
        costs[role.currency] = costs.get(role.currency, 0) + float(role.annual_cost)
    metrics = hiring_metrics()
    figures = [
        Figure(
            "org.headcount",
            f"Headcount in {context.line}" if context.line else "Headcount",
            headcount,
            f"{headcount}",
            source,
        ),
        Figure("org.open_roles", "Open roles", len(open_roles), f"{len(open_roles)}", source),
        Figure(
            "org.open_cost",
            "Yearly cost of open roles",
            sum(costs.values()) if len(costs) == 1 else None,
            ", ".join(f"{v:,.0f} {c}" for c, v in sorted(costs.items())) or "—",
            source,
        ),
    ]
    if metrics.median_days_to_hire is not None:
        figures.append(
            Figure(
                "org.time_to_hire",
                "Median days to hire",
                metrics.median_days_to_hire,
                f"{metrics.median_days_to_hire:g} days",
                source,
            )
        )
    labels = dict(Track.choices)
    order = [t for t in Track.values if by_track.get(t)]
    chart = Chart(
        key="org.tracks",
        kind="column",
        title="Headcount by track",
        categories=tuple(labels[t] for t in order) + (("Other",) if by_track.get("") else ()),
        series=(
            Series(
                "People",
                tuple(float(by_track[t]) for t in order)
                + ((float(by_track[""]),) if by_track.get("") else ()),
            ),
        ),
        source=source,
    )
    table = Table(
        key="org.roles",
        title="Open roles",
        columns=("Role", "Level", "Line", "In pipeline"),
        rows=tuple(
            (
                Cell(role.title, reverse("people:requisition", args=[role.pk])),
                Cell(role.level.name),
                Cell(role.line.name if role.line else "—"),
                Cell(str(role.in_pipeline)),
            )
            for role in open_roles[:MAX_ROLES]
        ),
        more=max(0, len(open_roles) - MAX_ROLES),
    )
    return Section(
        key="org",
        title="Org and hiring",
        figures=tuple(figures),
        charts=(chart,),
        tables=(table,) if open_roles else (),
        sources=(source,),
        empty=empty,
    )
