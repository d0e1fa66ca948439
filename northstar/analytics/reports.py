"""Product friction in reports: the board pack's friction section.

Read by the pack's section registry (`northstar.reports.sections`, key "friction"). It shows the
friction linked to initiatives as evidence as it stood at the pack's cut-off (links made after it do
not count), with the people each issue hurt when it was linked, so every figure traces to a link a
person can open. Scanning events is left to the friction pages: a pack never re-measures.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse

from northstar.analytics.models import FrictionEvidence
from northstar.rendering.spec import Cell, Figure, Section, Source, Table

#: Rows in the pack's table, the issues that hurt the most people first.
ROWS = 8


def pack_section(context: Any) -> Section:
    links = FrictionEvidence.objects.filter(created_at__date__lte=context.cut_off).select_related(
        "initiative", "site", "funnel"
    )
    if context.line is not None:
        links = links.filter(initiative__product__line=context.line)  # behind the line's own work
    totals = links.aggregate(
        n=Count("id"), people=Sum("users"), initiatives=Count("initiative", distinct=True)
    )
    if not totals["n"]:
        return Section(
            key="friction",
            title="Product friction",
            empty="No data yet: no friction issue is linked to an initiative (Analytics → friction).",
        )
    source = Source("Analytics: friction linked to initiatives", reverse("analytics:index"))
    people = int(totals["people"] or 0)
    figures = (
        Figure(
            "friction.issues",
            "Friction issues backing initiatives",
            float(totals["n"]),
            f"{totals['n']}",
            source,
        ),
        Figure(
            "friction.initiatives",
            "Initiatives with friction evidence",
            float(totals["initiatives"]),
            f"{totals['initiatives']}",
            source,
        ),
        Figure("friction.people", "People hurt (when linked)", float(people), f"{people:,}", source),
    )
    ranked = list(links.order_by("-users", "-created_at"))
    table = Table(
        key="friction.links",
        title="Friction behind the roadmap",
        columns=("Initiative", "Friction", "Where", "People"),
        rows=tuple(
            (
                Cell(link.initiative.title, url=reverse("portfolio:detail", args=[link.initiative_id])),
                Cell(link.get_signal_display()),
                Cell(
                    f"{link.funnel.name}, step {link.step}" if link.funnel else link.path,
                    url=reverse("analytics:funnel_detail", args=[link.funnel_id])
                    if link.funnel_id
                    else reverse("analytics:friction", args=[link.site_id]),
                ),
                Cell(f"{link.users:,}"),
            )
            for link in ranked[:ROWS]
        ),
        more=max(0, len(ranked) - ROWS),
    )
    return Section(
        key="friction",
        title="Product friction",
        figures=figures,
        tables=(table,),
        sources=(source,),
        notes="People are counted per issue as measured when it was linked; one person hit by two issues "
        "counts twice.",
    )
