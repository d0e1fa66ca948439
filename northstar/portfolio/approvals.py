"""Stage-gate approvals: who must say yes before a move, asking, approving, rejecting and withdrawing.

A product leader sets, per stage, who approves entering it (the product line's director, or a product
leader) and optionally a cost above which it applies. `initiative_move` refuses a move that needs an
approval the mover cannot give (`ApprovalRequired`); `stage_move`, which every front door calls, turns
that refusal into a request waiting for the approver. Approving runs the move then (gates re-checked);
rejecting needs a reason. The decision log records each step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from northstar.core import audit
from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.org import access
from northstar.org.models import Person
from northstar.portfolio.models import (
    ApprovalRequest,
    Approver,
    Decision,
    DecisionKind,
    Initiative,
    Stage,
    StageGate,
)
from northstar.portfolio.permissions import require_initiative_edit

#: A leader's approval covers a director's: the stronger approver wins when a move needs both.
STRENGTH = {Approver.LINE_DIRECTOR: 1, Approver.LEADER: 2}


@dataclass(frozen=True)
class Needed:
    """The approval a move needs: whose, why (in words), and the person when it is one (a director)."""

    approver: str
    why: str
    person: Person | None = None

    @property
    def who(self) -> str:
        if self.approver == Approver.LINE_DIRECTOR and self.person is not None:
            return f"{self.person.name} (the line's director)"
        return "a product leader"


class ApprovalRequired(Conflict):
    """The move needs an approval the mover cannot give: `stage_move` asks for it instead."""

    def __init__(self, message: str, *, needed: Needed) -> None:
        super().__init__(message, detail={"approver": needed.approver, "why": needed.why})
        self.needed = needed


# Rules --------------------------------------------------------------------------------------------


def expected_cost(initiative: Initiative) -> tuple[Decimal, str] | None:
    """The initiative's expected cost (PERT of its estimate at the team rates), or None when unknown."""
    from northstar.portfolio import scoring

    cost = scoring.estimate_cost(initiative, list(initiative.estimate_lines.select_related("skill")))
    return (cost.expected, cost.currency) if cost is not None else None


def _line_director(initiative: Initiative) -> Person | None:
    if initiative.product_id is None:
        return None
    return Person.objects.filter(directed_lines__products=initiative.product_id).first()


def approval_needed(initiative: Initiative, stages: Iterable[str]) -> Needed | None:
    """The approval entering these stages needs (the strongest when several ask), or None.

    A cost threshold applies to work expected to cost more than it; work with no estimate yet needs
    the approval (nobody can say it is below). A line without a director to ask goes to a leader.
    """
    gates = list(StageGate.objects.filter(stage__in=list(stages)).exclude(approver=""))
    best: Needed | None = None
    costs: list[tuple[Decimal, str] | None] = []  # looked up once, and only when a threshold asks
    for gate in sorted(gates, key=lambda g: list(Stage.values).index(g.stage)):
        label = Stage(gate.stage).label
        approver_label = Approver(gate.approver).label.lower()
        if gate.approval_above is None:
            why = f"{label} needs the approval of {approver_label}"
        else:
            if not costs:
                costs.append(expected_cost(initiative))
            cost = costs[0]
            if cost is not None and cost[0] <= gate.approval_above:
                continue
            shown = f"{cost[0]:,.0f} {cost[1]}".strip() if cost else "not estimated yet"
            why = (
                f"{label} above {gate.approval_above:,.0f} needs the approval of {approver_label} "
                f"(expected cost: {shown})"
            )
        if best is None or STRENGTH[Approver(gate.approver)] > STRENGTH[Approver(best.approver)]:
            best = Needed(gate.approver, why)
    if best is None:
        return None
    if best.approver == Approver.LINE_DIRECTOR:
        director = _line_director(initiative)
        if director is None or director.user_id is None:
            return Needed(Approver.LEADER, f"{best.why}; the line has no director with a login, so a leader")
        return Needed(best.approver, best.why, director)
    return best


def may_approve(user: User, approver: str, person: Person | None) -> bool:
    """Leaders approve anything; a line's director approves what waits for the line's director."""
    if not user.is_authenticated or not user.can_write:
        return False
    if user.is_leading:
        return True
    return approver == Approver.LINE_DIRECTOR and person is not None and person.user_id == user.pk


def can_decide(user: User, request: ApprovalRequest) -> bool:
    return request.status == ApprovalRequest.Status.PENDING and may_approve(
        user, request.approver, request.approver_person
    )


@transaction.atomic
def gate_approval_set(*, actor: User, stage: str, approver: str, above: Any = None) -> StageGate:
    """Set who approves entering a stage, and above which expected cost (leaders); "" removes it."""
    access.require_leading(actor, "who approves stage moves")
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}: choose one of {', '.join(Stage.values)}.")
    if approver not in ("", *Approver.values):
        raise ValidationFailed(f"Unknown approver {approver!r}: choose one of {', '.join(Approver.values)}.")
    amount = None
    if above not in (None, ""):
        try:
            amount = Decimal(str(above))
        except InvalidOperation:
            raise ValidationFailed(f"The cost threshold must be a number, not “{above}”.") from None
        if amount < 0 or not amount.is_finite() or amount >= Decimal("1e12"):
            raise ValidationFailed("The cost threshold must be between 0 and 999,999,999,999.")
    gate = StageGate.objects.filter(stage=stage).first()
    before = audit.snapshot(gate) if gate else None
    gate = gate or StageGate(stage=stage)
    gate.approver, gate.approval_above = approver, amount if approver else None
    return record_save(actor=actor, instance=gate, before=before)


def approval_rules() -> dict[str, StageGate]:
    """The stages that need an approval, by stage."""
    return {g.stage: g for g in StageGate.objects.exclude(approver="")}


# Asking, approving, rejecting ---------------------------------------------------------------------


def _person_of(user: User | None) -> Person | None:
    return Person.objects.filter(user=user).first() if user is not None and user.is_authenticated else None


def _log(request: ApprovalRequest, *, actor: User, title: str, decision: str, rationale: str = "") -> None:
    """An approval step in the decision log (the log is append-only, like every entry)."""
    Decision.objects.create(
        initiative=request.initiative,
        kind=DecisionKind.APPROVAL,
        title=title[:200],
        decision=decision,
        rationale=rationale.strip(),
        from_stage=request.from_stage,
        to_stage=request.to_stage,
        decided_by=_person_of(actor),
        decided_on=timezone.localdate(),
        recorded_by=actor,
    )


@dataclass(frozen=True)
class MoveOutcome:
    """What asking for a stage move did: moved at once, or asked for approval."""

    initiative: Initiative
    request: ApprovalRequest | None

    @property
    def moved(self) -> bool:
        return self.request is None

    @property
    def message(self) -> str:
        if self.request is None:
            return f"Moved to {self.initiative.get_stage_display()}."
        who = Needed(self.request.approver, "", self.request.approver_person).who
        stage = self.request.get_to_stage_display()
        return f"Waiting for approval: {who} is asked to approve the move to {stage}."


@transaction.atomic
def stage_move(*, actor: User, initiative: Initiative, stage: str, rationale: str = "") -> MoveOutcome:
    """Move an initiative, or, when the move needs an approval the actor cannot give, ask for it.

    The one entry point of the web UI, the API and bulk re-staging, so approvals hold everywhere.
    """
    from northstar.portfolio.services import initiative_move

    try:
        return MoveOutcome(
            initiative_move(actor=actor, initiative=initiative, stage=stage, rationale=rationale), None
        )
    except ApprovalRequired as exc:
        initiative.refresh_from_db(fields=["stage"])
        return MoveOutcome(initiative, approval_request(actor=actor, initiative=initiative, stage=stage,
                                                        rationale=rationale, needed=exc.needed))  # fmt: skip


@transaction.atomic
def approval_request(
    *, actor: User, initiative: Initiative, stage: str, rationale: str, needed: Needed
) -> ApprovalRequest:
    """Ask the approver to approve a move (called by `stage_move` once the gates are met)."""
    require_initiative_edit(actor, initiative)
    waiting = initiative.approval_requests.filter(status=ApprovalRequest.Status.PENDING).first()
    if waiting is not None:
        raise Conflict(
            f"A move of “{initiative.title}” to {waiting.get_to_stage_display()} is already waiting for "
            "approval: withdraw it before asking for another.",
            detail={"approval_id": waiting.pk},
        )
    request = ApprovalRequest(
        initiative=initiative,
        from_stage=initiative.stage,
        to_stage=stage,
        approver=needed.approver,
        approver_person=needed.person,
        why_needed=needed.why[:300],
        rationale=rationale.strip(),
        requested_by=actor,
    )
    record_save(actor=actor, instance=request, before=None)
    _log(
        request,
        actor=actor,
        title=f"Approval requested: move to {Stage(stage).label}",
        decision=f"Asked {needed.who} to approve {Stage(request.from_stage).label} → {Stage(stage).label}: "
        f"{needed.why}.",
        rationale=rationale,
    )
    return request


def _decide(request: ApprovalRequest, *, actor: User, status: str, note: str) -> ApprovalRequest:
    before = audit.snapshot(request)
    request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
    request.decision_note = note.strip()
    return record_save(actor=actor, instance=request, before=before)


def _require_pending(request: ApprovalRequest) -> None:
    if request.status != ApprovalRequest.Status.PENDING:
        raise Conflict(f"This request was already {request.get_status_display().lower()}.")


def _require_decider(actor: User, request: ApprovalRequest) -> None:
    if not may_approve(actor, request.approver, request.approver_person):
        who = Needed(request.approver, "", request.approver_person).who
        raise PermissionDenied(f"Only {who} or a product leader can decide this request.")


@transaction.atomic
def approval_approve(*, actor: User, request: ApprovalRequest, note: str = "") -> ApprovalRequest:
    """Approve a waiting move: the move happens now, through the gates as they stand today."""
    from northstar.portfolio.services import initiative_move

    request = ApprovalRequest.objects.select_for_update().select_related("initiative").get(pk=request.pk)
    _require_pending(request)
    _require_decider(actor, request)
    initiative = request.initiative
    if initiative.stage != request.from_stage:
        raise Conflict(
            f"“{initiative.title}” has moved to {initiative.get_stage_display()} since the request: "
            "withdraw it and ask again."
        )
    _decide(request, actor=actor, status=ApprovalRequest.Status.APPROVED, note=note)
    asked_by = request.requested_by.username if request.requested_by else "someone"
    initiative_move(
        actor=actor,
        initiative=initiative,
        stage=request.to_stage,
        rationale=f"{request.rationale} (asked by {asked_by}, approved by {actor.username})".strip(),
        approval=request,
    )
    _log(
        request,
        actor=actor,
        title=f"Approved: move to {request.get_to_stage_display()}",
        decision=f"{actor.username} approved {request.get_from_stage_display()} → "
        f"{request.get_to_stage_display()}.",
        rationale=note,
    )
    return request


@transaction.atomic
def approval_reject(*, actor: User, request: ApprovalRequest, reason: str) -> ApprovalRequest:
    """Reject a waiting move, saying why (the requester and the decision log keep the reason)."""
    request = ApprovalRequest.objects.select_for_update().select_related("initiative").get(pk=request.pk)
    _require_pending(request)
    _require_decider(actor, request)
    if not reason.strip():
        raise ValidationFailed("Say why it is rejected: the person who asked reads it, and so does the log.")
    _decide(request, actor=actor, status=ApprovalRequest.Status.REJECTED, note=reason)
    _log(
        request,
        actor=actor,
        title=f"Rejected: move to {request.get_to_stage_display()}",
        decision=f"{actor.username} rejected {request.get_from_stage_display()} → "
        f"{request.get_to_stage_display()}.",
        rationale=reason,
    )
    return request


@transaction.atomic
def approval_withdraw(*, actor: User, request: ApprovalRequest) -> ApprovalRequest:
    """Withdraw a waiting request (anyone who may change the initiative)."""
    request = ApprovalRequest.objects.select_for_update().select_related("initiative").get(pk=request.pk)
    _require_pending(request)
    require_initiative_edit(actor, request.initiative)
    _decide(request, actor=actor, status=ApprovalRequest.Status.WITHDRAWN, note="")
    _log(
        request,
        actor=actor,
        title=f"Withdrawn: move to {request.get_to_stage_display()}",
        decision=f"{actor.username} withdrew the request.",
    )
    return request


def pending_close(*, actor: User | None, initiative: Initiative, keep: ApprovalRequest | None) -> int:
    """A move that happened another way leaves no request waiting for a move that no longer fits."""
    stale = initiative.approval_requests.filter(status=ApprovalRequest.Status.PENDING)
    if keep is not None:
        stale = stale.exclude(pk=keep.pk)
    return stale.update(
        status=ApprovalRequest.Status.WITHDRAWN,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=f"Closed: the initiative moved to {initiative.get_stage_display()} meanwhile.",
    )


# Reads --------------------------------------------------------------------------------------------


def approvals_waiting_for(user: User) -> QuerySet[ApprovalRequest]:
    """Requests waiting for this person: as a line's director, or (for leaders) a leader's approval."""
    if not user.is_authenticated or not user.can_write:
        return ApprovalRequest.objects.none()
    mine = Q(approver_person__user=user, approver=Approver.LINE_DIRECTOR)
    if user.is_leading:
        mine |= Q(approver=Approver.LEADER)
    return _listed(ApprovalRequest.objects.filter(mine, status=ApprovalRequest.Status.PENDING))


def approval_list(*, status: str = "") -> QuerySet[ApprovalRequest]:
    requests = ApprovalRequest.objects.all()
    if status:
        requests = requests.filter(status=status)
    return _listed(requests)


def _listed(requests: QuerySet[ApprovalRequest]) -> QuerySet[ApprovalRequest]:
    return requests.select_related(
        "initiative__product__line", "approver_person", "requested_by", "decided_by"
    ).order_by("-created_at", "-id")


def pending_for(initiative: Initiative) -> ApprovalRequest | None:
    return (
        initiative.approval_requests.filter(status=ApprovalRequest.Status.PENDING)
        .select_related("approver_person", "requested_by")
        .first()
    )
