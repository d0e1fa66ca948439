"""REST API for hiring, mounted with the people API: requisitions, candidates, interviews and
scorecards, and hire decisions (the leader has the final say, as on the pages)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.errors import PermissionDenied
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.people import access, hiring, hiring_selectors
from northstar.people.api_schemas import RatingIn, RatingOut
from northstar.people.models import (
    Candidate,
    HireDecision,
    Interview,
    Requisition,
)

router = Router()  # tagged "People" by the people router it is added to


def _viewer(request: HttpRequest) -> access.Viewer:
    return access.viewer_of(user_of(request))


# Hiring ---------------------------------------------------------------------------------------------------


class RequisitionIn(Schema):
    title: str = Field(..., min_length=1, max_length=160)
    level_id: int
    hiring_manager_id: int
    line_id: int | None = None
    hiring_team_ids: list[int] = Field([], max_length=50)
    annual_cost: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3)
    description: str = ""


class RequisitionOut(Schema):
    id: int
    version: int
    title: str
    level_id: int
    line_id: int | None
    hiring_manager_id: int
    status: str
    description: str
    annual_cost: Decimal
    currency: str
    leader_approval: bool


class RequisitionStatusIn(Schema):
    status: str


class CandidateIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    email: str = Field(..., min_length=3, max_length=254)
    source: str = "inbound"
    applied_on: date | None = None


class CandidateOut(Schema):
    id: int
    version: int
    requisition_id: int
    name: str
    email: str
    source: str
    stage: str
    applied_on: date


class ScorecardOut(Schema):
    interview_id: int
    interviewer: str
    competency_ids: list[int]
    submitted: bool
    recommendation: str | None
    notes: str | None
    ratings: list[RatingOut] | None


class HireDecisionOut(Schema):
    id: int
    kind: str
    reason: str
    status: str
    decision_note: str


class CandidateDetailOut(Schema):
    candidate: CandidateOut
    scorecards_hidden: bool
    scorecards: list[ScorecardOut]
    decisions: list[HireDecisionOut]


class CandidateMoveIn(Schema):
    stage: str


class InterviewIn(Schema):
    interviewer_id: int
    competency_ids: list[int] = Field(..., min_length=1, max_length=50)


class InterviewOut(Schema):
    id: int
    candidate_id: int
    interviewer_id: int


class ScorecardIn(Schema):
    recommendation: str
    notes: str = ""
    ratings: list[RatingIn] = Field(..., max_length=50)


class ProposalIn(Schema):
    kind: str
    reason: str = Field(..., min_length=1)


class DecideIn(Schema):
    approve: bool
    note: str = ""


class MetricsOut(Schema):
    open_roles: int
    median_days_to_hire: float | None
    hires: int
    reached: dict[str, int]
    pass_through: dict[str, float | None]
    offers_answered: int
    offers_accepted: int
    source_of_hire: dict[str, int]


@router.get("/hiring/requisitions", response=list[RequisitionOut])
@paginate(Pagination)
def requisition_list(request: HttpRequest) -> Any:
    return hiring_selectors.requisitions()


@router.post("/hiring/requisitions", response={201: RequisitionOut})
def requisition_create(request: HttpRequest, payload: RequisitionIn) -> tuple[int, Requisition]:
    return 201, hiring.requisition_create(actor=user_of(request), **payload.dict())


@router.post("/hiring/requisitions/{requisition_id}/status", response=RequisitionOut)
def requisition_status(
    request: HttpRequest, requisition_id: int, payload: RequisitionStatusIn
) -> Requisition:
    requisition = get_or_404(Requisition, requisition_id)
    return hiring.requisition_set_status(
        actor=user_of(request), requisition=requisition, status=payload.status
    )


@router.get("/hiring/requisitions/{requisition_id}/candidates", response=list[CandidateOut])
@paginate(Pagination)
def candidate_list(request: HttpRequest, requisition_id: int) -> Any:
    requisition = get_or_404(Requisition, requisition_id)
    access.require_hiring_team(_viewer(request), requisition)
    return requisition.candidates.order_by("applied_on", "name")


@router.post("/hiring/requisitions/{requisition_id}/candidates", response={201: CandidateOut})
def candidate_add(request: HttpRequest, requisition_id: int, payload: CandidateIn) -> tuple[int, Candidate]:
    requisition = get_or_404(Requisition, requisition_id)
    return 201, hiring.candidate_add(actor=user_of(request), requisition=requisition, **payload.dict())


def _candidate(candidate_id: int) -> Candidate:
    return get_or_404(Candidate, candidate_id, queryset=Candidate.objects.select_related("requisition"))


@router.get("/hiring/candidates/{candidate_id}", response=CandidateDetailOut)
def candidate_get(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    view = hiring_selectors.candidate_view(_viewer(request), _candidate(candidate_id))
    scorecards = []
    for interview in view.interviews:
        shown = interview.submitted_at is not None and (
            interview == view.my_interview or not view.scorecards_hidden
        )
        scorecards.append(
            {
                "interview_id": interview.pk,
                "interviewer": interview.interviewer.name,
                "competency_ids": [c.pk for c in interview.competencies.all()],
                "submitted": interview.submitted_at is not None,
                "recommendation": interview.recommendation if shown else None,
                "notes": interview.notes if shown else None,
                "ratings": [
                    {"competency_id": r.competency_id, "rating": r.rating, "evidence": r.evidence}
                    for r in interview.ratings.all()
                ]
                if shown
                else None,
            }
        )
    return {
        "candidate": view.candidate,
        "scorecards_hidden": view.scorecards_hidden,
        "scorecards": scorecards,
        "decisions": view.decisions,
    }


@router.post("/hiring/candidates/{candidate_id}/move", response=CandidateOut)
def candidate_move(request: HttpRequest, candidate_id: int, payload: CandidateMoveIn) -> Candidate:
    return hiring.candidate_move(
        actor=user_of(request), candidate=_candidate(candidate_id), stage=payload.stage
    )


@router.post("/hiring/candidates/{candidate_id}/interviews", response={201: InterviewOut})
def interview_plan(request: HttpRequest, candidate_id: int, payload: InterviewIn) -> tuple[int, Interview]:
    return 201, hiring.interview_plan(
        actor=user_of(request), candidate=_candidate(candidate_id), **payload.dict()
    )


@router.post("/hiring/interviews/{interview_id}/scorecard", response=InterviewOut)
def scorecard_submit(request: HttpRequest, interview_id: int, payload: ScorecardIn) -> Interview:
    interview = get_or_404(Interview, interview_id)
    if interview.interviewer_id != _viewer(request).person_id:
        raise PermissionDenied("Only the interviewer writes their scorecard.")
    return hiring.scorecard_submit(
        actor=user_of(request),
        interview=interview,
        recommendation=payload.recommendation,
        notes=payload.notes,
        ratings={r.competency_id: (r.rating, r.evidence) for r in payload.ratings},
    )


@router.post("/hiring/candidates/{candidate_id}/decisions", response={201: HireDecisionOut})
def decision_propose(
    request: HttpRequest, candidate_id: int, payload: ProposalIn
) -> tuple[int, HireDecision]:
    return 201, hiring.decision_propose(
        actor=user_of(request), candidate=_candidate(candidate_id), **payload.dict()
    )


@router.post("/hiring/decisions/{decision_id}/decide", response=HireDecisionOut)
def decision_decide(request: HttpRequest, decision_id: int, payload: DecideIn) -> HireDecision:
    """The final say: for product hires, the product leader's alone (admins included are refused)."""
    decision = get_or_404(
        HireDecision, decision_id, queryset=HireDecision.objects.select_related("candidate")
    )
    access.require_candidate_reader(_viewer(request), decision.candidate)
    return hiring.decision_decide(actor=user_of(request), decision=decision, **payload.dict())


@router.get("/hiring/metrics", response=MetricsOut)
def hiring_metrics(request: HttpRequest) -> dict[str, Any]:
    access.require_leading(_viewer(request), "read hiring metrics")
    metrics = hiring_selectors.hiring_metrics()
    return {
        "open_roles": metrics.open_roles,
        "median_days_to_hire": metrics.median_days_to_hire,
        "hires": len(metrics.days_to_hire),
        "reached": dict(metrics.reached),
        "pass_through": dict(metrics.pass_through),
        "offers_answered": metrics.offers,
        "offers_accepted": metrics.accepted,
        "source_of_hire": dict(metrics.sources),
    }
