"""Roadmap routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads the published roadmap, capacity and budgets; scenarios and draft plans are
for PMs and leaders (stakeholders get 403); portfolio-wide scenarios, budgets, publishing and share
links are for leaders; PMs change capacity and plan scenarios of their own line. A share link opens
the published roadmap without a login while it is live, and is a 404 once revoked.
"""

from __future__ import annotations

from typing import Any

from northstar.core.models import User
from northstar.planning import plans, roadmaps, services
from northstar.planning.models import Assumption, PlanRun, Roadmap, RoadmapChange, Scenario, ShareLink
from northstar.strategy.models import PlanningPeriod
from tests.conftest import Cast
from tests.permissions import (
    LEADERS_ACTION,
    LEADERS_PAGE,
    READ,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Case,
    _expect,
)
from tests.planning.factories import make_scenario, make_world


def _world(cast: Cast) -> dict[str, Any]:
    """A planned portfolio with an optimised plan, an edited one, two published roadmaps and links."""
    scenario = Scenario.objects.filter(name="Plan of record").first()
    if scenario is not None:
        return _lookup(scenario)
    world = make_world(cast)
    run = PlanRun.objects.create(scenario=world.scenario, created_by=cast.leader)
    plans.plan_run_execute(run_id=run.pk)
    run.refresh_from_db()
    first = roadmaps.roadmap_publish(actor=cast.leader, run=run, title="First")
    edited = plans.plan_edit(
        actor=cast.leader, run=run, initiative=world.home[0], action="move", period=world.periods[2]
    ).run
    roadmaps.roadmap_publish(actor=cast.leader, run=edited, title="Second")
    Assumption.objects.create(scenario=world.scenario, kind="exclude", initiative=world.away[1])
    home = make_scenario(world.periods, name="Home only", line=cast.home_line)
    home_run = PlanRun.objects.create(scenario=home, created_by=cast.pm)
    plans.plan_run_execute(run_id=home_run.pk)
    services.share_link_create(actor=cast.leader, label="Board")
    revoked = services.share_link_create(actor=cast.leader, label="Old", roadmap=first)
    services.share_link_revoke(actor=cast.leader, link=revoked)
    return _lookup(world.scenario)


def _lookup(scenario: Scenario) -> dict[str, Any]:
    runs = PlanRun.objects.filter(scenario=scenario)
    return {
        "scenario": scenario,
        "home_scenario": Scenario.objects.get(name="Home only"),
        "run": runs.get(kind="optimised"),
        "edited": runs.get(kind="edited"),
        "home_run": PlanRun.objects.get(scenario__name="Home only"),
        "roadmap": Roadmap.objects.order_by("-id").first(),
        "change": RoadmapChange.objects.order_by("id").first(),
        "assumption": Assumption.objects.filter(scenario=scenario).first(),
        "live": ShareLink.objects.get(label="Board"),
        "revoked": ShareLink.objects.get(label="Old"),
        "period": PlanningPeriod.objects.get(name="2030-Q2"),
    }


def _pk(key: str):
    return lambda cast, user: [_world(cast)[key].pk]


def _token(key: str):
    return lambda cast, user: [_world(cast)[key].token]


def _cell(team: str):
    def build(cast: Cast, user: User | None) -> dict:
        w = _world(cast)
        t = getattr(cast, f"{team}_team")
        return {"team": t.pk, "skill": t.skills.first().pk, "period": w["period"].pk, "weeks": "12"}

    return build


def _edit(run_key: str, initiative: str):
    def build(cast: Cast, user: User | None) -> dict:
        w = _world(cast)
        item = cast.home_product.initiatives.get(title=initiative)
        return {"initiative": item.pk, "period": w["period"].pk, "action": "move"}

    return build


def _scenario_data(cast: Cast, user: User | None) -> dict:
    w = _world(cast)
    return {
        "name": "Matrix scenario",
        "first_period": w["period"].pk,
        "last_period": w["period"].pk,
        "value_source": "value",
        "budget_factor": "1",
        "capacity_factor": "1",
        "discount": "0.05",
        "stages": ["planned"],
        "time_limit": "5",
    }


PUBLIC = _expect(anonymous=200)
GONE = _expect(anonymous=404, stakeholder=404, pm=404, leader=404, admin=404)

WEB_CASES = [
    Case("planning:roadmap", "get", READ, data=lambda cast, user: _world(cast) and {}),
    Case("planning:published", "get", READ, args=_pk("roadmap")),
    Case("planning:export", "get", READ, args=lambda cast, user: [_world(cast)["roadmap"].pk, "csv"]),
    Case(
        "planning:change_reason",
        "post",
        LEADERS_ACTION,
        args=_pk("change"),
        data=lambda cast, user: {"reason": "Checkout capacity went to the EU launch"},
    ),
    Case("planning:share_links", "get", LEADERS_PAGE),
    Case("planning:share_links", "post", LEADERS_ACTION, data=lambda cast, user: {"label": "Execs"}),
    Case("planning:share_revoke", "post", LEADERS_ACTION, args=_pk("live")),
    Case("planning:shared", "get", PUBLIC, args=_token("live"), label="live link"),
    Case("planning:shared", "get", GONE, args=_token("revoked"), label="revoked link"),
    Case(
        "planning:shared_export", "get", PUBLIC, args=lambda cast, user: [_world(cast)["live"].token, "pdf"]
    ),
    Case("planning:capacity", "get", READ, data=lambda cast, user: _world(cast) and {}),
    Case("planning:capacity_cell", "post", WRITERS_ACTION, data=_cell("home"), label="home team"),
    Case("planning:capacity_cell", "post", LEADERS_ACTION, data=_cell("away"), label="away team"),
    Case("planning:capacity_derive", "post", LEADERS_ACTION, data=lambda cast, user: {"availability": "0.7"}),
    Case("planning:periods_add", "post", LEADERS_ACTION, data=lambda cast, user: {"count": "2"}),
    Case("planning:budgets", "get", READ),
    Case(
        "planning:budget_cell",
        "post",
        LEADERS_ACTION,
        data=lambda cast, user: {
            "line": cast.home_line.pk,
            "period": _world(cast)["period"].pk,
            "amount": "90000",
        },
    ),
    Case("planning:scenarios", "get", WRITERS_PAGE, data=lambda cast, user: _world(cast) and {}),
    Case("planning:scenario_create", "get", WRITERS_PAGE),
    Case("planning:scenario_create", "post", LEADERS_ACTION, data=_scenario_data, label="whole portfolio"),
    Case(
        "planning:scenario_create",
        "post",
        WRITERS_ACTION,
        data=lambda cast, user: {**_scenario_data(cast, user), "line": cast.home_line.pk},
        label="home line",
    ),
    Case("planning:scenario_detail", "get", WRITERS_PAGE, args=_pk("scenario")),
    Case("planning:scenario_edit", "get", LEADERS_PAGE, args=_pk("scenario"), label="whole portfolio"),
    Case("planning:scenario_edit", "get", WRITERS_PAGE, args=_pk("home_scenario"), label="home line"),
    Case("planning:scenario_primary", "post", LEADERS_ACTION, args=_pk("home_scenario")),
    Case(
        "planning:assumption_add",
        "post",
        LEADERS_ACTION,
        args=_pk("scenario"),
        data=lambda cast, user: {"kind": "mandatory", "initiative": cast.home_product.initiatives.first().pk},
    ),
    Case("planning:assumption_remove", "post", LEADERS_ACTION, args=_pk("assumption")),
    Case("planning:scenario_run", "post", LEADERS_ACTION, args=_pk("scenario"), label="whole portfolio"),
    Case("planning:scenario_run", "post", WRITERS_ACTION, args=_pk("home_scenario"), label="home line"),
    Case("planning:run_status", "get", WRITERS_PAGE, args=_pk("run")),
    Case("planning:plan_detail", "get", WRITERS_PAGE, args=_pk("run")),
    Case("planning:plan_timeline", "get", WRITERS_PAGE, args=_pk("run")),
    Case("planning:plan_capacity", "get", WRITERS_PAGE, args=_pk("run")),
    Case("planning:plan_board", "get", WRITERS_PAGE, args=_pk("run")),
    Case(
        "planning:plan_edit",
        "post",
        LEADERS_ACTION,
        args=_pk("run"),
        data=_edit("run", "Home mid"),
        label="portfolio",
    ),
    Case(
        "planning:plan_edit",
        "post",
        WRITERS_ACTION,
        args=_pk("home_run"),
        data=_edit("home_run", "Home mid"),
        label="home",
    ),
    Case("planning:plan_reoptimise", "post", LEADERS_ACTION, args=_pk("edited")),
    Case("planning:plan_publish", "get", LEADERS_PAGE, args=_pk("run")),
    Case("planning:compare", "get", WRITERS_PAGE),
]
