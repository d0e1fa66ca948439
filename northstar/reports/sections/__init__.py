"""The sections a pack can hold, in one registry, so an area adds its section in one place.

A section is built by `build(context) -> spec.Section` from the data as it stood at the pack's cut-off
(figures, charts and tables with their sources); the leader's narrative is added by the pack.
Areas still being built (finance, people, delivery, market) have sections that say "no data yet"
until their data exists (see `pending`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib import import_module

from northstar.org.models import ProductLine
from northstar.rendering.spec import Section
from northstar.reports import health
from northstar.strategy.models import PlanningPeriod


@dataclass
class Context:
    """What every section builder reads: the cut-off, its period, and the line a review covers."""

    cut_off: date
    line: ProductLine | None = None
    cache: dict[str, object] = field(default_factory=dict)

    @cached_property
    def period(self) -> PlanningPeriod | None:
        return health.period_at(self.cut_off)

    @cached_property
    def health(self) -> health.Health:
        return health.portfolio_health(
            today=self.cut_off, period=self.period, line_ids=[self.line.pk] if self.line else None
        )

    @property
    def scope(self) -> str:
        return self.line.name if self.line else "the portfolio"


@dataclass(frozen=True)
class SectionDef:
    key: str
    title: str
    builder: str  # "module:function", imported when first used
    description: str

    def build(self, context: Context) -> Section:
        module, name = self.builder.split(":")
        function: Callable[[Context], Section] = getattr(import_module(module), name)
        return function(context)


_S = "northstar.reports.sections"
SECTIONS: dict[str, SectionDef] = {
    s.key: s
    for s in (
        SectionDef("headline", "Headline", f"{_S}.overview:headline", "The story in four numbers."),
        SectionDef("status", "Line status", f"{_S}.overview:line_status", "The line's latest status update."),
        SectionDef("health", "Portfolio health", f"{_S}.overview:portfolio", "Every line's status and why."),
        SectionDef("objectives", "Objectives", f"{_S}.goals:objectives", "Progress and confidence."),
        SectionDef(
            "kpis", "North star and KPIs", f"{_S}.goals:kpis", "The north-star metric, KPIs, anomalies."
        ),
        SectionDef("roadmap", "Roadmap", f"{_S}.roadmap:roadmap", "Shipped, next, and what changed."),
        SectionDef("budget", "Budget", f"{_S}.pending:budget", "Budget and spend per line."),
        SectionDef("themes", "Customer themes", f"{_S}.customers:themes", "Top themes and their demand."),
        SectionDef(
            "friction",
            "Product friction",
            "northstar.analytics.reports:pack_section",
            "Friction behind initiatives.",
        ),
        SectionDef(
            "decisions", "Decisions and risks", f"{_S}.decisions:decisions", "Decided, needed, risks."
        ),
        SectionDef("org", "Org and hiring", f"{_S}.pending:org", "Headcount and open roles."),
        SectionDef("forecast", "Delivery forecast", f"{_S}.pending:forecast", "Dates at risk."),
        SectionDef("market", "Market", f"{_S}.pending:market", "Competitors and market moves."),
    )
}

#: Each template's sections, in their default order (the leader may drop, add and reorder).
TEMPLATE_SECTIONS: dict[str, tuple[str, ...]] = {
    "board": (
        "headline",
        "health",
        "objectives",
        "kpis",
        "roadmap",
        "budget",
        "themes",
        "friction",
        "decisions",
        "org",
        "forecast",
        "market",
    ),
    "executive": ("headline", "health", "objectives", "kpis", "roadmap", "themes", "decisions", "forecast"),
    "line_review": ("headline", "status", "objectives", "kpis", "roadmap", "themes", "decisions", "budget"),
}
