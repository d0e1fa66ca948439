"""Decisions taken this period, decisions the lines ask for, and the risks they named."""

from __future__ import annotations

from django.urls import reverse

from northstar.portfolio.models import Decision, DecisionKind
from northstar.rendering.spec import Cell, Figure, Section, Source, Table
from northstar.reports.health import latest_updates
from northstar.reports.models import Risk
from northstar.reports.sections import Context
from northstar.reports.sections.common import TABLE_ROWS, cells

SEVERITY_TONE = {"high": "bad", "medium": "warn", "low": ""}


def decisions(context: Context) -> Section:
    period = context.period
    log = Source("Decision log", reverse("portfolio:decisions"))
    taken = Decision.objects.filter(kind=DecisionKind.DECISION, decided_on__lte=context.cut_off)
    if period is not None:
        taken = taken.filter(decided_on__gte=period.start)
    if context.line is not None:
        taken = taken.filter(initiative__product__line=context.line)
    updates = latest_updates(period, before=context.cut_off) if period else {}
    if context.line is not None:
        updates = {k: v for k, v in updates.items() if k == context.line.pk}
    risks = list(
        Risk.objects.filter(update__in=list(updates.values()))
        .select_related("owner", "update__line")
        .order_by("update__line__name", "id")
    )
    risks.sort(key=lambda r: ({"high": 0, "medium": 1, "low": 2}[r.severity], r.update.line.name, r.pk))
    total = taken.count()
    asks = [
        (u.line.name, u.asks, u.pk) for u in sorted(updates.values(), key=lambda u: u.line.name) if u.asks
    ]
    high = sum(1 for r in risks if r.severity == "high")
    figures = (
        Figure(
            "decisions.taken",
            f"Decisions in {period.name if period else 'the period'}",
            total,
            f"{total:,}",
            log,
        ),
        Figure(
            "decisions.asks",
            "Lines asking for a decision",
            len(asks),
            str(len(asks)),
            Source("Status updates", reverse("reports:health")),
        ),
        Figure(
            "risks.high",
            "High risks",
            high,
            str(high),
            Source("Status updates", reverse("reports:health")),
            tone="bad" if high else "",
        ),
    )
    tables = [
        Table(
            "decisions",
            "Decisions taken",
            ("Decision", "Initiative", "Decided", "By"),
            tuple(
                cells(
                    Cell(d.title, reverse("portfolio:detail", args=[d.initiative_id]) + "#decisions"),
                    d.initiative.title,
                    f"{d.decided_on:%d %b %Y}",
                    d.decided_by.name if d.decided_by else "—",
                )
                for d in taken.select_related("initiative", "decided_by").order_by("-decided_on", "-id")[
                    :TABLE_ROWS
                ]
            ),
            more=max(0, total - TABLE_ROWS),
        )
    ]
    if asks:
        tables.append(
            Table(
                "decisions.asks",
                "Decisions the lines need",
                ("Line", "Ask"),
                tuple(
                    cells(Cell(line, reverse("reports:status_detail", args=[pk])), text)
                    for line, text, pk in asks[:TABLE_ROWS]
                ),
            )
        )
    if risks:
        tables.append(
            Table(
                "risks",
                "Risks",
                ("Risk", "Line", "Owner", "Severity", "Mitigation"),
                tuple(
                    cells(
                        Cell(r.description, reverse("reports:status_detail", args=[r.update_id])),
                        r.update.line.name,
                        r.owner.name if r.owner else "—",
                        Cell(r.get_severity_display(), tone=SEVERITY_TONE[r.severity]),
                        r.mitigation or "—",
                    )
                    for r in risks[:TABLE_ROWS]
                ),
                more=max(0, len(risks) - TABLE_ROWS),
            )
        )
    return Section(
        key="decisions",
        title="Decisions and risks",
        figures=figures,
        tables=tuple(tables),
        sources=(log, Source("Status updates", reverse("reports:health"))),
    )
