"""Strategy pages over the demo company: what a leader sees, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.demo import load_demo
from northstar.engines.metrics.detect import FlagKind
from northstar.strategy import selectors
from northstar.strategy.demo_content import KPIS
from northstar.strategy.models import Metric, Objective, PlanningPeriod


@pytest.fixture
def demo(db):
    load_demo()


def test_the_demo_has_a_strategy_and_the_detectors_find_its_shocks(demo):
    # Two quarters of OKRs (the roadmap's demo adds further planning periods of its own).
    assert PlanningPeriod.objects.filter(objectives__isnull=False).distinct().count() == 2
    assert Metric.objects.count() == 25
    assert Objective.objects.filter(team__isnull=False).exists()
    assert Objective.objects.filter(line__isnull=False, parent__isnull=False).exists()
    cards = selectors.kpi_cards(selectors.metric_list())
    found = {(a.metric.key, a.flag.kind) for a in selectors.anomalies(cards, limit=100)}
    injected = {(k.key, FlagKind(k.shock[0])) for k in KPIS if k.shock}
    assert found == injected  # every shock, and nothing on the clean series
    assert all(len(card.points) == 104 for card in cards)
    assert not any(load_demo().values())  # a second load adds nothing


def test_dashboard_shows_the_strategy_in_a_fixed_number_of_queries(demo, login, cast):
    client = login(cast.leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/strategy/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Make LumenPay the default checkout",
        "Weekly active merchants",
        "Level shift",
        "data-plotly-figure",  # a chart, drawn by app.js from its JSON (no inline script)
    ):
        assert text in body
    # 16, and two for the delivery forecast's at-risk flags (the forecast with its counts, its late lines),
    # and two for product friction (the links to initiatives, the sites' last measured top issues)
    assert len(queries) <= 20, [q["sql"][:120] for q in queries]


def test_kpi_page_lists_its_flags_and_a_leader_adds_a_value(demo, login, cast):
    metric = Metric.objects.get(key="api_latency_p95")
    client = login(cast.leader)
    page = client.get(f"/strategy/kpis/{metric.pk}/").content.decode()
    assert "Level shift" in page and "Latest values" in page
    response = client.post(
        f"/strategy/kpis/{metric.pk}/values/", {"date": "2031-01-06", "value": "not a number"}
    )
    assert response.status_code == 422
    response = client.post(f"/strategy/kpis/{metric.pk}/values/", {"date": "2031-01-06", "value": "250"})
    assert response.status_code == 302
    assert metric.values.filter(date="2031-01-06", value=250).exists()


def test_vision_diff_and_a_refused_edit(demo, login, cast):
    client = login(cast.stakeholder)
    page = client.get("/strategy/vision/diff/?a=1&b=2").content.decode()
    assert "diff-added" in page and "What we will not do" in page
    assert client.get("/strategy/vision/diff/?a=1&b=9").status_code == 404
    assert client.get("/strategy/vision/edit/").status_code == 403


def test_alignment_page_labels_effort_as_team_weeks_and_counts_initiatives(cast, login):
    from pathlib import Path

    from northstar.portfolio.models import ScoringInput, Stage
    from tests import factories
    from tests.strategy.factories import make_period

    period = make_period()
    work = [factories.make_initiative(product=cast.home_product, stage=Stage.PLANNED) for _ in range(2)]
    ScoringInput.objects.create(initiative=work[0], effort=2, estimated_effort=6)
    ScoringInput.objects.create(initiative=work[1], effort=2, estimated_effort=14)
    body = login(cast.stakeholder).get(f"/strategy/alignment/?period={period.pk}").content.decode()
    assert '<span class="stat-value">20</span><span class="stat-label">team-weeks of active work' in body
    assert '<span class="stat-value">2</span><span class="stat-label">active initiatives' in body
    assert "counts each initiative as 1" not in body
    guide = (Path(__file__).resolve().parents[2] / "docs" / "strategy.md").read_text()
    assert "1 per initiative" not in guide and "team-weeks" in guide


def _figure(body: str) -> dict:
    """The first chart's figure on a page, as plotly.js receives it."""
    import json
    import re

    box = re.search(r'data-plotly-figure="([^"]+)"', body)
    assert box, "no chart on the page"
    source = re.search(rf'<script id="{box[1]}" type="application/json">(.*?)</script>', body, re.S)
    return json.loads(source[1])


def test_a_key_result_after_one_check_in_charts_days_not_milliseconds(cast, login):
    from northstar.strategy import services
    from tests.strategy.factories import make_key_result, make_objective

    kr = make_key_result(objective=make_objective(line=cast.home_line), unit="merchants")
    services.check_in_create(actor=cast.leader, key_result=kr, value=12, confidence=7)
    body = login(cast.leader).get(f"/strategy/key-results/{kr.pk}/").content.decode()
    xaxis = _figure(body)["layout"]["xaxis"]
    assert xaxis["tickformat"] == "%d %b %Y"  # whole days, never 00:00:00.001
    start, end = (datetime.fromisoformat(x) for x in xaxis["range"])
    assert (end - start).days >= 14  # one point still sits on an axis of days


def test_check_in_help_fits_the_kind_of_key_result(cast, login):
    from tests.strategy.factories import make_key_result, make_objective

    objective = make_objective(line=cast.home_line)
    metric = make_key_result(objective=objective, unit="merchants")
    milestone = make_key_result(objective=objective, kind="milestone", baseline=None, target=None, unit="")
    client = login(cast.leader)
    metric_page = client.get(f"/strategy/key-results/{metric.pk}/").content.decode()
    assert "Milestone: 1 when done" not in metric_page
    assert "merchants" in metric_page[metric_page.index('id="checkin-heading"') :]
    milestone_page = client.get(f"/strategy/key-results/{milestone.pk}/").content.decode()
    assert "1 when done, 0 when not yet" in milestone_page


def test_a_pm_is_offered_unlink_only_where_the_service_would_allow_it(cast, login):
    from northstar.strategy.models import Alignment
    from tests.strategy.factories import make_alignment, make_objective

    objective = make_objective(line=cast.home_line)
    home = make_alignment(initiative=cast.home_initiative, objective=objective)
    away = make_alignment(initiative=cast.away_initiative, objective=objective)
    client = login(cast.pm)
    body = client.get(f"/strategy/objectives/{objective.pk}/").content.decode()
    assert f"/strategy/alignment/{home.pk}/remove/" in body
    assert f"/strategy/alignment/{away.pk}/remove/" not in body
    assert client.post(f"/strategy/alignment/{away.pk}/remove/").status_code == 403  # the rule behind it
    assert Alignment.objects.filter(pk=away.pk).exists()
    assert (
        "/remove/"
        not in login(cast.stakeholder).get(f"/strategy/objectives/{objective.pk}/").content.decode()
    )


def test_chart_pages_load_plotly_deferred_and_draw_after(cast, login):
    import re

    from tests.strategy.factories import make_metric, make_series

    make_series(make_metric(name="Weekly active merchants"), [float(v) for v in range(20)])
    body = login(cast.stakeholder).get("/strategy/").content.decode()
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"[^>]*>", body)
    plotly_tags = [t for t in re.findall(r"<script[^>]*>", body) if "plotly.js" in t]
    assert plotly_tags and all(" defer" in t for t in plotly_tags)  # nothing waits for plotly.js
    app_tags = [t for t in re.findall(r"<script[^>]*>", body) if "northstar/app" in t]
    assert app_tags and all(" defer" in t for t in app_tags)  # app.js draws the figures once plotly is in
    assert any("northstar/app" in s for s in scripts)
    assert "Plotly.newPlot(" not in body  # no inline call that would need plotly.js already loaded
    assert _figure(body)["data"]
