"""Reads of delivery data: progress per initiative, throughput per team, where the teams' time went,
and the latest forecast (with the selectors the roadmap, the strategy dashboard, the board pack and
the home cockpit call)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from northstar.delivery.models import (
    Connection,
    DeliveryForecast,
    ForecastLine,
    InitiativeLink,
    State,
    SyncRun,
    WorkItem,
)

#: Weeks of throughput history a forecast draws from by default (half a year).
HISTORY_WEEKS = 26


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.annotate(item_count=Count("items")).order_by("name")


def sync_runs(connection: Connection, limit: int = 10) -> list[SyncRun]:
    return list(connection.runs.select_related("actor").order_by("-started_at", "-id")[:limit])


def containers(connection: Connection | None = None) -> QuerySet[WorkItem]:
    qs = WorkItem.objects.filter(kind__in=WorkItem.CONTAINERS).select_related("connection")
    if connection is not None:
        qs = qs.filter(connection=connection)
    return qs.order_by("connection__name", "key")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# ---------------------------------------------------------------------------------------------------
# Progress


@dataclass(frozen=True)
class Progress:
    """Done against total for an initiative's linked work (cancelled items count in neither)."""

    done_items: int
    total_items: int
    done_points: float
    total_points: float

    @property
    def percent(self) -> float:
        if self.total_points > 0:
            return 100.0 * self.done_points / self.total_points
        return 100.0 * self.done_items / self.total_items if self.total_items else 0.0

    @property
    def remaining_items(self) -> int:
        return self.total_items - self.done_items


def initiative_containers(initiative_ids: Iterable[int]) -> dict[int, list[int]]:
    """Confirmed containers of each initiative: {initiative id: [container ids]}."""
    found: dict[int, list[int]] = defaultdict(list)
    for initiative_id, container_id in InitiativeLink.objects.filter(
        status=InitiativeLink.Status.CONFIRMED, initiative_id__in=list(initiative_ids)
    ).values_list("initiative_id", "container_id"):
        found[initiative_id].append(container_id)
    return dict(found)


def initiative_progress(initiative_ids: Iterable[int]) -> dict[int, Progress]:
    """Progress of every initiative given that has confirmed delivery links with work under them."""
    owners = initiative_containers(initiative_ids)
    by_container = {
        r["parent_id"]: r
        for r in WorkItem.objects.filter(parent_id__in=[c for cs in owners.values() for c in cs])
        .exclude(state=State.CANCELLED)
        .values("parent_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(state=State.DONE)),
            all_points=Coalesce(Sum("points"), 0.0),
            done_points=Coalesce(Sum("points", filter=Q(state=State.DONE)), 0.0),
        )
    }
    progress: dict[int, Progress] = {}
    for initiative_id, container_ids in owners.items():
        rows = [by_container[c] for c in container_ids if c in by_container]
        if rows:
            progress[initiative_id] = Progress(
                sum(r["done"] for r in rows),
                sum(r["total"] for r in rows),
                float(sum(r["done_points"] for r in rows)),
                float(sum(r["all_points"] for r in rows)),
            )
    return progress


def container_progress(container: WorkItem) -> Progress:
    agg = container.children.exclude(state=State.CANCELLED).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(state=State.DONE)),
        all_points=Coalesce(Sum("points"), 0.0),
        done_points=Coalesce(Sum("points", filter=Q(state=State.DONE)), 0.0),
    )
    if agg["total"] == 0 and container.state == State.DONE:
        return Progress(1, 1, 0.0, 0.0)
    return Progress(agg["done"], agg["total"], float(agg["done_points"]), float(agg["all_points"]))


def links_for(initiative_id: int) -> list[InitiativeLink]:
    return list(
        InitiativeLink.objects.filter(initiative_id=initiative_id)
        .exclude(status=InitiativeLink.Status.REJECTED)
        .select_related("container__connection", "decided_by")
        .order_by("-status", "-score")[:20]
    )


def suggestions(limit: int = 50) -> QuerySet[InitiativeLink]:
    return (
        InitiativeLink.objects.filter(status=InitiativeLink.Status.SUGGESTED)
        .select_related("initiative", "container__connection")
        .order_by("-score", "id")[:limit]
    )


# ---------------------------------------------------------------------------------------------------
# Throughput and time


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_throughput(
    team_ids: Iterable[int], *, weeks: int = HISTORY_WEEKS, until: date
) -> dict[int, list[float]]:
    """Items each team finished per week, for the `weeks` full weeks before the week of `until`
    (oldest first; weeks with nothing finished count as zero)."""
    last = week_start(until)
    first = last - timedelta(weeks=weeks)
    counts: dict[int, list[float]] = {tid: [0.0] * weeks for tid in team_ids}
    done = WorkItem.objects.filter(
        team_id__in=list(counts),
        state=State.DONE,
        done_at__gte=_start_of_day(first),
        done_at__lt=_start_of_day(last),
    ).exclude(kind__in=WorkItem.CONTAINERS)
    for team_id, done_at in done.values_list("team_id", "done_at").iterator():
        index = (timezone.localtime(done_at).date() - first).days // 7
        if 0 <= index < weeks:
            counts[team_id][index] += 1
    return counts


def time_split(start: date, end: date) -> dict[int, dict[int | None, float]]:
    """Where each team's time went between two days, from the work it finished: {team: {initiative
    (None for work linked to none): points (or 1 per item without points)}}."""
    rows = (
        WorkItem.objects.filter(
            team__isnull=False,
            state=State.DONE,
            done_at__gte=_start_of_day(start),
            done_at__lt=_start_of_day(end),
        )
        .exclude(kind__in=WorkItem.CONTAINERS)
        .values_list("team_id", "points", "parent_id")
    )
    parent_to_initiative = dict(
        InitiativeLink.objects.filter(status=InitiativeLink.Status.CONFIRMED).values_list(
            "container_id", "initiative_id"
        )
    )
    split: dict[int, dict[int | None, float]] = defaultdict(lambda: defaultdict(float))
    for team_id, points, parent_id in rows.iterator():
        initiative = parent_to_initiative.get(parent_id) if parent_id else None
        split[team_id][initiative] += float(points) if points else 1.0
    return {team: dict(parts) for team, parts in split.items()}


def done_history(initiative_id: int, *, weeks: int, until: date) -> list[tuple[date, float]]:
    """Cumulative linked items of an initiative done by the end of each of the last `weeks` weeks."""
    containers = initiative_containers([initiative_id]).get(initiative_id, [])
    last = week_start(until)
    first = last - timedelta(weeks=weeks)
    items = WorkItem.objects.filter(parent_id__in=containers, state=State.DONE, done_at__isnull=False)
    before = items.filter(done_at__lt=_start_of_day(first)).count()
    per_week = [0.0] * weeks
    for done_at in items.filter(
        done_at__gte=_start_of_day(first), done_at__lt=_start_of_day(last)
    ).values_list("done_at", flat=True):
        index = (timezone.localtime(done_at).date() - first).days // 7
        if 0 <= index < weeks:
            per_week[index] += 1
    series, total = [], float(before)
    for i, n in enumerate(per_week):
        total += n
        series.append((first + timedelta(weeks=i + 1), total))
    return series


# ---------------------------------------------------------------------------------------------------
# Forecasts


def latest_forecast() -> DeliveryForecast | None:
    return DeliveryForecast.objects.select_related("roadmap").order_by("-created_at", "-id").first()


def forecast_lines(forecast: DeliveryForecast) -> QuerySet[ForecastLine]:
    return forecast.lines.select_related("team", "initiative").order_by("team__name", "position")


def forecast_flags(initiative_ids: Iterable[int] | None = None) -> dict[int, ForecastLine]:
    """Initiatives whose P85 date passes their committed date in the latest forecast, by id. The
    roadmap and the strategy dashboard show these as "at risk" flags."""
    forecast = latest_forecast()
    if forecast is None:
        return {}
    lines = forecast.lines.filter(late=True, initiative__isnull=False)
    if initiative_ids is not None:
        lines = lines.filter(initiative_id__in=list(initiative_ids))
    return {line.initiative_id: line for line in lines if line.initiative_id is not None}


@dataclass(frozen=True)
class ForecastSummary:
    """What a board pack or the home cockpit says about delivery: when the roadmap lands and which
    initiatives will probably miss their dates (latest forecast; empty when none was run)."""

    forecast: DeliveryForecast | None
    at_risk: list[ForecastLine]
    at_risk_total: int
    forecast_total: int

    @property
    def on_track_share(self) -> float | None:
        if not self.forecast_total:
            return None
        return 1 - self.at_risk_total / self.forecast_total


def forecast_summary(
    *, limit: int = 10, line_ids: Iterable[int] | None = None, as_of: date | None = None
) -> ForecastSummary:
    """For the board pack (`reports`) and the home cockpit: the latest forecast's roadmap dates and
    its at-risk initiatives, least likely to make it first (optionally only some product lines; with
    `as_of`, the latest forecast run by that day, so a pack shows what was known at its cut-off).
    Two queries: the forecast with its counts, then the at-risk lines when there are any."""
    scope = Q() if line_ids is None else Q(lines__team__line_id__in=list(line_ids))
    runs = DeliveryForecast.objects.all()
    if as_of is not None:
        runs = runs.filter(created_at__date__lte=as_of)
    forecast = (
        runs.select_related("roadmap")
        .annotate(
            line_total=Count("lines", filter=scope),
            late_total=Count("lines", filter=scope & Q(lines__late=True)),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if forecast is None:
        return ForecastSummary(None, [], 0, 0)
    late_total, line_total = forecast.late_total, forecast.line_total
    at_risk: list[ForecastLine] = []
    if late_total:
        lines = forecast.lines.filter(late=True).select_related("team", "initiative")
        if line_ids is not None:
            lines = lines.filter(team__line_id__in=list(line_ids))
        at_risk = list(lines.order_by("on_time", "p85")[:limit])
    return ForecastSummary(
        forecast=forecast, at_risk=at_risk, at_risk_total=late_total, forecast_total=line_total
    )
