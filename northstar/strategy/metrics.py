"""Every change to KPIs and their values: definitions, hand-entered points, API pushes and CSV imports.

A value write of any kind refreshes the key results bound to the metrics it touched, so their current
value (and so their progress) follows the KPI without anyone typing it.

Bulk writes of values (CSV imports, API pushes) live in `metric_values`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from northstar.core import audit
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.core.validation import assign
from northstar.org import access
from northstar.strategy.models import KeyResult, Metric, MetricValue

METRIC_FIELDS = {
    "key", "name", "description", "unit", "direction", "aggregation", "target", "line_id", "drives_id",
    "is_north_star",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------------
# Definitions


def can_edit_metric(user: User, metric: Metric) -> bool:
    """Company metrics (no line) are for leaders; a line's metrics also for that line's PMs."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return metric.line_id is not None and access.can_edit_line(user, metric.line_id)


def require_metric_edit(actor: User | None, metric: Metric) -> None:
    if actor is None:  # the CLI and the demo loader act as the system
        return
    access.require_write(actor)
    if can_edit_metric(actor, metric):
        return
    if metric.line_id is None:
        raise PermissionDenied(f"Only product leaders and admins can change the company metric {metric}.")
    raise PermissionDenied(f"You can only change metrics of the product lines you belong to ({metric}).")


def _check_tree(metric: Metric) -> None:
    """`drives` must name another metric and must not loop back; only leaders pick the north star."""
    seen = {metric.pk} if metric.pk else set()
    current = metric.drives_id
    while current is not None:
        if current in seen:
            raise ValidationFailed("A metric cannot drive itself, directly or through other metrics.")
        seen.add(current)
        row = Metric.objects.filter(pk=current).values_list("drives_id", flat=True)
        if not row:
            raise ValidationFailed(f"Unknown metric id {current}.")
        current = row[0]
    if metric.is_north_star and metric.drives_id:
        raise ValidationFailed("The north-star metric is the top of the tree: it drives no other metric.")


@transaction.atomic
def metric_create(*, actor: User, **data: Any) -> Metric:
    metric = Metric()
    assign(metric, data, allowed=METRIC_FIELDS)
    require_metric_edit(actor, metric)
    if metric.is_north_star:
        access.require_leading(actor, "the north-star metric")
    _check_tree(metric)
    return record_save(actor=actor, instance=metric, before=None)


@transaction.atomic
def metric_update(*, actor: User, metric: Metric, **data: Any) -> Metric:
    require_metric_edit(actor, metric)
    before = audit.snapshot(metric)
    was_north_star = metric.is_north_star
    assign(metric, data, allowed=METRIC_FIELDS)
    require_metric_edit(actor, metric)
    if metric.is_north_star != was_north_star:
        access.require_leading(actor, "the north-star metric")
    _check_tree(metric)
    return record_save(actor=actor, instance=metric, before=before)


@transaction.atomic
def metric_delete(*, actor: User, metric: Metric) -> None:
    require_metric_edit(actor, metric)
    # Lock the metric before its values are deleted: a writer holding it (`hold_metrics`) finishes
    # first and its values go too; one that comes later finds the metric gone and stores nothing.
    list(Metric.all_objects.select_for_update().filter(pk=metric.pk).values_list("pk", flat=True))
    record_delete(actor=actor, instance=metric, blocked_by="it is referenced")


# ---------------------------------------------------------------------------------------------------
# Values


def metric_latest(metric_ids: Iterable[int]) -> dict[int, tuple[date, float]]:
    """Each metric's latest date and its value there (dimensions combined by the metric's aggregation)."""
    ids = list(metric_ids)
    if not ids:
        return {}
    latest = dict(
        MetricValue.objects.filter(metric_id__in=ids)
        .values("metric_id")
        .annotate(last=Max("date"))
        .values_list("metric_id", "last")
    )
    aggregation = dict(Metric.objects.filter(pk__in=latest).values_list("id", "aggregation"))
    points: dict[int, list[float]] = {}
    for metric_id, when, value in (
        MetricValue.objects.filter(metric_id__in=latest, date__in=set(latest.values()))
        .order_by("metric_id", "dimension")
        .values_list("metric_id", "date", "value")
    ):
        if latest[metric_id] == when:
            points.setdefault(metric_id, []).append(value)
    return {mid: (latest[mid], combine(values, aggregation[mid])) for mid, values in points.items()}


def combine(values: list[float], aggregation: str) -> float:
    """Values of one date (several dimensions) as one number: averaged for an average-type metric,
    else summed (a stock such as active merchants adds up across regions, like a flow does)."""
    if aggregation == Metric.Aggregation.AVERAGE:
        return sum(values) / len(values)
    return sum(values)


def refresh_bound_key_results(metric_ids: Iterable[int]) -> int:
    """Give every key result bound to these metrics the metric's latest value; returns how many changed."""
    latest = metric_latest(metric_ids)
    changed = []
    for kr in KeyResult.objects.filter(metric_id__in=latest):
        if kr.metric_id is None:  # never: filtered on the metric above
            continue
        value = latest[kr.metric_id][1]
        if kr.current != value:
            kr.current = value
            changed.append(kr)
    KeyResult.objects.bulk_update(changed, ["current", "updated_at"])
    return len(changed)


def hold_metrics(metric_ids: Iterable[int]) -> None:
    """Check that the metrics we write values for exist, and keep them until we commit.

    The value table has no database foreign key (see `MetricValue.metric`), so this is what stops a
    metric deleted while its values are being written from leaving orphan values behind. On
    PostgreSQL the rows are locked FOR KEY SHARE (what a foreign key check takes, once per metric
    instead of once per value); on SQLite our pending write already keeps every other writer out.
    """
    ids = sorted(set(metric_ids))
    if not ids:
        return
    table = Metric._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'SELECT id FROM "{table}" WHERE id = ANY(%s) FOR KEY SHARE', [ids])  # noqa: S608
        else:
            cursor.execute(f'SELECT id FROM "{table}" WHERE id IN ({",".join("%s" for _ in ids)})', ids)  # noqa: S608
        found = {row[0] for row in cursor.fetchall()}
    if missing := [i for i in ids if i not in found]:
        raise ValidationFailed(
            f"{len(missing)} metric(s) were deleted while their values were being written "
            f"(ids {', '.join(map(str, missing[:5]))}). Nothing was stored."
        )


def clean_value(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{value!r} is not a number.") from None
    if not math.isfinite(number):
        raise ValidationFailed("A metric value must be a finite number.")
    return number


@transaction.atomic
def metric_value_record(
    *, actor: User | None, metric: Metric, date: date, value: float, dimension: str = ""
) -> MetricValue:
    """Enter (or correct) one point by hand; the same date and dimension replaces the old value."""
    require_metric_edit(actor, metric)
    hold_metrics([metric.pk])
    point = MetricValue.objects.filter(metric=metric, date=date, dimension=dimension.strip()).first()
    before = audit.snapshot(point) if point else None
    point = point or MetricValue(metric=metric, date=date, dimension=dimension.strip())
    point.value = clean_value(value)
    record_save(actor=actor, instance=point, before=before)
    refresh_bound_key_results([metric.pk])
    return point


@transaction.atomic
def metric_value_delete(*, actor: User, point: MetricValue) -> None:
    require_metric_edit(actor, point.metric)
    record_delete(actor=actor, instance=point, blocked_by="it is referenced")
    refresh_bound_key_results([point.metric_id])


#: One value to store, as the writer takes it: (metric id, ISO date, value, dimension). A plain tuple,
#: because an import builds a million of them.
