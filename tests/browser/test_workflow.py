"""Approvals, archive and restore in a real browser: a PM's move waits for the line's director, who
approves it; an initiative is archived (it leaves the list), found in the archive and restored."""

from __future__ import annotations

import pytest

from northstar.core.roles import Role
from northstar.portfolio import approvals
from northstar.portfolio.models import Approver, Initiative, Stage
from tests import factories
from tests.browser.test_ui import sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def test_a_move_waits_for_the_directors_approval(cast, browser, live_server, page, shoot):
    director = factories.make_user(Role.PRODUCT_MANAGER, username="dana")
    cast.home_line.director.user = director
    cast.home_line.director.name = "Dana Director"
    cast.home_line.director.save()
    approvals.gate_approval_set(actor=cast.leader, stage=Stage.PLANNED, approver=Approver.LINE_DIRECTOR)
    item = cast.home_initiative
    item.stage = Stage.DISCOVERY
    item.save()

    sign_in(page, "pm")
    page.goto(f"/portfolio/{item.pk}/")
    page.get_by_label("Why (goes into the decision log)").fill("Sized and aligned")
    page.locator("#stage-panel").get_by_role("button", name="Planned", exact=True).click()
    panel = page.locator("#stage-panel")
    expect(panel).to_contain_text("Waiting for approval")
    expect(panel).to_contain_text("Dana Director decides")
    expect(panel.get_by_role("button", name="Withdraw the request")).to_be_visible()
    shoot(page, "approval-requested")

    other = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    director_page = other.new_page()
    sign_in(director_page, "dana")
    director_page.goto("/portfolio/approvals/")
    waiting = director_page.locator("section").filter(has_text="Waiting for you")
    expect(waiting).to_contain_text("Home work")
    shoot(director_page, "approvals-waiting")
    waiting.get_by_label("Note (optional)").fill("Go ahead")
    waiting.get_by_role("button", name="Approve and move").click()
    expect(director_page.locator(".flash")).to_contain_text("moved to Planned")
    expect(director_page.locator("section").filter(has_text="Waiting for you")).to_contain_text("Nothing is")
    director_page.goto(f"/portfolio/{item.pk}/")
    expect(director_page.locator("#stage-panel .badge-large")).to_have_text("Planned")
    expect(director_page.locator("#decisions")).to_contain_text("Approved: move to Planned")
    shoot(director_page, "approval-approved")
    other.close()
    item.refresh_from_db()
    assert item.stage == Stage.PLANNED


def test_archive_an_initiative_then_restore_it_from_the_archive(cast, page, shoot):
    item = factories.make_initiative(product=cast.home_product, title="Loyalty points pilot")
    sign_in(page, "pm")
    page.goto(f"/portfolio/{item.pk}/")
    page.get_by_role("link", name="Archive…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive this initiative?")
    shoot(page, "archive-confirm")
    page.get_by_role("button", name="Archive", exact=True).click()
    expect(page.locator(".archived-banner")).to_contain_text("Archived")
    shoot(page, "archive-banner")

    page.goto("/portfolio/")
    expect(page.locator("#results")).not_to_contain_text("Loyalty points pilot")
    page.goto("/archive/?kind=initiative")
    row = page.locator("tr").filter(has_text="Loyalty points pilot")
    expect(row).to_be_visible()
    shoot(page, "archive-list")
    row.get_by_role("button", name="Restore").click()
    expect(page.locator(".flash")).to_contain_text("Restored")
    page.goto("/portfolio/")
    expect(page.locator("#results")).to_contain_text("Loyalty points pilot")
    assert not Initiative.all_objects.get(pk=item.pk).is_archived
