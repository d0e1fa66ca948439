"""People routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads the career framework and the people directory; leaders edit the framework,
run cycles and calibrate. A review opens for the person, their manager chain and leaders only: the
cast's PM (Pat) reads their own review and is refused Olu's (who reports to the CPO, not to Pat).
An assessment opens for its author alone (404 to everyone else, leaders included).
"""

from __future__ import annotations

from datetime import date

from northstar.core.models import User
from northstar.org.models import Level, Person
from northstar.people import services
from northstar.people.models import CareerLevel, Competency, Feedback, FeedbackKind, Review, ReviewCycle
from tests import factories
from tests.conftest import Cast
from tests.permissions import DONE, LEADERS_ACTION, LEADERS_PAGE, READ, Case, _expect

AUTHOR_ONLY = _expect(stakeholder=404, pm=200, leader=404, admin=404)
AUTHOR_ACTION = _expect(stakeholder=404, pm=DONE, leader=404, admin=404)
PRIVATE = _expect(stakeholder=403, pm=403)
SELF = _expect(stakeholder=403)


def _cycle(cast: Cast) -> ReviewCycle:
    found = ReviewCycle.objects.filter(name="Matrix cycle").first()
    if found is not None:
        return found
    services.install_framework()
    other = factories.make_person(
        name="Olu Other", level=Level.PM, manager=Person.objects.get(name="Cora CPO")
    )
    return services.cycle_open(
        actor=cast.admin,
        name="Matrix cycle",
        period_start=date(2031, 1, 1),
        period_end=date(2031, 6, 30),
        self_due=date(2031, 7, 1),
        feedback_due=date(2031, 7, 1),
        manager_due=date(2031, 7, 1),
        participant_ids=[cast.pm_person.pk, other.pk],
    )


def _review(whose: str):
    def build(cast: Cast, user: User | None) -> list[int]:
        cycle = _cycle(cast)
        name = "Pat PM" if whose == "own" else "Olu Other"
        return [Review.objects.get(cycle=cycle, person__name=name).pk]

    return build


def _own_self_review(cast: Cast, user: User | None) -> list[int]:
    review = _review("own")(cast, user)[0]
    return [Feedback.objects.get(review_id=review, kind=FeedbackKind.SELF).pk]


def _cell(cast: Cast, user: User | None) -> list[int]:
    services.install_framework()
    return [CareerLevel.objects.get(org_level=Level.PM).pk, Competency.objects.first().pk]


def _assessment(cast: Cast, user: User | None) -> dict:
    data = {"overall": "meets", "summary": "Fine"}
    for competency in Competency.objects.all():
        data[f"rating_{competency.pk}"] = "meets"
    return data


def _new_cycle(cast: Cast, user: User | None) -> dict:
    return {
        "name": "New cycle",
        "period_start": "2032-01-01",
        "period_end": "2032-06-30",
        "self_due": "2032-07-01",
        "feedback_due": "2032-07-02",
        "manager_due": "2032-07-03",
        "participants": [cast.pm_person.pk],
    }


def _reviewer(cast: Cast, user: User | None) -> dict:
    colleague = factories.make_person(name="Colleague")
    return {"reviewer": colleague.pk, "relationship": "peer"}


WEB_CASES = [
    Case("people:index", "get", READ),
    Case("people:framework", "get", READ),
    Case("people:framework_install", "post", LEADERS_ACTION),
    Case("people:compare", "get", READ),
    Case("people:expectation_edit", "get", LEADERS_PAGE, args=_cell),
    Case(
        "people:expectation_edit", "post", LEADERS_ACTION, args=_cell, data=lambda c, u: {"text": "New words"}
    ),
    Case("people:people", "get", READ),
    Case("people:person", "get", READ, args=lambda c, u: [c.pm_person.pk]),
    Case("people:cycles", "get", LEADERS_PAGE),
    Case("people:cycle_create", "get", LEADERS_PAGE),
    Case("people:cycle_create", "post", LEADERS_ACTION, data=_new_cycle),
    Case("people:cycle", "get", LEADERS_PAGE, args=lambda c, u: [_cycle(c).pk]),
    Case(
        "people:cycle_action",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [_cycle(c).pk, "remind"],
        label="remind",
    ),
    Case("people:review", "get", PRIVATE, args=_review("other"), label="someone else's"),
    Case("people:review", "get", SELF, args=_review("own"), label="own"),
    Case(
        "people:review_request",
        "post",
        _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE),
        args=_review("own"),
        data=_reviewer,
        label="own",
    ),
    Case(
        "people:review_request",
        "post",
        _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE),
        args=_review("other"),
        data=_reviewer,
        label="someone else's",
    ),
    Case(
        "people:review_calibrate",
        "post",
        LEADERS_ACTION,
        args=_review("other"),
        data=lambda c, u: {"final_rating": "meets", "outcome": "Fine"},
    ),
    Case("people:feedback", "get", AUTHOR_ONLY, args=_own_self_review),
    Case("people:feedback", "post", AUTHOR_ACTION, args=_own_self_review, data=_assessment),
]


def _api(stakeholder: int = 200, pm: int = 200, leader: int = 200, admin: int = 200) -> dict[str, int]:
    return {"anonymous": 401, "stakeholder": stakeholder, "pm": pm, "leader": leader, "admin": admin}


def _cell_path(cast: Cast) -> str:
    level, competency = _cell(cast, None)
    return f"/api/v1/career/levels/{level}/expectations/{competency}"


def _api_assessment(cast: Cast) -> dict:
    _cycle(cast)  # the body is built before the path: make sure the framework is there
    return {
        "overall": "meets",
        "ratings": [{"competency_id": c.pk, "rating": "meets"} for c in Competency.objects.all()],
    }


def _api_cycle(cast: Cast) -> dict:
    data = _new_cycle(cast, None)
    data["participant_ids"] = data.pop("participants")
    return data


#: (method, path, expected status per role, body, label): run by tests/test_permission_matrix.py.
API_CASES = [
    ("get", lambda c: "/api/v1/career/levels", _api(), None, "levels"),
    ("get", lambda c: "/api/v1/career/competencies", _api(), None, "competencies"),
    (
        "post",
        lambda c: "/api/v1/career/competencies",
        _api(403, 403, 201, 201),
        lambda c: {"name": "Negotiation", "group": "Leadership"},
        "competency",
    ),
    ("put", _cell_path, _api(403, 403), lambda c: {"text": "Words"}, "cell"),
    ("get", lambda c: "/api/v1/reviews/cycles", _api(403, 403), None, "cycles"),
    ("post", lambda c: "/api/v1/reviews/cycles", _api(403, 403, 201, 201), _api_cycle, "open cycle"),
    (
        "get",
        lambda c: f"/api/v1/reviews/cycles/{_cycle(c).pk}/calibration",
        _api(403, 403),
        None,
        "calibration",
    ),
    (
        "post",
        lambda c: f"/api/v1/reviews/cycles/{_cycle(c).pk}/sign-off",
        _api(403, 403, 409, 409),
        None,
        "sign off",
    ),
    ("get", lambda c: "/api/v1/reviews", _api(), None, "reviews"),
    ("get", lambda c: f"/api/v1/reviews/{_review('own')(c, None)[0]}", _api(403), None, "own review"),
    (
        "get",
        lambda c: f"/api/v1/reviews/{_review('other')(c, None)[0]}",
        _api(403, 403),
        None,
        "other review",
    ),
    (
        "post",
        lambda c: f"/api/v1/reviews/{_review('other')(c, None)[0]}/requests",
        _api(403, 403, 201, 201),
        lambda c: {"reviewer_id": factories.make_person(name="Api colleague").pk},
        "request",
    ),
    ("get", lambda c: "/api/v1/assessments", _api(), None, "assessments"),
    (
        "post",
        lambda c: f"/api/v1/assessments/{_own_self_review(c, None)[0]}/submit",
        _api(404, 200, 404, 404),
        _api_assessment,
        "submit",
    ),
]


# Hiring, growth and 1:1s ---------------------------------------------------------------------------------

HIRING_TEAM_ACTION = _expect(stakeholder=403, pm=403, leader=DONE, admin=DONE)
LEADER_ONLY_ACTION = _expect(stakeholder=403, pm=403, leader=DONE, admin=403)
PAIR = _expect(stakeholder=403, pm=200, leader=200, admin=403)
PAIR_ACTION = _expect(stakeholder=403, pm=DONE, leader=DONE, admin=403)


def _requisition(cast: Cast):
    from northstar.people import hiring
    from northstar.people.models import Requisition

    found = Requisition.objects.filter(title="Matrix role").first()
    if found is not None:
        return found
    services.install_framework()
    manager = factories.make_person(name="Hana Hiring", level=Level.DIRECTOR)
    requisition = hiring.requisition_create(
        actor=cast.admin,
        title="Matrix role",
        level_id=CareerLevel.objects.get(org_level=Level.SENIOR_PM).pk,
        hiring_manager_id=manager.pk,
    )
    hiring.requisition_set_status(actor=cast.admin, requisition=requisition, status="approved")
    return hiring.requisition_set_status(actor=cast.admin, requisition=requisition, status="open")


def _candidate(cast: Cast):
    from northstar.people import hiring
    from northstar.people.models import Candidate

    found = Candidate.objects.filter(name="Matrix candidate").first()
    if found is not None:
        return found
    candidate = hiring.candidate_add(
        actor=cast.admin, requisition=_requisition(cast), name="Matrix candidate", email="mc@example.com"
    )
    hiring.interview_plan(
        actor=cast.admin,
        candidate=candidate,
        interviewer_id=cast.pm_person.pk,
        competency_ids=[Competency.objects.first().pk],
    )
    hiring.decision_propose(actor=cast.admin, candidate=candidate, kind="offer", reason="Strong")
    return candidate


def _interview(cast: Cast, user: User | None) -> list[int]:
    return [_candidate(cast).interviews.get().pk]


def _decision(cast: Cast, user: User | None) -> list[int]:
    return [_candidate(cast).decisions.get().pk]


def _scorecard(cast: Cast, user: User | None) -> dict:
    _candidate(cast)
    return {"recommendation": "yes", f"rating_{Competency.objects.first().pk}": "meets"}


def _one_on_one(cast: Cast, user: User | None) -> list[int]:
    from northstar.people import growth
    from northstar.people.models import OneOnOne

    found = OneOnOne.objects.first()
    if found is None:
        found = growth.one_on_one_start(actor=cast.leader, report=cast.pm_person)
    return [found.pk]


def _other(cast: Cast, user: User | None) -> list[int]:
    return [
        Person.objects.get_or_create(name="Olu Other", defaults={"email": "olu@example.com", "level": "pm"})[
            0
        ].pk
    ]


WEB_CASES += [
    Case("people:requisitions", "get", READ),
    Case("people:requisition_create", "get", LEADERS_PAGE),
    Case(
        "people:requisition_create",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {
            "title": "New role",
            "level": (services.install_framework(), CareerLevel.objects.get(org_level=Level.PM).pk)[1],
            "hiring_manager": c.pm_person.pk,
            "annual_cost": "100000",
            "currency": "EUR",
        },
    ),
    Case("people:requisition", "get", PRIVATE, args=lambda c, u: [_requisition(c).pk]),
    Case(
        "people:requisition_status",
        "post",
        LEADERS_ACTION,
        args=lambda c, u: [_requisition(c).pk],
        data=lambda c, u: {"status": "closed"},
    ),
    Case("people:candidate_create", "get", PRIVATE, args=lambda c, u: [_requisition(c).pk]),
    Case(
        "people:candidate_create",
        "post",
        HIRING_TEAM_ACTION,
        args=lambda c, u: [_requisition(c).pk],
        data=lambda c, u: {"name": "New candidate", "email": "new@example.com", "source": "referral"},
    ),
    # The PM interviews this candidate: they see them, but are not on the hiring team.
    Case("people:candidate", "get", SELF, args=lambda c, u: [_candidate(c).pk], label="interviewer"),
    Case(
        "people:candidate_action",
        "post",
        HIRING_TEAM_ACTION,
        args=lambda c, u: [_candidate(c).pk, "move"],
        data=lambda c, u: {"stage": "screen"},
        label="move",
    ),
    Case(
        "people:decision_decide",
        "post",
        LEADER_ONLY_ACTION,
        args=_decision,
        data=lambda c, u: {"approve": "yes"},
        label="only the product leader",
    ),
    Case("people:scorecard", "get", _expect(stakeholder=403, pm=200, leader=403, admin=403), args=_interview),
    Case(
        "people:scorecard",
        "post",
        _expect(stakeholder=403, pm=DONE, leader=403, admin=403),
        args=_interview,
        data=_scorecard,
    ),
    Case("people:growth", "get", SELF, args=lambda c, u: [c.pm_person.pk], label="own"),
    Case("people:growth", "get", PRIVATE, args=_other, label="someone else's"),
    Case(
        "people:growth_action",
        "post",
        _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE),
        args=lambda c, u: [c.pm_person.pk, "plan"],
        data=lambda c, u: {"title": "Grow"},
    ),
    Case("people:one_on_ones", "get", READ),
    Case("people:one_on_one_start", "get", _expect(stakeholder=403)),
    Case(
        "people:one_on_one_start",
        "post",
        _expect(stakeholder=403, pm=422, leader=DONE, admin=422),
        data=lambda c, u: {"report": c.pm_person.pk, "cadence_days": 7},
        label="(only a manager of the report)",
    ),
    Case("people:one_on_one", "get", PAIR, args=_one_on_one),
    Case(
        "people:one_on_one_action",
        "post",
        PAIR_ACTION,
        args=lambda c, u: [_one_on_one(c, u)[0], "agenda"],
        data=lambda c, u: {"text": "Topic"},
    ),
]


API_CASES += [
    ("get", lambda c: "/api/v1/hiring/requisitions", _api(), None, "requisitions"),
    (
        "post",
        lambda c: "/api/v1/hiring/requisitions",
        _api(403, 403, 201, 201),
        lambda c: {
            "title": "Api role",
            "level_id": _cell(c, None)[0],
            "hiring_manager_id": c.pm_person.pk,
        },
        "requisition",
    ),
    (
        "get",
        lambda c: f"/api/v1/hiring/requisitions/{_requisition(c).pk}/candidates",
        _api(403, 403),
        None,
        "candidates",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/requisitions/{_requisition(c).pk}/candidates",
        _api(403, 403, 201, 201),
        lambda c: {"name": "Api candidate", "email": "api.c@example.com"},
        "add candidate",
    ),
    (
        "get",
        lambda c: f"/api/v1/hiring/candidates/{_candidate(c).pk}",
        _api(403),
        None,
        "candidate (pm interviews)",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/candidates/{_candidate(c).pk}/move",
        _api(403, 403),
        lambda c: {"stage": "screen"},
        "move",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/candidates/{_candidate(c).pk}/interviews",
        _api(403, 403, 201, 201),
        lambda c: {
            "interviewer_id": Person.objects.get(name="Cora CPO").pk,
            "competency_ids": [_cell(c, None)[1]],
        },
        "plan interview",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/interviews/{_interview(c, None)[0]}/scorecard",
        _api(403, 200, 403, 403),
        lambda c: {
            "recommendation": "yes",
            "ratings": [{"competency_id": _cell(c, None)[1], "rating": "meets"}],
        },
        "scorecard",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/candidates/{_candidate(c).pk}/decisions",
        _api(403, 403, 409, 409),
        lambda c: {"kind": "reject", "reason": "x"},
        "propose (one already pending)",
    ),
    (
        "post",
        lambda c: f"/api/v1/hiring/decisions/{_decision(c, None)[0]}/decide",
        _api(403, 403, 200, 403),
        lambda c: {"approve": True},
        "final say",
    ),
    ("get", lambda c: "/api/v1/hiring/metrics", _api(403, 403), None, "metrics"),
    ("get", lambda c: f"/api/v1/growth/{c.pm_person.pk}", _api(403), None, "own growth"),
    ("get", lambda c: f"/api/v1/growth/{_other(c, None)[0]}", _api(403, 403), None, "other growth"),
    ("get", lambda c: "/api/v1/one-on-ones", _api(), None, "one-on-ones"),
    (
        "get",
        lambda c: f"/api/v1/one-on-ones/{_one_on_one(c, None)[0]}",
        _api(403, 200, 200, 403),
        None,
        "1:1",
    ),
    (
        "post",
        lambda c: f"/api/v1/one-on-ones/{_one_on_one(c, None)[0]}/agenda",
        _api(403, 201, 201, 403),
        lambda c: {"text": "Topic"},
        "agenda",
    ),
    (
        "post",
        lambda c: f"/api/v1/one-on-ones/{_one_on_one(c, None)[0]}/notes",
        _api(403, 201, 201, 403),
        lambda c: {"text": "Mine"},
        "private note",
    ),
]


def _csv(cast: Cast, user: User | None) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("c.csv", b"name,email\nCsv Person,csv@example.com\n")}


def _cv(cast: Cast, user: User | None) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"cv": SimpleUploadedFile("cv.pdf", b"%PDF-1.7\n%%EOF")}


WEB_CASES += [
    Case(
        "people:candidates_import",
        "post",
        HIRING_TEAM_ACTION,
        args=lambda c, u: [_requisition(c).pk],
        data=_csv,
    ),
    # No CV yet: 404 to those who may see the candidate (the PM interviews them), 403 to others.
    Case(
        "people:candidate_cv",
        "get",
        _expect(stakeholder=403, pm=404, leader=404, admin=404),
        args=lambda c, u: [_candidate(c).pk],
    ),
    Case("people:candidate_cv", "post", HIRING_TEAM_ACTION, args=lambda c, u: [_candidate(c).pk], data=_cv),
]


def _pair(cast: Cast, user: User | None) -> list[int]:
    from northstar.people import growth
    from northstar.people.models import MentoringPair

    found = MentoringPair.objects.first()
    if found is None:
        mentor = Person.objects.get(name="Cora CPO")
        found = growth.mentoring_start(actor=cast.admin, mentor=mentor, mentee=cast.pm_person)
    return [found.pk]


WEB_CASES += [
    Case("people:mentoring_start", "get", _expect(stakeholder=403)),
    Case(
        "people:mentoring_start",
        "post",
        _expect(stakeholder=403, pm=DONE, leader=DONE, admin=DONE),
        data=lambda c, u: {"mentor": Person.objects.get(name="Cora CPO").pk, "mentee": c.pm_person.pk},
        label="(the PM is the mentee)",
    ),
    Case("people:mentoring", "get", PAIR, args=_pair),
    Case("people:mentoring_note", "post", PAIR_ACTION, args=_pair, data=lambda c, u: {"text": "Note"}),
]
API_CASES += [("get", lambda c: "/api/v1/mentoring", _api(), None, "mentoring")]


def _headcount_data(cast: Cast, user: User | None) -> dict:
    from northstar.strategy.models import PlanningPeriod

    period, _ = PlanningPeriod.objects.get_or_create(
        name="2031-Q1", defaults={"kind": "quarter", "start": "2031-01-01", "end": "2031-03-31"}
    )
    return {
        "line": cast.home_line.pk,
        "period": period.pk,
        "slots": 2,
        "cost_per_slot": "100000",
        "currency": "EUR",
    }


WEB_CASES += [
    Case("people:headcount", "get", READ),
    Case("people:headcount_set", "get", LEADERS_PAGE),
    Case("people:headcount_set", "post", LEADERS_ACTION, data=_headcount_data),
]
