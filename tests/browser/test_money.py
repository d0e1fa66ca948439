"""Finance and delivery in a real browser: import actuals and read the variance chart; connect Jira,
sync, link an epic and see the initiative's progress; run a forecast and read its cone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from northstar.delivery.models import WorkItem
from tests.browser.test_ui import sign_in
from tests.delivery.factories import (
    confirm,
    make_connection,
    make_container,
    make_history,
    make_items,
    make_published_world,
)
from tests.delivery.fakes import jira
from tests.finance.factories import make_budget, make_quarters

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect

#: A fresh browser loads plotly.js (4 MB) before the first chart draws; on a busy machine that is slow.
CHART = 30_000


def test_import_actuals_and_read_the_variance_chart(cast, page, shoot, tmp_path):
    year = timezone.localdate().year - 1
    for quarter in make_quarters(year):
        make_budget(cast.home_line, quarter, "30000")
        make_budget(cast.away_line, quarter, "30000")
    ledger = tmp_path / "ledger.csv"
    rows = ["period,cost_centre,category,kind,amount,currency,description"]
    for month in range(1, 13):
        rows.append(f"{year}-{month:02d},Home line,tools,opex,{9000 + 600 * month},EUR,Licences")
        rows.append(f"{year}-{month:02d},Away line,services,capex,8000,EUR,Agency")
    ledger.write_text("\n".join(rows) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("period,cost_centre,category,amount,currency\n2025-01,Home line,tools,10,XYZ\n")

    sign_in(page, "leader")
    page.goto("/finance/actuals/")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("Row 2: currency 'XYZ' is unknown")
    shoot(page, "finance-import-refused")

    page.goto("/finance/actuals/")
    page.get_by_label("CSV file").set_input_files(str(ledger))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 24 rows from ledger.csv")).to_be_visible(timeout=CHART)
    expect(page.get_by_role("heading", name="Budget against actuals")).to_be_visible(timeout=CHART)
    expect(page.locator("#variance-chart .main-svg").first).to_be_visible(timeout=CHART)
    lines = page.locator("section", has=page.get_by_role("heading", name="Product lines"))
    expect(lines).to_contain_text("Over budget")  # Home spends 9.6k..16.2k a month against 10k
    expect(lines).to_contain_text("Under budget")  # Away spends 8k against 10k
    shoot(page, "finance-variance")


def test_link_a_synced_jira_epic_and_see_its_progress(cast, page, shoot):
    fake = jira.FakeJira().start()
    try:
        base = timezone.now() - timedelta(days=3)
        fake.issues = [
            jira.issue(1, kind="Epic", state="in_progress", updated=base, summary="Wallet payments")
        ]
        fake.issues += [
            jira.issue(
                n, state="done" if n <= 4 else "todo", updated=base + timedelta(minutes=n), parent="PAY-1"
            )
            for n in range(2, 8)
        ]
        sign_in(page, "leader")
        page.goto("/delivery/connections/new/")
        page.get_by_label("Name").fill("Acme Jira")
        page.get_by_label("Tool").select_option("jira")
        page.get_by_label("Address").fill(fake.url)
        page.get_by_label("Scope").fill("PAY")
        page.get_by_label("Account").fill(jira.EMAIL)
        page.get_by_label("Token").fill(jira.TOKEN)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Acme Jira")).to_be_visible()
        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_text("Syncing Acme Jira in the background.")).to_be_visible()
        page.reload()
        expect(page.locator("table")).to_contain_text("Wallet payments")
        shoot(page, "delivery-connection")
        assert WorkItem.objects.count() == 7

        page.goto(f"/delivery/initiatives/{cast.home_initiative.pk}/")
        page.get_by_label("Epic, project or milestone").fill("PAY-1")
        page.get_by_role("button", name="Link").click()
        expect(page.get_by_text("PAY-1 now counts for Home work.")).to_be_visible()
        expect(page.locator(".lead .delivery-progress")).to_contain_text("50%")
        page.goto(f"/portfolio/{cast.home_initiative.pk}/")
        expect(page.locator("#delivery-card-heading")).to_be_visible()
        expect(page.locator(".delivery-progress").first).to_contain_text("(3/6")
        shoot(page, "delivery-initiative-progress")
    finally:
        fake.stop()


def test_run_a_forecast_and_read_its_cone(cast, page, shoot):
    world = make_published_world(cast)
    today = timezone.localdate()
    connection = make_connection()
    make_history(connection, cast.home_team, per_week=2, weeks=26, until=today)
    make_history(connection, cast.away_team, per_week=6, weeks=26, until=today)
    epic = make_container(connection, "Home big")
    confirm(world.home[0], epic)
    make_items(connection, parent=epic, done=3, open_=25, done_on=today - timedelta(days=10))
    sign_in(page, "pm")
    page.goto("/delivery/forecast/")
    page.get_by_label("Simulations").fill("2000")
    page.get_by_role("button", name="Run the forecast").click()
    expect(page.get_by_text("simulations.", exact=False).first).to_be_visible()
    expect(page.locator("table")).to_contain_text("Home big")
    shoot(page, "delivery-forecast")
    page.get_by_role("link", name="Home big").click()
    expect(page.get_by_role("heading", name="When it will probably land")).to_be_visible(timeout=CHART)
    cone = page.locator("#burn-up .main-svg").first
    expect(cone).to_be_visible()
    expect(page.locator("#burn-up")).to_contain_text("P50 forecast")
    expect(page.locator("#burn-up")).to_contain_text("P10–P90 cone")
    # The committed date (2030) lies years past the cone: said in words, not drawn off the chart's end.
    expect(page.locator("section", has=page.locator("#burn-up"))).to_contain_text("committed 31 Mar 2030")
    expect(page.locator("#burn-up")).not_to_contain_text("committed")
    shoot(page, "delivery-burn-up-cone")
    page.goto("/delivery/")
    expect(page.locator("#roadmap-cone .main-svg").first).to_be_visible(timeout=CHART)
    shoot(page, "delivery-overview")
