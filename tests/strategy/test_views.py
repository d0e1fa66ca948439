"""Strategy pages over the demo company: what a leader sees, in a fixed number of queries."""

from __future__ import annotations

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
        "plotly-graph-div",
    ):
        assert text in body
    # 16, and two for the delivery forecast's at-risk flags (the forecast with its counts, its late lines)
    assert len(queries) <= 18, [q["sql"][:120] for q in queries]


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
