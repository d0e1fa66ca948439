"""Factories of the strategy area: the smallest valid records, every field overridable by keyword."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from northstar.org.models import Person
from northstar.strategy.models import (
    Alignment,
    KeyResult,
    Metric,
    MetricValue,
    Objective,
    PlanningPeriod,
    VisionVersion,
)
from tests import factories

_seq = itertools.count(1)


def make_period(**kw: Any) -> PlanningPeriod:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": f"2030-Q{n}",
        "kind": PlanningPeriod.Kind.QUARTER,
        "start": date(2030, 1, 1),
        "end": date(2030, 3, 31),
    }
    defaults.update(kw)
    return PlanningPeriod.objects.create(**defaults)


def make_objective(**kw: Any) -> Objective:
    n = next(_seq)
    if "period" not in kw:
        kw["period"] = make_period()
    if "owner" not in kw:
        kw["owner"] = factories.make_person()
    return Objective.objects.create(title=kw.pop("title", f"Objective {n}"), **kw)


def make_key_result(**kw: Any) -> KeyResult:
    n = next(_seq)
    if "objective" not in kw:
        kw["objective"] = make_objective()
    defaults: dict[str, Any] = {"title": f"Key result {n}", "baseline": 10.0, "target": 20.0, "unit": "%"}
    defaults.update(kw)
    return KeyResult.objects.create(**defaults)


def make_metric(**kw: Any) -> Metric:
    n = next(_seq)
    defaults: dict[str, Any] = {"key": f"metric_{n}", "name": f"Metric {n}", "unit": "merchants"}
    defaults.update(kw)
    return Metric.objects.create(**defaults)


def make_series(
    metric: Metric, values: list[float], *, start: date = date(2024, 1, 1), dimension: str = ""
) -> None:
    MetricValue.objects.bulk_create(
        MetricValue(metric=metric, date=start + timedelta(weeks=i), value=v, dimension=dimension)
        for i, v in enumerate(values)
    )


def make_vision(**kw: Any) -> VisionVersion:
    defaults: dict[str, Any] = {"number": next(_seq), "title": "Vision", "body": "Be the best."}
    defaults.update(kw)
    return VisionVersion.objects.create(**defaults)


def make_alignment(**kw: Any) -> Alignment:
    return Alignment.objects.create(**kw)


def owner(**kw: Any) -> Person:
    return factories.make_person(**kw)
