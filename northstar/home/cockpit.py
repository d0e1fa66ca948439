"""The leader's cockpit: what needs attention this morning, each row linking to its record.

One read per panel, each a fixed number of queries whatever the size of the organisation:
objectives at risk, new KPI anomalies, roadmap items slipping or blocked, new customer themes and
demand spikes, approvals waiting for me, and what changed since my last visit.

Role fit (`Outlook`): leaders and admins see everything; a product manager sees their product lines
(and work they own); a stakeholder sees the published picture: objectives, KPIs, the published
roadmap and the customer voice, without approvals or the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import CharField, Count, Max, Min, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from northstar.core.models import AuditEntry, User
from northstar.core.roles import Role
from northstar.feedback.models import FeedbackItem, Theme
from northstar.home.models import Visit
from northstar.org import access
from northstar.org.models import Person
from northstar.planning.models import ChangeKind, Roadmap, RoadmapChange
from northstar.portfolio.approvals import approvals_waiting_for
from northstar.portfolio.models import ApprovalRequest, Dependency, Initiative, Stage
from northstar.strategy import selectors as strategy
from northstar.strategy.models import CheckIn, KeyResult, Metric, Objective, PlanningPeriod

#: An objective is behind when its progress trails the share of its period gone by more than this.
BEHIND_MARGIN = 0.15
#: Mean key-result confidence (0-10) under which an objective counts as at risk.
LOW_CONFIDENCE = 5
#: A key result not checked in for this long is stale (KPI-bound ones update themselves).
STALE_DAYS = 14
#: A KPI flag is "new" when it falls within this many days of the KPI's newest value.
ANOMALY_DAYS = 28
#: A theme spikes when its last 30 days hold at least this many items...
SPIKE_MIN_ITEMS = 5
#: ...and at least this many times its monthly average of the 90 days before.
SPIKE_RATIO = 2.0
#: A theme is new when its first piece of feedback arrived within this many days...
NEW_THEME_DAYS = 30
#: ...and it holds at least this many items (a theme of one remark is not news).
NEW_THEME_MIN_ITEMS = 3
#: With no visit recorded yet, "since my last visit" means the last week.
FIRST_VISIT_DAYS = 7
#: Rows shown per panel (each panel also says how many there are in all).
PANEL_ROWS = 8

#: Audit record types with a page of their own, and the route that shows one.
RECORD_ROUTES = {
    "portfolio.initiative": "portfolio:detail",
    "strategy.objective": "strategy:objective_detail",
    "strategy.keyresult": "strategy:key_result_detail",
    "strategy.metric": "strategy:metric_detail",
    "feedback.theme": "feedback:theme_detail",
    "feedback.feedbackitem": "feedback:item_detail",
    "feedback.customer": "feedback:customer_detail",
    "org.person": "org:person_detail",
    "org.team": "org:team_detail",
    "org.productline": "org:line_detail",
}


def record_url(record_type: str, record_id: Any) -> str:
    """The page of an audited record, or "" when it has none (or its id is not a number)."""
    name = RECORD_ROUTES.get(record_type)
    if not name:
        return ""
    try:
        return reverse(name, args=[int(record_id)])
    except (NoReverseMatch, ValueError, TypeError):
        return ""


@dataclass(frozen=True)
class Outlook:
    """Whose picture the cockpit draws: everything, some product lines, or the published picture."""

    kind: str  # "everything" | "lines" | "published"
    line_ids: frozenset[int] = frozenset()
    person_id: int | None = None

    @property
    def label(self) -> str:
        return {
            "everything": "the whole organisation",
            "lines": "your product lines",
            "published": "the published picture",
        }[self.kind]


def outlook_for(user: User) -> Outlook:
    """Leaders and admins: everything; product managers: their lines; stakeholders: what is published."""
    if user.is_leading:
        return Outlook("everything")
    if user.role == Role.PRODUCT_MANAGER:
        person_id = Person.objects.filter(user=user).values_list("pk", flat=True).first()
        return Outlook("lines", frozenset(access.member_line_ids(user)), person_id)
    return Outlook("published")


def last_visit(user: User) -> datetime:
    """When this person last marked home as seen (a week ago if never)."""
    seen = Visit.objects.filter(user=user).values_list("seen_at", flat=True).first()
    return seen or timezone.now() - timedelta(days=FIRST_VISIT_DAYS)


# Objectives ---------------------------------------------------------------------------------------


@dataclass
class ObjectiveRisk:
    objective: Objective
    progress: float | None  # 0-1, like elapsed
    elapsed: float
    confidence: float | None
    stale: int
    reasons: list[str] = field(default_factory=list)


def _elapsed(period: PlanningPeriod, today: date) -> float:
    span = max((period.end - period.start).days, 1)
    return min(max((today - period.start).days / span, 0.0), 1.0)


def _objectives_in_view(outlook: Outlook, periods: list[PlanningPeriod]) -> QuerySet[Objective]:
    qs = strategy.objective_queryset().filter(period__in=periods)
    if outlook.kind == "lines":
        mine = Q(line_id__in=outlook.line_ids) | Q(team__line_id__in=outlook.line_ids)
        if outlook.person_id:
            mine |= Q(owner_id=outlook.person_id)
        qs = qs.filter(mine)
    return qs.order_by("id")


def objectives_at_risk(outlook: Outlook, *, today: date | None = None) -> list[ObjectiveRisk]:
    """Objectives of the current periods that are behind time, low on confidence or not checked in.

    Five queries: the periods, the objectives, their key results (with metrics and owners), and the
    latest check-in of each key result.
    """
    today = today or timezone.localdate()
    periods = list(PlanningPeriod.objects.filter(start__lte=today, end__gte=today))
    if not periods:
        return []
    rows = strategy.objective_rows(_objectives_in_view(outlook, periods))
    latest = dict(
        CheckIn.objects.filter(key_result__objective_id__in=list(rows))
        .values_list("key_result_id")
        .annotate(latest=Max("created_at"))
        .order_by()
    )
    stale_before = timezone.now() - timedelta(days=STALE_DAYS)
    risks = []
    for row in rows.values():
        objective = row.objective
        elapsed = _elapsed(objective.period, today)
        stale = sum(
            1
            for kr, _ in row.key_results
            if kr.metric_id is None and (latest.get(kr.pk) or kr.created_at) < stale_before
        )
        progress = row.progress / 100 if row.progress is not None else None  # the engine says percent
        risk = ObjectiveRisk(objective, progress, elapsed, row.confidence, stale)
        if progress is not None and progress + BEHIND_MARGIN < elapsed:
            risk.reasons.append(f"{progress:.0%} done with {elapsed:.0%} of {objective.period} gone")
        if row.confidence is not None and row.confidence < LOW_CONFIDENCE:
            risk.reasons.append(f"confidence {row.confidence:.1f}/10")
        if stale:
            risk.reasons.append(
                f"{stale} key result{'s' if stale != 1 else ''} not checked in for {STALE_DAYS}+ days"
            )
        if risk.reasons:
            risks.append(risk)
    risks.sort(key=lambda r: (-len(r.reasons), (r.progress or 0) - r.elapsed, r.objective.pk))
    return risks


# KPIs ---------------------------------------------------------------------------------------------


def kpi_anomalies(outlook: Outlook, *, today: date | None = None) -> list[strategy.AnomalyRow]:
    """Flags on KPIs within ANOMALY_DAYS of each KPI's newest value, worst news first. Two queries."""
    metrics = Metric.objects.select_related("line", "drives")
    if outlook.kind == "lines":
        metrics = metrics.filter(Q(line_id__in=outlook.line_ids) | Q(line__isnull=True))
    rows: list[strategy.AnomalyRow] = []
    for card in strategy.kpi_cards(metrics, today=today):
        if card.latest is None:
            continue
        since = card.latest[0] - timedelta(days=ANOMALY_DAYS)
        rows.extend(
            strategy.AnomalyRow(card.metric, when, flag) for when, flag in card.flags if when >= since
        )
    rows.sort(key=lambda r: (r.is_good, -r.date.toordinal(), -abs(r.flag.relative or 0)))
    return rows


# Roadmap ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocked:
    initiative: Initiative
    requires: Initiative


#: How far along the main path a stage is; set-aside work counts as not started.
_RANK = {
    stage.value: i for i, stage in enumerate([Stage.IDEA, Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY])
}
_DONE = {Stage.LAUNCHED.value, Stage.MEASURED.value}


def roadmap_slips(outlook: Outlook) -> tuple[Roadmap | None, QuerySet[RoadmapChange]]:
    """Items the latest published roadmap moved later than the one before it. Two queries."""
    roadmap = Roadmap.objects.order_by("-published_on", "-id").first()
    if roadmap is None:
        return None, RoadmapChange.objects.none()
    slips = RoadmapChange.objects.filter(roadmap=roadmap, kind=ChangeKind.SLIPPED).select_related(
        "initiative__product"
    )
    if outlook.kind == "lines":
        slips = slips.filter(initiative__product__line_id__in=outlook.line_ids)
    return roadmap, slips.order_by("-shift", "title")


def _blocked_dependencies(outlook: Outlook) -> QuerySet[Dependency]:
    """Planned or in-delivery work whose prerequisite is behind it on the path (or parked, or
    killed), decided in the database so a panel reads its rows and its count, never every edge."""
    behind = Q(pk__in=[])
    for stage in (Stage.PLANNED, Stage.IN_DELIVERY):
        earlier = [s for s in Stage.values if s not in _DONE and _RANK.get(s, -1) < _RANK[stage]]
        behind |= Q(initiative__stage=stage, requires__stage__in=earlier)
    deps = Dependency.objects.filter(behind, initiative__archived_at__isnull=True)
    if outlook.kind == "lines":
        deps = deps.filter(initiative__product__line_id__in=outlook.line_ids)
    return deps


def blocked_work(outlook: Outlook, *, limit: int = PANEL_ROWS) -> list[Blocked]:
    """The `limit` most recently updated pieces of blocked work, with what they wait for. One query."""
    deps = _blocked_dependencies(outlook).select_related("initiative__product", "requires")
    return [
        Blocked(dep.initiative, dep.requires)
        for dep in deps.order_by("-initiative__updated_at", "id")[:limit]
    ]


def blocked_count(outlook: Outlook) -> int:
    return _blocked_dependencies(outlook).count()


# Customer voice -----------------------------------------------------------------------------------


def _is_spike(recent: int, monthly_before: float) -> bool:
    return recent >= SPIKE_MIN_ITEMS and recent >= SPIKE_RATIO * max(monthly_before, 0.5)


def _is_new(recent: int, first_seen: datetime | None, since: datetime) -> bool:
    return first_seen is not None and first_seen >= since and recent >= NEW_THEME_MIN_ITEMS


@dataclass(frozen=True)
class ThemeSignal:
    theme: Theme
    recent: int  # items in the last 30 days
    monthly_before: float  # monthly average over the 90 days before
    #: The theme's earliest item (of the last 120 days: one raised before that is never new).
    first_seen: datetime | None

    @property
    def is_spike(self) -> bool:
        return _is_spike(self.recent, self.monthly_before)

    @property
    def is_new(self) -> bool:
        """Customers only started raising it lately, more than once or twice (a theme of one item is not
        news); not: the clustering only just named it."""
        return _is_new(self.recent, self.first_seen, timezone.now() - timedelta(days=NEW_THEME_DAYS))


def theme_signals() -> list[ThemeSignal]:
    """Themes customers started raising in the last NEW_THEME_DAYS, and themes whose last 30 days
    spike against the 90 before. Three queries, none reading feedback older than 120 days row by row.

    "New" is read from the feedback, not from when the theme row was made: a re-clustering names
    themes afresh without the customers having said anything new.

    Both signals need items in the last 30 days, so one aggregate over the 120-day window finds
    them (the date index bounds it); whether a theme with nothing older in the window is really new
    is asked of the (theme, date) index for those few themes only. No model is made for a theme
    that is neither.
    """
    now = timezone.now()
    month_ago, before = now - timedelta(days=30), now - timedelta(days=120)
    window = (
        FeedbackItem.objects.filter(theme__status=Theme.Status.ACTIVE, received_at__gte=before)
        .values_list("theme_id")
        .annotate(
            recent=Count("id", filter=Q(received_at__gte=month_ago)),
            prior=Count("id", filter=Q(received_at__lt=month_ago)),
            first=Min("received_at"),
        )
        .order_by()
    )
    counts = {
        theme_id: (recent, prior, first)
        for theme_id, recent, prior, first in window
        if recent >= min(SPIKE_MIN_ITEMS, NEW_THEME_MIN_ITEMS)
    }
    maybe_new = [theme_id for theme_id, (_, prior, _) in counts.items() if not prior]
    raised_before = set(
        FeedbackItem.objects.filter(theme_id__in=maybe_new, received_at__lt=before)
        .values_list("theme_id", flat=True)
        .distinct()
        .order_by()
    )
    far_past = before - timedelta(days=1)  # "first seen before the window": never new
    new_since = now - timedelta(days=NEW_THEME_DAYS)
    found: dict[int, tuple[int, float, datetime | None]] = {}
    for theme_id, (recent, prior, first) in counts.items():
        first_seen = far_past if theme_id in raised_before else first
        if _is_new(recent, first_seen, new_since) or _is_spike(recent, prior / 3):
            found[theme_id] = (recent, prior / 3, first_seen)
    themes = Theme.objects.defer("centroid", "keywords").in_bulk(list(found))
    signals = [ThemeSignal(themes[theme_id], *found[theme_id]) for theme_id in found if theme_id in themes]
    signals.sort(
        key=lambda s: (not s.is_new, -s.recent / max(s.monthly_before, 0.5), -s.theme.size, s.theme.pk)
    )
    return signals


# What changed -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str
    what: str
    title: str
    url: str


def _ids_as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.annotate(text_id=Cast("pk", CharField())).values("text_id")


def changes_since(user: User, outlook: Outlook, *, since: datetime) -> tuple[list[Change], int]:
    """What others changed since `since`: the audit log for leaders, their lines' work for product
    managers, and roadmaps published since for stakeholders. Two queries (rows and count)."""
    if outlook.kind == "published":
        changes = (
            RoadmapChange.objects.filter(roadmap__published_at__gt=since)
            .select_related("roadmap")
            .order_by("-roadmap__published_at", "kind", "title")
        )
        rows = [
            Change(
                at=c.roadmap.published_at,
                who=c.roadmap.title,
                what=c.get_kind_display().lower(),
                title=c.title,
                url=reverse("portfolio:detail", args=[c.initiative_id]) if c.initiative_id else "",
            )
            for c in changes[:PANEL_ROWS]
        ]
        return rows, changes.count()
    entries = AuditEntry.objects.filter(at__gt=since).exclude(actor=user)
    if outlook.kind == "lines":
        lines = outlook.line_ids
        initiatives = Initiative.all_objects.filter(product__line_id__in=lines)
        objectives = Objective.all_objects.filter(Q(line_id__in=lines) | Q(team__line_id__in=lines))
        key_results = KeyResult.objects.filter(
            Q(objective__line_id__in=lines) | Q(objective__team__line_id__in=lines)
        )
        entries = entries.filter(
            Q(record_type="portfolio.initiative", record_id__in=_ids_as_text(initiatives))
            | Q(record_type="strategy.objective", record_id__in=_ids_as_text(objectives))
            | Q(record_type="strategy.keyresult", record_id__in=_ids_as_text(key_results))
            | Q(
                record_type="portfolio.approvalrequest",
                record_id__in=_ids_as_text(
                    ApprovalRequest.objects.filter(initiative__product__line_id__in=lines)
                ),
            )
        )
    entries = entries.select_related("actor").order_by("-at", "-id")
    rows = [
        Change(
            at=e.at,
            who=e.actor.get_username() if e.actor else "system",
            what=_verb(e.action),
            title=e.record_repr,
            url=record_url(e.record_type, e.record_id),
        )
        for e in entries[:PANEL_ROWS]
    ]
    return rows, entries.count()


def _verb(action: str) -> str:
    return {"create": "created", "update": "changed", "delete": "deleted"}.get(action, action)


# The whole page -----------------------------------------------------------------------------------


@dataclass
class Cockpit:
    outlook: Outlook
    since: datetime
    at_risk: list[ObjectiveRisk]
    anomalies: list[strategy.AnomalyRow]
    roadmap: Roadmap | None
    slips: list[RoadmapChange]
    slip_count: int
    blocked: list[Blocked]
    blocked_count: int
    themes: list[ThemeSignal]
    approvals: list[ApprovalRequest]
    approval_count: int
    changes: list[Change]
    change_count: int

    @property
    def roadmap_risk_count(self) -> int:
        return self.slip_count + self.blocked_count

    @property
    def at_risk_shown(self) -> list[ObjectiveRisk]:
        return self.at_risk[:PANEL_ROWS]

    @property
    def anomalies_shown(self) -> list[strategy.AnomalyRow]:
        return self.anomalies[:PANEL_ROWS]

    @property
    def blocked_shown(self) -> list[Blocked]:
        return self.blocked

    @property
    def themes_shown(self) -> list[ThemeSignal]:
        return self.themes[:PANEL_ROWS]


def cockpit(user: User, *, today: date | None = None) -> Cockpit:
    """Everything home shows for this person, in a bounded number of queries."""
    outlook = outlook_for(user)
    since = last_visit(user)
    roadmap, slips = roadmap_slips(outlook)
    approvals: QuerySet[ApprovalRequest] = (
        approvals_waiting_for(user) if outlook.kind != "published" else ApprovalRequest.objects.none()
    )
    approval_rows = list(approvals[:PANEL_ROWS])
    changes, change_count = changes_since(user, outlook, since=since)
    slip_rows = list(slips[:PANEL_ROWS])
    blocked = blocked_work(outlook) if outlook.kind != "published" else []
    return Cockpit(
        outlook=outlook,
        since=since,
        at_risk=objectives_at_risk(outlook, today=today),
        anomalies=kpi_anomalies(outlook, today=today),
        roadmap=roadmap,
        slips=slip_rows,
        slip_count=len(slip_rows) if len(slip_rows) < PANEL_ROWS else slips.count(),
        blocked=blocked,
        blocked_count=len(blocked) if len(blocked) < PANEL_ROWS else blocked_count(outlook),
        themes=theme_signals(),
        approvals=approval_rows,
        approval_count=len(approval_rows) if len(approval_rows) < PANEL_ROWS else approvals.count(),
        changes=changes,
        change_count=change_count,
    )
