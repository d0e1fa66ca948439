"""Roadmap factories: periods, capacity, budgets, scored and estimated initiatives, scenarios."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from northstar.org.models import Product, Skill, Team
from northstar.planning.models import BudgetEnvelope, Capacity, Scenario, ValueSource
from northstar.portfolio.models import EstimateLine, Initiative, Kind, ScoringInput, Stage
from northstar.strategy.models import PlanningPeriod
from tests import factories

_seq = itertools.count(1)


def make_quarters(year: int = 2030, count: int = 3) -> list[PlanningPeriod]:
    out = []
    for q in range(1, count + 1):
        start = date(year, 3 * (q - 1) + 1, 1)
        after = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
        out.append(
            PlanningPeriod.objects.get_or_create(
                name=f"{year}-Q{q}",
                defaults={"kind": "quarter", "start": start, "end": after - timedelta(days=1)},
            )[0]
        )
    return out


def set_capacity(team: Team, periods: list[PlanningPeriod], weeks: float, skill: str = "backend") -> None:
    s = Skill.objects.get_or_create(name=skill)[0]
    for p in periods:
        Capacity.objects.update_or_create(
            team=team, skill=s, period=p, defaults={"weeks": Decimal(str(weeks))}
        )


def make_candidate(
    product: Product,
    *,
    value: float,
    weeks: float,
    skill: str = "backend",
    stage: str = Stage.PLANNED,
    **kw: Any,
) -> Initiative:
    """A planned feature worth `value` (the 0-10 rating, or any number) needing `weeks` of one skill."""
    n = next(_seq)
    item = factories.make_initiative(
        title=kw.pop("title", f"Candidate {n}"), product=product, kind=Kind.FEATURE, stage=stage, **kw
    )
    ScoringInput.objects.create(initiative=item, value=value, weighted_score=value * 10, effort=weeks)
    w = Decimal(str(weeks))
    EstimateLine.objects.create(
        initiative=item, skill=Skill.objects.get_or_create(name=skill)[0], low=w, likely=w, high=w
    )
    return item


def make_scenario(periods: list[PlanningPeriod], **kw: Any) -> Scenario:
    defaults: dict[str, Any] = {
        "name": f"Scenario {next(_seq)}",
        "first_period": periods[0],
        "last_period": periods[-1],
        "value_source": ValueSource.VALUE,
        "discount": Decimal("0"),
        "stages": [Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY],
        "time_limit": 5,
    }
    defaults.update(kw)
    return Scenario.objects.create(**defaults)


@dataclass
class World:
    """Two teams (one per line of the cast), three quarters, 10 backend weeks per team and quarter."""

    periods: list[PlanningPeriod]
    scenario: Scenario
    home: list[Initiative]
    away: list[Initiative]


def make_world(cast: Any, *, budget: float | None = None) -> World:
    periods = make_quarters()
    for team in (cast.home_team, cast.away_team):
        set_capacity(team, periods, 10)
    if budget is not None:
        for line in (cast.home_line, cast.away_line):
            for p in periods:
                BudgetEnvelope.objects.create(line=line, period=p, amount=Decimal(str(budget)))
    home = [
        make_candidate(cast.home_product, value=9, weeks=6, title="Home big"),
        make_candidate(cast.home_product, value=5, weeks=5, title="Home mid"),
        make_candidate(cast.home_product, value=2, weeks=4, title="Home small"),
    ]
    away = [
        make_candidate(cast.away_product, value=8, weeks=5, title="Away big"),
        make_candidate(cast.away_product, value=3, weeks=5, title="Away small"),
    ]
    return World(periods, make_scenario(periods, name="Plan of record", is_primary=True), home, away)
