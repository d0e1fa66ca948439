"""Career framework and review cycles: what the services allow, refuse and keep private."""

from __future__ import annotations

import pytest
from django.core import mail

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.org.models import Level, Person
from northstar.people import access, selectors, services
from northstar.people.models import (
    CareerLevel,
    Competency,
    CycleStatus,
    Expectation,
    Feedback,
    FeedbackKind,
    Rating,
    Review,
)
from tests.people.factories import ask_peers, make_reporting, open_cycle, ratings, submit

pytestmark = pytest.mark.django_db


def test_the_starting_framework_covers_every_level_and_competency_once(cast):
    added = services.install_framework()
    assert added["expectations"] == CareerLevel.objects.count() * Competency.objects.count() > 0
    assert services.install_framework() == {"career_levels": 0, "competencies": 0, "expectations": 0}
    senior = CareerLevel.objects.get(org_level="senior_pm")
    principal = selectors.next_level(senior)
    assert principal is not None and principal.org_level == "principal_pm"
    rows = selectors.compare(senior, principal)
    assert len(rows) == Competency.objects.count()
    assert all(a and b and a != b for _c, a, b in rows)


def test_only_leaders_edit_the_framework_and_a_stale_cell_is_refused(cast):
    services.install_framework()
    level = CareerLevel.objects.get(org_level="pm")
    competency = Competency.objects.first()
    with pytest.raises(PermissionDenied):
        services.expectation_set(actor=cast.pm, level=level, competency=competency, text="Mine")
    cell = services.expectation_set(
        actor=cast.leader, level=level, competency=competency, text="Ours", version=1
    )
    assert cell.text == "Ours" and cell.version == 2
    with pytest.raises(Exception, match="changed"):
        services.expectation_set(actor=cast.admin, level=level, competency=competency, text="Old", version=1)
    assert Expectation.objects.get(pk=cell.pk).text == "Ours"


def test_opening_a_cycle_gives_each_person_a_self_and_manager_review(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person, world.manager])
    review = Review.objects.get(cycle=cycle, person=world.person)
    kinds = set(review.feedback.values_list("kind", "author_id"))
    assert kinds == {(FeedbackKind.SELF, world.person.pk), (FeedbackKind.MANAGER, world.manager.pk)}
    with pytest.raises(PermissionDenied):
        services.cycle_open(
            actor=cast.pm,
            name="x",
            period_start=cycle.period_start,
            period_end=cycle.period_end,
            self_due=cycle.self_due,
            feedback_due=cycle.feedback_due,
            manager_due=cycle.manager_due,
            participant_ids=[world.person.pk],
        )


def test_an_assessment_rates_every_competency_and_only_its_author_writes_it(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    own = Feedback.objects.get(review=review, kind=FeedbackKind.SELF)
    with pytest.raises(PermissionDenied):
        services.feedback_submit(
            actor=world.user("manager"), feedback=own, overall=Rating.MEETS, summary="", ratings=ratings()
        )
    partial = dict(list(ratings().items())[:2])
    with pytest.raises(ValidationFailed, match="Rate every competency"):
        services.feedback_submit(
            actor=world.user("person"), feedback=own, overall=Rating.MEETS, summary="", ratings=partial
        )
    submit(world.user("person"), review, FeedbackKind.SELF)
    with pytest.raises(Conflict):
        submit(world.user("person"), review, FeedbackKind.SELF)


def test_360_feedback_stays_hidden_until_three_answered_then_shows_only_aggregated(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    ask_peers(world, review, 4)
    submit(world.user("peer0"), review, FeedbackKind.PEER, rating=Rating.ABOVE, text="Peer zero wrote this")
    submit(world.user("peer1"), review, FeedbackKind.PEER, rating=Rating.MEETS, text="Peer one wrote this")
    for who in ("person", "manager", "skip"):
        view = selectors.review_view(access.viewer_of(world.user(who)), review)
        assert (view.peers.asked, view.peers.answered, view.peers.shown) == (4, 2, False)
        assert view.peers.competencies == [] and view.peers.summaries == []
    submit(world.user("peer2"), review, FeedbackKind.PEER, rating=Rating.BELOW, text="Peer two wrote this")
    view = selectors.review_view(access.viewer_of(world.user("person")), review)
    assert view.peers.shown and view.peers.overall == {"below": 1, "meets": 1, "above": 1}
    first = view.peers.competencies[0]
    assert first.counts == {"below": 1, "meets": 1, "above": 1}
    # Evidence comes sorted, never in the order (or with the names) of its authors.
    assert first.evidence == sorted(first.evidence)
    assert view.peers.summaries == sorted(
        ["Peer zero wrote this", "Peer one wrote this", "Peer two wrote this"]
    )


def test_a_review_is_refused_to_peers_unrelated_pms_and_stakeholders(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    for user in (world.user("peer0"), cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            selectors.review_view(access.viewer_of(user), review)
    for user in (world.user("person"), world.user("manager"), world.user("skip"), cast.leader, cast.admin):
        assert selectors.review_view(access.viewer_of(user), review).review == review


def test_the_person_reads_their_managers_review_and_outcome_only_after_sign_off(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person])
    review = Review.objects.get(cycle=cycle, person=world.person)
    submit(world.user("manager"), review, FeedbackKind.MANAGER, rating=Rating.ABOVE, text="Strong half")
    services.review_calibrate(
        actor=cast.leader, review=review, final_rating=Rating.ABOVE, outcome="Well done"
    )
    before = selectors.review_view(access.viewer_of(world.user("person")), review)
    assert before.manager_review is None and not before.show_outcome
    assert selectors.review_view(access.viewer_of(world.user("skip")), review).manager_review is not None
    services.cycle_sign_off(actor=cast.leader, cycle=cycle)
    review.refresh_from_db()
    after = selectors.review_view(access.viewer_of(world.user("person")), review)
    assert after.manager_review.summary == "Strong half" and after.show_outcome
    with pytest.raises(Conflict):
        submit(world.user("person"), review, FeedbackKind.SELF)


def test_a_promotion_moves_the_person_to_the_next_level_at_sign_off(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person, world.peers[0]])
    review = Review.objects.get(cycle=cycle, person=world.person)
    for reviewed in (world.person, world.peers[0]):
        submit(world.user("manager"), Review.objects.get(cycle=cycle, person=reviewed), FeedbackKind.MANAGER)
    services.review_calibrate(actor=cast.leader, review=review, final_rating=Rating.ABOVE, promotion=True)
    following = selectors.next_level(selectors.career_level_of(world.person))
    assert following is not None and following.org_level != world.person.level

    services.cycle_sign_off(actor=cast.leader, cycle=cycle)

    world.person.refresh_from_db()
    world.peers[0].refresh_from_db()
    assert world.person.level == following.org_level
    assert world.peers[0].level == Level.PM  # not promoted, not moved
    assert AuditEntry.objects.filter(
        record_type="org.person", record_id=str(world.person.pk), changes__has_key="level"
    ).exists()


def test_a_promotion_with_no_next_level_stops_the_sign_off(cast):
    world = make_reporting(cast)
    cpo = Person.objects.get(name="Cora CPO")
    cycle = open_cycle(cast, [cpo])
    review = Review.objects.get(cycle=cycle, person=cpo)
    services.review_calibrate(actor=cast.leader, review=review, final_rating=Rating.ABOVE, promotion=True)

    with pytest.raises(Conflict, match="Cora CPO, who has no next level"):
        services.cycle_sign_off(actor=cast.leader, cycle=cycle)

    cycle.refresh_from_db()
    cpo.refresh_from_db()
    assert cycle.status != CycleStatus.SIGNED_OFF and cpo.level == Level.CPO
    assert world.person.level == Level.PM


def test_sign_off_needs_a_rating_for_everyone(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person, world.peers[0]])
    submit(world.user("manager"), Review.objects.get(cycle=cycle, person=world.person), FeedbackKind.MANAGER)
    with pytest.raises(Conflict, match="Peer 0"):
        services.cycle_sign_off(actor=cast.leader, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    with pytest.raises(PermissionDenied):
        services.cycle_sign_off(actor=world.user("manager"), cycle=cycle)


def test_only_the_person_their_manager_or_a_leader_asks_for_360_feedback(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    with pytest.raises(PermissionDenied):
        services.feedback_request(actor=world.user("peer0"), review=review, reviewer_id=world.peers[1].pk)
    with pytest.raises(Conflict):
        services.feedback_request(actor=world.user("person"), review=review, reviewer_id=world.manager.pk)
    services.feedback_request(actor=world.user("manager"), review=review, reviewer_id=world.peers[1].pk)
    with pytest.raises(Conflict, match="already"):
        services.feedback_request(actor=world.user("person"), review=review, reviewer_id=world.peers[1].pk)


def test_calibration_groups_ratings_and_flags_disagreement(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person])
    review = Review.objects.get(cycle=cycle, person=world.person)
    ask_peers(world, review, 3)
    for n in range(3):
        submit(world.user(f"peer{n}"), review, FeedbackKind.PEER, rating=Rating.BELOW)
    submit(world.user("manager"), review, FeedbackKind.MANAGER, rating=Rating.ABOVE)
    result = selectors.calibration(cycle)
    assert [r.review for r in result.outliers] == [review]
    assert result.rows[0].peer_score == -1.0
    assert dict(result.by_level)["Product Manager"]["above"] == 1


def test_the_audit_log_says_who_wrote_an_assessment_never_what_it_says(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    submit(world.user("person"), review, FeedbackKind.SELF, text="Secret self-assessment words")
    services.review_calibrate(
        actor=cast.leader, review=review, final_rating=Rating.MEETS, outcome="Hidden outcome"
    )
    entries = AuditEntry.objects.filter(record_type__in=["people.feedback", "people.review"])
    assert {(e.record_type, e.actor) for e in entries} >= {
        ("people.feedback", world.user("person")),
        ("people.review", cast.leader),
    }
    logged = " ".join(str(e.changes) for e in entries)
    assert "Secret self-assessment words" not in logged and "Hidden outcome" not in logged
    assert "[private]" in logged


def test_reminders_go_to_those_with_assessments_to_write_and_carry_no_answers(cast):
    world = make_reporting(cast)
    cycle = open_cycle(cast, [world.person])
    review = Review.objects.get(cycle=cycle, person=world.person)
    submit(world.user("person"), review, FeedbackKind.SELF, text="Private words")
    assert services.cycle_remind(actor=cast.leader, cycle=cycle) == 1
    assert mail.outbox[0].to == [world.manager.email]
    assert "Private words" not in mail.outbox[0].body
