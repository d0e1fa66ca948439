"""Every change to the strategy: periods, the vision, objectives, key results, check-ins and alignment.

KPIs and their values live in `northstar.strategy.metrics`. Who may change what:

* periods and the vision: product leaders and admins;
* company objectives (no line, no team): leaders; line and team objectives, their key results and
  check-ins: leaders, and PMs of that line; the owner of a key result may always check in on it;
* alignment: whoever may change the initiative (the portfolio's rule).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from northstar.core import audit, concurrency
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_delete, record_save
from northstar.core.validation import assign
from northstar.org import access
from northstar.org.models import Person, Team
from northstar.portfolio.models import Initiative
from northstar.portfolio.services import can_edit_initiative
from northstar.strategy.models import (
    Alignment,
    CheckIn,
    KeyResult,
    Level,
    Metric,
    Objective,
    PlanningPeriod,
    VisionVersion,
)

LEVEL_RANK = {Level.COMPANY: 0, Level.LINE: 1, Level.TEAM: 2}

# ---------------------------------------------------------------------------------------------------
# Planning periods and the vision


@transaction.atomic
def period_create(*, actor: User, name: str, kind: str, start: Any, end: Any) -> PlanningPeriod:
    access.require_leading(actor, "planning periods")
    period = PlanningPeriod(name=name.strip(), kind=kind, start=start, end=end)
    if period.start and period.end and period.end <= period.start:
        raise ValidationFailed("A period must end after it starts.")
    return record_save(actor=actor, instance=period, before=None)


@transaction.atomic
def vision_save(
    *, actor: User, title: str, body: str, note: str = "", based_on: int | None = None
) -> VisionVersion:
    """Save a new version of the vision; every earlier version is kept unchanged.

    `based_on` is the version number the editor started from (0 for none): when someone saved a newer
    one meanwhile, nothing is saved and both texts come back (see `core.concurrency`).
    """
    access.require_leading(actor, "the vision")
    if not body.strip():
        raise ValidationFailed("The vision needs some text: what the product will be, and for whom.")
    latest = VisionVersion.objects.select_for_update().order_by("-number").first()
    current = latest.number if latest else 0
    if based_on is not None and based_on != current and latest is not None:
        yours = VisionVersion(
            number=current, title=title.strip(), body=body, note=latest.note, author=latest.author
        )
        raise concurrency.stale(yours, latest, your_version=based_on, current_version=current)
    if latest is not None and latest.title == title.strip() and latest.body == body:
        raise ValidationFailed(f"Nothing changed since version {latest.number}.")
    version = VisionVersion(
        number=(latest.number + 1) if latest else 1,
        title=title.strip(),
        body=body,
        note=note.strip(),
        author=actor,
    )
    return record_save(actor=actor, instance=version, before=None)


# ---------------------------------------------------------------------------------------------------
# Objectives


def objective_line_id(objective: Objective) -> int | None:
    """The product line an objective belongs to (through its team for a team objective)."""
    if objective.team_id:
        if objective.line_id:
            return objective.line_id
        return Team.objects.filter(pk=objective.team_id).values_list("line_id", flat=True).first()
    return objective.line_id


def can_edit_objective(user: User, objective: Objective) -> bool:
    """Leaders change everything; PMs the objectives (and their key results) of their own lines."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    line_id = objective_line_id(objective)
    return line_id is not None and access.can_edit_line(user, line_id)


def require_objective_edit(actor: User, objective: Objective) -> None:
    access.require_write(actor)
    if can_edit_objective(actor, objective):
        return
    if objective_line_id(objective) is None:
        raise PermissionDenied("Only product leaders and admins can change company objectives.")
    raise PermissionDenied("You can only change objectives of the product lines you belong to.")


def _check_cascade(objective: Objective) -> None:
    """One level only; the parent is in the same period, one level up (or the company), same line."""
    if objective.line_id and objective.team_id:
        raise ValidationFailed("An objective belongs to a product line or to a team, not both.")
    if objective.parent_id is None:
        return
    parent = Objective.objects.filter(pk=objective.parent_id).select_related("team").first()
    if parent is None:
        raise ValidationFailed(f"Unknown parent objective id {objective.parent_id}.")
    if objective.pk is not None and parent.pk == objective.pk:
        raise ValidationFailed("An objective cannot sit under itself.")
    if parent.period_id != objective.period_id:
        raise ValidationFailed("A parent objective must be in the same planning period.")
    if LEVEL_RANK[Level(parent.level)] >= LEVEL_RANK[Level(objective.level)]:
        raise ValidationFailed(
            f"A {objective.level_label.lower()} objective can only sit under a higher level "
            f"(it cannot sit under a {parent.level_label.lower()} objective)."
        )
    if parent.level == Level.LINE and objective.level == Level.TEAM:
        team_line = objective.team.line_id if objective.team else None
        if team_line != parent.line_id:
            raise ValidationFailed(
                "A team objective can only sit under an objective of its own product line."
            )


OBJECTIVE_FIELDS = {
    "period_id",
    "title",
    "description",
    "line_id",
    "team_id",
    "parent_id",
    "owner_id",
    "weight",
}


@transaction.atomic
def objective_create(*, actor: User, **data: Any) -> Objective:
    objective = Objective()
    assign(objective, data, allowed=OBJECTIVE_FIELDS)
    require_objective_edit(actor, objective)
    _check_cascade(objective)
    return record_save(actor=actor, instance=objective, before=None)


@transaction.atomic
def objective_update(*, actor: User, objective: Objective, **data: Any) -> Objective:
    require_objective_edit(actor, objective)
    before = audit.snapshot(objective)
    assign(objective, data, allowed=OBJECTIVE_FIELDS)
    require_objective_edit(actor, objective)  # and may they put it where it now points?
    _check_cascade(objective)
    if objective.pk and objective.children.exists():
        for child in objective.children.all():
            if child.period_id != objective.period_id:
                raise ValidationFailed("Move the child objectives first: they are in this period.")
    return record_save(actor=actor, instance=objective, before=before)


@transaction.atomic
def objective_delete(*, actor: User, objective: Objective) -> None:
    require_objective_edit(actor, objective)
    record_delete(actor=actor, instance=objective, blocked_by="it is referenced")


# ---------------------------------------------------------------------------------------------------
# Key results and check-ins


def _check_key_result(kr: KeyResult) -> None:
    if kr.kind == KeyResult.Kind.MILESTONE:
        kr.baseline, kr.target, kr.metric_id = None, None, None
        if kr.current not in (None, 0, 1):
            raise ValidationFailed("A milestone is either done (1) or not yet (0).")
        return
    if kr.baseline is None or kr.target is None:
        raise ValidationFailed("A metric key result needs a baseline and a target.")
    if kr.target == kr.baseline:
        raise ValidationFailed("The target must differ from the baseline, or there is nothing to achieve.")
    if kr.direction == "up" and kr.target < kr.baseline:
        raise ValidationFailed(
            "Higher is better, so the target must be above the baseline (or choose 'lower is better')."
        )
    if kr.direction == "down" and kr.target > kr.baseline:
        raise ValidationFailed(
            "Lower is better, so the target must be below the baseline (or choose 'higher is better')."
        )


KEY_RESULT_FIELDS = {
    "title", "kind", "owner_id", "unit", "direction", "baseline", "target", "metric_id", "weight",
}  # fmt: skip


def _bind_metric(kr: KeyResult) -> None:
    """A key result bound to a KPI takes the KPI's unit (when it has none) and latest value."""
    if not kr.metric_id:
        return
    from northstar.strategy.metrics import metric_latest

    metric = Metric.objects.filter(pk=kr.metric_id).first()
    if metric is None:
        raise ValidationFailed(f"Unknown metric id {kr.metric_id}.")
    kr.unit = kr.unit or metric.unit
    latest = metric_latest([metric.pk]).get(metric.pk)
    if latest is not None:
        kr.current = latest[1]


@transaction.atomic
def key_result_create(*, actor: User, objective: Objective, **data: Any) -> KeyResult:
    require_objective_edit(actor, objective)
    kr = KeyResult(objective=objective)
    assign(kr, data, allowed=KEY_RESULT_FIELDS)
    _check_key_result(kr)
    _bind_metric(kr)
    return record_save(actor=actor, instance=kr, before=None)


@transaction.atomic
def key_result_update(*, actor: User, key_result: KeyResult, **data: Any) -> KeyResult:
    require_objective_edit(actor, key_result.objective)
    before = audit.snapshot(key_result)
    assign(key_result, data, allowed=KEY_RESULT_FIELDS)
    _check_key_result(key_result)
    _bind_metric(key_result)
    return record_save(actor=actor, instance=key_result, before=before)


@transaction.atomic
def key_result_delete(*, actor: User, key_result: KeyResult) -> None:
    require_objective_edit(actor, key_result.objective)
    record_delete(actor=actor, instance=key_result, blocked_by="it is referenced")


def can_check_in(user: User, key_result: KeyResult) -> bool:
    """Whoever may edit the objective, and the key result's (or objective's) owner."""
    if not user.is_authenticated or not user.can_write:
        return False
    owners = {pk for pk in (key_result.owner_id, key_result.objective.owner_id) if pk is not None}
    if owners and Person.objects.filter(pk__in=owners, user=user).exists():
        return True
    return can_edit_objective(user, key_result.objective)


@transaction.atomic
def check_in_create(
    *, actor: User, key_result: KeyResult, value: float | None, confidence: int, comment: str = ""
) -> CheckIn:
    """Record where a key result stands; its current value and confidence follow the check-in.

    A key result bound to a KPI takes its value from the KPI, so there the value may be left out.
    """
    access.require_write(actor)
    if not can_check_in(actor, key_result):
        raise PermissionDenied("Only the owner, the line's product managers or a leader can check in here.")
    if not 0 <= int(confidence) <= 10:
        raise ValidationFailed("Confidence is a number from 0 (will not happen) to 10 (certain).")
    if value is None:
        if key_result.current is None:
            raise ValidationFailed("Give the value the key result stands at now.")
        value = key_result.current
    if key_result.kind == KeyResult.Kind.MILESTONE and value not in (0, 1):
        raise ValidationFailed("A milestone check-in is 1 (done) or 0 (not yet).")
    check_in = record_save(
        actor=actor,
        instance=CheckIn(
            key_result=key_result, value=value, confidence=confidence, comment=comment.strip(), author=actor
        ),
        before=None,
    )
    before = audit.snapshot(key_result)
    key_result.current = value
    key_result.confidence = confidence
    record_save(actor=actor, instance=key_result, before=before)
    return check_in


# ---------------------------------------------------------------------------------------------------
# Alignment of work


@transaction.atomic
def alignment_create(
    *,
    actor: User,
    initiative: Initiative,
    objective: Objective,
    key_result: KeyResult | None = None,
    weight: Decimal | float | int = 1,
) -> Alignment:
    """Link an initiative to an objective (or one of its key results) with a contribution weight."""
    access.require_write(actor)
    if not can_edit_initiative(actor, product_id=initiative.product_id, owner_id=initiative.owner_id):
        raise PermissionDenied("You can only align initiatives in the product lines you belong to.")
    if key_result is not None and key_result.objective_id != objective.pk:
        raise ValidationFailed("That key result belongs to another objective.")
    weight = Decimal(str(weight))
    if weight <= 0:
        raise ValidationFailed("A contribution weight must be more than 0.")
    alignment = Alignment(initiative=initiative, objective=objective, key_result=key_result, weight=weight)
    exists = Alignment.objects.filter(
        initiative=initiative, objective=objective, key_result=key_result
    ).exists()
    if exists:
        raise ValidationFailed(
            f"{initiative} is already aligned to this {'key result' if key_result else 'objective'}."
        )
    return record_save(actor=actor, instance=alignment, before=None)


@transaction.atomic
def alignment_delete(*, actor: User, alignment: Alignment) -> None:
    access.require_write(actor)
    initiative = alignment.initiative
    if not can_edit_initiative(actor, product_id=initiative.product_id, owner_id=initiative.owner_id):
        raise PermissionDenied("You can only change the alignment of initiatives in your product lines.")
    record_delete(actor=actor, instance=alignment, blocked_by="it is referenced")
