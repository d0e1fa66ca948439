"""REST API for people, mounted under /api/v1/: the career framework, review cycles, reviews and
assessments. Same rules as the pages: reviews come through `selectors.review_view`, so the API never
shows what the person's page would hide."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import with_etag
from northstar.core.errors import PermissionDenied
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.org.models import Person
from northstar.people import access, growth, hiring, selectors, services
from northstar.people.models import (
    Candidate,
    CareerLevel,
    Competency,
    Feedback,
    GrowthGoal,
    GrowthPlan,
    HireDecision,
    Interview,
    OneOnOne,
    Requisition,
    Review,
    ReviewCycle,
)

router = Router(tags=["People"])


def _viewer(request: HttpRequest) -> access.Viewer:
    return access.viewer_of(user_of(request))


# Career framework -----------------------------------------------------------------------------------


class ExpectationOut(Schema):
    competency_id: int
    text: str
    version: int


class LevelOut(Schema):
    id: int
    org_level: str
    name: str
    track: str
    rank: int
    summary: str
    expectations: list[ExpectationOut]

    @staticmethod
    def resolve_expectations(obj: CareerLevel) -> list[dict[str, Any]]:
        return [
            {"competency_id": e.competency_id, "text": e.text, "version": e.version}
            for e in obj.expectations.all()
        ]


class CompetencyIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    group: str = Field(..., min_length=1, max_length=80)
    description: str = ""
    position: int = Field(0, ge=0, le=32767)


class CompetencyOut(Schema):
    id: int
    version: int
    name: str
    group: str
    description: str
    position: int


class ExpectationIn(Schema):
    text: str = Field(..., min_length=1)
    version: int | None = Field(None, ge=0, description="The cell's version you read (0: it was empty).")


@router.get("/career/levels", response=list[LevelOut])
def level_list(request: HttpRequest) -> Any:
    return list(selectors.levels().prefetch_related("expectations"))


@router.get("/career/competencies", response=list[CompetencyOut])
def competency_list(request: HttpRequest) -> Any:
    return list(Competency.objects.all()[:500])


@router.post("/career/competencies", response={201: CompetencyOut})
def competency_create(request: HttpRequest, payload: CompetencyIn) -> tuple[int, Competency]:
    return 201, services.competency_create(actor=user_of(request), **payload.dict())


@router.put("/career/levels/{level_id}/expectations/{competency_id}", response=ExpectationOut)
def expectation_set(
    request: HttpRequest, response: HttpResponse, level_id: int, competency_id: int, payload: ExpectationIn
) -> Any:
    cell = services.expectation_set(
        actor=user_of(request),
        level=get_or_404(CareerLevel, level_id),
        competency=get_or_404(Competency, competency_id),
        text=payload.text,
        version=payload.version,
    )
    return with_etag(response, cell)


# Review cycles ------------------------------------------------------------------------------------------


class CycleIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    period_start: date
    period_end: date
    self_due: date
    feedback_due: date
    manager_due: date
    participant_ids: list[int] = Field(..., min_length=1, max_length=5000)


class CycleOut(Schema):
    id: int
    version: int
    name: str
    period_start: date
    period_end: date
    self_due: date
    feedback_due: date
    manager_due: date
    status: str


class CalibrationRowOut(Schema):
    review_id: int
    person_id: int
    person: str
    level: str
    line: str
    self_rating: str
    manager_rating: str
    peer_score: float | None
    peer_answers: int
    final_rating: str
    promotion_recommended: bool
    outlier: str


@router.get("/reviews/cycles", response=list[CycleOut])
@paginate(Pagination)
def cycle_list(request: HttpRequest) -> Any:
    access.require_leading(_viewer(request), "list review cycles")
    return selectors.cycles()


@router.post("/reviews/cycles", response={201: CycleOut})
def cycle_open(request: HttpRequest, payload: CycleIn) -> tuple[int, ReviewCycle]:
    return 201, services.cycle_open(actor=user_of(request), **payload.dict())


@router.get("/reviews/cycles/{cycle_id}/calibration", response=list[CalibrationRowOut])
def cycle_calibration(request: HttpRequest, cycle_id: int) -> Any:
    access.require_leading(_viewer(request), "calibrate review cycles")
    calibration = selectors.calibration(get_or_404(ReviewCycle, cycle_id))
    return [
        {
            "review_id": r.review.pk,
            "person_id": r.review.person_id,
            "person": r.review.person.name,
            "level": r.level_label,
            "line": r.line,
            "self_rating": r.self_rating,
            "manager_rating": r.manager_rating,
            "peer_score": r.peer_score,
            "peer_answers": r.peer_answers,
            "final_rating": r.review.final_rating,
            "promotion_recommended": r.promotion_recommended,
            "outlier": r.outlier,
        }
        for r in calibration.rows
    ]


@router.post("/reviews/cycles/{cycle_id}/sign-off", response=CycleOut)
def cycle_sign_off(request: HttpRequest, cycle_id: int) -> ReviewCycle:
    return services.cycle_sign_off(actor=user_of(request), cycle=get_or_404(ReviewCycle, cycle_id))


# Reviews ----------------------------------------------------------------------------------------------------


class ReviewSummaryOut(Schema):
    id: int
    cycle_id: int
    cycle: str
    person_id: int
    person: str

    @staticmethod
    def resolve_cycle(obj: Review) -> str:
        return obj.cycle.name

    @staticmethod
    def resolve_person(obj: Review) -> str:
        return obj.person.name


class RatingOut(Schema):
    competency_id: int
    rating: str
    evidence: str


class AssessmentOut(Schema):
    kind: str
    author: str
    submitted: bool
    overall: str
    summary: str
    promotion_recommended: bool
    ratings: list[RatingOut]


class PeerCompetencyOut(Schema):
    competency_id: int
    below: int
    meets: int
    above: int
    evidence: list[str]


class PeersOut(Schema):
    asked: int
    answered: int
    shown: bool
    overall: dict[str, int]
    competencies: list[PeerCompetencyOut]
    comments: list[str]


class ReviewOut(Schema):
    id: int
    cycle_id: int
    cycle_status: str
    person_id: int
    self_review: AssessmentOut | None
    manager_review: AssessmentOut | None
    peers: PeersOut
    reviewers_asked: list[str]
    final_rating: str | None
    promotion: bool | None
    outcome: str | None


def _assessment(item: Feedback | None) -> dict[str, Any] | None:
    if item is None:
        return None
    submitted = item.submitted_at is not None
    return {
        "kind": item.kind,
        "author": item.author.name,
        "submitted": submitted,
        "overall": item.overall,
        "summary": item.summary,
        "promotion_recommended": item.promotion_recommended,
        "ratings": [
            {"competency_id": r.competency_id, "rating": r.rating, "evidence": r.evidence}
            for r in item.ratings.all()
        ],
    }


@router.get("/reviews", response=list[ReviewSummaryOut])
@paginate(Pagination)
def review_list(request: HttpRequest) -> Any:
    """The reviews you may read: your own, your reports' (all the way down); every review for leaders."""
    return selectors.reviews_readable(_viewer(request))


@router.get("/reviews/{review_id}", response=ReviewOut)
def review_get(request: HttpRequest, review_id: int) -> dict[str, Any]:
    review = get_or_404(Review, review_id, queryset=Review.objects.select_related("person", "cycle"))
    view = selectors.review_view(_viewer(request), review)
    peers = view.peers
    return {
        "id": review.pk,
        "cycle_id": review.cycle_id,
        "cycle_status": review.cycle.status,
        "person_id": review.person_id,
        "self_review": _assessment(view.self_review),
        "manager_review": _assessment(view.manager_review),
        "peers": {
            "asked": peers.asked,
            "answered": peers.answered,
            "shown": peers.shown,
            "overall": peers.overall,
            "competencies": [
                {"competency_id": row.competency.pk, **row.counts, "evidence": row.evidence}
                for row in peers.competencies
            ],
            "comments": peers.summaries,
        },
        "reviewers_asked": [name for name, _relationship in view.reviewers],
        "final_rating": review.final_rating if view.show_outcome else None,
        "promotion": review.promotion if view.show_outcome else None,
        "outcome": review.outcome if view.show_outcome else None,
    }


class FeedbackRequestIn(Schema):
    reviewer_id: int
    relationship: str = "peer"


class AssessmentTaskOut(Schema):
    id: int
    kind: str
    review_id: int
    person: str
    cycle: str
    submitted_at: datetime | None

    @staticmethod
    def resolve_person(obj: Feedback) -> str:
        return obj.review.person.name

    @staticmethod
    def resolve_cycle(obj: Feedback) -> str:
        return obj.review.cycle.name


@router.post("/reviews/{review_id}/requests", response={201: AssessmentTaskOut})
def review_request(request: HttpRequest, review_id: int, payload: FeedbackRequestIn) -> tuple[int, Feedback]:
    review = get_or_404(Review, review_id, queryset=Review.objects.select_related("cycle"))
    if not access.review_access(_viewer(request), review.person_id).allowed:
        raise PermissionDenied(access.PRIVATE_REVIEW)
    return 201, services.feedback_request(actor=user_of(request), review=review, **payload.dict())


@router.get("/assessments", response=list[AssessmentTaskOut])
@paginate(Pagination)
def assessment_list(request: HttpRequest) -> Any:
    """Assessments you are asked to write (or wrote) in cycles not yet signed off."""
    return selectors.my_assessments(_viewer(request))


class RatingIn(Schema):
    competency_id: int
    rating: str
    evidence: str = ""


class AssessmentIn(Schema):
    overall: str
    summary: str = ""
    promotion_recommended: bool = False
    ratings: list[RatingIn] = Field(..., max_length=200)


@router.post("/assessments/{feedback_id}/submit", response=AssessmentTaskOut)
def assessment_submit(request: HttpRequest, feedback_id: int, payload: AssessmentIn) -> Feedback:
    feedback = services.feedback_for_author(actor=user_of(request), feedback_id=feedback_id)
    return services.feedback_submit(
        actor=user_of(request),
        feedback=feedback,
        overall=payload.overall,
        summary=payload.summary,
        promotion_recommended=payload.promotion_recommended,
        ratings={r.competency_id: (r.rating, r.evidence) for r in payload.ratings},
    )


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
    return selectors.requisitions()


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
    view = selectors.candidate_view(_viewer(request), _candidate(candidate_id))
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
    metrics = selectors.hiring_metrics()
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


# Growth and 1:1s ------------------------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    competency_id: int
    text: str
    target_date: date | None
    done: bool


class PlanOut(Schema):
    id: int
    title: str
    goals: list[GoalOut]

    @staticmethod
    def resolve_goals(obj: GrowthPlan) -> list[GrowthGoal]:
        return list(obj.goals.all())


class ReadinessRowOut(Schema):
    competency_id: int
    next_level_expectation: str
    latest_rating: str
    ready: bool


class GrowthOut(Schema):
    person_id: int
    plans: list[PlanOut]
    next_level_id: int | None
    ready: int
    readiness: list[ReadinessRowOut]


@router.get("/growth/{person_id}", response=GrowthOut)
def growth_get(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = get_or_404(Person, person_id)
    viewer = _viewer(request)
    plans = selectors.growth_plans(viewer, person)
    readiness = selectors.readiness(viewer, person)
    return {
        "person_id": person.pk,
        "plans": plans,
        "next_level_id": readiness.next_level.pk if readiness.next_level else None,
        "ready": readiness.ready,
        "readiness": [
            {"competency_id": c.pk, "next_level_expectation": t, "latest_rating": r, "ready": ok}
            for c, t, r, ok in readiness.rows
        ],
    }


class OneOnOneOut(Schema):
    id: int
    manager_id: int
    report_id: int
    cadence_days: int
    next_on: date


class OneOnOneItemOut(Schema):
    id: int
    text: str
    author_or_owner_id: int
    on: date | None


class OneOnOneDetailOut(Schema):
    one_on_one: OneOnOneOut
    agenda: list[OneOnOneItemOut]
    open_actions: list[OneOnOneItemOut]
    my_private_notes: list[OneOnOneItemOut]


class TextIn(Schema):
    text: str = Field(..., min_length=1, max_length=10000)


@router.get("/one-on-ones", response=list[OneOnOneOut])
@paginate(Pagination)
def one_on_one_list(request: HttpRequest) -> Any:
    """Your own 1:1s, as manager or as report; nobody else's (leaders included)."""
    return selectors.one_on_ones(_viewer(request))


@router.get("/one-on-ones/{one_on_one_id}", response=OneOnOneDetailOut)
def one_on_one_get(request: HttpRequest, one_on_one_id: int) -> dict[str, Any]:
    view = selectors.one_on_one_view(_viewer(request), get_or_404(OneOnOne, one_on_one_id))
    return {
        "one_on_one": view.one_on_one,
        "agenda": [
            {"id": a.pk, "text": a.text, "author_or_owner_id": a.author_id, "on": None} for a in view.agenda
        ],
        "open_actions": [
            {"id": a.pk, "text": a.text, "author_or_owner_id": a.owner_id, "on": None}
            for a in view.open_actions
        ],
        "my_private_notes": [
            {"id": n.pk, "text": n.body, "author_or_owner_id": n.author_id, "on": n.created_at.date()}
            for n in view.my_notes
        ],
    }


@router.post("/one-on-ones/{one_on_one_id}/agenda", response={201: OneOnOneItemOut})
def agenda_add(request: HttpRequest, one_on_one_id: int, payload: TextIn) -> tuple[int, dict[str, Any]]:
    item = growth.agenda_add(
        actor=user_of(request), one_on_one=get_or_404(OneOnOne, one_on_one_id), text=payload.text
    )
    return 201, {"id": item.pk, "text": item.text, "author_or_owner_id": item.author_id, "on": None}


@router.post("/one-on-ones/{one_on_one_id}/notes", response={201: OneOnOneItemOut})
def private_note_add(request: HttpRequest, one_on_one_id: int, payload: TextIn) -> tuple[int, dict[str, Any]]:
    note = growth.private_note_add(
        actor=user_of(request), one_on_one=get_or_404(OneOnOne, one_on_one_id), body=payload.text
    )
    return 201, {
        "id": note.pk,
        "text": note.body,
        "author_or_owner_id": note.author_id,
        "on": note.created_at.date(),
    }


class MentoringPairOut(Schema):
    id: int
    mentor_id: int
    mentee_id: int
    focus: str
    started_on: date
    active: bool


@router.get("/mentoring", response=list[MentoringPairOut])
@paginate(Pagination)
def mentoring_list(request: HttpRequest) -> Any:
    """Your own mentoring pairs (leaders: every pair, without the notes)."""
    return selectors.mentoring_pairs(_viewer(request))
