"""Stage-gate approvals: who must say yes, asking, approving, rejecting with a reason, the decision log,
and the requests waiting for each person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.roles import Role
from northstar.portfolio import approvals, scoring
from northstar.portfolio.models import ApprovalRequest, Approver, DecisionKind, Stage
from tests import factories


def _in_discovery(cast):
    item = cast.home_initiative
    item.stage = Stage.DISCOVERY
    item.save()
    return item


def _log(item) -> list[tuple[str, str]]:
    return list(item.decisions.order_by("id").values_list("kind", "title"))


def test_a_move_into_a_stage_with_an_approver_waits_for_the_lines_director(cast, director):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    item = _in_discovery(cast)
    outcome = approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED, rationale="Sized")
    assert not outcome.moved and "Waiting for approval" in outcome.message
    request = outcome.request
    assert (request.approver, request.approver_person.user, request.status) == (
        Approver.LINE_DIRECTOR,
        director,
        ApprovalRequest.Status.PENDING,
    )
    item.refresh_from_db()
    assert item.stage == Stage.DISCOVERY
    assert list(approvals.approvals_waiting_for(director)) == [request]
    assert not approvals.approvals_waiting_for(cast.pm).exists()

    approvals.approval_approve(actor=director, request=request, note="Worth it")
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.stage == Stage.PLANNED and request.status == ApprovalRequest.Status.APPROVED
    assert _log(item) == [
        (DecisionKind.APPROVAL, "Approval requested: move to Planned"),
        (DecisionKind.STAGE_CHANGE, "Moved to Planned"),
        (DecisionKind.APPROVAL, "Approved: move to Planned"),
    ]
    assert item.decisions.get(title="Approved: move to Planned").rationale == "Worth it"
    assert not approvals.approvals_waiting_for(director).exists()


def test_a_rejection_needs_a_reason_and_is_logged(cast, director):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    item = _in_discovery(cast)
    request = approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED).request
    with pytest.raises(ValidationFailed, match="Say why"):
        approvals.approval_reject(actor=director, request=request, reason=" ")
    approvals.approval_reject(actor=director, request=request, reason="No capacity before Q3")
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.status == ApprovalRequest.Status.REJECTED and item.stage == Stage.DISCOVERY
    rejected = item.decisions.get(title="Rejected: move to Planned")
    assert rejected.rationale == "No capacity before Q3" and rejected.recorded_by == director
    with pytest.raises(Conflict, match="already rejected"):
        approvals.approval_approve(actor=cast.leader, request=request)


def test_only_the_named_approver_or_a_leader_decides(cast, director):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    request = approvals.stage_move(actor=cast.pm, initiative=_in_discovery(cast), stage=Stage.PLANNED).request
    other_director = factories.make_user(Role.PRODUCT_MANAGER, username="away-director")
    cast.away_line.director.user = other_director
    cast.away_line.director.save()
    for refused in (cast.pm, other_director, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            approvals.approval_approve(actor=refused, request=request)
    assert not approvals.approvals_waiting_for(other_director).exists()
    approvals.approval_approve(actor=cast.leader, request=request)  # a leader's yes covers a director's


def test_delivery_above_a_cost_waits_for_a_leader_and_cheaper_work_does_not(cast):
    approvals.gate_approval_set(
        actor=cast.leader, stage=Stage.IN_DELIVERY, approver=Approver.LEADER, above="100000"
    )
    cheap = factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED, title="Cheap")
    scoring.estimate_set(  # 2 team-weeks at 12,000 a week
        actor=cast.pm, initiative=cheap, lines=[{"skill": "backend", "low": 2, "likely": 2, "high": 2}]
    )
    assert approvals.stage_move(actor=cast.pm, initiative=cheap, stage=Stage.IN_DELIVERY).moved
    big = factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED, title="Big")
    scoring.estimate_set(
        actor=cast.pm, initiative=big, lines=[{"skill": "backend", "low": 10, "likely": 12, "high": 20}]
    )
    waiting = approvals.stage_move(actor=cast.pm, initiative=big, stage=Stage.IN_DELIVERY).request
    assert waiting.approver == Approver.LEADER and "above 100,000" in waiting.why_needed
    unsized = factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED, title="Unsized")
    request = approvals.stage_move(actor=cast.pm, initiative=unsized, stage=Stage.IN_DELIVERY).request
    assert request is not None and "not estimated yet" in request.why_needed
    assert {r.initiative.title for r in approvals.approvals_waiting_for(cast.leader)} == {"Big", "Unsized"}


def test_a_leader_moving_work_approves_it_in_the_same_step(cast):
    approvals.gate_approval_set(actor=cast.admin, stage=Stage.PLANNED, approver=Approver.LEADER)
    item = _in_discovery(cast)
    assert approvals.stage_move(actor=cast.leader, initiative=item, stage=Stage.PLANNED).moved
    assert "approved by leader on moving" in item.decisions.get(kind=DecisionKind.STAGE_CHANGE).rationale
    assert not ApprovalRequest.objects.exists()


def test_jumping_stages_needs_the_approvals_of_the_stages_passed_over(cast, director):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    request = approvals.stage_move(
        actor=cast.pm, initiative=cast.home_initiative, stage=Stage.LAUNCHED
    ).request
    assert (
        request is not None and request.to_stage == Stage.LAUNCHED and "Planned needs" in request.why_needed
    )


def test_one_request_at_a_time_and_a_withdrawal_is_logged(cast, director):
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    item = _in_discovery(cast)
    request = approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED).request
    with pytest.raises(Conflict, match="already waiting"):
        approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PLANNED)
    with pytest.raises(PermissionDenied):
        approvals.approval_withdraw(actor=factories.make_user(Role.PRODUCT_MANAGER), request=request)
    approvals.approval_withdraw(actor=cast.pm, request=request)
    assert item.decisions.filter(title="Withdrawn: move to Planned").exists()
    # A move that needs no approval (parking it) closes nothing that is not waiting.
    assert approvals.stage_move(actor=cast.pm, initiative=item, stage=Stage.PARKED).moved


def test_approval_rules_are_set_by_leaders_only(cast):
    for refused in (cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            approvals.gate_approval_set(actor=refused, stage=Stage.PLANNED, approver=Approver.LEADER)
    with pytest.raises(ValidationFailed, match="Unknown approver"):
        approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver="ceo")
    with pytest.raises(ValidationFailed, match="must be a number"):
        approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver="leader", above="lots")
    gate = approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver="leader", above="5e4")
    assert gate.approval_above == Decimal("50000")
    assert set(approvals.approval_rules()) == {Stage.PLANNED}
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver="")
    assert approvals.approval_rules() == {}
