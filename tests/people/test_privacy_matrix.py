"""Privacy matrix: every people page and API operation that shows something private, against every
relationship a user can have to it, with zero leaks (lists, search and the audit log included).

Relationships: the person themselves, their manager, their skip-level, a peer (same manager, not asked
for feedback), a 360 reviewer, the hiring team, an interviewer, an unrelated PM, a stakeholder, a
leader, an admin and anyone signed out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from northstar.core.models import User
from northstar.core.roles import Role
from northstar.org.models import Level
from northstar.people import growth, hiring
from northstar.people.models import Competency, FeedbackKind, Rating, Review
from tests import factories
from tests.people.factories import ask_peers, make_reporting, make_requisition, open_cycle, submit

RELATIONSHIPS = [
    "self",
    "manager",
    "skip",
    "peer",
    "reviewer",
    "hiring_team",
    "interviewer",
    "unrelated_pm",
    "stakeholder",
    "leader",
    "admin",
    "anonymous",
]
SELF_REVIEW_TEXT = "MARKER self review words"
NOTE_TEXT = "MARKER private note words"
AGENDA_TEXT = "MARKER agenda words"
SCORECARD_TEXT = "MARKER scorecard words"
CANDIDATE = "Marker Candidate"


@dataclass
class World:
    users: dict[str, User | None]
    review: Review
    one_on_one_id: int
    candidate_id: int
    requisition_id: int
    person_id: int


@pytest.fixture
def world(cast) -> World:
    reporting = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [reporting.person]), person=reporting.person)
    ask_peers(reporting, review, 3)  # peers 0-2 are 360 reviewers; peer 3 is a plain peer
    submit(reporting.user("person"), review, FeedbackKind.SELF, text=SELF_REVIEW_TEXT)
    meeting = growth.one_on_one_start(actor=reporting.user("manager"), report=reporting.person)
    growth.agenda_add(actor=reporting.user("person"), one_on_one=meeting, text=AGENDA_TEXT)
    growth.private_note_add(actor=reporting.user("person"), one_on_one=meeting, body=NOTE_TEXT)
    growth.plan_create(actor=reporting.user("person"), person=reporting.person, title="MARKER plan")
    # Hiring: a requisition whose hiring team is a stranger to the reporting line.
    hirer = factories.make_user(Role.PRODUCT_MANAGER, username="hirer")
    factories.make_person(name="Hilda Hirer", level=Level.SENIOR_PM, user=hirer)
    requisition = make_requisition(cast, reporting)
    requisition.hiring_team.set([hirer.person])
    candidate = hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name=CANDIDATE, email="m@x.example"
    )
    interviewer = factories.make_user(Role.PRODUCT_MANAGER, username="interviewer")
    factories.make_person(name="Ian Interviewer", level=Level.PM, user=interviewer)
    first = Competency.objects.first()
    interview = hiring.interview_plan(
        actor=cast.leader,
        candidate=candidate,
        interviewer_id=interviewer.person.pk,
        competency_ids=[first.pk],
    )
    hiring.scorecard_submit(
        actor=interviewer, interview=interview, recommendation="yes", notes=SCORECARD_TEXT,
        ratings={first.pk: (Rating.MEETS, "")},
    )  # fmt: skip
    return World(
        users={
            "self": reporting.user("person"),
            "manager": reporting.user("manager"),
            "skip": reporting.user("skip"),
            "peer": reporting.user("peer3"),
            "reviewer": reporting.user("peer0"),
            "hiring_team": hirer,
            "interviewer": interviewer,
            "unrelated_pm": cast.pm,
            "stakeholder": cast.stakeholder,
            "leader": cast.leader,
            "admin": cast.admin,
            "anonymous": None,
        },
        review=review,
        one_on_one_id=meeting.pk,
        candidate_id=candidate.pk,
        requisition_id=requisition.pk,
        person_id=reporting.person.pk,
    )


# (name, address, who may open it). The requisition's hiring manager is the reviewee's manager.
CHAIN = {"self", "manager", "skip", "leader", "admin"}
HIRING = {"manager", "hiring_team", "leader", "admin"}
PRIVATE = [
    ("review page", lambda w: f"/people/reviews/{w.review.pk}/", CHAIN),
    ("review API", lambda w: f"/api/v1/reviews/{w.review.pk}", CHAIN),
    ("growth page", lambda w: f"/people/directory/{w.person_id}/growth/", CHAIN),
    ("growth API", lambda w: f"/api/v1/growth/{w.person_id}", CHAIN),
    ("1:1 page", lambda w: f"/people/one-on-ones/{w.one_on_one_id}/", {"self", "manager"}),
    ("1:1 API", lambda w: f"/api/v1/one-on-ones/{w.one_on_one_id}", {"self", "manager"}),
    ("candidate page", lambda w: f"/people/candidates/{w.candidate_id}/",
     HIRING | {"interviewer"}),
    ("candidate API", lambda w: f"/api/v1/hiring/candidates/{w.candidate_id}",
     HIRING | {"interviewer"}),
    ("pipeline page", lambda w: f"/people/hiring/{w.requisition_id}/", HIRING),
    ("candidates API", lambda w: f"/api/v1/hiring/requisitions/{w.requisition_id}/candidates", HIRING),
]  # fmt: skip


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("name,address,allowed", PRIVATE, ids=[p[0] for p in PRIVATE])
def test_private_records_open_only_for_their_people(world, name, address, allowed, relationship):
    response = _client(world.users[relationship]).get(address(world))
    if relationship in allowed:
        assert response.status_code == 200, response.content[:300]
    elif relationship == "anonymous":
        assert response.status_code in (302, 401)
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content[:300])
        assert (
            SELF_REVIEW_TEXT.encode() not in response.content and CANDIDATE.encode() not in response.content
        )


# Lists and search: what may never show up in them for whom.
LISTS = [
    "/people/",
    "/people/directory/?search=Rae",
    "/people/hiring/",
    "/people/one-on-ones/",
    "/api/v1/reviews",
    "/api/v1/assessments",
    "/api/v1/one-on-ones",
    "/api/v1/hiring/requisitions",
    "/api/v1/audit",
    "/audit/",
]


@pytest.mark.parametrize("relationship", [r for r in RELATIONSHIPS if r != "anonymous"])
def test_lists_search_and_the_audit_log_leak_nothing(world, relationship):
    client = _client(world.users[relationship])
    seen = b"".join(client.get(address).content for address in LISTS)
    # Private text is never in any list, for anyone (not even its author: lists show titles).
    for text in (SELF_REVIEW_TEXT, NOTE_TEXT, AGENDA_TEXT, SCORECARD_TEXT):
        assert text.encode() not in seen, (relationship, text)
    if relationship not in {"manager", "hiring_team", "interviewer", "leader", "admin"}:
        assert CANDIDATE.encode() not in seen
    listed = client.get("/api/v1/reviews").json()["items"]
    assert (world.review.pk in [r["id"] for r in listed]) == (
        relationship in {"self", "manager", "skip", "leader", "admin"}
    )


def test_a_private_note_is_read_by_its_author_alone(world):
    for relationship in RELATIONSHIPS:
        content = (
            _client(world.users[relationship]).get(f"/people/one-on-ones/{world.one_on_one_id}/").content
        )
        api = _client(world.users[relationship]).get(f"/api/v1/one-on-ones/{world.one_on_one_id}").content
        assert (NOTE_TEXT.encode() in content + api) == (relationship == "self"), relationship
