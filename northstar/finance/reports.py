"""Money in reports: each line's spend against budget for the portfolio health page, and the budget
section of a pack (budget, spend to date and the year-end projection, per quarter and per line).

Read by `northstar.reports.providers.budget_variance` and `northstar.reports.sections.pending.budget`.
Figures come from `selectors.budget_overview`, the same numbers as the finance page, so a pack and the
page never disagree; the pack reads the year as it stood at its cut-off (months after it do not count
as elapsed, so the projection is the run-rate known then).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse

from northstar.engines import finance as engine
from northstar.finance import selectors
from northstar.rendering.spec import Cell, Chart, Figure, Section, Series, Source, Table
from northstar.strategy.models import PlanningPeriod

#: Lines shown in the pack's table, the furthest over budget first.
ROWS = 10
#: Over or under budget by more than this share is flagged (the finance page uses the same).
TOLERANCE = 0.05


def budget_variance(*, period: PlanningPeriod, today: date) -> dict[int, float]:
    """Per line, the projected year-end spend against budget as a share (+0.1 = 10% over), for the
    year of the period; lines without a budget are left out."""
    overview = selectors.budget_overview(year=period.start.year, today=today)
    return {
        row.line.pk: row.variance
        for row in overview.lines
        if row.line is not None and row.variance is not None
    }


def _money(value: Any, currency: str) -> str:
    return f"{float(value):,.0f} {currency}"


def _tone(variance: float | None) -> str:
    if variance is None:
        return ""
    return "bad" if variance > TOLERANCE else "good" if variance >= -TOLERANCE else "warn"


def pack_section(context: Any) -> Section:
    year = context.cut_off.year
    overview = selectors.budget_overview(year=year, line=context.line, today=context.cut_off)
    total_budget = sum(overview.budget)
    spent = sum(overview.actual[: overview.elapsed])
    if not total_budget and not spent:
        return Section(
            key="budget",
            title="Budget",
            empty=f"No data yet: no budget or actual spend recorded for {year} (Finance → Actuals).",
        )
    currency = overview.currency
    source = Source(f"Budget and actuals {year}", reverse("finance:index") + f"?year={year}")
    projected = sum(q.forecast for q in overview.quarters)
    variance = engine.variance(float(total_budget) or None, float(projected))
    figures = (
        Figure("budget.total", f"Budget {year}", float(total_budget), _money(total_budget, currency), source),
        Figure("budget.spent", "Spent to date", float(spent), _money(spent, currency), source),
        Figure(
            "budget.projected",
            "Projected for the year",
            float(projected),
            _money(projected, currency)
            + (f" ({variance * 100:+.0f}% against budget)" if variance is not None else ""),
            source,
            tone=_tone(variance),
        ),
    )
    chart = Chart(
        key="budget.quarters",
        kind="column",
        title=f"Budget, actual and projection per quarter ({currency})",
        categories=tuple(q.label for q in overview.quarters),
        series=(
            Series("Budget", tuple(float(q.budget) for q in overview.quarters)),
            Series("Actual", tuple(float(q.actual) for q in overview.quarters)),
            Series("Projected", tuple(float(q.forecast) for q in overview.quarters)),
        ),
        source=source,
    )
    ranked = sorted(overview.lines, key=lambda r: -(r.variance if r.variance is not None else -9))
    table = Table(
        key="budget.lines",
        title="Per product line",
        columns=("Line", "Budget", "Actual", "Projected", "Against budget"),
        rows=tuple(
            (
                Cell(row.label),
                Cell(_money(row.budget, currency)),
                Cell(_money(row.actual, currency)),
                Cell(_money(row.forecast, currency)),
                Cell(
                    "no budget" if row.variance is None else f"{row.variance * 100:+.0f}%",
                    tone=_tone(row.variance),
                ),
            )
            for row in ranked[:ROWS]
        ),
        more=max(0, len(ranked) - ROWS),
    )
    return Section(
        key="budget",
        title="Budget",
        figures=figures,
        charts=(chart,),
        tables=(table,) if overview.lines else (),
        sources=(source,),
        notes="The projection extends the run-rate of the months spent so far to the year's end.",
    )
