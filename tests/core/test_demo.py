"""The demo company: believable, deterministic, idempotent, and scalable for load tests."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from northstar.demo import load_demo
from northstar.org.models import Level, Person, Product, ProductLine, Team
from northstar.org.selectors import org_chart
from northstar.portfolio.models import Initiative, Stage


def _fingerprint() -> list[tuple]:
    return list(
        Initiative.objects.order_by("id").values_list(
            "title", "kind", "stage", "product__name", "owner__email"
        )
    )


@pytest.mark.django_db
def test_standard_demo_is_a_believable_company():
    load_demo()
    if connection.vendor == "postgresql":  # the planner has statistics from the first page on
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'feedback_feedbackitem'")
            assert cursor.fetchone()[0] > 0
    assert ProductLine.objects.count() == 3
    assert Product.objects.count() == 8
    assert Team.objects.count() == 10
    assert 40 <= Person.objects.count() <= 50
    assert Initiative.objects.count() == 150
    assert set(Initiative.objects.values_list("stage", flat=True)) == set(Stage.values)
    levels = Counter(Person.objects.values_list("level", flat=True))
    for level in (
        Level.CPO,
        Level.VP,
        Level.DIRECTOR,
        Level.GROUP_PM,
        Level.SENIOR_PM,
        Level.PM,
        Level.APM,
        Level.UX_LEAD,
        Level.ANALYTICS_LEAD,
        Level.MARKETING_LEAD,
    ):
        assert levels[level] >= 1, level
    (cpo,) = org_chart()  # one root: everybody reports up to the CPO
    assert cpo.person.level == Level.CPO
    assert all(line.teams.exists() for line in ProductLine.objects.all())
    assert Initiative.objects.filter(parent__isnull=False).count() > 20


@pytest.mark.django_db
def test_demo_is_deterministic_and_idempotent(capsys):
    call_command("demo")
    said = capsys.readouterr().out
    # Where the load's time went, slowest part first, so a slow first run says why.
    took = re.search(r"Took ([0-9.]+) s: (.+)", said)
    assert took, said
    parts = dict(re.findall(r"(\w+) ([0-9.]+) s", took.group(2)))
    assert {"org", "feedback", "planning"} <= set(parts)
    assert list(parts.values()) == sorted(parts.values(), key=float, reverse=True)
    first = _fingerprint()
    people = Person.objects.count()
    call_command("demo")
    assert "already loaded; nothing changed" in capsys.readouterr().out
    assert _fingerprint() == first
    assert Person.objects.count() == people
    Initiative.objects.all().delete()
    load_demo()
    assert [row for row in _fingerprint()] == first  # same seed, same company


@pytest.mark.django_db
def test_large_demo_tops_up_to_load_test_size():
    load_demo()
    standard = _fingerprint()
    load_demo(scale="large")
    assert Initiative.objects.count() == 10_000
    assert Person.objects.count() == 400
    assert _fingerprint()[:150] == standard  # topping up never rewrites what was there
    assert not any(load_demo(scale="large").values())


@pytest.mark.django_db
def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="Unknown scale 'huge'"):
        load_demo(scale="huge")


@pytest.mark.django_db
def test_the_demo_reads_like_a_real_product_organisation():
    from northstar.feedback.models import Post, PostStatus
    from northstar.planning.models import PlanRun, Scenario
    from northstar.strategy.demo_content import COUNT_UNITS
    from northstar.strategy.models import CheckIn, MetricValue

    load_demo()
    # Every team has people in it.
    assert not [t.name for t in Team.objects.all() if not t.members.exists()]
    # Titles a real company would write: no "(phase 3)", no "Idea:" prefix, none twice.
    titles = list(Initiative.objects.values_list("title", flat=True))
    assert not [t for t in titles if "(phase" in t or t.startswith("Idea:")]
    assert len(set(titles)) == len(titles)
    # Counts are whole numbers.
    counted = MetricValue.objects.filter(metric__unit__in=COUNT_UNITS).values_list("value", flat=True)
    assert counted and all(v == int(v) for v in counted)
    checked = CheckIn.objects.filter(key_result__unit__in=COUNT_UNITS).values_list("value", flat=True)
    assert all(v == int(v) for v in checked)
    # The portfolio grew over time.
    created = sorted(Initiative.objects.values_list("created_at", flat=True))
    assert created[-1] - created[0] > timedelta(days=300)
    assert len({c.date() for c in created}) > 100
    # What the changelog announces is done on the portal, and what is done was announced.
    for post in Post.objects.select_related("initiative"):
        announced = post.changelog_entries.filter(published_at__isnull=False).exists()
        assert announced == (post.public_status == PostStatus.DONE), post.title
    # The plan of record: the optimiser beats the greedy answer under constraints it names, and no
    # candidate is left out because its estimate asks for skills no single team has.
    plan = PlanRun.objects.filter(scenario=Scenario.objects.get(is_primary=True), status="done").latest("id")
    assert plan.binding, "no binding constraint shown"
    assert not [r for r in plan.exclusions.values() if r.startswith("no team has every skill")]
    assert plan.value > plan.greedy_value
    _assert_finance_delivery_and_reports_have_content()


def _assert_finance_delivery_and_reports_have_content() -> None:
    """What issues 15 and 17 promise on first launch: status updates for the last two quarters, a
    year of actual spend, business cases for the top twenty, and throughput for every forecast."""
    from django.utils import timezone

    from northstar.delivery.selectors import latest_forecast, team_throughput
    from northstar.finance.models import Actual, BusinessCase, Category
    from northstar.reports import health
    from northstar.reports.models import StatusUpdate
    from northstar.strategy.models import PlanningPeriod

    today = timezone.localdate()
    # Every product line posted its status for the current quarter and the one before.
    current = health.period_at(today)
    assert current is not None
    last = PlanningPeriod.objects.filter(kind=current.kind, end__lt=current.start).order_by("-start").first()
    assert last is not None
    posted = set(StatusUpdate.objects.values_list("line__name", "period_id"))
    lines = set(ProductLine.objects.values_list("name", flat=True))
    assert len(lines) == 3
    assert {(line, period.pk) for line in lines for period in (last, current)} <= posted
    # Twelve full months of actuals before this one, each with imported spend and people cost.
    first = today.replace(day=1)
    months = []
    for _ in range(12):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    spend = set(Actual.objects.values_list("month", "category").distinct())
    for month in months:
        assert (month, Category.PEOPLE) in spend and (month, Category.TOOLS) in spend, month
    assert not Actual.objects.filter(month__gte=today.replace(day=1)).exists()
    # The twenty initiatives the weighted model ranks highest have cases, with figures computed.
    top = list(
        Initiative.objects.filter(
            stage__in=(Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY),
            product__isnull=False,
            scoring__isnull=False,
        )
        .order_by("-scoring__weighted_score", "id")
        .values_list("id", flat=True)[:20]
    )
    cases = BusinessCase.objects.filter(initiative_id__in=top)
    assert len(top) == 20 and cases.count() == 20
    for case in cases:
        assert None not in (case.npv, case.risk_adjusted_npv, case.npv_p10, case.npv_p50, case.npv_p90)
        assert case.npv_p10 <= case.npv_p50 <= case.npv_p90
    # Every team finished work in most of the last 26 weeks, so the forecast has real content.
    history = team_throughput(Team.objects.values_list("id", flat=True), weeks=26, until=today)
    assert len(history) == Team.objects.count() == 10
    thin = {team: weeks for team, weeks in history.items() if sum(w > 0 for w in weeks) < 13}
    assert not thin, thin
    forecast = latest_forecast()
    assert forecast is not None and forecast.p50 is not None
    dated = forecast.lines.filter(p50__isnull=False)
    assert dated.exists() and set(dated.values_list("team_id", flat=True)) <= set(history)


@pytest.mark.django_db
def test_the_issued_demo_pack_is_rendered_by_a_job_after_the_load(cast, client):
    from datetime import timedelta

    from django.urls import reverse

    from northstar.core import jobs
    from northstar.core.models import Job
    from northstar.reports import packs, services, storage
    from northstar.reports.models import Pack

    # No on-commit callbacks run here: the job stays queued, as between the load and the server start.
    load_demo()
    last = Pack.objects.order_by("cut_off").first()
    assert last is not None and last.state == Pack.State.DRAFT and last.files == {}
    job = Job.objects.get(unique_key=services.issue_key(last.pk))
    assert job.status == Job.Status.QUEUED
    client.force_login(cast.leader)
    page = client.get(reverse("reports:pack_detail", args=[last.pk])).content.decode()
    assert "Issuing…" in page  # said honestly, and the page follows the job

    jobs.job_run(job.pk)  # what the server's job threads do once `make demo` starts it

    last.refresh_from_db()
    assert last.is_issued and set(last.files) == {packs.SNAPSHOT, "html", "pdf", "pptx"}
    assert all((storage.root() / meta["path"]).stat().st_size > 0 for meta in last.files.values())
    # Dated as the demo tells it: issued three days after its quarter closed, not when the job ran.
    assert last.issued_at is not None and last.issued_at.date() == last.cut_off + timedelta(days=3)
    assert packs.previous_issued(Pack.objects.get(state=Pack.State.DRAFT)) == last


@pytest.mark.django_db
def test_the_demo_themes_are_the_ones_the_engine_search_finds():
    from northstar.engines import themes as engine
    from northstar.feedback.demo import KNOWN_THEMES
    from northstar.feedback.models import FeedbackItem, Theme, ThemeRun
    from northstar.feedback.theme_services import _text, current_embedder

    load_demo()
    # The load skips the search for the number of themes; the search itself still picks that number.
    rows = list(FeedbackItem.objects.order_by("id").values_list("title", "text"))
    vectors = current_embedder("tfidf-svd").embed([_text(title, text) for title, text in rows])
    searched = engine.cluster_vectors(vectors)
    assert searched.n_themes == KNOWN_THEMES[("standard", 7)]
    run = ThemeRun.objects.get()
    assert run.themes == searched.n_themes and run.requested_themes is None  # nobody asked for a number
    assert Theme.objects.filter(status=Theme.Status.ACTIVE).count() == searched.n_themes
    by_theme: dict[int, set[int]] = {}
    for index, theme_id in enumerate(FeedbackItem.objects.order_by("id").values_list("theme_id", flat=True)):
        by_theme.setdefault(theme_id, set()).add(index)
    found = {frozenset(map(int, (searched.labels == k).nonzero()[0])) for k in range(searched.n_themes)}
    assert {frozenset(members) for members in by_theme.values()} == found  # the very same themes
