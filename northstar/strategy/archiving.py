"""Objectives and KPIs in the archive: registered with `northstar.core.archive` when the app is ready."""

from __future__ import annotations

from typing import Any

from northstar.core import archive
from northstar.core.errors import Conflict
from northstar.core.models import User
from northstar.strategy import metrics, services
from northstar.strategy.models import Metric, Objective


def _objective_delete(*, actor: User, record: Any) -> None:
    services.objective_delete(actor=actor, objective=record)


def _metric_delete(*, actor: User, record: Any) -> None:
    metrics.metric_delete(actor=actor, metric=record)


def _objective_before(objective: Objective) -> None:
    """The cascade stays whole: objectives that serve this one would lose their place in it."""
    under = list(Objective.objects.filter(parent=objective).values_list("title", flat=True)[:3])
    if under:
        raise Conflict(
            f"“{objective.title}” has objectives under it ({', '.join(under)}): archive or move them first."
        )


def _metric_before(metric: Metric) -> None:
    if metric.is_north_star:
        raise Conflict(f"{metric.name} is the north-star metric: choose another north star first.")
    drivers = list(Metric.objects.filter(drives=metric).values_list("name", flat=True)[:3])
    if drivers:
        raise Conflict(
            f"{metric.name} is driven by {', '.join(drivers)} in the north-star tree: move them first."
        )


def register() -> None:
    archive.register(
        archive.Kind(
            key="objective",
            label="objective",
            plural="objectives",
            model=Objective,
            can_change=services.can_edit_objective,
            require_change=services.require_objective_edit,
            delete=_objective_delete,
            url_name="strategy:objective_detail",
            title=lambda o: o.title,
            before_archive=_objective_before,
        )
    )
    archive.register(
        archive.Kind(
            key="kpi",
            label="KPI",
            plural="KPIs",
            model=Metric,
            can_change=metrics.can_edit_metric,
            require_change=metrics.require_metric_edit,
            delete=_metric_delete,
            url_name="strategy:metric_detail",
            title=lambda m: m.name,
            before_archive=_metric_before,
        )
    )
