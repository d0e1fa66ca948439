"""Reads of the roadmap area: grids, scenario pages, and the views of a plan (timeline, heatmap,
now/next/later board, comparison). Each view is built from a bounded number of queries, whatever the
size of the portfolio: rows are loaded once with `values_list`, then grouped in Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from northstar.org.models import ProductLine, Team
from northstar.planning import problem as translate
from northstar.planning.models import (
    Assumption,
    BudgetEnvelope,
    Capacity,
    PlanAssignment,
    PlanRun,
    Roadmap,
    Scenario,
)
from northstar.portfolio.models import Dependency, Initiative, Stage
from northstar.strategy.models import Alignment, PlanningPeriod

# ---------------------------------------------------------------------------------------------------
# Grids


def periods_upcoming(limit: int = 8) -> list[PlanningPeriod]:
    """Quarters from the one before today on (the planning horizon people edit)."""
    today = timezone.localdate()
    current = PlanningPeriod.objects.filter(end__gte=today, kind="quarter").order_by("start").first()
    qs = PlanningPeriod.objects.filter(kind="quarter").order_by("start")
    if current is not None:
        before = qs.filter(start__lt=current.start).last()
        qs = qs.filter(start__gte=(before or current).start)
    return list(qs[:limit])


@dataclass
class CapacityRow:
    team: Team
    skill: str
    skill_id: int
    cells: list[tuple[PlanningPeriod, Capacity | None]]


def capacity_grid(periods: list[PlanningPeriod]) -> list[CapacityRow]:
    teams = list(
        Team.objects.select_related("line").prefetch_related("skills").order_by("line__name", "name")
    )
    cells = {(c.team_id, c.skill_id, c.period_id): c for c in Capacity.objects.filter(period__in=periods)}
    rows = []
    for team in teams:
        for skill in team.skills.all():
            rows.append(
                CapacityRow(
                    team, skill.name, skill.pk, [(p, cells.get((team.pk, skill.pk, p.pk))) for p in periods]
                )
            )
    return rows


def budget_grid(
    periods: list[PlanningPeriod],
) -> list[tuple[ProductLine, list[tuple[PlanningPeriod, BudgetEnvelope | None]]]]:
    envelopes = {(b.line_id, b.period_id): b for b in BudgetEnvelope.objects.filter(period__in=periods)}
    return [
        (line, [(p, envelopes.get((line.pk, p.pk))) for p in periods])
        for line in ProductLine.objects.order_by("name")
    ]


# ---------------------------------------------------------------------------------------------------
# Scenarios and runs


def scenario_list() -> list[Scenario]:
    scenarios = list(Scenario.objects.select_related("first_period", "last_period", "line", "base"))
    latest: dict[int, PlanRun] = {}
    done = PlanRun.objects.filter(status=PlanRun.Status.DONE).defer("exclusions", "binding", "diagnosis")
    for run in done.order_by("scenario_id", "-finished_at", "-id"):
        latest.setdefault(run.scenario_id, run)
    for s in scenarios:
        s.latest = latest.get(s.pk)
    return scenarios


def run_list(*, scenario_id: int | None = None) -> QuerySet[PlanRun]:
    """Runs newest first, without their bulky proof fields (a list shows headlines)."""
    runs = PlanRun.objects.defer("exclusions", "binding", "diagnosis", "violations", "removed")
    if scenario_id is not None:
        runs = runs.filter(scenario_id=scenario_id)
    return runs.order_by("-created_at", "-id")


def scenario_assumptions(scenario: Scenario) -> list[Assumption]:
    return list(
        scenario.assumptions.select_related(
            "initiative", "period", "team", "skill", "objective__period", "tag"
        )
    )


def scenario_runs(scenario: Scenario, limit: int = 12) -> list[PlanRun]:
    return list(scenario.runs.select_related("job", "created_by").order_by("-created_at", "-id")[:limit])


def latest_plan(scenario: Scenario) -> PlanRun | None:
    return scenario.runs.filter(status=PlanRun.Status.DONE).order_by("-finished_at", "-id").first()


def current_plan() -> PlanRun | None:
    """The latest plan of the plan of record (the primary scenario)."""
    primary = Scenario.objects.filter(is_primary=True).first()
    return latest_plan(primary) if primary else None


def latest_roadmap() -> Roadmap | None:
    return Roadmap.objects.select_related("published_by", "previous").order_by("-published_on", "-id").first()


def candidate_choices(scenario: Scenario, limit: int = 400) -> list[Initiative]:
    qs = Initiative.objects.filter(stage__in=scenario.stages, product__isnull=False).select_related("product")
    if scenario.line_id:
        qs = qs.filter(product__line_id=scenario.line_id)
    return list(qs.order_by("title")[:limit])


# ---------------------------------------------------------------------------------------------------
# The views of a plan

PALETTE = [
    "#3559e0",
    "#0f9d76",
    "#d9822b",
    "#8e44ad",
    "#c0392b",
    "#16a2b8",
    "#6b8e23",
    "#b5651d",
    "#e83e8c",
    "#2f4f4f",
]
STAGE_COLOURS = {
    Stage.DISCOVERY.value: "#8e44ad",
    Stage.PLANNED.value: "#3559e0",
    Stage.IN_DELIVERY.value: "#0f9d76",
    Stage.LAUNCHED.value: "#6b8e23",
    Stage.MEASURED.value: "#2f4f4f",
}
NO_OBJECTIVE = "#9aa3b2"


@dataclass
class Entry:
    """One initiative on a roadmap view, whether from a draft plan or a published roadmap."""

    initiative_id: int | None
    title: str
    line: str
    team: str
    stage: str
    objective: str
    start: int  # index into the view's periods
    end: int
    pinned: bool = False


@dataclass
class Bar:
    entry: Entry
    x: float
    y: float
    w: float
    colour: str
    text: str


@dataclass
class Lane:
    name: str
    y: float
    height: float
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Timeline:
    periods: list[str]
    lanes: list[Lane]
    arrows: list[tuple[float, float, float, float]]
    legend: list[tuple[str, str]]
    width: float
    height: float
    label_width: float
    column: float
    today_x: float | None = None

    @property
    def count(self) -> int:
        return sum(len(lane.bars) for lane in self.lanes)


ROW, LANE_GAP, HEAD = 24.0, 10.0, 28.0


def _objectives(ids: Iterable[int]) -> dict[int, str]:
    best: dict[int, tuple[float, str]] = {}
    for initiative_id, title, weight in Alignment.objects.filter(initiative_id__in=list(ids)).values_list(
        "initiative_id", "objective__title", "weight"
    ):
        if initiative_id not in best or float(weight) > best[initiative_id][0]:
            best[initiative_id] = (float(weight), title)
    return {k: v[1] for k, v in best.items()}


def plan_entries(
    run: PlanRun, periods: list[PlanningPeriod], *, line_id: int | None = None, lane: str = "line"
) -> list[Entry]:
    """A plan's assignments as view entries (one query for the rows, one for their objectives)."""
    index = {p.pk: k for k, p in enumerate(periods)}
    qs = PlanAssignment.objects.filter(run=run)
    if line_id:
        qs = qs.filter(line_id=line_id)
    rows = list(
        qs.values_list(
            "initiative_id",
            "initiative__title",
            "line__name",
            "team__name",
            "initiative__stage",
            "start_id",
            "end_id",
            "pinned",
        )
    )
    objectives = _objectives(r[0] for r in rows)
    return [
        Entry(i, title, line or "", team or "", stage, objectives.get(i, ""), index[s], index[e], pinned)
        for i, title, line, team, stage, s, e, pinned in rows
        if s in index and e in index
    ]


def roadmap_entries(
    roadmap: Roadmap, periods: list[PlanningPeriod], *, line_id: int | None = None
) -> list[Entry]:
    index = {p.pk: k for k, p in enumerate(periods)}
    qs = roadmap.entries.all()
    if line_id:
        qs = qs.filter(line_id=line_id)
    return [
        Entry(i, title, line, team, stage, objective, index[s], index[e])
        for i, title, line, team, stage, objective, s, e in qs.values_list(
            "initiative_id", "title", "line_name", "team_name", "stage", "objective", "start_id", "end_id"
        )
        if s in index and e in index
    ]


def roadmap_periods(roadmap: Roadmap) -> list[PlanningPeriod]:
    ids = set(roadmap.entries.values_list("start_id", flat=True)) | set(
        roadmap.entries.values_list("end_id", flat=True)
    )
    if not ids:
        return []
    spans = PlanningPeriod.objects.filter(pk__in=ids).order_by("start")
    first, last = spans.first(), spans.last()
    if first is None or last is None:
        return []
    return list(
        PlanningPeriod.objects.filter(
            kind=first.kind, start__gte=first.start, start__lte=last.start
        ).order_by("start")
    )


def timeline(
    entries: list[Entry],
    periods: list[PlanningPeriod],
    *,
    lane: str = "line",
    colour: str = "objective",
    arrows: bool = True,
) -> Timeline:
    """Lay bars out in swimlanes (per line or team), packing bars that do not overlap onto one row."""
    names = [p.name for p in periods]
    label_w = 170.0
    column = max(130.0, min(240.0, 900.0 / max(1, len(names))))
    by_lane: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_lane[(e.team if lane == "team" else e.line) or "Unassigned"].append(e)
    if colour == "stage":
        colours = dict(STAGE_COLOURS)
        legend = [(Stage(s).label, c) for s, c in STAGE_COLOURS.items() if any(e.stage == s for e in entries)]
        pick = lambda e: colours.get(e.stage, NO_OBJECTIVE)  # noqa: E731
    else:
        counts: dict[str, int] = defaultdict(int)
        for e in entries:
            if e.objective:
                counts[e.objective] += 1
        top = sorted(counts, key=lambda o: (-counts[o], o))[: len(PALETTE)]
        colours = {o: PALETTE[k] for k, o in enumerate(top)}
        legend = [(o, colours[o]) for o in top] + [("Other or no objective", NO_OBJECTIVE)]
        pick = lambda e: colours.get(e.objective, NO_OBJECTIVE)  # noqa: E731
    lanes: list[Lane] = []
    where: dict[int, Bar] = {}
    y = HEAD
    for name in sorted(by_lane):
        rows_end: list[int] = []
        placed: list[tuple[int, Entry]] = []
        for e in sorted(by_lane[name], key=lambda e: (e.start, e.end, e.title)):
            for r, last in enumerate(rows_end):
                if last < e.start:
                    rows_end[r] = e.end
                    placed.append((r, e))
                    break
            else:
                rows_end.append(e.end)
                placed.append((len(rows_end) - 1, e))
        height = max(1, len(rows_end)) * ROW + 8
        current = Lane(name, y, height)
        for r, e in placed:
            x = label_w + e.start * column + 3
            w = (e.end - e.start + 1) * column - 6
            chars = max(3, int(w / 6.6))
            text = e.title if len(e.title) <= chars else e.title[: chars - 1] + "…"
            bar = Bar(e, x, y + 4 + r * ROW, w, pick(e), text)
            current.bars.append(bar)
            if e.initiative_id is not None:
                where[e.initiative_id] = bar
        lanes.append(current)
        y += height + LANE_GAP
    links: list[tuple[float, float, float, float]] = []
    if arrows and where:
        for after, before in Dependency.objects.filter(
            initiative_id__in=list(where), requires_id__in=list(where)
        ).values_list("initiative_id", "requires_id"):
            a, b = where[before], where[after]
            links.append((a.x + a.w, a.y + (ROW - 4) / 2, b.x, b.y + (ROW - 4) / 2))
    today = timezone.localdate()
    today_x = None
    for k, p in enumerate(periods):
        if p.start <= today <= p.end:
            span = (p.end - p.start).days + 1
            today_x = label_w + k * column + column * (today - p.start).days / span
    return Timeline(
        names, lanes, links, legend, label_w + column * len(names) + 2, y + 4, label_w, column, today_x
    )


@dataclass
class HeatCell:
    period: str
    used: float
    available: float
    skills: list[tuple[str, float, float]]

    @property
    def share(self) -> float | None:
        if self.available <= 0:
            return None if self.used <= 0 else float("inf")
        return self.used / self.available

    @property
    def percent(self) -> str:
        s = self.share
        if s is None:
            return "–"
        return "no capacity" if s == float("inf") else f"{s:.0%}"

    @property
    def level(self) -> str:
        s = self.share
        if s is None:
            return "none"
        if s > 1.0 + 1e-6 or any(u > a + 1e-6 for _n, u, a in self.skills):
            return "over"
        if s >= 0.85:
            return "high"
        if s >= 0.5:
            return "mid"
        return "low"


def heatmap(run: PlanRun, periods: list[PlanningPeriod]) -> list[tuple[Team, list[HeatCell]]]:
    """Utilisation per team and period under the run's scenario; a cell is red when any skill is over."""
    scenario = run.scenario
    teams = translate.scope_teams(scenario)
    capacity = translate.capacity_map(scenario, periods, teams)
    order = {p.pk: k for k, p in enumerate(periods)}
    used: dict[tuple[int, str, str], float] = defaultdict(float)
    for team_id, start, end, effort in PlanAssignment.objects.filter(run=run, team__isnull=False).values_list(
        "team_id", "start_id", "end_id", "effort"
    ):
        if start not in order or end not in order:
            continue
        span = order[end] - order[start] + 1
        for k in range(order[start], order[end] + 1):
            for skill, weeks in (effort or {}).items():
                used[(team_id, skill, periods[k].name)] += float(weeks) / span
    out = []
    for team in teams.values():
        skills = sorted(
            {s for (t, s, _p) in capacity if t == team.pk} | {s for (t, s, _p) in used if t == team.pk}
        )
        if not skills:
            continue
        cells = []
        for p in periods:
            detail = [
                (s, used.get((team.pk, s, p.name), 0.0), capacity.get((team.pk, s, p.name), 0.0))
                for s in skills
            ]
            cells.append(HeatCell(p.name, sum(d[1] for d in detail), sum(d[2] for d in detail), detail))
        out.append((team, cells))
    return out


def board(
    entries: list[Entry], periods: list[PlanningPeriod], today: date | None = None
) -> dict[str, list[Entry]]:
    """Now (running in the current period), Next (starting in the one after), Later (after that)."""
    today = today or timezone.localdate()
    now = next((k for k, p in enumerate(periods) if p.start <= today <= p.end), None)
    if now is None:
        now = 0 if periods and today < periods[0].start else len(periods)
    columns: dict[str, list[Entry]] = {"Now": [], "Next": [], "Later": []}
    for e in sorted(entries, key=lambda e: (e.start, e.line, e.title)):
        if e.end < now:
            continue
        if e.start <= now:
            columns["Now"].append(e)
        elif e.start == now + 1:
            columns["Next"].append(e)
        else:
            columns["Later"].append(e)
    return columns


# ---------------------------------------------------------------------------------------------------
# Comparing scenarios


@dataclass
class Compared:
    run: PlanRun
    items: dict[int, tuple[str, int, str]]  # initiative -> (title, end order, span label)
    effort: float
    by_line: dict[str, float]
    by_tag: dict[str, float]
    by_objective: dict[str, float]


def compare(runs: list[PlanRun]) -> dict:
    """Value, objective coverage, effort by line and by category (tag), and what moves in, out,
    earlier or later in each plan against the first one."""
    data: list[Compared] = []
    all_ids: set[int] = set()
    loaded = []
    for run in runs:
        rows = list(
            PlanAssignment.objects.filter(run=run).values_list(
                "initiative_id",
                "initiative__title",
                "line__name",
                "end__start",
                "start__name",
                "end__name",
                "effort",
            )
        )
        loaded.append(rows)
        all_ids |= {r[0] for r in rows}
    tags: dict[int, list[str]] = defaultdict(list)
    for i, name in Initiative.tags.through.objects.filter(initiative_id__in=all_ids).values_list(
        "initiative_id", "tag__name"
    ):
        tags[i].append(name)
    aligned: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for i, title, weight in Alignment.objects.filter(initiative_id__in=all_ids).values_list(
        "initiative_id", "objective__title", "weight"
    ):
        aligned[i].append((title, float(weight)))
    for run, rows in zip(runs, loaded, strict=True):
        by_line: dict[str, float] = defaultdict(float)
        by_tag: dict[str, float] = defaultdict(float)
        by_objective: dict[str, float] = defaultdict(float)
        items = {}
        total = 0.0
        for i, title, line, end_start, s, e, effort in rows:
            weeks = float(sum((effort or {}).values()))
            total += weeks
            by_line[line or "—"] += weeks
            for t in tags.get(i, []):
                by_tag[t] += weeks / len(tags[i])
            links = aligned.get(i, [])
            weight_sum = sum(w for _t, w in links)
            for title_o, w in links:
                by_objective[title_o] += weeks * w / weight_sum
            items[i] = (title, end_start.toordinal(), s if s == e else f"{s} → {e}")
        data.append(Compared(run, items, total, dict(by_line), dict(by_tag), dict(by_objective)))
    lines = sorted({k for d in data for k in d.by_line})
    tag_names = sorted({k for d in data for k in d.by_tag})
    objectives = sorted(
        {k for d in data for k in d.by_objective}, key=lambda o: -max(d.by_objective.get(o, 0) for d in data)
    )[:12]

    def share(d: Compared, value: float) -> float:
        return value / d.effort if d.effort else 0.0

    moves = []
    base = data[0] if data else None
    for d in data[1:]:
        assert base is not None
        added = sorted((d.items[i][0], d.items[i][2]) for i in d.items.keys() - base.items.keys())
        removed = sorted((base.items[i][0], base.items[i][2]) for i in base.items.keys() - d.items.keys())
        earlier, later = [], []
        for i in d.items.keys() & base.items.keys():
            b, a = base.items[i], d.items[i]
            if a[1] < b[1]:
                earlier.append((a[0], b[2], a[2]))
            elif a[1] > b[1]:
                later.append((a[0], b[2], a[2]))
        moves.append(
            {
                "run": d.run,
                "added": added,
                "removed": removed,
                "earlier": sorted(earlier),
                "later": sorted(later),
            }
        )
    return {
        "columns": data,
        "lines": [
            (name, [(d.by_line.get(name, 0.0), share(d, d.by_line.get(name, 0.0))) for d in data])
            for name in lines
        ],
        "tags": [
            (name, [(d.by_tag.get(name, 0.0), share(d, d.by_tag.get(name, 0.0))) for d in data])
            for name in tag_names
        ],
        "objectives": [
            (name, [(d.by_objective.get(name, 0.0), share(d, d.by_objective.get(name, 0.0))) for d in data])
            for name in objectives
        ],
        "moves": moves,
    }


def runs_for_compare(ids: list[int]) -> list[PlanRun]:
    runs = {
        r.pk: r
        for r in PlanRun.objects.filter(pk__in=ids, status=PlanRun.Status.DONE).select_related("scenario")
    }
    return [runs[i] for i in ids if i in runs]


#: Published roadmaps whose plans the compare picker offers besides each scenario's latest plan.
PUBLISHED_CHOICES = 5


def comparable_runs() -> list[PlanRun]:
    """The compare picker: the plans of the latest published roadmaps (each marked with its roadmap's
    title), then the latest finished plan of every scenario not already among them."""
    out: list[PlanRun] = []
    seen: set[int] = set()
    published = Roadmap.objects.filter(run__isnull=False).order_by("-published_on", "-id")[:PUBLISHED_CHOICES]
    for roadmap in published.select_related("run__scenario"):
        run = roadmap.run
        if run is None or run.pk in seen:
            continue
        run.published_as = roadmap.title  # type: ignore[attr-defined]
        out.append(run)
        seen.add(run.pk)
    for scenario in scenario_list():
        latest = scenario.latest  # type: ignore[attr-defined]
        if latest is not None and latest.pk not in seen:
            latest.scenario = scenario
            out.append(latest)
            seen.add(latest.pk)
    return out
