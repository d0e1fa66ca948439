"""REST API for people, mounted under /api/v1/: the career framework, review cycles, reviews and
assessments. Same rules as the pages: reviews come through `selectors.review_view`, so the API never
shows what the person's page would hide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from northstar.core.concurrency import with_etag
from northstar.core.errors import PermissionDenied
from northstar.core.pagination import Pagination
from northstar.core.services import get_or_404
from northstar.core.web import user_of
from northstar.people import access, selectors, services
from northstar.people import api_growth as growth_api
from northstar.people import api_hiring as hiring_api
from northstar.people.api_schemas import RatingIn, RatingOut
from northstar.people.models import (
    CareerLevel,
    Competency,
    Feedback,
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


# Hiring and growth live in their own modules, under the same paths and tag.
router.add_router("", hiring_api.router)
router.add_router("", growth_api.router)
