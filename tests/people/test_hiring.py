"""Hiring: the pipeline, blind scorecards, and the product leader's final say that nobody else can give."""

from __future__ import annotations

import pytest

from northstar.core.errors import Conflict, PermissionDenied
from northstar.core.models import AuditEntry
from northstar.people import access, hiring, hiring_selectors, selectors
from northstar.people.models import (
    Competency,
    DecisionStatus,
    HireDecision,
    Rating,
    RequisitionStatus,
    Source,
    Stage,
)
from tests.people.factories import make_reporting, make_requisition

pytestmark = pytest.mark.django_db


def _candidate(cast, world, requisition, name="Cand Idate", source=Source.REFERRAL):
    return hiring.candidate_add(
        actor=world.user("manager"),
        requisition=requisition,
        name=name,
        email=f"{name[:4]}@example.com",
        source=source,
    )


def test_the_job_description_is_drafted_from_the_ladder_level(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    assert requisition.description.startswith("Senior PM, Payments (Senior Product Manager)")
    assert "Scope: several product areas." in requisition.description
    assert requisition.leader_approval  # a product hire: the leader has the final say


def test_candidates_are_seen_by_the_hiring_team_the_interviewer_and_leaders_only(cast):
    world = make_reporting(cast)
    candidate = _candidate(cast, world, make_requisition(cast, world))
    hiring.interview_plan(
        actor=world.user("manager"),
        candidate=candidate,
        interviewer_id=world.peers[1].pk,
        competency_ids=[Competency.objects.first().pk],
    )
    for who in (world.user("manager"), world.user("peer0"), world.user("peer1"), cast.leader, cast.admin):
        assert hiring_selectors.candidate_view(access.viewer_of(who), candidate).candidate == candidate
    for who in (world.user("peer2"), world.user("skip"), cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            hiring_selectors.candidate_view(access.viewer_of(who), candidate)
        assert candidate not in hiring_selectors.candidates_visible(access.viewer_of(who))


def test_an_interviewer_sees_no_other_scorecard_until_theirs_is_in(cast):
    world = make_reporting(cast)
    candidate = _candidate(cast, world, make_requisition(cast, world))
    first, second = Competency.objects.all()[:2]
    one = hiring.interview_plan(
        actor=cast.leader, candidate=candidate, interviewer_id=world.peers[1].pk, competency_ids=[first.pk]
    )
    hiring.interview_plan(
        actor=cast.leader, candidate=candidate, interviewer_id=world.manager.pk, competency_ids=[second.pk]
    )
    hiring.scorecard_submit(
        actor=world.user("peer1"),
        interview=one,
        recommendation="strong_yes",
        notes="Great signal",
        ratings={first.pk: (Rating.ABOVE, "Clear story")},
    )
    # The hiring manager interviews too: blind until their own scorecard is in.
    assert hiring_selectors.candidate_view(
        access.viewer_of(world.user("manager")), candidate
    ).scorecards_hidden
    assert not hiring_selectors.candidate_view(
        access.viewer_of(world.user("peer1")), candidate
    ).scorecards_hidden
    assert not hiring_selectors.candidate_view(access.viewer_of(cast.leader), candidate).scorecards_hidden
    with pytest.raises(PermissionDenied):
        hiring.scorecard_submit(
            actor=world.user("manager"),
            interview=one,
            recommendation="no",
            notes="",
            ratings={first.pk: ("meets", "")},
        )


def test_only_the_product_leader_gives_the_final_say_on_a_product_hire(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    candidate = _candidate(cast, world, requisition)
    for stage in (Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF):
        hiring.candidate_move(actor=world.user("manager"), candidate=candidate, stage=stage)
    with pytest.raises(Conflict, match="leader's approval"):
        hiring.candidate_move(actor=cast.leader, candidate=candidate, stage=Stage.OFFER)
    decision = hiring.decision_propose(
        actor=world.user("manager"), candidate=candidate, kind=HireDecision.Kind.OFFER, reason="Strong loop"
    )
    for who in (world.user("manager"), world.user("peer0"), cast.admin, cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            hiring.decision_decide(actor=who, decision=decision, approve=True)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DEBRIEF
    hiring.decision_decide(actor=cast.leader, decision=decision, approve=True, note="Yes")
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFER
    with pytest.raises(Conflict):
        hiring.decision_decide(actor=cast.leader, decision=decision, approve=False)
    hiring.offer_outcome(actor=world.user("manager"), candidate=candidate, accepted=True)
    candidate.refresh_from_db()
    requisition.refresh_from_db()
    assert candidate.stage == Stage.HIRED and requisition.status == RequisitionStatus.FILLED


def test_a_declined_proposal_leaves_the_candidate_and_a_rejection_needs_the_leader_too(cast):
    world = make_reporting(cast)
    candidate = _candidate(cast, world, make_requisition(cast, world))
    offer = hiring.decision_propose(
        actor=world.user("peer0"), candidate=candidate, kind="offer", reason="Maybe"
    )
    hiring.decision_decide(actor=cast.leader, decision=offer, approve=False, note="Not yet")
    candidate.refresh_from_db()
    assert candidate.stage == Stage.APPLIED
    with pytest.raises(Conflict):
        hiring.candidate_move(actor=world.user("manager"), candidate=candidate, stage=Stage.REJECTED)
    reject = hiring.decision_propose(
        actor=world.user("manager"), candidate=candidate, kind="reject", reason="Gaps"
    )
    assert reject.status == DecisionStatus.PENDING
    hiring.decision_decide(actor=cast.leader, decision=reject, approve=True)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.REJECTED


def test_without_the_leader_approval_setting_the_hiring_manager_decides(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world, title="Designer", level="designer")
    assert not requisition.leader_approval  # not a product-management hire
    candidate = _candidate(cast, world, requisition)
    decision = hiring.decision_propose(
        actor=world.user("peer0"), candidate=candidate, kind="offer", reason="Good"
    )
    with pytest.raises(PermissionDenied):
        hiring.decision_decide(actor=world.user("peer0"), decision=decision, approve=True)
    hiring.decision_decide(actor=world.user("manager"), decision=decision, approve=True)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFER


def test_hiring_metrics_from_the_stage_history(cast):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    hired = _candidate(cast, world, requisition, "Hired One", Source.REFERRAL)
    dropped = _candidate(cast, world, requisition, "Dropped One", Source.INBOUND)
    hiring.candidate_move(actor=cast.leader, candidate=dropped, stage=Stage.SCREEN)
    hiring.candidate_move(actor=cast.leader, candidate=dropped, stage=Stage.WITHDRAWN)
    for stage in (Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF):
        hiring.candidate_move(actor=cast.leader, candidate=hired, stage=stage)
    decision = hiring.decision_propose(actor=cast.leader, candidate=hired, kind="offer", reason="Yes")
    hiring.decision_decide(actor=cast.leader, decision=decision, approve=True)
    hiring.offer_outcome(actor=cast.leader, candidate=hired, accepted=True)
    metrics = hiring_selectors.hiring_metrics()
    reached = dict(metrics.reached)
    assert reached["Applied"] == 2 and reached["Screen"] == 2 and reached["Interviews"] == 1
    assert dict(metrics.pass_through)["Interviews"] == 0.5
    assert (metrics.accepted, metrics.offers) == (1, 1)
    assert metrics.sources == [("Referral", 1)]
    assert metrics.median_days_to_hire == 0


def test_the_audit_log_keeps_no_scorecard_notes_or_decision_reasons(cast):
    world = make_reporting(cast)
    candidate = _candidate(cast, world, make_requisition(cast, world))
    competency = Competency.objects.first()
    interview = hiring.interview_plan(
        actor=cast.leader,
        candidate=candidate,
        interviewer_id=world.peers[1].pk,
        competency_ids=[competency.pk],
    )
    hiring.scorecard_submit(
        actor=world.user("peer1"),
        interview=interview,
        recommendation="yes",
        notes="Candid interview notes",
        ratings={competency.pk: ("meets", "Specific evidence")},
    )
    hiring.decision_propose(actor=cast.leader, candidate=candidate, kind="reject", reason="Private reason")
    logged = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert "Candid interview notes" not in logged and "Private reason" not in logged
    assert AuditEntry.objects.filter(record_type="people.interview", actor=world.user("peer1")).exists()


def test_headcount_is_approved_by_leaders_and_read_against_hires_and_open_roles(cast, login):
    from datetime import date

    from northstar.core.errors import PermissionDenied as Refused
    from northstar.people.models import StageChange
    from tests.strategy.factories import make_period

    world = make_reporting(cast)
    period = make_period(name="2031-Q1", start=date(2031, 1, 1), end=date(2031, 3, 31))
    with pytest.raises(Refused):
        hiring.headcount_set(actor=cast.pm, line_id=cast.home_line.pk, period_id=period.pk, slots=3)
    hiring.headcount_set(
        actor=cast.leader, line_id=cast.home_line.pk, period_id=period.pk, slots=3, cost_per_slot="100000"
    )
    requisition = make_requisition(cast, world)  # open, in the home line
    hired = _candidate(cast, world, requisition)
    StageChange.objects.create(candidate=hired, from_stage="offer", to_stage=Stage.HIRED, on=date(2031, 2, 1))
    [row] = selectors.headcount()
    assert (row.plan.slots, row.cost, row.hired, row.open_roles, row.remaining) == (3, 300000.0, 1, 1, 1)
    page = login(cast.stakeholder).get("/people/hiring/headcount/").content.decode()
    assert "2031-Q1" in page and "300,000 EUR" in page
