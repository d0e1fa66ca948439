"""Reads of the strategy: objectives with computed progress, KPI series with their flags, the
north-star tree and the alignment of work. Each read costs a fixed number of queries."""

from __future__ import annotations

import difflib
import functools
import itertools
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString

from northstar.engines.metrics.detect import Analysis, DetectorSettings, Flag, analyse
from northstar.engines.metrics.progress import (
    ObjectiveNode,
    Weighted,
    metric_progress,
    milestone_progress,
    objective_progress,
)
from northstar.engines.metrics.trend import Trend, trend
from northstar.portfolio import selectors as portfolio_selectors
from northstar.portfolio.models import Initiative, Stage
from northstar.strategy.models import (
    Alignment,
    CheckIn,
    KeyResult,
    Metric,
    MetricValue,
    Objective,
    PlanningPeriod,
    VisionVersion,
)

# ---------------------------------------------------------------------------------------------------
# Periods and the vision


def period_list() -> QuerySet[PlanningPeriod]:
    return PlanningPeriod.objects.order_by("start")


def period_choose(periods: list[PlanningPeriod], wanted: str | int | None, today: date | None = None):
    """The period asked for (by id or name), else the one containing today, else the latest started."""
    today = today or timezone.localdate()
    for period in periods:
        if wanted not in (None, "") and str(wanted) in (str(period.pk), period.name):
            return period
    for period in periods:
        if period.start <= today <= period.end:
            return period
    started = [p for p in periods if p.start <= today]
    return started[-1] if started else (periods[0] if periods else None)


def vision_current() -> VisionVersion | None:
    return VisionVersion.objects.select_related("author").order_by("-number").first()


def vision_versions() -> QuerySet[VisionVersion]:
    return VisionVersion.objects.select_related("author").order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed", "skip"
    text: str


def vision_diff(old: VisionVersion, new: VisionVersion) -> list[DiffLine]:
    """Line diff of two versions (title first), with unchanged stretches folded to a few lines."""
    before = [f"# {old.title}", "", *old.body.splitlines()]
    after = [f"# {new.title}", "", *new.body.splitlines()]
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_grouped_opcodes(3):
        if lines:
            lines.append(DiffLine("skip", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", t) for t in before[i1:i2]]
                continue
            lines += [DiffLine("removed", t) for t in before[i1:i2]]
            lines += [DiffLine("added", t) for t in after[j1:j2]]
    return lines


# ---------------------------------------------------------------------------------------------------
# Objectives and key results


def key_result_progress(kr: KeyResult) -> float:
    """Computed, never typed: see northstar.engines.metrics.progress."""
    if kr.kind == KeyResult.Kind.MILESTONE:
        return milestone_progress(bool(kr.current))
    if kr.baseline is None or kr.target is None:
        return 0.0
    return metric_progress(baseline=kr.baseline, target=kr.target, current=kr.current, direction=kr.direction)


@dataclass
class ObjectiveRow:
    """An objective with its computed progress, its key results and its children, ready to show."""

    objective: Objective
    progress: float | None
    confidence: float | None  # mean of its key results' latest confidence (0-10)
    key_results: list[tuple[KeyResult, float]]
    children: list[ObjectiveRow] = field(default_factory=list)
    depth: int = 0


def objective_queryset(*, include_archived: bool = False) -> QuerySet[Objective]:
    """Objectives with what their rows show; archived ones only when asked (a detail page, the archive)."""
    base = Objective.all_objects if include_archived else Objective.objects
    return base.select_related("owner", "line", "team__line", "period", "parent").prefetch_related(
        "key_results__metric", "key_results__owner"
    )


def objective_rows(objectives: Iterable[Objective]) -> dict[int, ObjectiveRow]:
    """Progress for every objective given (children must be among them to count in the roll-up)."""
    objectives = list(objectives)
    krs = {o.pk: [(kr, key_result_progress(kr)) for kr in o.key_results.all()] for o in objectives}
    children: dict[int, list[Objective]] = defaultdict(list)
    for o in objectives:
        if o.parent_id:
            children[o.parent_id].append(o)
    nodes = {
        o.pk: ObjectiveNode(
            id=o.pk,
            key_results=tuple(Weighted(p, float(kr.weight)) for kr, p in krs[o.pk]),
            children=tuple((c.pk, float(c.weight)) for c in children[o.pk]),
        )
        for o in objectives
    }
    progress = objective_progress(nodes)
    rows = {}
    for o in objectives:
        confidences = [kr.confidence for kr, _ in krs[o.pk] if kr.confidence is not None]
        rows[o.pk] = ObjectiveRow(
            objective=o,
            progress=progress[o.pk],
            confidence=sum(confidences) / len(confidences) if confidences else None,
            key_results=krs[o.pk],
        )
    return rows


def objective_tree(period: PlanningPeriod | None) -> list[ObjectiveRow]:
    """The period's objectives as a cascade: company, then lines, then teams, each under its parent."""
    if period is None:
        return []
    rows = objective_rows(objective_queryset().filter(period=period).order_by("id"))
    roots: list[ObjectiveRow] = []
    for row in rows.values():
        parent = rows.get(row.objective.parent_id) if row.objective.parent_id else None
        (parent.children if parent else roots).append(row)
    rank = {"company": 0, "line": 1, "team": 2}

    def place(items: list[ObjectiveRow], depth: int) -> None:
        items.sort(key=lambda r: (rank[r.objective.level], _scope_name(r.objective), r.objective.pk))
        for item in items:
            item.depth = depth
            place(item.children, depth + 1)

    place(roots, 0)
    return roots


def _scope_name(objective: Objective) -> str:
    if objective.team:
        return objective.team.name
    if objective.line:
        return objective.line.name
    return ""


def flatten(rows: list[ObjectiveRow]) -> list[ObjectiveRow]:
    out: list[ObjectiveRow] = []
    for row in rows:
        out.append(row)
        out.extend(flatten(row.children))
    return out


def objective_detail(objective: Objective) -> ObjectiveRow:
    """One objective with its whole subtree, so its progress includes its children's."""
    same_period = list(objective_queryset().filter(period_id=objective.period_id))
    if objective.is_archived:  # an archived objective's page still shows it, with its live subtree
        same_period.append(objective)
    rows = objective_rows(same_period)
    for row in rows.values():
        if row.objective.parent_id in rows:
            rows[row.objective.parent_id].children.append(row)
    return rows[objective.pk]


def check_in_history(key_result: KeyResult) -> list[CheckIn]:
    return list(key_result.check_ins.select_related("author").order_by("created_at", "id"))


# ---------------------------------------------------------------------------------------------------
# KPIs

SERIES_WEEKS = 104  # two years of weekly points: enough for the seasonal baseline
#: A KPI flag must also matter in practice: at least 3% off what was expected.
MIN_RELATIVE_CHANGE = 0.03


def metric_series(
    metrics: Iterable[Metric], *, since: date | None = None, until: date | None = None
) -> dict[int, list[tuple[date, float]]]:
    """Per metric, one value per date (dimensions combined by its aggregation), oldest first. One query.

    `until` leaves out later values, so a report with a cut-off date shows the series as it stood then.
    """
    metrics = list(metrics)
    by_id = {m.pk: m for m in metrics}
    qs = MetricValue.objects.filter(metric_id__in=by_id)
    if since is not None:
        qs = qs.filter(date__gte=since)
    if until is not None:
        qs = qs.filter(date__lte=until)
    rows = (
        qs.values("metric_id", "date")
        .annotate(total=Sum("value"), mean=Avg("value"))
        .order_by("metric_id", "date")
        .values_list("metric_id", "date", "total", "mean")  # tuples: a dashboard reads thousands
    )
    averaged = {pk for pk, m in by_id.items() if m.aggregation == Metric.Aggregation.AVERAGE}
    series: dict[int, list[tuple[date, float]]] = {pk: [] for pk in by_id}
    for metric_id, day, total, mean in rows:
        series[metric_id].append((day, float(mean if metric_id in averaged else total)))
    return series


def _season_for(points: list[tuple[date, float]]) -> int:
    """Points per year, from the typical spacing of the dates (weekly: 52, monthly: 12, daily: 365)."""
    if len(points) < 3:
        return 52
    gaps = sorted((b[0] - a[0]).days for a, b in itertools.pairwise(points))
    step = max(1, gaps[len(gaps) // 2])
    return max(2, round(365.25 / step))


@dataclass
class KpiCard:
    """A KPI with what a card, a chart row or a tree node shows."""

    metric: Metric
    points: list[tuple[date, float]]
    analysis: Analysis
    trend: Trend | None
    #: The card's inline chart, drawn by the page that shows it.
    sparkline: SafeString | None = None

    @property
    def latest(self) -> tuple[date, float] | None:
        return self.points[-1] if self.points else None

    @property
    def flags(self) -> list[tuple[date, Flag]]:
        return [(self.points[f.index][0], f) for f in self.analysis.flags]

    @property
    def trend_is_good(self) -> bool | None:
        if self.trend is None or self.trend.direction == "flat":
            return None
        return (self.trend.direction == "up") == (self.metric.direction == "up")

    @property
    def gap_to_target(self) -> float | None:
        if self.metric.target is None or not self.points:
            return None
        return self.metric.target - self.points[-1][1]


@functools.lru_cache(maxsize=2048)
def series_analysis(values: tuple[float, ...], season: int) -> tuple[Analysis, Trend | None]:
    """The detectors' and the trend's verdict on one series, remembered by the series itself.

    The engines are pure and their results immutable, so the values are the whole key: a new or
    changed value is a new key, and nothing can go stale. The dashboard, the KPI list and the API
    then re-run the detectors only for series that changed since they were last shown.
    """
    return (
        analyse(values, DetectorSettings(season=season, min_relative=MIN_RELATIVE_CHANGE)),
        trend(values, season=season, fallback_lag=max(2, season // 4)),
    )


def kpi_cards(
    metrics: Iterable[Metric],
    *,
    today: date | None = None,
    weeks: int = SERIES_WEEKS,
    until: date | None = None,
) -> list[KpiCard]:
    """Series of the last `weeks` weeks, their spike and level-shift flags, and their trend.

    With `until`, only values up to that day count (a report's cut-off).
    """
    metrics = list(metrics)
    today = today or timezone.localdate()
    # Anchor the window on the newest data rather than today, so an old import still shows.
    stored = MetricValue.objects.filter(metric__in=metrics)
    if until is not None:
        stored = stored.filter(date__lte=until)
    newest = stored.order_by("-date").values_list("date", flat=True).first()
    since = (newest or today) - timedelta(weeks=weeks)
    series = metric_series(metrics, since=since, until=until)
    cards = []
    for metric in metrics:
        points = series[metric.pk]
        analysis, found_trend = series_analysis(tuple(v for _, v in points), _season_for(points))
        cards.append(KpiCard(metric=metric, points=points, analysis=analysis, trend=found_trend))
    return cards


def metric_list() -> QuerySet[Metric]:
    return Metric.objects.select_related("line", "drives").annotate(key_result_count=Count("key_results"))


@dataclass(frozen=True)
class AnomalyRow:
    metric: Metric
    date: date
    flag: Flag

    @property
    def is_good(self) -> bool:
        """Whether the change went the metric's good way (churn up is bad news, signups up good)."""
        return (self.flag.change > 0) == (self.metric.direction == "up")


def anomalies(cards: Iterable[KpiCard], *, limit: int = 12) -> list[AnomalyRow]:
    """Flagged points across KPIs, newest first."""
    rows = [AnomalyRow(card.metric, when, flag) for card in cards for when, flag in card.flags]
    rows.sort(key=lambda r: (r.date, abs(r.flag.relative or 0)), reverse=True)
    return rows[:limit]


@dataclass
class TreeNode:
    card: KpiCard
    children: list[TreeNode] = field(default_factory=list)


def north_star_tree(cards: Iterable[KpiCard]) -> list[TreeNode]:
    """The north-star metric with the input metrics that drive it, level by level (roots first).

    Metrics in no tree are left out; several roots appear when more than one metric tops a tree.
    """
    nodes = {card.metric.pk: TreeNode(card) for card in cards}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.card.metric.drives_id) if node.card.metric.drives_id else None
        if parent is not None:
            parent.children.append(node)
        elif node.card.metric.is_north_star or any(
            n.card.metric.drives_id == node.card.metric.pk for n in nodes.values()
        ):
            roots.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.card.metric.name)
    roots.sort(key=lambda n: (not n.card.metric.is_north_star, n.card.metric.name))
    return roots


# ---------------------------------------------------------------------------------------------------
# Alignment of work

#: Work in these stages is where effort goes now; ideas, launched, parked and killed work is not counted.
ACTIVE_STAGES = (Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY)


def initiative_effort(initiatives: Iterable[Initiative]) -> dict[int, float]:
    """Estimated effort per initiative (team-weeks): THE one place where effort is decided for alignment.

    Estimated or roughly sized work counts its team-weeks; work nobody has sized yet counts as the
    median of the sized work (one unit when nothing is sized), so it neither vanishes from the shares
    nor dominates them.
    """
    ids = [i.pk for i in initiatives]
    known = portfolio_selectors.effort_by_initiative(ids)
    fallback = statistics.median(known.values()) if known else 1.0
    return {pk: known.get(pk, fallback) for pk in ids}


@dataclass
class AlignedObjective:
    row: ObjectiveRow
    initiatives: list[tuple[Initiative, float]]  # (initiative, effort behind this objective)
    effort: float
    share: float  # of all active effort, 0-1
    effort_with_children: float = 0.0  # including work behind the objectives that serve it


@dataclass
class AlignmentOverview:
    objectives: list[AlignedObjective]
    unaligned: list[Initiative]
    unaligned_effort: float
    total_effort: float  # team-weeks
    active_count: int = 0

    @property
    def objectives_without_work(self) -> list[AlignedObjective]:
        """Objectives with no work behind them or behind any objective that serves them."""
        return [o for o in self.objectives if o.effort_with_children <= 0]

    @property
    def unaligned_share(self) -> float:
        return self.unaligned_effort / self.total_effort if self.total_effort else 0.0


def active_work() -> QuerySet[Initiative]:
    return Initiative.objects.filter(stage__in=ACTIVE_STAGES).select_related("product__line", "owner")


def alignment_overview(
    period: PlanningPeriod | None, *, rows: list[ObjectiveRow] | None = None
) -> AlignmentOverview:
    """Per objective of the period: the active initiatives behind it and their share of effort.

    An initiative without links of its own inherits its parent initiative's (a feature inside an
    aligned initiative is aligned work). Its effort is split over its links by their weights.
    `rows` is the period's flattened objective tree when the caller has already built it.
    """
    if rows is None:
        rows = flatten(objective_tree(period)) if period else []
    work = list(active_work().order_by("title", "id"))
    effort = initiative_effort(work)
    ids = {i.pk for i in work} | {i.parent_id for i in work if i.parent_id}
    links: dict[int, list[Alignment]] = defaultdict(list)
    if period is not None:
        for link in Alignment.objects.filter(initiative_id__in=ids, objective__period=period):
            links[link.initiative_id].append(link)
    behind: dict[int, list[tuple[Initiative, float]]] = defaultdict(list)
    unaligned = []
    for item in work:
        own = links.get(item.pk) or links.get(item.parent_id or -1) or []
        if not own:
            unaligned.append(item)
            continue
        total_weight = sum(float(link.weight) for link in own)
        per_objective: dict[int, float] = defaultdict(float)
        for link in own:
            per_objective[link.objective_id] += effort[item.pk] * float(link.weight) / total_weight
        for objective_id, amount in per_objective.items():
            behind[objective_id].append((item, amount))
    total = sum(effort.values())
    objectives = []

    def with_children(row: ObjectiveRow) -> float:
        own = sum(a for _, a in behind.get(row.objective.pk, []))
        return own + sum(with_children(child) for child in row.children)

    for row in rows:
        items = behind.get(row.objective.pk, [])
        amount = sum(a for _, a in items)
        objectives.append(
            AlignedObjective(row, items, amount, amount / total if total else 0.0, with_children(row))
        )
    return AlignmentOverview(
        objectives=objectives,
        unaligned=unaligned,
        unaligned_effort=sum(effort[i.pk] for i in unaligned),
        total_effort=total,
        active_count=len(work),
    )


def alignments_of(objective: Objective) -> QuerySet[Alignment]:
    return objective.alignments.select_related("initiative__product__line", "key_result").order_by(
        "initiative__title"
    )
