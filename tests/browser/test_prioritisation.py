"""Prioritisation in a real browser: re-ranking as inputs change, refused stage moves, the charts."""

from __future__ import annotations

import re

import pytest

from northstar.demo import load_demo
from northstar.portfolio import governance, scoring
from northstar.portfolio.models import Initiative, ScoringInput, Stage
from tests import factories
from tests.browser.test_ui import no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def _rice(cast, initiative: Initiative, reach: float) -> None:
    scoring.scoring_update(
        actor=cast.leader, initiative=initiative, reach=reach, impact=1.0, confidence=100, effort=1.0
    )


def test_editing_an_input_re_ranks_the_list_at_once(cast, page, shoot):
    leader_pick = factories.make_initiative(title="Passkeys", product=cast.home_product)
    _rice(cast, cast.home_initiative, 100)
    _rice(cast, leader_pick, 500)
    _rice(cast, cast.away_initiative, 300)
    sign_in(page, "pm")
    page.goto("/portfolio/ranked/?framework=rice")
    rows = page.locator(".ranked-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Passkeys")
    expect(rows.nth(2)).to_contain_text("Home work")
    shoot(page, "ranked-rice-before")
    page.evaluate("window.__sameDocument = true")

    reach = page.get_by_label("Reach of Home work")
    reach.fill("900")
    reach.press("Tab")  # change event: HTMX saves and swaps the re-ranked results
    expect(page.locator("[data-rank-notice]")).to_contain_text("“Home work” moved from 3rd to 1st")
    expect(rows.nth(0)).to_contain_text("Home work")
    expect(rows.nth(0).locator(".score-cell")).to_contain_text("900")
    assert page.evaluate("window.__sameDocument === true")
    assert ScoringInput.objects.get(pk=cast.home_initiative.pk).rice_score == 900
    # The PM may not edit another line's work: its cells are plain text.
    away = page.locator(f"#rank-row-{cast.away_initiative.pk}")
    expect(away.locator("input[type=number]")).to_have_count(0)
    away_why = away.locator("details.why")
    away_why.locator("summary").click()
    expect(away_why.locator(".why-text")).to_contain_text("is ranked 3rd of 3 by RICE")
    shoot(page, "ranked-rice-after-edit")


def test_a_refused_stage_move_lists_what_is_missing(cast, page, shoot):
    governance.gates_adopt_suggested(actor=cast.admin)
    sign_in(page, "pm")
    page.goto(f"/portfolio/{cast.home_initiative.pk}/")
    expect(page.locator(".gate-hint")).to_contain_text("Before Discovery it still needs a problem statement")
    page.locator("#stage-panel").get_by_role("button", name="Discovery").click()
    alert = page.locator("#stage-panel [role=alert]")
    expect(alert).to_contain_text("“Home work” cannot enter Discovery yet.")
    expect(alert.locator("li")).to_have_text(
        ["a problem statement", "evidence (notes, or reach from customer evidence)"]
    )
    expect(page.locator("#stage-panel [data-stage]")).to_have_attribute("data-stage", "idea")
    shoot(page, "stage-move-refused")

    Initiative.objects.filter(pk=cast.home_initiative.pk).update(
        problem_statement="Merchants cannot pay by wallet.", evidence_notes="12 support tickets a week."
    )
    page.reload()
    page.get_by_label("Why (goes into the decision log)").fill("Problem and evidence are in.")
    page.locator("#stage-panel").get_by_role("button", name="Discovery").click()
    expect(page.locator("#stage-panel [data-stage]")).to_have_attribute("data-stage", "discovery")
    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("Moved to Discovery")
    expect(decisions).to_contain_text("Problem and evidence are in.")
    shoot(page, "stage-move-allowed")


def test_demo_workspace_pages(cast, page, shoot):
    load_demo()
    sign_in(page, "leader")
    page.goto("/portfolio/ranked/?framework=rice")
    expect(page.locator(".ranked-table tbody tr")).to_have_count(50)
    shoot(page, "ranked-demo", full_page=False)
    page.get_by_role("link", name="Weighted score").click()
    expect(page.get_by_role("heading", name="Ranked by Weighted score")).to_be_visible()

    page.goto("/portfolio/matrix/")
    expect(page.locator("#matrix-chart .main-svg").first).to_be_attached()
    shoot(page, "matrix")
    first = page.locator("#matrix-chart .scatterlayer .point").first
    first.click(force=True)
    expect(page).to_have_url(re.compile(r"/portfolio/\d+/$"))
    expect(page.locator("#scores")).to_be_visible()
    shoot(page, "initiative-with-scores")

    page.goto("/portfolio/dependencies/")
    expect(page.locator("svg.dep-graph .dep-node").first).to_be_visible()
    shoot(page, "dependency-graph")

    planned = list(
        Initiative.objects.filter(stage=Stage.PLANNED).order_by("id").values_list("pk", flat=True)[:3]
    )
    page.goto("/portfolio/compare/?" + "&".join(f"ids={pk}" for pk in planned))
    expect(page.locator(".compare-table thead th")).to_have_count(4)
    shoot(page, "compare")

    page.goto("/portfolio/decisions/")
    page.get_by_label("Search", exact=True).fill("Go:")
    expect(page.locator(".decision-list > li").first).to_contain_text("Go:")
    shoot(page, "decision-log")

    page.goto("/portfolio/gates/")
    shoot(page, "gates-leader")


def test_ranked_list_on_a_phone(cast, phone_page, shoot):
    load_demo()
    sign_in(phone_page, "pm")
    phone_page.goto("/portfolio/ranked/?framework=rice")
    expect(phone_page.locator(".ranked-table tbody tr").first).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "ranked-phone", full_page=False)
