"""The people API: the same privacy as the pages, over tokens."""

from __future__ import annotations

import pytest

from northstar.people.models import Competency, Feedback, FeedbackKind, Rating, Review
from tests.people.factories import ask_peers, make_reporting, open_cycle, submit
from tests.test_api import bearer, send

pytestmark = pytest.mark.django_db


def test_a_review_over_the_api_hides_what_the_page_hides(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    ask_peers(world, review, 3)
    for n in range(2):
        submit(world.user(f"peer{n}"), review, FeedbackKind.PEER, rating=Rating.ABOVE, text=f"Words {n}")
    submit(world.user("manager"), review, FeedbackKind.MANAGER, text="Manager words")
    own = send(bearer(world.user("person")), "get", f"/api/v1/reviews/{review.pk}").json()
    assert own["manager_review"] is None and own["outcome"] is None
    assert own["peers"] == {
        "asked": 3,
        "answered": 2,
        "shown": False,
        "overall": {},
        "competencies": [],
        "comments": [],
    }
    assert "Words 0" not in str(own)
    managers = send(bearer(world.user("skip")), "get", f"/api/v1/reviews/{review.pk}").json()
    assert managers["manager_review"]["summary"] == "Manager words"
    for user in (cast.pm, cast.stakeholder, world.user("peer0")):
        refused = send(bearer(user), "get", f"/api/v1/reviews/{review.pk}")
        assert refused.status_code == 403 and "manager chain" in refused.json()["message"]
    listed = send(bearer(cast.pm), "get", "/api/v1/reviews").json()
    assert review.pk not in [r["id"] for r in listed["items"]]


def test_submitting_an_assessment_over_the_api(cast):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    own = Feedback.objects.get(review=review, kind=FeedbackKind.SELF)
    api = bearer(world.user("person"))
    tasks = send(api, "get", "/api/v1/assessments").json()["items"]
    assert [t["id"] for t in tasks] == [own.pk]
    body = {
        "overall": "meets",
        "ratings": [
            {"competency_id": c.pk, "rating": "meets", "evidence": "x"} for c in Competency.objects.all()
        ],
    }
    bad = send(api, "post", f"/api/v1/assessments/{own.pk}/submit", {**body, "overall": "great"})
    assert bad.status_code == 422
    assert send(api, "post", f"/api/v1/assessments/{own.pk}/submit", body).status_code == 200
    again = send(api, "post", f"/api/v1/assessments/{own.pk}/submit", body)
    assert again.status_code == 409
    assert (
        send(bearer(world.user("manager")), "post", f"/api/v1/assessments/{own.pk}/submit", body).status_code
        == 404
    )
