"""Growth plans, promotion readiness and 1:1s: who may read and write each."""

from __future__ import annotations

import pytest

from northstar.core.errors import Conflict, PermissionDenied
from northstar.core.models import AuditEntry
from northstar.people import access, growth, selectors
from northstar.people.models import Competency, FeedbackKind, Rating, Review
from tests.people.factories import make_reporting, open_cycle, submit

pytestmark = pytest.mark.django_db


def test_a_growth_plan_is_read_and_written_by_the_person_and_their_managers_only(cast):
    world = make_reporting(cast)
    plan = growth.plan_create(actor=world.user("person"), person=world.person, title="Towards Senior PM")
    goal = growth.goal_add(
        actor=world.user("manager"),
        plan=plan,
        competency_id=Competency.objects.first().pk,
        text="Lead discovery",
    )
    growth.goal_check_in(actor=world.user("skip"), goal=goal, text="Good progress", done=True)
    goal.refresh_from_db()
    assert goal.done
    for who in (world.user("peer0"), cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            selectors.growth_plans(access.viewer_of(who), world.person)
        with pytest.raises(PermissionDenied):
            growth.goal_check_in(actor=who, goal=goal, text="Sneaky")
    assert selectors.growth_plans(access.viewer_of(cast.leader), world.person) == [plan]


def test_promotion_readiness_reads_the_latest_manager_review(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    submit(world.user("manager"), review, FeedbackKind.MANAGER, rating=Rating.ABOVE)
    result = selectors.readiness(access.viewer_of(world.user("person")), world.person)
    assert result.next_level.org_level == "senior_pm"
    assert result.ready == Competency.objects.count()
    with pytest.raises(PermissionDenied):
        selectors.readiness(access.viewer_of(cast.pm), world.person)


def test_a_one_on_one_is_the_pairs_and_private_notes_their_authors_alone(cast):
    world = make_reporting(cast)
    with pytest.raises(PermissionDenied):
        growth.one_on_one_start(actor=world.user("skip"), report=world.person)
    meeting = growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    with pytest.raises(Conflict):
        growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    growth.agenda_add(actor=world.user("person"), one_on_one=meeting, text="Promotion timeline")
    growth.private_note_add(actor=world.user("manager"), one_on_one=meeting, body="Manager's private thought")
    growth.private_note_add(actor=world.user("person"), one_on_one=meeting, body="Report's private thought")
    managers = selectors.one_on_one_view(access.viewer_of(world.user("manager")), meeting)
    reports = selectors.one_on_one_view(access.viewer_of(world.user("person")), meeting)
    assert [n.body for n in managers.my_notes] == ["Manager's private thought"]
    assert [n.body for n in reports.my_notes] == ["Report's private thought"]
    assert [a.text for a in managers.agenda] == ["Promotion timeline"]
    for who in (world.user("skip"), cast.leader, cast.admin, cast.pm, cast.stakeholder, world.user("peer0")):
        with pytest.raises(PermissionDenied):
            selectors.one_on_one_view(access.viewer_of(who), meeting)
        with pytest.raises(PermissionDenied):
            growth.agenda_add(actor=who, one_on_one=meeting, text="x")
    logged = " ".join(str(e.changes) for e in AuditEntry.objects.all())
    assert "private thought" not in logged and "Promotion timeline" not in logged


def test_action_items_carry_forward_until_done_and_the_agenda_clears_when_held(cast):
    world = make_reporting(cast)
    meeting = growth.one_on_one_start(actor=world.user("manager"), report=world.person)
    first_date = meeting.next_on
    growth.agenda_add(actor=world.user("manager"), one_on_one=meeting, text="Roadmap review")
    action = growth.action_add(actor=world.user("person"), one_on_one=meeting, text="Send the memo")
    growth.meeting_held(actor=world.user("person"), one_on_one=meeting)
    meeting.refresh_from_db()
    view = selectors.one_on_one_view(access.viewer_of(world.user("manager")), meeting)
    assert view.agenda == [] and [a.text for a in view.discussed] == ["Roadmap review"]
    assert [a.text for a in view.open_actions] == ["Send the memo"]  # carried forward
    assert meeting.next_on > first_date
    growth.action_done(actor=world.user("manager"), action=action)
    view = selectors.one_on_one_view(access.viewer_of(world.user("manager")), meeting)
    assert view.open_actions == [] and [a.text for a in view.done_actions] == ["Send the memo"]


def test_mentoring_notes_are_the_pairs_alone(cast, login):
    world = make_reporting(cast)
    with pytest.raises(PermissionDenied):
        growth.mentoring_start(actor=world.user("peer0"), mentor=world.skip, mentee=world.person)
    pair = growth.mentoring_start(
        actor=world.user("person"), mentor=world.skip, mentee=world.person, focus="Influence"
    )
    growth.mentoring_note_add(actor=world.user("skip"), pair=pair, body="Mentoring words")
    assert (
        "Mentoring words" in login(world.user("person")).get(f"/people/mentoring/{pair.pk}/").content.decode()
    )
    for who in (cast.leader, world.user("manager"), cast.pm):
        assert login(who).get(f"/people/mentoring/{pair.pk}/").status_code == 403
        with pytest.raises(PermissionDenied):
            growth.mentoring_note_add(actor=who, pair=pair, body="x")
    # Leaders see who mentors whom (the list), never the notes.
    listed = login(cast.leader).get("/people/one-on-ones/").content.decode()
    assert "Sam Skip mentors Rae Reviewee" in listed and "Mentoring words" not in listed
