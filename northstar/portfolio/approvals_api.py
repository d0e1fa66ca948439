"""API of stage-gate approvals: the requests (waiting for me, or all), deciding them, and who approves
which stage. Thin: every rule lives in `northstar.portfolio.approvals`."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from northstar.core.errors import ValidationFailed
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.portfolio import approvals
from northstar.portfolio.models import ApprovalRequest, StageGate

router = Router(tags=["approvals"])


class ApprovalOut(Schema):
    id: int
    initiative_id: int
    initiative: str
    from_stage: str
    to_stage: str
    approver: str = Field(..., description="line_director or leader")
    approver_person_id: int | None
    why_needed: str
    rationale: str
    status: str
    requested_by: str | None
    decided_by: str | None
    decision_note: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_initiative(obj: ApprovalRequest) -> str:
        return obj.initiative.title

    @staticmethod
    def resolve_requested_by(obj: ApprovalRequest) -> str | None:
        return obj.requested_by.username if obj.requested_by else None

    @staticmethod
    def resolve_decided_by(obj: ApprovalRequest) -> str | None:
        return obj.decided_by.username if obj.decided_by else None


class ApprovalFilter(Schema):
    status: str = Field("", description="pending, approved, rejected or withdrawn; empty: all")
    waiting_for: str = Field("", description="`me`: only the requests waiting for your approval")


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class ApprovalRuleIn(Schema):
    approver: str = Field("", description="line_director, leader, or empty for no approval")
    above: Decimal | None = Field(None, ge=0, description="Only work expected to cost more than this.")


class ApprovalRuleOut(Schema):
    stage: str
    approver: str
    approval_above: Decimal | None


def _approval(approval_id: int) -> ApprovalRequest:
    return get_or_404(
        ApprovalRequest,
        approval_id,
        queryset=ApprovalRequest.objects.select_related("initiative", "requested_by", "decided_by"),
    )


@router.get("/approvals", response=list[ApprovalOut])
@paginate(Pagination)
def approval_list(request: HttpRequest, filters: Query[ApprovalFilter]) -> object:
    """Stage moves waiting for approval (or decided), newest first; `?waiting_for=me` for your queue."""
    if filters.status and filters.status not in ApprovalRequest.Status.values:
        raise ValidationFailed(
            f"Unknown status {filters.status!r}: {', '.join(ApprovalRequest.Status.values)}."
        )
    if filters.waiting_for == "me":
        return approvals.approvals_waiting_for(user_of(request))
    if filters.waiting_for:
        raise ValidationFailed("waiting_for takes `me` (or nothing).")
    return approvals.approval_list(status=filters.status)


@router.get("/approvals/{approval_id}", response=ApprovalOut)
def approval_get(request: HttpRequest, approval_id: int) -> ApprovalRequest:
    return _approval(approval_id)


@router.post("/approvals/{approval_id}/approve", response=ApprovalOut)
def approval_approve(request: HttpRequest, approval_id: int, payload: NoteIn) -> ApprovalRequest:
    """Approve: the initiative moves now (its gates are checked again)."""
    approvals.approval_approve(actor=user_of(request), request=_approval(approval_id), note=payload.note)
    return _approval(approval_id)


@router.post("/approvals/{approval_id}/reject", response=ApprovalOut)
def approval_reject(request: HttpRequest, approval_id: int, payload: ReasonIn) -> ApprovalRequest:
    approvals.approval_reject(actor=user_of(request), request=_approval(approval_id), reason=payload.reason)
    return _approval(approval_id)


@router.post("/approvals/{approval_id}/withdraw", response=ApprovalOut)
def approval_withdraw(request: HttpRequest, approval_id: int) -> ApprovalRequest:
    approvals.approval_withdraw(actor=user_of(request), request=_approval(approval_id))
    return _approval(approval_id)


@router.put("/stage-gates/{stage}/approval", response=ApprovalRuleOut, tags=["prioritisation"])
def approval_rule_set(request: HttpRequest, stage: str, payload: ApprovalRuleIn) -> StageGate:
    """Who approves entering a stage, and above which expected cost (product leaders)."""
    return approvals.gate_approval_set(
        actor=user_of(request), stage=stage, approver=payload.approver, above=payload.above
    )
