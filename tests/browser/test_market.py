"""Market in a real browser: rate a matrix cell in place; import a CRM export (a malformed one refused
with its row named, then a good one); link a loss reason to an idea and read its demand in money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from northstar.market.models import Deal, Rating
from tests.browser.test_ui import pick, sign_in
from tests.market.factories import make_capability, make_competitor, make_deal, make_segment

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def test_rate_a_matrix_cell_in_place(cast, page, shoot):
    capability = make_capability(name="Split payments")
    rival = make_competitor(name="Rival")
    sign_in(page, "pm")
    page.goto("/market/matrix/")
    cell = page.locator(f"#cell-{capability.pk}-c{rival.pk}")
    cell.get_by_text("Rate", exact=True).click()
    cell.get_by_label("Score").select_option("4")
    cell.get_by_label("Note").fill("Shipped in March")
    cell.get_by_role("button", name="Save").click()
    updated = page.locator(f"#cell-{capability.pk}-c{rival.pk}")
    expect(updated.locator(".score-4")).to_have_text("4")
    expect(updated).to_contain_text("Shipped in March")
    assert page.url.endswith("/market/matrix/")  # edited in place, no page load
    assert Rating.objects.get().score == 4
    shoot(page, "market-matrix")


def test_import_deals_refused_then_accepted(cast, page, shoot, tmp_path):
    make_segment(name="SMB")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "deal,account,segment,amount,outcome,closed\nB1,Acme,SMB,100,won,2026-01-05\nB2,Beta,SMB,1e,lost,2026-13-01\n"
    )
    good = tmp_path / "deals.csv"
    good.write_text(
        "deal,account,segment,amount,outcome,closed,reasons\n"
        "G1,Acme,SMB,1000,won,2026-01-05,\nG2,Beta,SMB,2500,lost,2026-02-05,price; missing SSO\n"
    )
    sign_in(page, "pm")
    page.goto("/market/deals/import/")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    alert = page.locator("#import-error")
    expect(alert).to_contain_text("Nothing was imported. Row 3")
    expect(alert).to_contain_text("is not a date")
    assert not Deal.objects.exists()
    shoot(page, "market-import-refused")
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 2 deals (1 won, 1 lost).")).to_be_visible()
    expect(page.get_by_role("heading", name="Win/loss", exact=True)).to_be_visible()
    shoot(page, "market-win-loss")


def test_link_a_loss_reason_to_an_idea_and_read_its_demand(cast, page, shoot):
    make_deal(outcome="lost", amount=Decimal("40000"), reasons=("missing split payments",))
    make_deal(outcome="lost", amount=Decimal("20000"), reasons=("missing split payments", "price"))
    sign_in(page, "pm")
    page.goto("/market/win-loss/")
    page.locator("#reasons").get_by_role("link", name="Missing split payments").click()
    expect(page.get_by_role("heading", name="Lost for “missing split payments”")).to_be_visible()
    pick(page, "Evidence for the idea", cast.home_initiative.title)
    page.get_by_role("button", name="Link as evidence").click()
    expect(page.get_by_role("heading", name="Market evidence")).to_be_visible()
    expect(page.locator("#lost-demand")).to_contain_text("60k EUR")
    expect(page.locator("#lost-demand")).to_contain_text("lost in 2 deals")
    shoot(page, "market-idea-demand")


def test_the_demo_market_overview_draws_its_chart(cast, page, shoot):
    from northstar.market import demo

    demo.load(scale="standard", seed=5)
    sign_in(page, "leader")
    page.goto("/market/")
    expect(page.locator("#segment-chart .main-svg").first).to_be_visible(timeout=30_000)
    expect(page.locator("#segments-table")).to_contain_text("Online marketplaces")
    shoot(page, "market-overview")
    page.goto("/market/matrix/")
    expect(page.locator("#matrix")).to_contain_text("Northwind Payments")
    shoot(page, "market-matrix-demo")
