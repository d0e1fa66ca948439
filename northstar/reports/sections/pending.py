"""Sections whose data comes from areas still being built: budget and spend (finance), org and
hiring (people), delivery forecasts (delivery) and the market (market).

Each asks the area's reporting module (through `providers.area`) for its section and, until that
module exists, renders a clean "no data yet" section, so a board pack never breaks on a missing area.
The budget section already shows the budget envelopes the roadmap holds.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from northstar.planning.models import BudgetEnvelope
from northstar.rendering.spec import Chart, Figure, Section, Series, Source
from northstar.reports import providers
from northstar.reports.sections import Context


def _from_area(module: str, context: Context) -> Section | None:
    found = providers.area(module)
    build: Callable[[Context], Section] | None = getattr(found, "pack_section", None) if found else None
    return build(context) if callable(build) else None


def budget(context: Context) -> Section:
    built = _from_area("northstar.finance.reports", context)
    if built is not None:
        return built
    period = context.period
    qs = BudgetEnvelope.objects.filter(period=period).select_related("line")
    if context.line is not None:
        qs = qs.filter(line=context.line)
    rows = sorted(qs, key=lambda b: b.line.name) if period is not None else []
    empty = "No data yet: actual spend against budget appears here once the finance area records it."
    if not rows:
        return Section(key="budget", title="Budget", empty=empty)
    source = Source(f"Budgets {period.name if period else ''}".strip(), reverse("planning:budgets"))
    currencies = sorted({b.currency for b in rows})
    total = sum(float(b.amount) for b in rows if b.currency == currencies[0])
    return Section(
        key="budget",
        title="Budget",
        figures=(
            Figure(
                "budget.total",
                f"Budget {period.name if period else ''} ({currencies[0]})".replace("  ", " "),
                total,
                f"{total:,.0f} {currencies[0]}",
                source,
            ),
        ),
        charts=(
            Chart(
                key="budget.lines",
                kind="column",
                title=f"Budget per line ({currencies[0]})",
                categories=tuple(b.line.name for b in rows if b.currency == currencies[0]),
                series=(
                    Series("Budget", tuple(float(b.amount) for b in rows if b.currency == currencies[0])),
                ),
                source=source,
            ),
        ),
        sources=(source,),
        empty=empty,
    )


def org(context: Context) -> Section:
    built = _from_area("northstar.people.reports", context)
    return built or Section(
        key="org",
        title="Org and hiring",
        empty="No data yet: headcount, open roles and hiring appear here once the people area exists.",
    )


def forecast(context: Context) -> Section:
    built = _from_area("northstar.delivery.reports", context)
    return built or Section(
        key="forecast",
        title="Delivery forecast",
        empty="No data yet: forecast dates and the items at risk appear here once delivery data is synced.",
    )


def market(context: Context) -> Section:
    built = _from_area("northstar.market.reports", context)
    return built or Section(
        key="market",
        title="Market",
        empty="No data yet: market and competitor moves appear here once tracked.",
    )
