"""The strategy pages in a real browser: the dashboard, a check-in, the alignment view, KPI charts."""

from __future__ import annotations

import re

import pytest

from northstar.demo import load_demo
from northstar.strategy.models import CheckIn, KeyResult
from northstar.strategy.selectors import alignment_overview, period_choose, period_list
from tests.browser.test_ui import no_horizontal_scroll, pick, sign_in
from tests.strategy.factories import make_key_result, make_objective, make_period

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def test_dashboard_shows_objectives_kpis_tree_anomalies_and_gaps(cast, page, phone_page, shoot):
    load_demo()
    sign_in(page, "stakeholder")
    page.goto("/strategy/")
    expect(page.get_by_role("heading", name="Strategy dashboard")).to_be_visible()
    okrs = page.locator(".okr-table tbody tr")
    expect(okrs.first).to_be_visible()
    assert okrs.count() >= 10
    expect(page.locator(".okr-table")).to_contain_text("Make LumenPay the default checkout")
    # Real charts: plotly drew an SVG for every KPI sparkline.
    expect(page.locator(".kpi-spark .main-svg").first).to_be_visible()
    assert page.locator(".kpi-card").count() == 25
    assert page.locator(".kpi-spark .main-svg").count() >= 25
    expect(page.locator(".ns-root .is-north-star")).to_contain_text("Weekly active merchants")
    anomalies = page.locator("#anomalies")
    expect(anomalies).to_contain_text("Payment volume")
    expect(anomalies).to_contain_text("Level shift")
    expect(page.locator("#gaps")).to_contain_text("Sign-in that enterprise IT signs off")
    shoot(page, "strategy-dashboard")

    page.locator("#anomalies").get_by_role("link", name="API latency (p95)").click()
    expect(page.get_by_role("heading", name="API latency (p95)")).to_be_visible()
    expect(page.locator(".chart .main-svg").first).to_be_visible()
    expect(page.locator(".chart")).to_contain_text("shift")  # the level shift is drawn and labelled
    expect(page.locator(".chart")).to_contain_text("ms")  # the unit is on the axis
    shoot(page, "strategy-kpi-detail")

    page.goto("/strategy/vision/")
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator(".diff .diff-added").first).to_be_visible()
    shoot(page, "strategy-vision-diff")

    sign_in(phone_page, "stakeholder")
    phone_page.goto("/strategy/")
    expect(phone_page.locator(".kpi-spark .main-svg").first).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "strategy-dashboard-phone")


def test_a_check_in_moves_progress_and_joins_the_chart(cast, page, shoot):
    period = make_period(name="2030-Q1")
    objective = make_objective(
        period=period, line=cast.home_line, owner=cast.pm_person, title="Faster payouts"
    )
    kr = make_key_result(
        objective=objective,
        title="Payout time from 48 h to 24 h",
        unit="h",
        direction="down",
        baseline=48,
        target=24,
    )
    CheckIn.objects.create(key_result=kr, value=44, confidence=6, comment="First week")
    sign_in(page, "pm")
    page.goto(f"/strategy/key-results/{kr.pk}/")
    expect(page.locator(".big-progress")).to_contain_text("0%")
    page.get_by_label("Value").fill("36")
    page.get_by_label("Confidence").fill("8")
    page.get_by_label("Comment").fill("New batching job halves the wait for most merchants.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status")).to_contain_text("Check-in saved")
    expect(page.locator(".big-progress")).to_contain_text("50%")  # (48 - 36) / (48 - 24), lower is better
    expect(page.locator(".check-in-history li").first).to_contain_text("36 h")
    expect(page.locator(".check-in-history li").first).to_contain_text("batching job")
    expect(page.locator(".chart .main-svg").first).to_be_visible()
    assert page.locator(".chart .scatterlayer .point").count() == 2
    shoot(page, "strategy-check-in")

    # A bad confidence is refused in the form, and nothing is stored.
    page.get_by_label("Value").fill("30")
    page.get_by_label("Confidence").fill("11")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".field-error")).to_contain_text("less than or equal to 10")
    assert KeyResult.objects.get(pk=kr.pk).current == 36


def test_alignment_view_lists_gaps_and_aligns_work(cast, page, shoot):
    load_demo()
    period = period_choose(list(period_list()), None)
    before = alignment_overview(period)
    assert before.unaligned, "the demo leaves some work unaligned on purpose"
    target = before.unaligned[0]
    sign_in(page, "leader")
    page.goto("/strategy/alignment/")
    expect(page.get_by_role("heading", name=re.compile("Alignment of work"))).to_be_visible()
    expect(page.locator("#unaligned")).to_contain_text(target.title)
    expect(page.locator(".chart .main-svg").first).to_be_visible()
    expect(page.locator(".chart")).to_contain_text("Aligned to nothing")
    expect(page.locator(".alignment-table .is-gap").first).to_contain_text("No work behind it")
    shoot(page, "strategy-alignment")

    pick(page, "Initiative", f"#{target.pk}")  # a number finds the record with that id
    page.get_by_label("Objective or key result").select_option(index=0)
    page.get_by_role("button", name="Align").click()
    expect(page.get_by_role("status")).to_contain_text("is now aligned to")
    expect(page.locator("#unaligned")).not_to_contain_text(target.title)
    after = alignment_overview(period)
    assert len(after.unaligned) == len(before.unaligned) - 1
