"""Scenarios in the archive: registered with `northstar.core.archive` when the app is ready."""

from __future__ import annotations

from typing import Any

from northstar.core import archive
from northstar.core.errors import Conflict
from northstar.core.models import User
from northstar.planning import services
from northstar.planning.models import PlanRun, Scenario


def _delete(*, actor: User, record: Any) -> None:
    services.scenario_delete(actor=actor, scenario=record)


def _before(scenario: Scenario) -> None:
    if scenario.is_primary:
        raise Conflict(
            f"{scenario.name} is the plan of record: make another scenario the plan of record first."
        )
    if scenario.runs.filter(status__in=[PlanRun.Status.QUEUED, PlanRun.Status.RUNNING]).exists():
        raise Conflict(f"The optimiser is working on {scenario.name}: wait for it or cancel it first.")


def register() -> None:
    archive.register(
        archive.Kind(
            key="scenario",
            label="scenario",
            plural="scenarios",
            model=Scenario,
            can_change=services.can_plan,
            require_change=services.require_plan,
            delete=_delete,
            url_name="planning:scenario_detail",
            title=lambda s: s.name,
            before_archive=_before,
        )
    )
