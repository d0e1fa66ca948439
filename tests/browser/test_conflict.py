"""Two people editing one initiative in real browsers: the later save does not overwrite the earlier;
the page shows both values, and saving again applies the second person's change knowingly."""

from __future__ import annotations

import pytest

from northstar.portfolio.models import Initiative
from tests.browser.test_ui import sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def test_a_second_save_shows_both_values_instead_of_overwriting(cast, page, phone_page, shoot):
    """The leader edits at a desk while the PM edits the same initiative on a phone."""
    url = f"/portfolio/{cast.home_initiative.pk}/edit/"
    other = phone_page
    page.goto("/login/", timeout=60_000)  # the first page of a cold server can be slow on a busy machine
    sign_in(page, "leader")
    sign_in(other, "pm")
    page.goto(url)
    other.goto(url)
    other.get_by_label("Title").fill("Checkout in one tap")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("was saved")).to_be_visible()

    page.get_by_label("Title").fill("Faster checkout")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="What changed meanwhile")).to_be_visible()
    expect(page.locator(".conflict-theirs").first).to_contain_text("Checkout in one tap")
    expect(page.locator(".conflict-yours").first).to_contain_text("Faster checkout")
    shoot(page, "edit-conflict")
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "Checkout in one tap"

    page.get_by_role("button", name="Save mine over theirs").click()
    expect(page.get_by_text("was saved")).to_be_visible()
    assert Initiative.objects.get(pk=cast.home_initiative.pk).title == "Faster checkout"
