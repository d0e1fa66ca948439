"""A small company with something in every report section, on fixed dates so figures are exact.

The current quarter is 2031-Q1 and "today" is 1 March 2031 (two thirds of the quarter gone): the home
line's objective is at 20% (far behind: off track), the away line's at 70% (on track).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from northstar.planning.models import BudgetEnvelope
from northstar.portfolio.models import Decision, DecisionKind
from northstar.strategy.models import KeyResult, Metric, Objective, PlanningPeriod
from tests.feedback.factories import make_customer, make_item, make_theme
from tests.strategy.factories import make_key_result, make_metric, make_objective, make_period, make_series

TODAY = date(2031, 3, 1)


@dataclass
class World:
    period: PlanningPeriod
    previous: PlanningPeriod
    home_objective: Objective
    away_objective: Objective
    north_star: Metric
    home_metric: Metric


def make_report_world(cast) -> World:
    previous = make_period(name="2030-Q4", start=date(2030, 10, 1), end=date(2030, 12, 31))
    period = make_period(name="2031-Q1", start=date(2031, 1, 1), end=date(2031, 3, 31))
    home = make_objective(
        title="Grow in Łódź and São Paulo", period=period, line=cast.home_line, owner=cast.home_line.director
    )
    make_key_result(objective=home, title="Merchants live", baseline=0, target=100, current=20, unit="")
    away = make_objective(
        title="東京 launch", period=period, line=cast.away_line, owner=cast.away_line.director
    )
    make_key_result(objective=away, title="Launch", baseline=0, target=100, current=70, unit="", confidence=8)
    north = make_metric(name="Weekly active merchants", is_north_star=True, target=5000)
    make_series(north, [3000 + 20 * i for i in range(60)], start=TODAY - timedelta(weeks=59))
    mine = make_metric(name="Checkout conversion", unit="%", line=cast.home_line, drives=north)
    make_series(mine, [50.0 + (i % 3) * 0.1 for i in range(60)], start=TODAY - timedelta(weeks=59))
    BudgetEnvelope.objects.create(
        line=cast.home_line, period=period, amount=Decimal("120000"), currency="EUR"
    )
    BudgetEnvelope.objects.create(line=cast.away_line, period=period, amount=Decimal("80000"), currency="EUR")
    customer = make_customer("Acme", revenue="250000")
    theme = make_theme("東京 checkout in yen")
    other = make_theme("Invoices in Łódź")
    feb = datetime(2031, 2, 10, 12, tzinfo=UTC)
    for n in range(5):
        make_item(
            f"Yen checkout please {n}", theme=theme, customer=customer, received_at=feb + timedelta(days=n)
        )
    for n in range(2):
        make_item(f"Polish invoices {n}", theme=other, received_at=feb + timedelta(days=n))
    Decision.objects.create(
        initiative=cast.home_initiative,
        kind=DecisionKind.DECISION,
        title="Build address autocomplete in-house",
        decision="Build it",
        decided_on=date(2031, 2, 15),
    )
    return World(period, previous, home, away, north, mine)


def key_result(objective: Objective) -> KeyResult:
    return objective.key_results.get()
