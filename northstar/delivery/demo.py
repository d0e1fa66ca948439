"""The demo company's delivery records: a Jira connection (no token: the demo never calls out), one
project per team, a year of work each team finished (its own pace, week by week), an epic for every
initiative on the plan with its done and open work, most epics linked to their initiative and a few
left as suggestions to confirm, a key result fed by an epic, the year's people cost derived from
where the teams' time went, and a forecast of the published roadmap.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.delivery.models import Connection, InitiativeLink, KeyResultFeed, TeamMapping, WorkItem
from northstar.org.models import Team

WEEKS = 52
#: Share of epics the demo links for you; the rest wait as suggestions on the Links page.
CONFIRMED_SHARE = 0.8


def _project_key(name: str, taken: set[str]) -> str:
    letters = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name)).upper() or "T"
    key = (letters + "XXX")[:3] if len(letters) < 3 else letters[:4]
    base, n = key, 2
    while key in taken:
        key, n = f"{base}{n}", n + 1
    taken.add(key)
    return key


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)


def _plan_queue() -> dict[int, list[tuple[int, str]]]:
    """Each team's initiatives on the current plan, in plan order: {team: [(initiative, title)]}."""
    from northstar.planning.models import PlanAssignment
    from northstar.planning.selectors import current_plan, latest_roadmap

    queue: dict[int, list[tuple[int, str]]] = {}
    runs = [r for r in (current_plan(), getattr(latest_roadmap(), "run", None)) if r is not None]
    seen: set[int] = set()
    for run in runs:
        for team_id, initiative_id, title in (
            PlanAssignment.objects.filter(run=run, team__isnull=False)
            .order_by("start__start", "id")
            .values_list("team_id", "initiative_id", "initiative__title")
        ):
            if initiative_id not in seen and team_id is not None:
                seen.add(initiative_id)
                queue.setdefault(team_id, []).append((initiative_id, title))
    return queue


def _items(
    connection: Connection,
    team: Team,
    key: str,
    queue: list[tuple[int, str]],
    today: date,
    rng: random.Random,
) -> tuple[int, list[tuple[int, WorkItem]]]:
    """A year of finished work and the open work of each planned initiative, for one team."""
    pace = 1.5 + 0.7 * max(1, team.members.count()) * rng.uniform(0.7, 1.3)
    epics: list[tuple[int, WorkItem]] = []
    for position, (initiative_id, title) in enumerate(queue, start=1):
        made = WorkItem.objects.create(
            connection=connection, external_id=f"{key}-E{position}", key=f"{key}-{position}",
            title=title if rng.random() > 0.3 else f"{title} (phase 1)", kind=WorkItem.Kind.EPIC,
            status="In Progress", state="in_progress", source_key=key, team=team,
            url=f"{connection.base_url}/browse/{key}-{position}",
        )  # fmt: skip
        epics.append((initiative_id, made))
    rows: list[WorkItem] = []
    number = 100
    monday = today - timedelta(days=today.weekday())
    for week in range(WEEKS, 0, -1):
        start = monday - timedelta(weeks=week)
        # A bad week now and then (incidents, holidays), a good one too: throughput is lumpy.
        done = max(0, round(rng.gauss(pace, pace * 0.45)))
        for _ in range(done):
            number += 1
            # Recent finished work belongs to the first epics of the queue; older work to none.
            parent: WorkItem | None = (
                epics[min(len(epics) - 1, rng.randrange(3))][1]
                if epics and week <= 16 and rng.random() < 0.7
                else None
            )
            rows.append(
                WorkItem(
                    connection=connection,
                    external_id=f"{key}-{number}",
                    key=f"{key}-{number}",
                    title=f"{'Bug' if rng.random() < 0.2 else 'Story'} {number}",
                    kind=WorkItem.Kind.STORY,
                    status="Done",
                    state="done",
                    points=float(rng.choice((1, 2, 3, 5))),
                    parent=parent,
                    source_key=key,
                    team=team,
                    done_at=_moment(start + timedelta(days=rng.randrange(5)), rng),
                    sprint=f"{key} sprint {(WEEKS - week) // 2 + 1}",
                )
            )
    for _initiative_id, open_epic in epics:
        for _ in range(rng.randrange(6, 28)):
            number += 1
            state = "in_progress" if rng.random() < 0.25 else "todo"
            rows.append(
                WorkItem(
                    connection=connection,
                    external_id=f"{key}-{number}",
                    key=f"{key}-{number}",
                    title=f"Story {number}",
                    kind=WorkItem.Kind.STORY,
                    status=state.replace("_", " ").title(),
                    state=state,
                    points=float(rng.choice((1, 2, 3, 5))),
                    parent=open_epic,
                    source_key=key,
                    team=team,
                )
            )
    WorkItem.objects.bulk_create(rows, batch_size=1000)
    return len(rows) + len(epics), epics


def _feed_key_result(epics: list[tuple[int, WorkItem]]) -> int:
    from northstar.delivery.services import key_results_refresh
    from northstar.strategy.models import KeyResult

    today = timezone.localdate()
    kr = (
        KeyResult.objects.filter(kind=KeyResult.Kind.MILESTONE, objective__period__end__gte=today)
        .exclude(delivery_feed__isnull=False)
        .order_by("objective__period__start", "id")
        .first()
    )
    if kr is None or not epics:
        return 0
    KeyResultFeed.objects.create(key_result=kr, container=epics[0][1])
    key_results_refresh()
    return 1


@transaction.atomic
def load(*, scale: str, seed: int) -> dict[str, int]:
    """Add this area's demo records idempotently; return how many of each kind were added."""
    if Connection.objects.exists():
        return {}
    rng = random.Random(seed * 31 + 7)
    today = timezone.localdate()
    connection = Connection.objects.create(
        name="LumenPay Jira", tool="jira", base_url="https://lumenpay.atlassian.net", scope="PLACEHOLDER",
        synced_through=timezone.now(),
    )  # fmt: skip
    queue = _plan_queue()
    taken: set[str] = set()
    keys, items, links, suggested = [], 0, 0, 0
    all_epics: list[tuple[int, WorkItem]] = []
    for team in Team.objects.order_by("name"):
        key = _project_key(team.name, taken)
        keys.append(key)
        TeamMapping.objects.create(connection=connection, source_key=key, team=team)
        made, epics = _items(connection, team, key, queue.get(team.pk, []), today, rng)
        items += made
        for initiative_id, epic in epics:
            confirmed = rng.random() < CONFIRMED_SHARE
            InitiativeLink.objects.create(
                initiative_id=initiative_id, container=epic, score=0.9 if confirmed else 0.7,
                status=InitiativeLink.Status.CONFIRMED if confirmed else InitiativeLink.Status.SUGGESTED,
                decided_at=timezone.now() if confirmed else None,
            )  # fmt: skip
            links += confirmed
            suggested += not confirmed
        all_epics += epics
    connection.scope = ", ".join(keys)
    connection.save(update_fields=["scope"])
    fed = _feed_key_result(
        [e for e in all_epics if e[1].initiative_links.filter(status="confirmed").exists()]
    )
    from northstar.finance.demo import months_back
    from northstar.finance.people_cost import people_cost_derive

    # The same twelve full months as the finance demo's imported spend (stepping back 31 days at a
    # time skipped the last month whenever it had 30 days or fewer, and reached one month too far).
    months = months_back(today, 12)
    for month in months:
        people_cost_derive(actor=None, month=month)
    forecasts = 0
    from northstar.planning.selectors import latest_roadmap

    if latest_roadmap() is not None:
        from northstar.delivery.forecasting import forecast_run

        forecast_run(actor=None, simulations=5_000 if scale == "standard" else 2_000)
        forecasts = 1
    return {
        "work items": items,
        "confirmed links": links,
        "suggested links": suggested,
        "fed key results": fed,
        "months of people cost": len(months),
        "forecasts": forecasts,
    }
