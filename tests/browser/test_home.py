"""Home, search and mentions in a real browser: the cockpit per role on the demo company, the search box
and its keyboard shortcut, and a mention reaching its person as a notification."""

from __future__ import annotations

import re

import pytest

from northstar.demo import load_demo
from tests.browser.test_accessibility import violations
from tests.browser.test_ui import no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def test_home_per_role_and_search_on_the_demo(cast, page, phone_page, shoot):
    load_demo()
    sign_in(page, "leader")
    expect(page.locator(".eyebrow").first).to_contain_text("the whole organisation")
    at_risk = page.locator("#objectives-at-risk").locator("..")
    expect(at_risk.locator("li").first).to_contain_text("done with")
    expect(page.locator("[data-panel=themes] li").first).to_be_visible()
    shoot(page, "home-leader")
    assert violations(page) == []
    # Each objective row goes to its objective.
    first = at_risk.locator("li a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()

    # "/" anywhere jumps to the search box; a typo is corrected and said.
    page.goto("/portfolio/")
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("chekout")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/home/search/\?q=chekout"))
    expect(page.locator("[data-corrected]")).to_contain_text("checkout")
    expect(page.locator(".search-results li").first).to_be_visible()
    # The search page narrows as you type (HTMX), and by kind.
    page.locator("#search-q").fill("apple pay")
    expect(page.locator(".search-results")).to_contain_text("Apple Pay")
    page.locator("#search-kind").select_option("theme")
    expect(page.locator(".search-results .badge").first).to_have_text("Theme")
    shoot(page, "search-results")
    assert violations(page) == []

    sign_in(phone_page, "stakeholder")
    expect(phone_page.locator(".eyebrow").first).to_contain_text("the published picture")
    expect(phone_page.locator("#approvals")).to_have_count(0)
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "home-stakeholder-phone")


def test_a_mention_reaches_its_person(cast, page, shoot):
    sign_in(page, "pm")
    page.goto(f"/portfolio/{cast.home_initiative.pk}/")
    comments = page.locator("#comments")
    expect(comments.get_by_label("Comment")).to_be_visible()  # loaded into the page by HTMX
    comments.get_by_label("Comment").fill("Can we size this before Friday, @leader? **Blocking** the plan.")
    comments.get_by_role("button", name="Comment").click()
    expect(comments.locator(".comment .prose strong")).to_have_text("Blocking")
    shoot(page, "comment-with-mention")

    page.context.clear_cookies()
    sign_in(page, "leader")
    link = page.locator(".nav-notifications a")
    expect(link.locator(".badge")).to_have_text("1")
    link.click()
    page.get_by_role("button", name=re.compile("pm mentioned you on Home work")).click()
    expect(page).to_have_url(re.compile(rf"/portfolio/{cast.home_initiative.pk}/#comment-\d+$"))
    expect(page.locator("#comments")).to_contain_text("Can we size this before Friday")
    expect(page.locator(".nav-notifications .badge")).to_have_count(0)
    shoot(page, "mention-opened")


def test_an_owner_and_a_parent_are_picked_by_typing_with_the_keyboard(cast, page, shoot):
    from northstar.org.models import Level, Person
    from northstar.portfolio.models import Initiative

    Person.objects.bulk_create(
        Person(name=f"Member {n:04d}", email=f"m{n}@example.com", title="Engineer", level=Level.PM)
        for n in range(2_000)
    )
    Person.objects.create(name="Olive Ortega", email="olive@example.com", title="Designer", level=Level.PM)
    page.set_default_timeout(30_000)  # a shared, busy machine: the first page can take a while
    sign_in(page, "leader")
    page.goto("/portfolio/new/")
    owner = page.get_by_role("combobox", name="Owner")
    owner.click()
    owner.type("oliv")
    listbox = page.locator("#id_owner-options")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option").first).to_contain_text("Olive Ortega")
    shoot(page, "picker-owner-open")
    assert violations(page) == []
    page.keyboard.press("ArrowDown")
    expect(owner).to_have_attribute("aria-activedescendant", re.compile(r"id_owner-option-\d+"))
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(owner).to_have_value("Olive Ortega")

    # A long list answers a screenful and says more match; typing on narrows it, a click picks.
    parent = page.get_by_role("combobox", name="Parent initiative")
    parent.click()
    parent.type("home")
    options = page.locator("#id_parent-options")
    expect(options.get_by_role("option").first).to_contain_text("Home work")
    options.get_by_role("option").first.click()
    expect(parent).to_have_value("Home work")

    page.get_by_label("Title").fill("Picked by name")
    page.get_by_role("button", name=re.compile("Create|Save")).click()
    expect(page.get_by_role("heading", name="Picked by name")).to_be_visible()
    made = Initiative.objects.get(title="Picked by name")
    assert (made.owner.name, made.parent_id) == ("Olive Ortega", cast.home_initiative.pk)
    shoot(page, "picker-saved")
