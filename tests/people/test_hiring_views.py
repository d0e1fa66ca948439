"""Hiring and 1:1 pages: a loop through to the leader's final say, blind scorecards, private notes."""

from __future__ import annotations

import pytest

from northstar.people import growth, hiring
from northstar.people.models import Candidate, Competency, HireDecision, Stage
from tests.people.factories import make_reporting, make_requisition

pytestmark = pytest.mark.django_db


def test_a_hiring_loop_through_the_pages_ends_with_the_leaders_final_say(cast, login):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    manager = login(world.user("manager"))
    added = manager.post(
        f"/people/hiring/{requisition.pk}/candidates/new/",
        {"name": "Dana Doe", "email": "dana@example.com", "source": "referral", "applied_on": "2031-02-01"},
    )
    candidate = Candidate.objects.get(name="Dana Doe")
    assert added["Location"] == f"/people/candidates/{candidate.pk}/"
    first = Competency.objects.first()
    manager.post(
        f"/people/candidates/{candidate.pk}/plan/",
        {"interviewer": world.peers[1].pk, "competencies": [first.pk]},
    )
    interviewer = login(world.user("peer1"))
    interview = candidate.interviews.get()
    page = interviewer.get(f"/people/candidates/{candidate.pk}/").content.decode()
    assert "Write your scorecard" in page
    interviewer.post(
        f"/people/interviews/{interview.pk}/scorecard/",
        {"recommendation": "strong_yes", "notes": "Sharp", f"rating_{first.pk}": "above"},
    )
    manager = login(world.user("manager"))
    manager.post(f"/people/candidates/{candidate.pk}/propose/", {"kind": "offer", "reason": "Strong loop"})
    decision = HireDecision.objects.get(candidate=candidate)
    page = manager.get(f"/people/candidates/{candidate.pk}/").content.decode()
    assert "Waiting for the product leader" in page and "Give the final say" not in page
    assert manager.post(f"/people/decisions/{decision.pk}/", {"approve": "yes"}).status_code == 403
    assert login(cast.admin).post(f"/people/decisions/{decision.pk}/", {"approve": "yes"}).status_code == 403
    leader = login(cast.leader)
    assert "Give the final say" in leader.get(f"/people/candidates/{candidate.pk}/").content.decode()
    leader.post(f"/people/decisions/{decision.pk}/", {"approve": "yes", "note": "Go"})
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFER
    assert login(cast.pm).get(f"/people/candidates/{candidate.pk}/").status_code == 403


def test_a_scorecard_page_hides_the_others_until_yours_is_in(cast, login):
    world = make_reporting(cast)
    candidate = hiring.candidate_add(
        actor=cast.leader, requisition=make_requisition(cast, world), name="Eve", email="eve@example.com"
    )
    first = Competency.objects.first()
    done = hiring.interview_plan(
        actor=cast.leader, candidate=candidate, interviewer_id=world.peers[1].pk, competency_ids=[first.pk]
    )
    hiring.interview_plan(
        actor=cast.leader, candidate=candidate, interviewer_id=world.peers[2].pk, competency_ids=[first.pk]
    )
    hiring.scorecard_submit(
        actor=world.user("peer1"),
        interview=done,
        recommendation="no",
        notes="Concerns about depth",
        ratings={first.pk: ("below", "")},
    )
    page = login(world.user("peer2")).get(f"/people/candidates/{candidate.pk}/").content.decode()
    assert "Concerns about depth" not in page and "Hidden until your own scorecard is in" in page
    assert (
        "Concerns about depth"
        in login(world.user("peer1")).get(f"/people/candidates/{candidate.pk}/").content.decode()
    )


def test_the_one_on_one_page_shows_each_side_only_their_own_private_notes(cast, login):
    world = make_reporting(cast)
    meeting = growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    manager = login(world.user("manager"))
    manager.post(f"/people/one-on-ones/{meeting.pk}/note/", {"text": "Only the manager reads this"})
    manager.post(f"/people/one-on-ones/{meeting.pk}/agenda/", {"text": "Shared topic"})
    assert "Only the manager reads this" in manager.get(f"/people/one-on-ones/{meeting.pk}/").content.decode()
    report = login(world.user("person")).get(f"/people/one-on-ones/{meeting.pk}/").content.decode()
    assert "Shared topic" in report and "Only the manager reads this" not in report
    for user in (cast.leader, cast.admin, world.user("skip"), cast.stakeholder):
        assert login(user).get(f"/people/one-on-ones/{meeting.pk}/").status_code == 403
