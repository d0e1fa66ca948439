"""Portfolio health and the status Northstar proposes for a line, from the data, with its reasons.

Signals per product line and period (each with the records behind it):
- objectives: the line's objectives' progress against the share of the period gone by;
- KPIs: the line's KPI anomalies of the last four weeks that went the bad way;
- roadmap: initiatives that slipped in the latest published roadmap against the one before it;
- budget: spend against budget, once the finance area records actuals (`providers.budget_variance`).
The proposal is the worst signal; a line with no signals is on track. Every read is a fixed number of
queries whatever the number of lines or initiatives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse

from northstar.core.errors import ValidationFailed
from northstar.feedback.models import FeedbackItem
from northstar.org.models import ProductLine
from northstar.planning.models import BudgetEnvelope, ChangeKind, Roadmap, RoadmapChange, RoadmapEntry
from northstar.reports import providers
from northstar.reports.models import STATUS_RANK, Status, StatusUpdate
from northstar.strategy import selectors as strategy
from northstar.strategy.models import Metric, Objective, PlanningPeriod

#: Progress this far behind the time elapsed makes a line at risk, this much further off track.
AT_RISK_BEHIND = 0.10
OFF_TRACK_BEHIND = 0.25
#: KPI anomalies this recent count for the status.
ANOMALY_DAYS = 28
#: A line with this share of its roadmap slipped (or more) is off track; any slip makes it at risk.
OFF_TRACK_SLIPPED = 0.2
DEMAND_DAYS = 90
#: The days reports read the data at. Outside them the look-back windows (90 days of feedback, 26
#: weeks of KPI values) leave the calendar; no product organisation's data is that old or that new.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)


def check_day(day: date, what: str) -> date:
    """Refuse a report date outside FIRST_DAY..LAST_DAY (a health date, a pack's cut-off)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed(
            f"{what} {day.isoformat()} is outside the dates reports cover "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})."
        )
    return day


@dataclass(frozen=True)
class Signal:
    """One piece of evidence for a line's status: what it says, how bad, and where to look."""

    key: str
    status: str
    reason: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"signal": self.key, "status": self.status, "reason": self.reason, "url": self.url}


def worst(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: STATUS_RANK[Status(s)], default=Status.ON_TRACK)


def time_elapsed(period: PlanningPeriod, today: date) -> float:
    """Share of the period gone by on `today` (0 before it starts, 1 after it ends)."""
    total = (period.end - period.start).days + 1
    return max(0.0, min(1.0, ((today - period.start).days + 1) / total))


def period_at(day: date) -> PlanningPeriod | None:
    """The quarter containing `day`, else the latest that started before it."""
    quarters = PlanningPeriod.objects.filter(kind=PlanningPeriod.Kind.QUARTER)
    return (
        quarters.filter(start__lte=day, end__gte=day).first()
        or quarters.filter(start__lte=day).order_by("-start").first()
    )


def roadmap_at(day: date) -> Roadmap | None:
    """The published roadmap in force on `day`: the latest published on or before it."""
    return Roadmap.objects.filter(published_on__lte=day).order_by("-published_on", "-id").first()


@dataclass
class LineHealth:
    """One row of the portfolio health page: a line's status and the figures behind each cell."""

    line: ProductLine
    update: StatusUpdate | None
    proposed: str
    signals: list[Signal]
    objectives: int = 0
    progress: float | None = None
    confidence: float | None = None
    kpi_flags: int = 0
    slipped: int = 0
    roadmap_items: int = 0
    budget: dict[str, float] = field(default_factory=dict)
    variance: float | None = None  # spend against budget, when finance has actuals
    demand_items: int = 0
    demand_customers: int = 0

    @property
    def status(self) -> str:
        return self.update.status if self.update else self.proposed

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class Health:
    period: PlanningPeriod | None
    today: date
    elapsed: float
    roadmap: Roadmap | None
    lines: list[LineHealth]

    def count(self, status: str) -> int:
        return sum(1 for row in self.lines if row.status == status)

    @property
    def on_track(self) -> int:
        return self.count(Status.ON_TRACK)

    @property
    def at_risk(self) -> int:
        return self.count(Status.AT_RISK)

    @property
    def off_track(self) -> int:
        return self.count(Status.OFF_TRACK)


def _objective_rows(period: PlanningPeriod) -> dict[int, list[strategy.ObjectiveRow]]:
    rows = strategy.objective_rows(strategy.objective_queryset().filter(period=period))
    by_line: dict[int, list[strategy.ObjectiveRow]] = defaultdict(list)
    for row in rows.values():
        objective: Objective = row.objective
        line_id = objective.line_id or (objective.team.line_id if objective.team is not None else None)
        if line_id is not None and row.progress is not None:
            by_line[line_id].append(row)
    return by_line


def _kpi_flags(today: date) -> dict[int, list[strategy.AnomalyRow]]:
    metrics = list(Metric.objects.filter(line__isnull=False).select_related("line"))
    cards = strategy.kpi_cards(metrics, today=today, until=today)
    since = today - timedelta(days=ANOMALY_DAYS)
    flags: dict[int, list[strategy.AnomalyRow]] = defaultdict(list)
    for row in strategy.anomalies(cards, limit=10_000):
        if since <= row.date <= today and not row.is_good and row.metric.line_id:
            flags[row.metric.line_id].append(row)
    return flags


def _slipped(roadmap: Roadmap | None) -> tuple[dict[int, int], dict[int, int]]:
    if roadmap is None:
        return {}, {}
    slipped = dict(
        RoadmapChange.objects.filter(roadmap=roadmap, kind=ChangeKind.SLIPPED, initiative__isnull=False)
        .values_list("initiative__product__line_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    entries = dict(
        RoadmapEntry.objects.filter(roadmap=roadmap, line__isnull=False)
        .values_list("line_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return slipped, entries


def _demand(today: date) -> dict[int, tuple[int, int]]:
    since = today - timedelta(days=DEMAND_DAYS)
    rows = (
        FeedbackItem.objects.filter(
            received_at__date__gt=since,
            received_at__date__lte=today,
            links__initiative__product__isnull=False,
        )
        .values_list("links__initiative__product__line_id")
        .annotate(items=Count("id", distinct=True), customers=Count("customer", distinct=True))
        .order_by()
    )
    return {line_id: (items, customers) for line_id, items, customers in rows}


def latest_updates(period: PlanningPeriod | None, *, before: date | None = None) -> dict[int, StatusUpdate]:
    """The latest status update of each line for the period (posted on or before `before`)."""
    if period is None:
        return {}
    qs = StatusUpdate.objects.filter(period=period).select_related("author", "period")
    if before is not None:
        qs = qs.filter(created_at__date__lte=before)
    latest: dict[int, StatusUpdate] = {}
    for update in qs.order_by("line_id", "-created_at", "-id"):
        latest.setdefault(update.line_id, update)
    return latest


def share_done(row: strategy.ObjectiveRow) -> float:
    """An objective's progress as a share (0-1); the strategy area keeps it in percent."""
    return (row.progress or 0.0) / 100.0


def _objective_signal(line: ProductLine, rows: list, elapsed: float, period: PlanningPeriod) -> Signal | None:
    if not rows:
        return None
    progress = sum(share_done(r) for r in rows) / len(rows)
    behind = elapsed - progress
    status = Status.ON_TRACK
    if behind > OFF_TRACK_BEHIND:
        status = Status.OFF_TRACK
    elif behind > AT_RISK_BEHIND:
        status = Status.AT_RISK
    reason = (
        f"{len(rows)} objective{'s' if len(rows) != 1 else ''} at {progress:.0%} on average "
        f"with {elapsed:.0%} of {period.name} gone"
    )
    return Signal("objectives", status, reason, reverse("strategy:dashboard") + f"?period={period.pk}")


def _kpi_signal(line: ProductLine, flags: list[strategy.AnomalyRow]) -> Signal | None:
    if not flags:
        return None
    names = sorted({f.metric.name for f in flags})
    status = Status.OFF_TRACK if len(names) >= 3 else Status.AT_RISK
    url = reverse("strategy:metric_detail", args=[flags[0].metric.pk])
    reason = f"{len(flags)} KPI anomal{'y' if len(flags) == 1 else 'ies'} the bad way: {', '.join(names[:3])}"
    return Signal("kpis", status, reason, url)


def _roadmap_signal(line: ProductLine, slipped: int, entries: int, roadmap: Roadmap | None) -> Signal | None:
    if not slipped or roadmap is None:
        return None
    share = slipped / entries if entries else 1.0
    status = Status.OFF_TRACK if share >= OFF_TRACK_SLIPPED else Status.AT_RISK
    url = reverse("planning:published", args=[roadmap.pk]) + f"?line={line.pk}"
    reason = f"{slipped} of {entries} roadmap item{'s' if entries != 1 else ''} slipped in {roadmap.title}"
    return Signal("roadmap", status, reason, url)


def _budget_signal(line: ProductLine, variance: float | None) -> Signal | None:
    if variance is None:
        return None
    status = Status.ON_TRACK
    if variance > 0.15:
        status = Status.OFF_TRACK
    elif variance > 0.05:
        status = Status.AT_RISK
    return Signal("budget", status, f"Spend {variance:+.0%} against budget", reverse("planning:budgets"))


def portfolio_health(*, today: date, period: PlanningPeriod | None = None, line_ids: list[int] | None = None):
    """Every line's status (posted, else proposed), its signals and the figures behind each cell."""
    period = period or period_at(today)
    elapsed = time_elapsed(period, today) if period else 0.0
    lines = ProductLine.objects.order_by("name")
    if line_ids is not None:
        lines = lines.filter(pk__in=line_ids)
    roadmap = roadmap_at(today)
    objectives = _objective_rows(period) if period else {}
    flags = _kpi_flags(today)
    slipped, entries = _slipped(roadmap)
    demand = _demand(today)
    updates = latest_updates(period, before=today)
    budgets: dict[int, dict[str, float]] = defaultdict(dict)
    if period is not None:
        for line_id, amount, currency in BudgetEnvelope.objects.filter(period=period).values_list(
            "line_id", "amount", "currency"
        ):
            budgets[line_id][currency] = budgets[line_id].get(currency, 0.0) + float(amount)
    variances = providers.budget_variance(period=period, today=today) if period else {}
    rows = []
    for line in lines:
        own = objectives.get(line.pk, [])
        signals = [
            s
            for s in (
                _objective_signal(line, own, elapsed, period) if period else None,
                _kpi_signal(line, flags.get(line.pk, [])),
                _roadmap_signal(line, slipped.get(line.pk, 0), entries.get(line.pk, 0), roadmap),
                _budget_signal(line, variances.get(line.pk)),
            )
            if s is not None
        ]
        confidences = [r.confidence for r in own if r.confidence is not None]
        items, customers = demand.get(line.pk, (0, 0))
        rows.append(
            LineHealth(
                line=line,
                update=updates.get(line.pk),
                proposed=worst([s.status for s in signals]),
                signals=signals,
                objectives=len(own),
                progress=sum(share_done(r) for r in own) / len(own) if own else None,
                confidence=sum(confidences) / len(confidences) if confidences else None,
                kpi_flags=len(flags.get(line.pk, [])),
                slipped=slipped.get(line.pk, 0),
                roadmap_items=entries.get(line.pk, 0),
                budget=budgets.get(line.pk, {}),
                variance=variances.get(line.pk),
                demand_items=items,
                demand_customers=customers,
            )
        )
    return Health(period=period, today=today, elapsed=elapsed, roadmap=roadmap, lines=rows)


def status_proposal(*, line: ProductLine, period: PlanningPeriod, today: date) -> tuple[str, list[Signal]]:
    """The status Northstar proposes for one line and period, with the signals behind it."""
    health = portfolio_health(today=min(today, period.end), period=period, line_ids=[line.pk])
    row = health.lines[0]
    return row.proposed, row.signals


def line_query(line: ProductLine) -> Q:
    """Objectives of a line: its own and its teams'."""
    return Q(line=line) | Q(team__line=line)
