"""Delivery records for tests: a connection without a tool behind it, containers, and history."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from northstar.delivery.models import Connection, InitiativeLink, WorkItem

_seq = itertools.count(1)


def make_connection(name: str = "Jira", tool: str = "jira", scope: str = "PAY") -> Connection:
    return Connection.objects.get_or_create(
        name=name, defaults={"tool": tool, "base_url": "https://tool.example", "scope": scope}
    )[0]


def make_container(
    connection: Connection, title: str, *, key: str | None = None, kind: str = "epic"
) -> WorkItem:
    n = next(_seq)
    key = key or f"PAY-{1000 + n}"
    return WorkItem.objects.create(connection=connection, external_id=key, key=key, title=title, kind=kind)


def make_items(
    connection, *, parent=None, team=None, done: int = 0, open_: int = 0, done_on: date | None = None
):
    """`done` finished items (on `done_on`) and `open_` items still to do under `parent`."""
    made = []
    for i in range(done + open_):
        n = next(_seq)
        finished = i < done
        moment = datetime.combine(done_on or date(2026, 1, 5), time(12), tzinfo=UTC)
        made.append(
            WorkItem(
                connection=connection,
                external_id=f"I-{n}",
                key=f"PAY-{n}",
                title=f"Item {n}",
                kind="story",
                state="done" if finished else "todo",
                parent=parent,
                team=team,
                points=1,
                done_at=moment if finished else None,
            )
        )
    return WorkItem.objects.bulk_create(made)


def make_history(connection, team, *, per_week: int, weeks: int, until: date) -> None:
    """`per_week` items finished in each of the `weeks` weeks before the week of `until`."""
    monday = until - timedelta(days=until.weekday())
    for w in range(1, weeks + 1):
        make_items(
            connection, team=team, done=per_week, done_on=monday - timedelta(weeks=w) + timedelta(days=2)
        )


def confirm(initiative, container) -> InitiativeLink:
    return InitiativeLink.objects.create(
        initiative=initiative, container=container, status="confirmed", score=1
    )


#: The day the forecast tests forecast from (26 weeks of history end here).
FORECAST_START = date(2030, 1, 1)


def make_published_world(cast, *, title: str = "Roadmap"):
    """The planning tests' world with its plan run and published as a roadmap."""
    from northstar.planning import plans, roadmaps
    from northstar.planning.models import PlanRun
    from tests.planning.factories import make_world

    world = make_world(cast)
    run = PlanRun.objects.create(scenario=world.scenario, created_by=cast.leader)
    plans.plan_run_execute(run_id=run.pk)
    run.refresh_from_db()
    roadmaps.roadmap_publish(actor=cast.leader, run=run, title=title)
    return world


def make_late_world(cast, *, title: str = "Roadmap", done: int = 2):
    """A published world where home's big initiative cannot make its quarter: home's team finishes one
    item a week and has 30 left on the initiative's linked epic; away's team finishes eight a week."""
    world = make_published_world(cast, title=title)
    connection = make_connection()
    make_history(connection, cast.home_team, per_week=1, weeks=26, until=FORECAST_START)
    make_history(connection, cast.away_team, per_week=8, weeks=26, until=FORECAST_START)
    epic = make_container(connection, "Home big")
    confirm(world.home[0], epic)
    make_items(connection, parent=epic, done=done, open_=30)
    return world
