"""Every change in hiring: requisitions, candidates and their stages, interview plans, scorecards and
the decision, whose final say for product roles is the product leader's alone.

Candidates are private to the hiring team and leaders (`people.access`); the audit log records who
changed a scorecard or a decision, never what its notes or reasons say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from northstar.core import audit, concurrency
from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.org.models import Person, ProductLine
from northstar.people import access
from northstar.people.models import (
    CLOSED_STAGES,
    Candidate,
    CareerLevel,
    Competency,
    DecisionStatus,
    Expectation,
    HeadcountPlan,
    HireDecision,
    Interview,
    Rating,
    Recommendation,
    Requisition,
    RequisitionStatus,
    ScorecardRating,
    Source,
    Stage,
    StageChange,
    Track,
)
from northstar.people.services import _private_snapshot, _save_private
from northstar.strategy.models import PlanningPeriod

#: Tracks whose hires are product hires: the leader's approval is on by default.
PRODUCT_TRACKS = {Track.IC, Track.MANAGEMENT}
#: Allowed requisition moves.
REQUISITION_MOVES = {
    RequisitionStatus.DRAFT: {RequisitionStatus.APPROVED, RequisitionStatus.CLOSED},
    RequisitionStatus.APPROVED: {RequisitionStatus.OPEN, RequisitionStatus.CLOSED},
    RequisitionStatus.OPEN: {RequisitionStatus.FILLED, RequisitionStatus.CLOSED},
    RequisitionStatus.FILLED: set(),
    RequisitionStatus.CLOSED: set(),
}
#: Stages reached only through an approved decision.
DECIDED_STAGES = {Stage.OFFER: HireDecision.Kind.OFFER, Stage.REJECTED: HireDecision.Kind.REJECT}


def draft_description(level: CareerLevel, title: str) -> str:
    """A job description drafted from the ladder: the level's summary and every expectation."""
    lines = [f"{title} ({level.name})", "", level.summary, "", "What we expect:"]
    for cell in Expectation.objects.filter(level=level).select_related("competency"):
        lines.append(f"- {cell.competency.name}: {cell.text}")
    return "\n".join(lines).strip()


def _people(ids: Iterable[int]) -> list[int]:
    ids = sorted(set(ids))
    found = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(f"Unknown person id(s): {', '.join(map(str, missing))}.", detail=missing)
    return ids


@transaction.atomic
def requisition_create(
    *,
    actor: User,
    title: str,
    level_id: int,
    hiring_manager_id: int,
    line_id: int | None = None,
    hiring_team_ids: Iterable[int] = (),
    annual_cost: Decimal | int | str = 0,
    currency: str = "EUR",
    description: str = "",
    leader_approval: bool | None = None,
) -> Requisition:
    """Open a slot (as a draft); the description is drafted from the ladder unless one is given."""
    access.require_leading(access.viewer_of(actor), "create requisitions")
    level = CareerLevel.objects.filter(pk=level_id).first()
    if level is None:
        raise ValidationFailed(f"Unknown career level id {level_id}.")
    if line_id is not None and not ProductLine.objects.filter(pk=line_id).exists():
        raise ValidationFailed(f"Unknown product line id {line_id}.")
    _people([hiring_manager_id])
    requisition = Requisition(
        title=title.strip(),
        level=level,
        line_id=line_id,
        hiring_manager_id=hiring_manager_id,
        annual_cost=Decimal(str(annual_cost)),
        currency=currency.upper(),
        description=description.strip() or draft_description(level, title.strip()),
        leader_approval=level.track in PRODUCT_TRACKS if leader_approval is None else leader_approval,
    )
    if requisition.annual_cost < 0:
        raise ValidationFailed("The annual cost cannot be negative.")
    return record_save(
        actor=actor, instance=requisition, before=None, m2m={"hiring_team": _people(hiring_team_ids)}
    )


@transaction.atomic
def requisition_set_status(*, actor: User, requisition: Requisition, status: str) -> Requisition:
    access.require_leading(access.viewer_of(actor), "approve, open or close requisitions")
    if status not in REQUISITION_MOVES.get(RequisitionStatus(requisition.status), set()):
        raise Conflict(f"A {requisition.get_status_display().lower()} requisition cannot become {status}.")
    before = audit.snapshot(requisition)
    requisition.status = status
    return record_save(actor=actor, instance=requisition, before=before)


def _log_stage(candidate: Candidate, before: str, actor: User | None) -> None:
    StageChange.objects.create(
        candidate=candidate, from_stage=before, to_stage=candidate.stage, on=timezone.localdate(), by=actor
    )


@transaction.atomic
def candidate_add(
    *,
    actor: User,
    requisition: Requisition,
    name: str,
    email: str,
    source: str = Source.INBOUND,
    applied_on: date | None = None,
) -> Candidate:
    access.require_hiring_team(access.viewer_of(actor), requisition)
    if requisition.status != RequisitionStatus.OPEN:
        raise Conflict("Candidates join open requisitions only: open it first.")
    if source not in Source.values:
        raise ValidationFailed(f"Unknown source {source!r}: choose {', '.join(Source.values)}.")
    candidate = Candidate(
        requisition=requisition,
        name=name.strip(),
        email=email.strip().lower(),
        source=source,
        applied_on=applied_on or timezone.localdate(),
    )
    record_save(actor=actor, instance=candidate, before=None)
    _log_stage(candidate, "", actor)
    return candidate


def _move(candidate: Candidate, stage: str, actor: User) -> Candidate:
    before = audit.snapshot(candidate)
    previous = candidate.stage
    candidate.stage = stage
    record_save(actor=actor, instance=candidate, before=before)
    _log_stage(candidate, previous, actor)
    if stage == Stage.HIRED:
        requisition = candidate.requisition
        req_before = audit.snapshot(requisition)
        requisition.status = RequisitionStatus.FILLED
        record_save(actor=actor, instance=requisition, before=req_before)
    return candidate


@transaction.atomic
def candidate_move(*, actor: User, candidate: Candidate, stage: str) -> Candidate:
    """Move a candidate along the pipeline. Offer and rejection come only from an approved decision
    (`decision_decide`) when the requisition needs the leader's approval; hired only from an offer."""
    access.require_hiring_team(access.viewer_of(actor), candidate.requisition)
    if stage not in Stage.values:
        raise ValidationFailed(f"Unknown stage {stage!r}.")
    if candidate.stage in CLOSED_STAGES:
        raise Conflict(
            f"{candidate.name} is {candidate.get_stage_display().lower()}: the pipeline is closed."
        )
    if stage in DECIDED_STAGES and candidate.requisition.leader_approval:
        raise Conflict(
            f"{Stage(stage).label} needs the product leader's approval: propose the decision with its reason."
        )
    if stage == Stage.HIRED and candidate.stage != Stage.OFFER:
        raise Conflict("Only a candidate with an offer can be hired.")
    return _move(candidate, stage, actor)


@transaction.atomic
def interview_plan(
    *, actor: User, candidate: Candidate, interviewer_id: int, competency_ids: Iterable[int]
) -> Interview:
    """Add an interviewer to the loop and say which competencies they cover."""
    access.require_hiring_team(access.viewer_of(actor), candidate.requisition)
    if candidate.stage in CLOSED_STAGES:
        raise Conflict(f"{candidate.name}'s pipeline is closed.")
    _people([interviewer_id])
    ids = sorted(set(competency_ids))
    if not ids:
        raise ValidationFailed("Say which competencies this interviewer covers.")
    if Competency.objects.filter(pk__in=ids).count() != len(ids):
        raise ValidationFailed("Unknown competency id(s).")
    if Interview.objects.filter(candidate=candidate, interviewer_id=interviewer_id).exists():
        raise Conflict("This person already interviews this candidate.")
    interview = Interview(candidate=candidate, interviewer_id=interviewer_id)
    return record_save(actor=actor, instance=interview, before=None, m2m={"competencies": ids})


@transaction.atomic
def scorecard_submit(
    *,
    actor: User,
    interview: Interview,
    recommendation: str,
    notes: str,
    ratings: Mapping[int, tuple[str, str]],
) -> Interview:
    """The interviewer's scorecard: every planned competency rated with evidence, and an overall
    recommendation from strong no to strong yes. Submitted once, by the interviewer alone."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    viewer = access.viewer_of(actor)
    if viewer.person_id is None or viewer.person_id != interview.interviewer_id:
        raise PermissionDenied("Only the interviewer writes their scorecard.")
    if interview.submitted_at is not None:
        raise Conflict("This scorecard was already submitted.")
    if recommendation not in Recommendation.values:
        raise ValidationFailed("Choose a recommendation: strong no, no, yes or strong yes.")
    planned = set(interview.competencies.values_list("pk", flat=True))
    if set(ratings) != planned:
        raise ValidationFailed("Rate exactly the competencies this interview covers.")
    if any(r not in Rating.values for r, _e in ratings.values()):
        raise ValidationFailed("Rate each competency below, meets or above.")
    before = _private_snapshot(interview)
    interview.recommendation = recommendation
    interview.notes = notes.strip()
    interview.submitted_at = timezone.now()
    _save_private(actor=actor, instance=interview, created=False, before=before)
    ScorecardRating.objects.bulk_create(
        ScorecardRating(interview=interview, competency_id=pk, rating=r, evidence=e.strip())
        for pk, (r, e) in ratings.items()
    )
    return interview


@transaction.atomic
def decision_propose(*, actor: User, candidate: Candidate, kind: str, reason: str) -> HireDecision:
    """The hiring team proposes an offer or a rejection, with the reason, for the final say."""
    access.require_hiring_team(access.viewer_of(actor), candidate.requisition)
    if kind not in HireDecision.Kind.values:
        raise ValidationFailed("Propose an offer or a rejection.")
    if not reason.strip():
        raise ValidationFailed("Give the reason: the leader decides on it.")
    if candidate.stage in CLOSED_STAGES or candidate.stage == Stage.OFFER:
        raise Conflict(f"{candidate.name} is already {candidate.get_stage_display().lower()}.")
    if candidate.decisions.filter(status=DecisionStatus.PENDING).exists():
        raise Conflict("A decision on this candidate is already waiting for the leader.")
    decision = HireDecision(candidate=candidate, kind=kind, reason=reason.strip(), proposed_by=actor)
    return _save_private(actor=actor, instance=decision, created=True)


@transaction.atomic
def decision_decide(*, actor: User, decision: HireDecision, approve: bool, note: str = "") -> HireDecision:
    """The final say. For product hires (the requisition needs the leader's approval) only a product
    leader may give it; otherwise the hiring manager or a leader. Approving moves the candidate to
    offer or rejected; declining leaves them where they are."""
    decision = (
        HireDecision.objects.select_for_update().select_related("candidate__requisition").get(pk=decision.pk)
    )
    viewer = access.viewer_of(actor)
    requisition = decision.candidate.requisition
    if requisition.leader_approval:
        access.require_final_say(viewer)
    elif not (viewer.leading or viewer.person_id == requisition.hiring_manager_id):
        raise PermissionDenied("Only the hiring manager or a product leader decides on this requisition.")
    if decision.status != DecisionStatus.PENDING:
        raise Conflict("This decision was already taken.")
    before = _private_snapshot(decision)
    decision.status = DecisionStatus.APPROVED if approve else DecisionStatus.DECLINED
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    decision.decision_note = note.strip()
    _save_private(actor=actor, instance=decision, created=False, before=before)
    if approve:
        target = Stage.OFFER if decision.kind == HireDecision.Kind.OFFER else Stage.REJECTED
        _move(decision.candidate, target, actor)
    return decision


@transaction.atomic
def offer_outcome(*, actor: User, candidate: Candidate, accepted: bool) -> Candidate:
    """The candidate's answer to an offer: hired (the requisition is filled) or withdrawn."""
    candidate = Candidate.objects.select_for_update().select_related("requisition").get(pk=candidate.pk)
    access.require_hiring_team(access.viewer_of(actor), candidate.requisition)
    if candidate.stage != Stage.OFFER:
        raise Conflict(f"{candidate.name} has no offer to answer.")
    return _move(candidate, Stage.HIRED if accepted else Stage.WITHDRAWN, actor)


@transaction.atomic
def headcount_set(
    *,
    actor: User,
    line_id: int,
    period_id: int,
    slots: int,
    cost_per_slot: Decimal | int | str = 0,
    currency: str = "EUR",
    version: int | None = None,
) -> HeadcountPlan:
    """Approve a line's hiring slots for a period (leaders); `version` as seen by the editor (0: none)."""
    access.require_leading(access.viewer_of(actor), "approve headcount")
    if not ProductLine.objects.filter(pk=line_id).exists():
        raise ValidationFailed(f"Unknown product line id {line_id}.")
    if not PlanningPeriod.objects.filter(pk=period_id).exists():
        raise ValidationFailed(f"Unknown planning period id {period_id}.")
    cost = Decimal(str(cost_per_slot))
    if slots < 0 or cost < 0:
        raise ValidationFailed("Slots and their cost cannot be negative.")
    plan = HeadcountPlan.objects.filter(line_id=line_id, period_id=period_id).first()
    concurrency.require_version(plan, version, what="This headcount plan")
    if plan is None:
        plan = HeadcountPlan(
            line_id=line_id, period_id=period_id, slots=slots, cost_per_slot=cost, currency=currency.upper()
        )
        return record_save(actor=actor, instance=plan, before=None)
    before = audit.snapshot(plan)
    plan.slots, plan.cost_per_slot, plan.currency = slots, cost, currency.upper()
    return record_save(actor=actor, instance=plan, before=before)
