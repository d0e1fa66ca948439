"""Delivery forecasts of the published roadmap, from each team's real throughput.

What goes in: the published roadmap's plan (each initiative's team and the order the plan gives it,
by start period), each team's items finished per week over the last `history_weeks` weeks, and each
initiative's remaining work: its linked open items when it has delivery links, otherwise its planned
effort in team-weeks at the team's mean weekly throughput (a team-week of effort is taken to be a
week of the team's output). The committed date is the last day of the initiative's final period on
the roadmap. The answer is stored (GETs never simulate), with one line per initiative.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.delivery import selectors
from northstar.delivery.models import DeliveryForecast, ForecastLine
from northstar.engines import forecast as engine
from northstar.org import access
from northstar.org.models import Team

MAX_SIMULATIONS = 50_000


@dataclass
class Queued:
    initiative_id: int
    title: str
    team_id: int
    start: date
    committed: date
    effort_weeks: float


def _queue(roadmap_id: int) -> list[Queued]:
    """The roadmap's initiatives with their team, in plan order (start period, then plan order)."""
    from northstar.planning.models import PlanAssignment, Roadmap, RoadmapEntry

    roadmap = Roadmap.objects.select_related("run").get(pk=roadmap_id)
    queued: list[Queued] = []
    if roadmap.run_id:
        rows = (
            PlanAssignment.objects.filter(run_id=roadmap.run_id, team__isnull=False, initiative__isnull=False)
            .select_related("initiative", "start", "end")
            .order_by("start__start", "id")
        )
        for a in rows:
            assert a.team_id is not None
            weeks = sum(float(v) for v in (a.effort or {}).values())
            queued.append(
                Queued(a.initiative_id, a.initiative.title, a.team_id, a.start.start, a.end.end, weeks)
            )
        return queued
    teams = dict(Team.objects.values_list("name", "id"))
    for e in RoadmapEntry.objects.filter(roadmap=roadmap, initiative__isnull=False).select_related(
        "start", "end"
    ):
        if e.team_name in teams and e.initiative_id is not None:
            queued.append(Queued(e.initiative_id, e.title, teams[e.team_name], e.start.start, e.end.end, 0.0))
    return sorted(queued, key=lambda q: (q.start, q.initiative_id))


def forecast_run(
    *,
    actor: User | None,
    scope_growth: float = 0.1,
    simulations: int = 10_000,
    history_weeks: int = selectors.HISTORY_WEEKS,
    seed: int = 0,
    today: date | None = None,
) -> DeliveryForecast:
    """Forecast the latest published roadmap and store the answer."""
    from northstar.planning.selectors import latest_roadmap

    if actor is not None:
        access.require_write(actor)
    if not 0 <= scope_growth <= 2:
        raise ValidationFailed(
            "Scope growth is a share between 0 and 2 (0.1 = work grows by 10% on average)."
        )
    if not 100 <= simulations <= MAX_SIMULATIONS:
        raise ValidationFailed(f"Simulate between 100 and {MAX_SIMULATIONS:,} times.")
    if not 4 <= history_weeks <= 104:
        raise ValidationFailed("Use between 4 and 104 weeks of throughput history.")
    roadmap = latest_roadmap()
    if roadmap is None:
        raise ValidationFailed("Publish a roadmap first: the forecast says when its initiatives will land.")
    start = today or timezone.localdate()
    queue = _queue(roadmap.pk)
    history = selectors.team_throughput({q.team_id for q in queue}, weeks=history_weeks, until=start)
    progress = selectors.initiative_progress([q.initiative_id for q in queue])
    teams = [engine.TeamHistory(str(team_id), tuple(weeks)) for team_id, weeks in history.items()]
    means = {t.id: t.mean for t in teams}
    work: list[engine.Work] = []
    remaining: dict[int, tuple[float, bool]] = {}
    for q in queue:
        linked = progress.get(q.initiative_id)
        if linked is not None and linked.total_items:
            left, counted = float(linked.remaining_items), True
        else:
            left, counted = q.effort_weeks * means.get(str(q.team_id), 0.0), False
        remaining[q.initiative_id] = (left, counted)
        committed_week = max(0, math.floor((q.committed - start).days / 7))
        work.append(engine.Work(str(q.initiative_id), str(q.team_id), left, committed_week))
    result = engine.forecast(teams, work, simulations=simulations, seed=seed, scope_growth=scope_growth)

    def day(weeks: int) -> date | None:
        return start + timedelta(weeks=weeks) if weeks <= result.horizon_weeks else None

    by_id = {item.id: item for item in result.items}
    positions: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        forecast = DeliveryForecast.objects.create(
            roadmap=roadmap,
            start=start,
            simulations=simulations,
            scope_growth=scope_growth,
            history_weeks=history_weeks,
            seed=seed,
            p50=day(result.roadmap.p50) if result.roadmap else None,
            p85=day(result.roadmap.p85) if result.roadmap else None,
            p95=day(result.roadmap.p95) if result.roadmap else None,
            unforecastable=result.unforecastable,
            actor=actor,
        )
        lines = []
        for q in queue:
            item = by_id.get(str(q.initiative_id))
            positions[q.team_id] += 1
            left, counted = remaining[q.initiative_id]
            p85 = day(item.weeks.p85) if item else None
            lines.append(
                ForecastLine(
                    forecast=forecast,
                    initiative_id=q.initiative_id,
                    title=q.title[:200],
                    team_id=q.team_id,
                    position=positions[q.team_id],
                    remaining=round(left, 2),
                    from_delivery=counted,
                    p50=day(item.weeks.p50) if item else None,
                    p85=p85,
                    p95=day(item.weeks.p95) if item else None,
                    committed=q.committed,
                    on_time=item.on_time if item else None,
                    late=bool(item and (p85 is None or p85 > q.committed)),
                    unfinished=item.unfinished if item else 0.0,
                )
            )
        ForecastLine.objects.bulk_create(lines, batch_size=500)
        audit.audit_create(actor=actor, instance=forecast, after=audit.snapshot(forecast))
    return forecast


def cone_weeks(start: date, p95: date | None) -> int:
    """How many weeks a burn-up shows: past the P95 date by a month, between 8 weeks and 3 years."""
    if p95 is None:
        return 156
    return max(8, min(156, (p95 - start).days // 7 + 5))


def burn_up(*, initiative_id: int | None, forecast: DeliveryForecast, weeks: int = 26) -> dict:
    """History and forecast cone of a burn-up: one initiative's linked work, or (None) the roadmap's.

    History: items done per week over the forecast's history window, cumulative. Cone: the engine's
    P10/P50/P90 of work done per future week, with each initiative's work behind what is ahead of it
    in its team's queue.
    """
    lines = list(forecast.lines.all())
    if initiative_id is not None:
        target = [line for line in lines if line.initiative_id == initiative_id]
    else:
        target = lines
    team_ids = {line.team_id for line in lines if line.team_id}
    history = selectors.team_throughput(team_ids, weeks=forecast.history_weeks, until=forecast.start)
    ahead: dict[int, float] = defaultdict(float)
    queues = []
    for line in sorted(lines, key=lambda entry: (entry.team_id or 0, entry.position)):
        if line.team_id is None:
            continue
        if line in target:
            queues.append((tuple(history.get(line.team_id, [])), ahead[line.team_id], line.remaining))
        ahead[line.team_id] += line.remaining
    done = 0.0
    past: list[tuple[date, float]] = []
    if initiative_id is not None:
        progress = selectors.initiative_progress([initiative_id]).get(initiative_id)
        done = float(progress.done_items) if progress else 0.0
        past = selectors.done_history(
            initiative_id, weeks=min(forecast.history_weeks, 26), until=forecast.start
        )
    cone = engine.cone(
        queues,
        weeks=weeks,
        done=done,
        simulations=2_000,
        seed=forecast.seed,
        scope_growth=forecast.scope_growth,
    )
    return {
        "start": forecast.start,
        "weeks": [forecast.start + timedelta(weeks=w) for w in cone.weeks],
        "p10": cone.p10,
        "p50": cone.p50,
        "p90": cone.p90,
        "scope": cone.scope,
        "done": done,
        "history": past,
        "committed": max((line.committed for line in target if line.committed), default=None),
    }
