"""Reads of the reports area: packs, status histories, which lines owe an update."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from northstar.core.models import Job
from northstar.org.models import ProductLine
from northstar.reports.health import period_at
from northstar.reports.models import Pack, PackShareLink, StatusUpdate
from northstar.strategy.models import PlanningPeriod

#: Days before a period ends from which its update is due (and reminders go out).
DUE_DAYS_BEFORE_END = 21


def pack_list(*, state: str = "", template: str = "") -> QuerySet[Pack]:
    qs = Pack.objects.select_related("line", "created_by", "issued_by")
    if state in Pack.State.values:
        qs = qs.filter(state=state)
    if template:
        qs = qs.filter(template=template)
    return qs.order_by("state", "-cut_off", "-id")


def pack_links(pack: Pack) -> QuerySet[PackShareLink]:
    return pack.links.select_related("created_by").order_by("-created_at")


def status_history(line: ProductLine) -> QuerySet[StatusUpdate]:
    return (
        StatusUpdate.objects.filter(line=line)
        .select_related("period", "author")
        .prefetch_related("risks__owner")
        .order_by("-period__start", "-created_at", "-id")
    )


def update_detail(update_id: int) -> QuerySet[StatusUpdate]:
    return StatusUpdate.objects.select_related("line", "period", "author").prefetch_related("risks__owner")


def periods_for_updates(today: date, *, limit: int = 6) -> list[PlanningPeriod]:
    """The quarters a status update may be posted for: the current one first, then the ones before."""
    current = period_at(today)
    qs = PlanningPeriod.objects.filter(kind=PlanningPeriod.Kind.QUARTER)
    if current is not None:
        qs = qs.filter(start__lte=current.start)
    return list(qs.order_by("-start")[:limit])


def is_due(period: PlanningPeriod, today: date) -> bool:
    return (period.end - today).days <= DUE_DAYS_BEFORE_END and today >= period.start


def lines_owing_update(today: date) -> tuple[PlanningPeriod | None, list[ProductLine]]:
    """The current period, and the lines that have not posted its update yet."""
    period = period_at(today)
    if period is None:
        return None, []
    posted = set(StatusUpdate.objects.filter(period=period).values_list("line_id", flat=True))
    return period, [line for line in ProductLine.objects.select_related("director") if line.pk not in posted]


def pack_issue_job(pack: Pack) -> Job | None:
    """The latest job that issued (or is issuing, or failed to issue) this pack, for its page."""
    from northstar.reports.services import issue_key

    return Job.objects.filter(unique_key=issue_key(pack.pk)).order_by("-id").first()
