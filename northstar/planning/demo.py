"""Roadmap demo data: five quarters (last, this and three ahead) with capacity derived from the teams,
budgets per line, three scenarios, a roadmap published last quarter and a current plan, so "what
changed" has content on first launch.

The standard demo solves its scenarios with a short time limit; the large one (10,000 initiatives)
stores the greedy baseline instead so `northstar demo --scale large` stays quick, and people re-run the
optimiser from the scenario page. Loading is idempotent: once scenarios exist nothing is added.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from northstar.org.models import Skill, Team
from northstar.planning import plans, roadmaps, services
from northstar.planning.models import (
    Assumption,
    AssumptionKind,
    BudgetEnvelope,
    Capacity,
    Roadmap,
    Scenario,
    ValueSource,
)
from northstar.portfolio.models import Initiative, Kind, Stage, Tag
from northstar.strategy.models import Alignment, Objective, PlanningPeriod

#: Seconds the standard demo gives the optimiser per scenario at load time.
DEMO_TIME_LIMIT = 2.0
#: Share of people's time the demo gives to roadmap work (the rest: support, on-call, run the business).
DEMO_AVAILABILITY = "0.5"
#: Budgets cover this share of what a line's teams would cost at full capacity.
BUDGET_SHARE = Decimal("0.6")


def _budgets(periods: list) -> int:
    cost: dict[tuple[int, int], Decimal] = {}
    for line_id, period_id, weeks, rate in Capacity.objects.filter(period__in=periods).values_list(
        "team__line_id", "period_id", "weeks", "team__cost_rate"
    ):
        cost[(line_id, period_id)] = cost.get((line_id, period_id), Decimal("0")) + weeks * rate
    rows = [
        BudgetEnvelope(
            line_id=line_id,
            period_id=period_id,
            amount=(amount * BUDGET_SHARE).quantize(Decimal("1000")),
            currency="EUR",
        )
        for (line_id, period_id), amount in cost.items()
        if not BudgetEnvelope.objects.filter(line_id=line_id, period_id=period_id).exists()
    ]
    BudgetEnvelope.objects.bulk_create(rows)
    return len(rows)


def _top_objective(period: PlanningPeriod) -> Objective | None:
    """The objective of `period` with the most aligned candidate work: the natural 'at least 20%' target."""
    row = (
        Alignment.objects.filter(
            objective__period=period,
            initiative__stage__in=[Stage.PLANNED, Stage.IN_DELIVERY, Stage.DISCOVERY],
        )
        .values("objective_id")
        .annotate(n=Count("id"))
        .order_by("-n", "objective_id")
        .first()
    )
    if row is None:
        return None
    return Objective.objects.get(pk=row["objective_id"])


def _must_do() -> Initiative | None:
    """A planned Commerce initiative the optimiser would not pick first: a contractual must-do."""
    return (
        Initiative.objects.filter(
            product__line__name="Commerce",
            stage=Stage.PLANNED,
            scoring__isnull=False,
            estimate_lines__isnull=False,
        )
        .exclude(kind=Kind.IDEA)
        .annotate(weeks=Sum("estimate_lines__likely"))
        .order_by("scoring__weighted_score", "id")
        .first()
    )


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    if Scenario.objects.exists():
        return {}
    today = timezone.localdate()
    this_quarter = services.periods_ensure(actor=None, count=1, start=today)[0]
    previous = services.periods_ensure(actor=None, count=1, start=this_quarter.start - timedelta(days=1))[0]
    periods = services.periods_ensure(actor=None, count=5, start=previous.start)
    cells = services.capacity_derive(actor=None, periods=periods, availability=DEMO_AVAILABILITY)
    budgets = _budgets(periods)
    time_limit = DEMO_TIME_LIMIT if scale == "standard" else None

    record = Scenario.objects.create(
        name="Plan of record",
        description="Capacity, budgets, estimates and dependencies as they are today.",
        first_period=periods[1],
        last_period=periods[4],
        value_source=ValueSource.WEIGHTED,
        stages=[Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY],
        is_primary=True,
    )
    hiring = Scenario.objects.create(
        name=f"+2 backend engineers from {periods[2].name}",
        description="Two backend hires join API Platform next quarter.",
        base=record,
        first_period=record.first_period,
        last_period=record.last_period,
        value_source=record.value_source,
        stages=record.stages,
    )
    platform = Team.objects.filter(name="API Platform").first() or Team.objects.order_by("id").first()
    backend = Skill.objects.filter(name="backend").first()
    if platform is not None and backend is not None:
        Assumption.objects.create(
            scenario=hiring, kind=AssumptionKind.CAPACITY, team=platform, skill=backend,
            period=periods[2], people=Decimal("2"), note="Offers accepted, start dates confirmed",
        )  # fmt: skip
    must = _must_do()
    squeeze = Scenario.objects.create(
        name="Budget −10%, strategy guardrails",
        description="Finance asks for 10% less spend; the board wants focus on the top objective "
        "and maintenance capped.",
        base=record,
        first_period=record.first_period,
        last_period=record.last_period,
        value_source=record.value_source,
        stages=record.stages,
        budget_factor=Decimal("0.9"),
    )
    if must is not None:
        Assumption.objects.create(
            scenario=squeeze,
            kind=AssumptionKind.MANDATORY,
            initiative=must,
            note="Promised to our largest merchant",
        )
    objective = _top_objective(periods[1])
    if objective is not None:
        Assumption.objects.create(
            scenario=squeeze, kind=AssumptionKind.MIN_SHARE, objective=objective, share=Decimal("0.20")
        )
    debt = Tag.objects.filter(name="tech-debt").first()
    if debt is not None:
        Assumption.objects.create(
            scenario=squeeze, kind=AssumptionKind.MAX_SHARE, tag=debt, share=Decimal("0.15")
        )

    # Last quarter's roadmap: what the plan of record looked like then, published three weeks in.
    then = Scenario.objects.create(
        name=f"Plan of record, {previous.name}",
        description="The plan as published last quarter (kept for the record).",
        first_period=periods[0],
        last_period=periods[3],
        value_source=ValueSource.RICE,
        stages=record.stages,
    )
    old = plans.plan_compute(scenario=then, time_limit=time_limit)
    published = 0
    if old.has_plan and not old.violations:
        Roadmap.objects.create(
            title=f"Roadmap, {previous.name}",
            note="Agreed at the quarterly business review.",
            published_on=previous.start + timedelta(days=20),
            run=old,
            scenario_name=then.name,
            value=old.value,
        )
        roadmaps.freeze_entries(Roadmap.objects.get(run=old), old)
        published = 1
    runs = 1
    for scenario in (record, hiring, squeeze):
        plans.plan_compute(scenario=scenario, time_limit=time_limit)
        runs += 1
    return {
        "planning periods": len(periods),
        "capacity cells": cells,
        "budgets": budgets,
        "scenarios": 4,
        "plans": runs,
        "published roadmaps": published,
    }
