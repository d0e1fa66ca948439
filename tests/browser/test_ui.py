"""The web UI in a real browser: signing in, the org chart, creating and moving work, refusals, phones."""

from __future__ import annotations

import re

import pytest

from northstar.demo import load_demo
from northstar.portfolio.models import Initiative, Stage
from tests import factories

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#site-nav")).to_be_attached()  # signed in (on a phone the menu is folded away)


def pick(page, label: str, text: str) -> None:
    """Choose in a type-ahead picker (core.forms.Picker): type part of the name, click the first match."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(text)
    option = page.locator(f"#{box.get_attribute('aria-controls')} [role=option][data-value]").first
    expect(option).to_contain_text(text)  # the list for what was typed, not the one shown on focus
    option.click()


def no_horizontal_scroll(page) -> bool:
    """The page fits the screen. On a phone the browser widens its layout to fit a too-wide page (and
    zooms out), so `innerWidth` grows with the overflow: compare with the screen's width instead."""
    return page.evaluate("document.documentElement.scrollWidth <= Math.min(window.innerWidth, screen.width)")


def test_signing_in_through_the_login_form(cast, page, shoot):
    page.goto("/portfolio/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/portfolio/$"))
    shoot(page, "login")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")

    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/portfolio/$"))
    expect(page.get_by_role("heading", name="Initiatives")).to_be_visible()
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page.get_by_text("Product manager")).to_be_visible()
    shoot(page, "dashboard")


def test_org_chart_shows_the_hierarchy(cast, page, shoot):
    load_demo()
    sign_in(page, "stakeholder")
    page.goto("/org/")
    root = page.locator(".tree-root > .tree-item").filter(has_text="Chief Product Officer").first
    cpo_card = root.locator(":scope > .person-card")
    expect(cpo_card).to_contain_text("Chief Product Officer")
    # VPs are direct reports of the CPO; directors sit inside a VP; PMs inside them.
    vps = root.locator(":scope > .reports > .tree > .tree-item > .person-card.tier-vp")
    assert vps.count() >= 2
    first_vp = (
        root.locator(":scope > .reports > .tree > .tree-item").filter(has=page.locator(".tier-vp")).first
    )
    expect(first_vp.locator(".person-card.tier-director").first).to_be_visible()
    expect(first_vp.locator(".person-card.tier-pm").first).to_be_visible()
    expect(page.locator(".tier-director .chip").first).to_be_visible()  # a director shows their line
    assert no_horizontal_scroll(page)
    shoot(page, "org-chart-desktop")

    # A subtree folds away.
    summary = first_vp.locator(":scope > .reports > summary")
    summary.click()
    expect(first_vp.locator(".person-card.tier-director").first).to_be_hidden()


def test_create_an_initiative_and_move_it_with_htmx(cast, page, shoot):
    sign_in(page, "pm")
    page.goto("/portfolio/")
    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Title").fill("Offline checkout")
    page.get_by_label("Kind").select_option("feature")
    page.get_by_label("Product", exact=False).select_option(label="Home line · Home product")
    pick(page, "Owner", "Pat PM")
    page.get_by_label("Description").fill("Pay **without** a signal.")
    page.get_by_label("Tags").fill("mobile, payments")
    shoot(page, "initiative-form")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Offline checkout")).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("without")
    initiative = Initiative.objects.get(title="Offline checkout")
    assert initiative.stage == Stage.IDEA
    assert page.evaluate("typeof htmx.version") == "string"
    page.evaluate("window.__sameDocument = true")  # lost if the browser loads a new page

    panel = page.locator("#stage-panel")
    panel.get_by_role("button", name="Discovery").click()
    expect(panel.locator("[data-stage]")).to_have_attribute("data-stage", "discovery")
    expect(page.locator("#history")).to_contain_text("Idea → Discovery")  # labels, not stored values
    assert page.evaluate("window.__sameDocument === true")  # swapped in place by htmx, no page load
    initiative.refresh_from_db()
    assert initiative.stage == Stage.DISCOVERY
    shoot(page, "initiative-detail")


def test_a_refused_move_shows_the_reason_in_place(cast, page):
    cast.home_initiative.stage = Stage.IN_DELIVERY
    cast.home_initiative.save()
    sign_in(page, "pm")
    page.goto(f"/portfolio/{cast.home_initiative.pk}/")
    # Another tab moved it on meanwhile; the button this page offers is now a jump backwards.
    Initiative.objects.filter(pk=cast.home_initiative.pk).update(stage=Stage.MEASURED)
    page.locator("#stage-panel").get_by_role("button", name="Planned").click()
    expect(page.locator("#stage-panel [role=alert]")).to_contain_text("An initiative in Measured can move to")
    expect(page.locator("#stage-panel [data-stage]")).to_have_attribute("data-stage", "measured")


def test_stakeholder_sees_no_edit_controls_and_is_refused_the_form(cast, page, shoot):
    sign_in(page, "stakeholder")
    page.goto(f"/portfolio/{cast.home_initiative.pk}/")
    expect(page.get_by_role("heading", name="Home work")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator("#stage-panel button")).to_have_count(0)
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)

    response = page.goto(f"/portfolio/{cast.home_initiative.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You can’t open this page")).to_be_visible()
    expect(page.get_by_text("read-only")).to_be_visible()
    shoot(page, "forbidden")


def test_list_filters_update_the_results_without_a_reload(cast, page, shoot):
    load_demo()
    sign_in(page, "leader")
    page.goto("/portfolio/")
    total = Initiative.objects.count()
    expect(page.locator(".result-count")).to_have_text(f"{total} initiatives")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Stage").select_option("launched")
    launched = Initiative.objects.filter(stage=Stage.LAUNCHED).count()
    expect(page.locator(".result-count")).to_have_text(f"{launched} initiative{'s' if launched != 1 else ''}")
    expect(page).to_have_url(re.compile(r"stage=launched"))
    assert page.evaluate("window.__sameDocument === true")
    page.get_by_label("Search", exact=True).fill("zzz-no-such-thing")
    expect(page.get_by_text("No initiatives match these filters.")).to_be_visible()
    page.get_by_label("Search", exact=True).fill("")
    expect(page.locator(".initiative-table tbody tr").first).to_be_visible()
    shoot(page, "portfolio-list-desktop")
    page.go_back()
    expect(page.get_by_text("No initiatives match these filters.")).to_be_visible()


def test_phone_width_org_chart_list_and_menu(cast, phone_page, shoot):
    load_demo()
    page = phone_page
    sign_in(page, "pm")
    page.goto("/org/")
    expect(page.locator(".person-card").first).to_be_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "org-chart-phone")

    page.goto("/portfolio/")
    expect(page.locator(".initiative-table tbody tr").first).to_be_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "portfolio-list-phone", full_page=False)

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_text("Roadmap")).to_be_visible()
    shoot(page, "menu-phone", full_page=False)
    nav.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    assert no_horizontal_scroll(page)
