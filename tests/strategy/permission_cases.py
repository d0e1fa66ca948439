"""Strategy routes in the permission matrix (see tests/permissions.py).

Line objectives, their key results and KPIs are changed by leaders and by PMs of that line; company
objectives, the vision and periods by leaders only; everyone signed in reads.
"""

from __future__ import annotations

from northstar.core.models import User
from northstar.strategy.models import Alignment, KeyResult, Metric, Objective, PlanningPeriod
from tests.conftest import Cast
from tests.permissions import (
    DONE,
    LEADERS_ACTION,
    LEADERS_PAGE,
    READ,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Case,
    _expect,
)


def _period(cast: Cast) -> PlanningPeriod:
    period, _ = PlanningPeriod.objects.get_or_create(
        name="2030-Q1", defaults={"kind": "quarter", "start": "2030-01-01", "end": "2030-03-31"}
    )
    return period


def _objective(where: str):
    def build(cast: Cast, user: User | None) -> Objective:
        line = None if where == "company" else getattr(cast, f"{where}_line")
        objective, _ = Objective.objects.get_or_create(
            title=f"{where} objective",
            # The PM owns nothing outside their line (an owner may always check in on their own work).
            defaults={
                "period": _period(cast),
                "line": line,
                "owner": cast.away_line.director if where == "away" else cast.pm_person,
            },
        )
        return objective

    return build


def _kr(where: str):
    def build(cast: Cast, user: User | None) -> KeyResult:
        kr, _ = KeyResult.objects.get_or_create(
            title=f"{where} key result",
            defaults={"objective": _objective(where)(cast, user), "baseline": 1, "target": 2},
        )
        return kr

    return build


def _metric(where: str):
    def build(cast: Cast, user: User | None) -> Metric:
        line = None if where == "company" else getattr(cast, f"{where}_line")
        metric, _ = Metric.objects.get_or_create(
            key=f"{where}_metric", defaults={"name": f"{where} metric", "line": line}
        )
        return metric

    return build


def _alignment(where: str):
    def build(cast: Cast, user: User | None) -> Alignment:
        link, _ = Alignment.objects.get_or_create(
            initiative=getattr(cast, f"{where}_initiative"), objective=_objective("company")(cast, user)
        )
        return link

    return build


def _pk(builder):
    return lambda cast, user: [builder(cast, user).pk]


def _objective_data(where: str, title: str):
    def build(cast: Cast, user: User | None) -> dict:
        line = None if where == "company" else getattr(cast, f"{where}_line").pk
        return {
            "title": title,
            "period": _period(cast).pk,
            "line": line or "",
            "owner": cast.pm_person.pk,
            "weight": "1",
        }

    return build


def _kr_data(cast: Cast, user: User | None) -> dict:
    return {
        "title": "New KR",
        "kind": "metric",
        "direction": "up",
        "baseline": "1",
        "target": "5",
        "weight": "1",
    }


def _metric_data(where: str, key: str):
    def build(cast: Cast, user: User | None) -> dict:
        line = "" if where == "company" else getattr(cast, f"{where}_line").pk
        return {"name": key.title(), "key": key, "direction": "up", "aggregation": "sum", "line": line}

    return build


def _align_data(where: str):
    def build(cast: Cast, user: User | None) -> dict:
        objective = _objective("company")(cast, user)
        return {
            "initiative": getattr(cast, f"{where}_initiative").pk,
            "target": f"o{objective.pk}",
            "weight": "1",
        }

    return build


ALIGN_POST = _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE)

WEB_CASES = [
    Case("strategy:dashboard", "get", READ),
    Case("strategy:vision", "get", READ),
    Case("strategy:vision_diff", "get", READ),
    Case("strategy:vision_edit", "get", LEADERS_PAGE),
    Case("strategy:vision_edit", "post", LEADERS_ACTION, data=lambda c, u: {"title": "V", "body": "Go far."}),
    Case("strategy:period_create", "get", LEADERS_PAGE),
    Case(
        "strategy:period_create",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"name": "2031-Q1", "kind": "quarter", "start": "2031-01-01", "end": "2031-03-31"},
    ),
    Case("strategy:objective_create", "get", WRITERS_PAGE),
    Case(
        "strategy:objective_create",
        "post",
        WRITERS_ACTION,
        data=_objective_data("home", "New"),
        label="home line",
    ),
    Case(
        "strategy:objective_create",
        "post",
        LEADERS_ACTION,
        data=_objective_data("away", "New"),
        label="away line",
    ),
    Case(
        "strategy:objective_create",
        "post",
        LEADERS_ACTION,
        data=_objective_data("company", "New"),
        label="company",
    ),
    Case("strategy:objective_detail", "get", READ, args=_pk(_objective("away"))),
    Case("strategy:objective_edit", "get", WRITERS_PAGE, args=_pk(_objective("home")), label="home"),
    Case("strategy:objective_edit", "get", LEADERS_PAGE, args=_pk(_objective("away")), label="away"),
    Case(
        "strategy:objective_edit",
        "post",
        WRITERS_ACTION,
        args=_pk(_objective("home")),
        data=_objective_data("home", "Edited"),
        label="home",
    ),
    Case(
        "strategy:objective_edit",
        "post",
        LEADERS_ACTION,
        args=_pk(_objective("company")),
        data=_objective_data("company", "Edited"),
        label="company",
    ),
    Case("strategy:key_result_create", "get", WRITERS_PAGE, args=_pk(_objective("home")), label="home"),
    Case(
        "strategy:key_result_create",
        "post",
        WRITERS_ACTION,
        args=_pk(_objective("home")),
        data=_kr_data,
        label="home",
    ),
    Case(
        "strategy:key_result_create",
        "post",
        LEADERS_ACTION,
        args=_pk(_objective("away")),
        data=_kr_data,
        label="away",
    ),
    Case("strategy:key_result_detail", "get", READ, args=_pk(_kr("away"))),
    Case("strategy:key_result_edit", "get", WRITERS_PAGE, args=_pk(_kr("home")), label="home"),
    Case("strategy:key_result_edit", "get", LEADERS_PAGE, args=_pk(_kr("away")), label="away"),
    Case(
        "strategy:key_result_edit", "post", WRITERS_ACTION, args=_pk(_kr("home")), data=_kr_data, label="home"
    ),
    Case(
        "strategy:check_in",
        "get",
        _expect(stakeholder=405, pm=405, leader=405, admin=405),
        args=_pk(_kr("home")),
    ),
    Case(
        "strategy:check_in",
        "post",
        WRITERS_ACTION,
        args=_pk(_kr("home")),
        data=lambda c, u: {"value": "1.5", "confidence": "6"},
        label="home",
    ),
    Case(
        "strategy:check_in",
        "post",
        LEADERS_ACTION,
        args=_pk(_kr("away")),
        data=lambda c, u: {"value": "1.5", "confidence": "6"},
        label="away",
    ),
    Case("strategy:metrics", "get", READ),
    Case("strategy:metric_detail", "get", READ, args=_pk(_metric("away"))),
    Case("strategy:metric_create", "get", WRITERS_PAGE),
    Case(
        "strategy:metric_create", "post", WRITERS_ACTION, data=_metric_data("home", "home_new"), label="home"
    ),
    Case(
        "strategy:metric_create",
        "post",
        LEADERS_ACTION,
        data=_metric_data("company", "co_new"),
        label="company",
    ),
    Case("strategy:metric_edit", "get", WRITERS_PAGE, args=_pk(_metric("home")), label="home"),
    Case("strategy:metric_edit", "get", LEADERS_PAGE, args=_pk(_metric("away")), label="away"),
    Case(
        "strategy:metric_edit",
        "post",
        LEADERS_ACTION,
        args=_pk(_metric("away")),
        data=_metric_data("away", "away_metric"),
        label="away",
    ),
    Case(
        "strategy:metric_value_add",
        "post",
        WRITERS_ACTION,
        args=_pk(_metric("home")),
        data=lambda c, u: {"date": "2030-01-06", "value": "12"},
        label="home",
    ),
    Case(
        "strategy:metric_value_add",
        "post",
        LEADERS_ACTION,
        args=_pk(_metric("company")),
        data=lambda c, u: {"date": "2030-01-06", "value": "12"},
        label="company",
    ),
    Case("strategy:tree", "get", READ),
    Case("strategy:alignment", "get", READ),
    Case("strategy:alignment", "post", ALIGN_POST, data=_align_data("home"), label="home work"),
    Case("strategy:alignment", "post", LEADERS_ACTION, data=_align_data("away"), label="away work"),
    Case(
        "strategy:alignment_remove", "post", WRITERS_ACTION, args=_pk(_alignment("home")), label="home work"
    ),
    Case(
        "strategy:alignment_remove", "post", LEADERS_ACTION, args=_pk(_alignment("away")), label="away work"
    ),
]
