"""Roadmap pages: what each role sees, the live run panel, edits with their violations, the heatmap,
comparisons, the public share page, exports, and bounded query counts on the plan views."""

from __future__ import annotations

import csv
import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from northstar.planning import exports, plans, roadmaps, services, views
from northstar.planning.models import Capacity, PlanRun
from tests.documents import SCREENSHOTS, pdf_text
from tests.planning.factories import make_candidate, make_scenario, make_world


@pytest.fixture
def planned(cast, django_capture_on_commit_callbacks):
    world = make_world(cast)
    with django_capture_on_commit_callbacks(execute=True):
        run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    run.refresh_from_db()
    roadmap = roadmaps.roadmap_publish(
        actor=cast.leader, run=run, title="Roadmap, Q1 review", note="Agreed with the board"
    )
    return world, run, roadmap


def test_run_button_starts_a_job_and_the_panel_shows_the_finished_plan(
    cast, client, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    client.force_login(cast.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("planning:scenario_run", args=[world.scenario.pk]))
    assert response.status_code == 302
    run = PlanRun.objects.get()
    body = client.get(response["Location"]).content.decode()
    assert "Plan ready." in body and "checked: every rule holds" in body
    panel = client.get(reverse("planning:run_status", args=[run.pk])).content.decode()
    assert "Open the plan" in panel and "hx-trigger" not in panel  # a finished run stops polling


def test_a_queued_run_shows_the_job_progress_with_a_cancel_button(cast, client):
    world = make_world(cast)
    run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)  # never committed: stays queued
    client.force_login(cast.leader)
    body = client.get(reverse("planning:scenario_detail", args=[world.scenario.pk])).content.decode()
    assert f'id="run-{run.pk}"' in body and "every 1500ms" in body
    assert reverse("core:job_cancel", args=[run.job_id]) in body


def test_plan_page_shows_value_bound_gap_binding_and_reasons(cast, client, planned):
    _world, run, _ = planned
    client.force_login(cast.leader)
    body = client.get(reverse("planning:plan_detail", args=[run.pk])).content.decode()
    for text in ("proven bound", "gap", "the spreadsheet answer", "independent check", "Binding constraints"):
        assert text in body
    assert "Pin here" in body


def test_moving_work_shows_what_breaks_and_the_overload_in_red(cast, client, planned):
    world, run, _ = planned
    client.force_login(cast.leader)
    moved = next(a for a in run.assignments.select_related("initiative") if a.start != world.periods[0])
    response = client.post(
        reverse("planning:plan_edit", args=[run.pk]),
        {
            "initiative": moved.initiative_id,
            "period": world.periods[0].pk,
            "action": "move",
            "then": "capacity",
        },
        follow=True,
    )
    body = response.content.decode()
    assert (
        "breaks 1 rule" in body and "available" in body
    )  # the checker's message, e.g. "11 used > 10 available"
    assert "heat-over" in body
    edited = PlanRun.objects.get(kind="edited")
    assert response.redirect_chain[-1][0] == reverse("planning:plan_capacity", args=[edited.pk])


def test_stakeholders_see_the_published_roadmap_but_no_scenarios(cast, client, planned):
    client.force_login(cast.stakeholder)
    body = client.get(reverse("planning:roadmap")).content.decode()
    assert "Roadmap, Q1 review" in body and "<svg" in body and "Now · Next · Later" in body
    assert "Plan of record" not in body  # not even the scenario's name
    assert "Current plan" not in body and "Scenarios</a>" not in body
    assert client.get(reverse("planning:scenarios")).status_code == 403


def test_planners_see_how_the_current_plan_differs_from_the_published_roadmap(cast, client, planned):
    world, run, _ = planned
    plans.plan_edit(
        actor=cast.leader, run=run, initiative=world.home[2], action="move", period=world.periods[2]
    )
    client.force_login(cast.leader)
    body = client.get(reverse("planning:roadmap")).content.decode()
    assert "Current plan: Plan of record" in body and "moved by hand to 2030-Q3" in body


def test_the_shared_page_needs_no_login_and_shows_no_drafts(cast, client, planned):
    world, run, _roadmap = planned
    plans.plan_edit(actor=cast.leader, run=run, initiative=world.home[2], action="remove")
    link = services.share_link_create(actor=cast.leader, label="Board")
    response = client.get(reverse("planning:shared", args=[link.token]))
    body = response.content.decode()
    assert response.status_code == 200 and "Roadmap, Q1 review" in body and "<svg" in body
    assert "Current plan" not in body and "scenarios/" not in body and "/portfolio/" not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    services.share_link_revoke(actor=cast.leader, link=link)
    assert client.get(reverse("planning:shared", args=[link.token])).status_code == 404


def test_exports_are_a_csv_a_pdf_and_a_png(cast, client, planned):
    _, run, roadmap = planned
    client.force_login(cast.stakeholder)
    response = client.get(reverse("planning:export", args=[roadmap.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].endswith('.csv"')
    assert {r["initiative"] for r in rows} == set(run.assignments.values_list("initiative__title", flat=True))
    assert {r["start"] for r in rows} <= {"2030-Q1", "2030-Q2", "2030-Q3"}
    pdf = client.get(reverse("planning:export", args=[roadmap.pk, "pdf"])).content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf)
    assert "Roadmap, Q1 review" in text and "2030-Q1" in text
    png = client.get(reverse("planning:export", args=[roadmap.pk, "png"])).content
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 1000 and image.height > 200
    assert client.get(reverse("planning:export", args=[roadmap.pk, "gif"])).status_code == 404


def test_exports_write_names_in_any_script_and_are_drawn_once(
    cast, client, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    names = ["Launch in Łódź", "Checkout for São Paulo", "東京 payments"]
    for name in names:
        make_candidate(cast.home_product, value=10, weeks=1, title=name)
    with django_capture_on_commit_callbacks(execute=True):
        run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    roadmap = roadmaps.roadmap_publish(
        actor=cast.leader, run=PlanRun.objects.get(pk=run.pk), title="Ünïcode roadmap"
    )
    client.force_login(cast.leader)
    first = client.get(reverse("planning:export", args=[roadmap.pk, "pdf"])).content
    text = pdf_text(first)
    for name in names:
        assert name in text
    calls = []
    original = exports.render
    with mock.patch.object(exports, "render", side_effect=lambda *a: calls.append(a) or original(*a)):
        again = client.get(reverse("planning:export", args=[roadmap.pk, "pdf"])).content
        png = client.get(reverse("planning:export", args=[roadmap.pk, "png"])).content
        png_again = client.get(reverse("planning:export", args=[roadmap.pk, "png"])).content
    assert again == first and png == png_again
    assert [fmt for _r, fmt in calls] == ["png"]  # the PDF came from the cache; the PNG was drawn once
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "roadmap-export-scripts.png").write_bytes(png)


def test_shared_exports_are_rate_limited(cast, client, planned):
    _, _run, roadmap = planned
    link = services.share_link_create(actor=cast.leader, label="Board", roadmap=roadmap)
    url = reverse("planning:shared_export", args=[link.token, "png"])
    cache.clear()
    limit = views.SHARED_EXPORTS[0]
    drawn = []
    original = exports.render
    try:
        with mock.patch.object(exports, "render", side_effect=lambda *a: drawn.append(a) or original(*a)):
            statuses = [client.get(url).status_code for _ in range(limit + 1)]
    finally:
        cache.clear()  # leave the next tests a visitor with no exports spent
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    assert len(drawn) <= 1  # drawn at most once for this published version, then read from disk


def test_csv_cells_never_run_as_formulas(cast, client, django_capture_on_commit_callbacks):
    world = make_world(cast)
    make_candidate(cast.home_product, value=10, weeks=1, title='=HYPERLINK("x")')
    with django_capture_on_commit_callbacks(execute=True):
        run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    roadmap = roadmaps.roadmap_publish(actor=cast.leader, run=PlanRun.objects.get(pk=run.pk), title="R")
    client.force_login(cast.leader)
    text = client.get(reverse("planning:export", args=[roadmap.pk, "csv"])).content.decode()
    assert "'=HYPERLINK" in text


def test_compare_shows_value_coverage_and_moves(cast, client, planned, django_capture_on_commit_callbacks):
    world, run, _ = planned
    squeezed = services.scenario_create(actor=cast.leader, base=world.scenario, name="Half capacity")
    services.scenario_update(actor=cast.leader, scenario=squeezed, capacity_factor="0.5")
    with django_capture_on_commit_callbacks(execute=True):
        other = plans.plan_run_start(actor=cast.leader, scenario=squeezed)
    client.force_login(cast.pm)
    body = client.get(reverse("planning:compare"), {"run": [run.pk, other.pk]}).content.decode()
    assert "Half capacity against Plan of record" in body
    assert "Effort by product line" in body and "Home line" in body
    assert "<h3>Out" in body


def test_capacity_cells_save_inline_and_explain_bad_input(cast, client):
    world = make_world(cast)
    client.force_login(cast.pm)
    cell = Capacity.objects.filter(team=cast.home_team).first()
    data = {"team": cast.home_team.pk, "skill": cell.skill_id, "period": cell.period_id}
    ok = client.post(reverse("planning:capacity_cell"), {**data, "weeks": "7.5"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "is-override" in ok.content.decode()
    bad = client.post(reverse("planning:capacity_cell"), {**data, "weeks": "-3"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "cannot be below 0" in bad.content.decode()
    page = client.get(reverse("planning:capacity")).content.decode()
    assert page.count('class="cell-form') == len(world.periods)  # only the home team's cells are editable


def test_plan_views_use_a_fixed_number_of_queries(cast, client, planned, django_assert_max_num_queries):
    world, run, _ = planned
    client.force_login(cast.leader)
    for n in range(12):
        make_candidate(cast.home_product, value=1 + n % 4, weeks=1, title=f"Extra {n}")
    bigger = make_scenario(world.periods, name="Bigger")
    plans.plan_compute(scenario=bigger, time_limit=5)
    big = PlanRun.objects.filter(scenario=bigger).get()
    assert big.assignments.count() > run.assignments.count()
    for name in (
        "planning:plan_detail",
        "planning:plan_timeline",
        "planning:plan_capacity",
        "planning:plan_board",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name, args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(23):  # 22, and one for the delivery forecast's at-risk flags
        assert client.get(reverse("planning:roadmap")).status_code == 200


def test_no_plan_possible_names_and_links_the_initiatives_in_a_leaders_words(
    cast, client, django_capture_on_commit_callbacks
):
    from northstar.portfolio.models import Dependency

    world = make_world(cast)
    huge = make_candidate(cast.home_product, value=1, weeks=200, title="Rebuild the ledger")
    needs_it = make_candidate(cast.home_product, value=5, weeks=2, title="Instant payouts")
    Dependency.objects.create(initiative=needs_it, requires=huge)
    services.assumption_add(actor=cast.leader, scenario=world.scenario, kind="mandatory", initiative=needs_it)
    with django_capture_on_commit_callbacks(execute=True):
        run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.INFEASIBLE
    client.force_login(cast.leader)
    body = client.get(reverse("planning:plan_detail", args=[run.pk])).content.decode()
    section = body[
        body.index('id="diagnosis-heading"') : body.index("</section>", body.index("diagnosis-heading"))
    ]
    for code in ("no_slot", "forced items", "required by", f" {huge.pk} ", f"{needs_it.pk} is"):
        assert code not in section, code
    assert f'href="/portfolio/{huge.pk}/">Rebuild the ledger</a>' in section
    assert f'href="/portfolio/{needs_it.pk}/">Instant payouts</a>' in section
    assert "must be in the plan" in section
    # The API says the same, in the same words, with the initiatives' ids beside them.
    api = client.get(f"/api/v1/roadmap/runs/{run.pk}").json()
    assert (
        "“Rebuild the ledger”" in api["diagnosis"][0]["message"]
        and "no_slot" not in api["diagnosis"][0]["message"]
    )


def test_changes_say_how_far_work_moved_without_signs(cast, client, planned):
    from northstar.planning.models import ChangeKind, RoadmapChange

    _world, _run, roadmap = planned
    roadmap.previous = roadmaps.roadmap_publish(actor=cast.leader, run=_run, title="Earlier")
    roadmap.save()
    RoadmapChange.objects.create(roadmap=roadmap, title="Saved carts", kind=ChangeKind.PULLED_IN, shift=-1)
    RoadmapChange.objects.create(roadmap=roadmap, title="Passkeys", kind=ChangeKind.SLIPPED, shift=2)
    client.force_login(cast.stakeholder)
    body = client.get(reverse("planning:published", args=[roadmap.pk])).content.decode()
    assert "Pulled in by 1 period<" in body and "Slipped by 2 periods<" in body
    assert "in -1 period" not in body and "+2 periods" not in body


def test_compare_offers_the_published_plan_after_newer_runs(
    cast, client, planned, django_capture_on_commit_callbacks
):
    world, published_run, roadmap = planned
    with django_capture_on_commit_callbacks(execute=True):
        newer = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    client.force_login(cast.pm)
    body = client.get(reverse("planning:compare")).content.decode()
    assert f'<option value="{published_run.pk}"' in body and f'<option value="{newer.pk}"' in body
    assert f"published as {roadmap.title}" in body
    compared = client.get(reverse("planning:compare"), {"run": [published_run.pk, newer.pk]}).content.decode()
    assert "Value" in compared and "Pick at least two" not in compared


def test_the_plan_page_is_bounded_however_big_the_plan(
    cast, client, planned, settings, django_assert_max_num_queries
):
    world, _run, _ = planned
    for n in range(12):
        make_candidate(cast.home_product, value=1 + n % 4, weeks=1, title=f"Extra {n:02d}")
    bigger = make_scenario(world.periods, name="Bigger")
    big = plans.plan_compute(scenario=bigger, time_limit=5)
    total = big.assignments.count()
    settings.PAGE_SIZE = 5
    client.force_login(cast.leader)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("planning:plan_detail", args=[big.pk])).content.decode()
    table = body[body.index('id="plan-heading"') : body.index('id="out-heading"')]
    assert table.count('<tr id="a-') == 5 and f"{total} initiatives" in table
    assert "page=2" in table  # the rest is a page away
    # Each row offers only the teams of its own line, not every team of the organisation.
    home = client.get(
        reverse("planning:plan_detail", args=[big.pk]), {"line": cast.home_line.pk}
    ).content.decode()
    home_table = home[home.index('id="plan-heading"') : home.index('id="out-heading"')]
    assert "Away team" not in home_table and "Home team" in home_table
    page2 = client.get(reverse("planning:plan_detail", args=[big.pk]), {"page": 2}).content.decode()
    assert page2.count('<tr id="a-') == 5
    only_home = client.get(
        reverse("planning:plan_detail", args=[big.pk]), {"line": cast.away_line.pk}
    ).content.decode()
    rows = only_home[only_home.index('id="plan-heading"') : only_home.index('id="out-heading"')].count(
        '<tr id="a-'
    )
    assert rows == big.assignments.filter(line=cast.away_line).count()


def test_reading_a_run_whose_job_was_cancelled_never_writes(cast, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from northstar.core.jobs import job_cancel

    world = make_world(cast)
    run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    job_cancel(job=run.job, actor=cast.leader)  # cancelled before it started: the run row still says queued
    client.force_login(cast.leader)
    reads = [
        reverse("planning:run_status", args=[run.pk]),
        reverse("planning:scenario_detail", args=[world.scenario.pk]),
        f"/api/v1/roadmap/runs/{run.pk}",
    ]
    for url in reads:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        writes = [
            q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        ]
        assert not [w for w in writes if "planning_planrun" in w], (url, writes)
        assert "ancel" in response.content.decode()  # the page still says what happened
    run.refresh_from_db()
    assert run.status == PlanRun.Status.QUEUED
    # The next write closes it: starting a new run is not blocked by the dead one.
    again = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    run.refresh_from_db()
    assert run.status == PlanRun.Status.CANCELLED and again.pk != run.pk
