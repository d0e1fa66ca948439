"""People pages: the framework, the directory, reviews as each relationship sees them, calibration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.demo import SCALES, _load_org
from northstar.people import demo as people_demo
from northstar.people.models import (
    CareerLevel,
    Competency,
    CycleStatus,
    Feedback,
    FeedbackKind,
    Rating,
    Review,
    ReviewCycle,
)
from tests.people.factories import ask_peers, make_reporting, open_cycle, submit

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_framework_a_finished_and_an_open_cycle_and_loads_once():
    # The demo org alone (the whole demo takes minutes on a busy machine), then the people demo on it.
    _load_org(SCALES["standard"], 7)
    people_demo.load(scale="standard", seed=7)
    assert Competency.objects.count() == 8 and CareerLevel.objects.count() == 13
    finished = ReviewCycle.objects.get(name=people_demo.FINISHED)
    assert finished.status == CycleStatus.SIGNED_OFF
    assert not finished.reviews.filter(final_rating="").exists()
    current = ReviewCycle.objects.get(name=people_demo.IN_PROGRESS)
    assert current.status == CycleStatus.OPEN
    pending = Feedback.objects.filter(review__cycle=current, submitted_at=None).count()
    assert 0 < pending < Feedback.objects.filter(review__cycle=current).count()
    assert people_demo.load(scale="standard", seed=7) == {
        "career_levels": 0,
        "competencies": 0,
        "expectations": 0,
    }


def test_the_framework_shows_every_cell_and_leaders_get_edit_links(cast, login):
    from northstar.people.services import install_framework

    install_framework()
    page = login(cast.pm).get("/people/framework/?track=ic")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Principal Product Manager" in text and "Customer insight and discovery" in text
    assert "/edit" not in text and ">Edit<" not in text
    assert ">Edit<" in login(cast.leader).get("/people/framework/").content.decode()


def test_comparing_two_levels_shows_what_changes(cast, login):
    from northstar.people.services import install_framework

    install_framework()
    senior = CareerLevel.objects.get(org_level="senior_pm")
    principal = CareerLevel.objects.get(org_level="principal_pm")
    page = login(cast.stakeholder).get(f"/people/framework/compare/?a={senior.pk}&b={principal.pk}")
    text = page.content.decode()
    assert "What changes from Senior Product Manager to Principal Product Manager" in text
    assert "Scope: several product areas." in text and "Scope: a line&#x27;s hardest problems." in text


def test_a_profile_lists_reviews_only_to_those_who_may_read_them(cast, login):
    world = make_reporting(cast)
    open_cycle(cast, [world.person])
    url = f"/people/directory/{world.person.pk}/"
    assert "2031 H1" in login(world.user("manager")).get(url).content.decode()
    client = login(cast.pm)
    refused = client.get(url).content.decode()
    assert "2031 H1" not in refused and "Reviews are private" in refused


def test_the_review_page_shows_peer_feedback_only_aggregated_after_three_answers(cast, login):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    ask_peers(world, review, 3)
    submit(world.user("peer0"), review, FeedbackKind.PEER, rating=Rating.ABOVE, text="Quiet leadership")
    submit(world.user("peer1"), review, FeedbackKind.PEER, rating=Rating.ABOVE, text="Sharp analysis")
    page = login(world.user("person")).get(f"/people/reviews/{review.pk}/").content.decode()
    assert "Waiting for at least three answers" in page and "Quiet leadership" not in page
    submit(world.user("peer2"), review, FeedbackKind.PEER, rating=Rating.MEETS, text="Steady delivery")
    page = login(world.user("person")).get(f"/people/reviews/{review.pk}/").content.decode()
    assert "Quiet leadership" in page and "Steady delivery" in page
    assert "3 asked, 3 answered" in page
    assert login(cast.pm).get(f"/people/reviews/{review.pk}/").status_code == 403
    assert login(world.user("peer0")).get(f"/people/reviews/{review.pk}/").status_code == 403


def test_writing_an_assessment_through_the_form(cast, login):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    own = Feedback.objects.get(review=review, kind=FeedbackKind.SELF)
    client = login(world.user("person"))
    form = client.get(f"/people/feedback/{own.pk}/").content.decode()
    assert "Scope: a product area." in form  # each competency shows the person's level's expectation
    data = {"overall": "meets", "summary": "Solid half"}
    incomplete = client.post(f"/people/feedback/{own.pk}/", data)
    assert incomplete.status_code == 422
    for competency in Competency.objects.all():
        data[f"rating_{competency.pk}"] = "above"
        data[f"evidence_{competency.pk}"] = f"Evidence for {competency.name}"
    assert client.post(f"/people/feedback/{own.pk}/", data).status_code == 302
    own.refresh_from_db()
    assert own.submitted_at is not None and own.ratings.filter(rating="above").count() == 8
    assert login(world.user("manager")).get(f"/people/feedback/{own.pk}/").status_code == 404


def test_calibration_serves_a_large_cycle_in_a_fixed_number_of_queries(cast, login):
    world = make_reporting(cast)
    small = open_cycle(cast, [world.person], name="Small")
    large = open_cycle(cast, [world.person, world.manager, *world.peers], name="Large")
    client = login(cast.leader)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/people/cycles/{small.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/people/cycles/{large.pk}/")
    assert len(many) == len(few)
    assert "Ratings by level" in page.content.decode()
