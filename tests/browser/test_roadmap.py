"""The roadmap in a real browser: run a scenario and watch it finish, move work and see the overload,
compare two scenarios, and open a shared link in a fresh browser without a login."""

from __future__ import annotations

import pytest

from northstar.demo import load_demo
from northstar.planning import plans, services
from northstar.planning.models import PlanRun, Scenario
from tests.browser.test_ui import no_horizontal_scroll, sign_in
from tests.planning.factories import make_candidate, make_world

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api").expect


def _richer_world(cast):
    world = make_world(cast)
    for n, (value, weeks) in enumerate([(7, 4), (6, 3), (4, 6), (3, 2)]):
        make_candidate(
            cast.home_product if n % 2 else cast.away_product, value=value, weeks=weeks, title=f"Bet {n + 1}"
        )
    return world


def test_run_a_scenario_and_watch_it_finish(cast, page, shoot):
    world = _richer_world(cast)
    sign_in(page, "leader")
    page.goto(f"/roadmap/scenarios/{world.scenario.pk}/")
    expect(page.get_by_role("heading", name="Plan of record")).to_be_visible()
    page.get_by_role("button", name="Run the optimiser").click()
    done = page.locator(".run-done")
    expect(done).to_contain_text("Plan ready.")
    expect(done).to_contain_text("checked: every rule holds")
    shoot(page, "roadmap-scenario-finished")
    done.get_by_role("link", name="Open the plan").click()
    expect(page.locator(".plan-stats")).to_contain_text("proven bound")
    expect(page.locator(".plan-stats")).to_contain_text("proven optimal")
    shoot(page, "roadmap-plan")
    page.get_by_role("link", name="Timeline").click()
    expect(page.locator("svg.timeline .tl-bar").first).to_be_visible()
    shoot(page, "roadmap-plan-timeline")


def test_move_an_initiative_and_see_the_overload(cast, page, shoot):
    world = _richer_world(cast)
    run = plans.plan_compute(scenario=world.scenario, time_limit=5)
    later = next(a for a in run.assignments.select_related("initiative") if a.start_id != world.periods[0].pk)
    sign_in(page, "leader")
    page.goto(f"/roadmap/plans/{run.pk}/")
    row = page.locator(f"#a-{later.initiative_id}")
    row.get_by_label(f"Start period for {later.initiative.title}").select_option(label="2030-Q1")
    row.get_by_role("button", name="Pin here").click()
    alert = page.locator("#violations")
    expect(alert).to_contain_text("This plan breaks")
    expect(alert).to_contain_text("2030-Q1")
    shoot(page, "roadmap-edit-violations")
    page.get_by_role("link", name="Capacity heatmap").click()
    expect(page.locator(".heatmap .heat-over").first).to_be_visible()
    shoot(page, "roadmap-heatmap-overload")
    page.get_by_role("button", name="Re-optimise around my pins").click()
    expect(page.locator(".run-done")).to_contain_text("Plan ready.")
    newest = PlanRun.objects.filter(kind="optimised").order_by("-id").first()
    assert newest.assignments.get(initiative_id=later.initiative_id).start_id == world.periods[0].pk
    assert newest.violations == []


def test_compare_two_scenarios(cast, page, shoot):
    world = _richer_world(cast)
    plans.plan_compute(scenario=world.scenario, time_limit=5)
    lean = services.scenario_create(actor=cast.leader, base=world.scenario, name="Capacity -40%")
    services.scenario_update(actor=cast.leader, scenario=lean, capacity_factor="0.6")
    plans.plan_compute(scenario=lean, time_limit=5)
    sign_in(page, "pm")
    page.goto("/roadmap/compare/")
    page.get_by_label("Plan 1").select_option(label=f"Plan of record (optimised, {_when(world.scenario)})")
    page.get_by_label("Plan 2").select_option(label=f"Capacity -40% (optimised, {_when(lean)})")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Capacity -40% against Plan of record")).to_be_visible()
    expect(page.locator(".compare-table").first).to_contain_text("Value")
    shoot(page, "roadmap-compare")


def _when(scenario: Scenario) -> str:
    run = scenario.runs.get()
    from django.utils import timezone

    return timezone.localtime(run.finished_at).strftime("%-d %b %H:%M")


def test_open_a_shared_link_without_a_login(cast, browser, live_server, page, phone_page, shoot):
    load_demo()
    sign_in(page, "leader")
    page.goto("/roadmap/")
    expect(page.locator("svg.timeline")).to_be_visible()
    expect(page.locator(".current-plan")).to_contain_text("Current plan: Plan of record")
    shoot(page, "roadmap-landing")
    page.goto("/roadmap/share/")
    page.get_by_label("For").fill("Board, quarterly review")
    page.get_by_role("button", name="Create link").click()
    url = page.locator("input.share-url").first.input_value()
    assert "/roadmap/shared/" in url
    shoot(page, "roadmap-share-links")

    stranger = browser.new_context(viewport={"width": 1280, "height": 800})
    public = stranger.new_page()
    public.goto(url)
    expect(public.get_by_role("heading", level=1)).to_contain_text("Roadmap,")
    expect(public.locator("svg.timeline")).to_be_visible()
    expect(public.locator("body")).not_to_contain_text("Plan of record")
    expect(public.locator("#site-nav")).to_have_count(0)
    shoot(public, "roadmap-shared")
    page.goto("/roadmap/share/")
    page.get_by_role("button", name="Revoke").first.click()
    expect(page.locator(".badge-delete").first).to_contain_text("revoked")
    assert public.goto(url).status == 404
    stranger.close()

    sign_in(phone_page, "stakeholder")
    phone_page.goto("/roadmap/")
    expect(phone_page.locator("svg.timeline")).to_be_visible()
    assert no_horizontal_scroll(phone_page)
    shoot(phone_page, "roadmap-phone")


def test_every_roadmap_page_fits_a_phone(cast, phone_page, shoot):
    load_demo()
    runs = list(PlanRun.objects.filter(status="done").order_by("id").values_list("pk", flat=True))
    scenario = Scenario.objects.get(is_primary=True)
    sign_in(phone_page, "leader")
    pages = [
        "/roadmap/",
        "/roadmap/scenarios/",
        f"/roadmap/scenarios/{scenario.pk}/",
        f"/roadmap/plans/{runs[-1]}/",
        f"/roadmap/plans/{runs[-1]}/timeline/",
        f"/roadmap/plans/{runs[-1]}/capacity/",
        f"/roadmap/plans/{runs[-1]}/board/",
        "/roadmap/capacity/",
        "/roadmap/budgets/",
        "/roadmap/compare/",
        f"/roadmap/compare/?run={runs[0]}&run={runs[-1]}",
    ]
    too_wide = []
    for url in pages:
        phone_page.goto(url)
        if not no_horizontal_scroll(phone_page):
            too_wide.append(url)
            shoot(phone_page, "roadmap-phone-too-wide")
    shoot(phone_page, "roadmap-compare-phone")
    assert not too_wide
