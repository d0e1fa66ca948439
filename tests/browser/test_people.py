"""People in a real browser: a review cycle with three peers (anonymous until the third answers) and a
hiring loop through to the product leader's final say. Screenshots in test-output/screenshots/."""

from __future__ import annotations

import pytest

from northstar.people import hiring
from northstar.people.models import Candidate, Competency, Review, Stage
from tests.browser.test_ui import sign_in
from tests.people.factories import ask_peers, make_reporting, make_requisition, open_cycle

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def _answer(page, review: Review, username: str, rating: str, words: str) -> None:
    sign_in(page, username)
    page.goto("/people/")
    page.get_by_role("link", name="360 feedback: Rae Reviewee").click()
    for competency in Competency.objects.all():
        page.locator(f"input[name=rating_{competency.pk}][value={rating}]").check()
    page.locator("input[name=overall][value=meets]").check()
    page.get_by_label("Summary").fill(words)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("your assessment was submitted")).to_be_visible()
    page.context.clear_cookies()


def test_a_review_cycle_with_three_peers_stays_anonymous_until_the_third_answers(cast, page, shoot):
    world = make_reporting(cast)
    review = Review.objects.get(cycle=open_cycle(cast, [world.person]), person=world.person)
    ask_peers(world, review, 3)
    _answer(page, review, "peer.0", "above", "Sharp discovery work")
    _answer(page, review, "peer.1", "meets", "Reliable delivery")
    sign_in(page, "rae.reviewee")
    page.goto(f"/people/reviews/{review.pk}/")
    expect(page.get_by_text("3 asked, 2 answered")).to_be_visible()
    expect(page.get_by_text("Waiting for at least three answers")).to_be_visible()
    expect(page.get_by_text("Sharp discovery work")).to_have_count(0)
    shoot(page, "people-review-before-third-peer")
    page.context.clear_cookies()
    _answer(page, review, "peer.2", "below", "Could share plans earlier")
    sign_in(page, "rae.reviewee")
    page.goto(f"/people/reviews/{review.pk}/")
    expect(page.get_by_text("3 asked, 3 answered")).to_be_visible()
    expect(page.get_by_text("Sharp discovery work")).to_be_visible()
    # Who was asked is listed; who answered what is not.
    expect(page.get_by_role("listitem").filter(has_text="Peer 0")).to_be_visible()
    shoot(page, "people-review-after-third-peer")
    page.context.clear_cookies()
    sign_in(page, "pm")
    response = page.goto(f"/people/reviews/{review.pk}/")
    assert response.status == 403


def test_a_hiring_loop_ends_with_the_product_leaders_final_say(cast, page, shoot):
    world = make_reporting(cast)
    requisition = make_requisition(cast, world)
    candidate = hiring.candidate_add(
        actor=cast.leader, requisition=requisition, name="Dana Doe", email="dana@example.com"
    )
    for stage in (Stage.SCREEN, Stage.INTERVIEWS, Stage.DEBRIEF):
        hiring.candidate_move(actor=cast.leader, candidate=candidate, stage=stage)
    sign_in(page, "mia.manager")
    page.goto(f"/people/candidates/{candidate.pk}/")
    page.get_by_label("Proposal").select_option("offer")
    page.get_by_label("Reason").fill("Strong yes across the loop")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Waiting for the product leader's final say")).to_be_visible()
    shoot(page, "people-candidate-waiting-for-leader")
    page.context.clear_cookies()
    sign_in(page, "leader")
    page.goto(f"/people/candidates/{candidate.pk}/")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Give the final say").click()
    expect(page.get_by_text("Decided.")).to_be_visible()
    expect(page.get_by_role("button", name="Offer accepted: hired")).to_be_visible()
    shoot(page, "people-candidate-offer-approved")
    candidate.refresh_from_db()
    assert candidate.stage == Stage.OFFER
    assert Candidate.objects.get(pk=candidate.pk).decisions.get().decided_by == cast.leader
