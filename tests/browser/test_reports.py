"""Reports in a real browser: a director posts a status that overrides the proposal, a leader builds
a board pack, writes its narrative, issues it and shares it, and a board member opens the link in a
fresh browser without a login."""

from __future__ import annotations

from unittest import mock

import pytest

from tests.browser.test_ui import no_horizontal_scroll, sign_in
from tests.reports.factories import TODAY, make_report_world

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def world(cast, live_server):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield make_report_world(cast)


def test_post_a_status_update_that_overrides_the_proposal(cast, page, shoot, world):
    sign_in(page, "pm")
    page.goto(f"/reports/lines/{cast.home_line.pk}/")
    page.get_by_role("link", name="Post an update").click()
    expect(page.locator("#proposal")).to_contain_text("Northstar proposes Off track")
    expect(page.locator("#proposal")).to_contain_text("1 objective at 20% on average")
    shoot(page, "reports-status-form")
    page.get_by_label("At risk").check()
    page.get_by_label("Highlights").fill("Yen checkout in **beta** with 5 merchants.")
    page.get_by_label("Risk 1").fill("Payment partner slips in 東京")
    page.get_by_role("button", name="Post the update").click()
    expect(page.locator(".form-errors, .field-error, [role=alert]").first).to_contain_text("say why")
    page.get_by_label("Why the status differs from the proposal").fill("The partner signed yesterday.")
    page.get_by_role("button", name="Post the update").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Home line, 2031-Q1")
    expect(page.locator("main")).to_contain_text("Overridden because: The partner signed yesterday.")
    expect(page.locator("main")).to_contain_text("Payment partner slips in 東京")
    shoot(page, "reports-status-posted")


def test_build_issue_and_share_a_board_pack(cast, page, browser, live_server, shoot, world):
    sign_in(page, "leader")
    page.goto("/reports/packs/new/")
    page.get_by_label("Template").select_option("board")
    page.get_by_label("Cut-off").fill("2031-03-01")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", name="Edit the draft")).to_be_visible()
    page.get_by_label("Narrative of Headline").fill("Two lines, **one** behind: yen checkout carries Q1.")
    page.get_by_role("button", name="Save the draft").click()
    shoot(page, "reports-pack-saved")
    expect(page.locator(".pack-banner")).to_contain_text("Draft")
    expect(page.locator("#section-headline")).to_contain_text("one behind")
    expect(page.locator("[data-chart='objectives.progress'] svg")).to_be_visible()
    assert no_horizontal_scroll(page)
    shoot(page, "reports-pack-draft")
    page.get_by_role("button", name="Issue").click(timeout=120_000)  # renders PPTX, PDF and HTML once
    expect(page.locator(".pack-banner")).to_contain_text("Issued", timeout=120_000)
    page.get_by_label("Who gets it").fill("Board, March meeting")
    page.get_by_role("button", name="Create link").click()
    link = page.locator("a.share-token").first.get_attribute("href")
    shoot(page, "reports-pack-issued")
    stranger = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    try:
        visitor = stranger.new_page()
        visitor.goto(link)
        expect(visitor.locator(".pack-banner")).to_contain_text("Shared with Board, March meeting")
        expect(visitor.locator("#section-objectives")).to_contain_text("Grow in Łódź and São Paulo")
        expect(visitor.locator("#site-nav")).to_have_count(0)  # no app navigation for a visitor
        shoot(visitor, "reports-pack-shared-logged-out")
        with visitor.expect_download() as download:
            visitor.get_by_role("link", name="PPTX").click()
        assert download.value.suggested_filename.endswith(".pptx")
    finally:
        stranger.close()
