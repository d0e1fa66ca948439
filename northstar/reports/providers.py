"""Where reports read areas that are still being built (finance, people, delivery, market).

Each function asks the area's own module for its figures and answers "no data" (None or empty) while
that module does not exist yet, so packs and the health page render cleanly before the area lands.
When an area arrives, its figures are wired in here and in its pack section, nowhere else.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from types import ModuleType
from typing import Any

from northstar.strategy.models import PlanningPeriod


def area(module: str) -> ModuleType | None:
    """The area's reporting module, or None while it has not been built."""
    try:
        return import_module(module)
    except ModuleNotFoundError:
        return None


def _call(module: str, name: str, **kwargs: Any) -> Any:
    found = area(module)
    function = getattr(found, name, None) if found is not None else None
    return function(**kwargs) if callable(function) else None


def budget_variance(*, period: PlanningPeriod, today: date) -> dict[int, float]:
    """Per line, spend against budget for the period as a fraction (+0.1 = 10% over), once finance
    records actuals; empty until then."""
    return _call("northstar.finance.reports", "budget_variance", period=period, today=today) or {}
