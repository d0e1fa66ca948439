"""Roadmap API: scenarios, runs as jobs, plans with their proof, publishing, capacity and budget cells."""

from __future__ import annotations

import json

from northstar.planning import plans
from northstar.planning.models import PlanRun
from tests.planning.factories import make_world


def _json(client, method, path, body=None):
    response = getattr(client, method)(
        path, data=json.dumps(body) if body is not None else None, content_type="application/json"
    )
    return response.status_code, response.json()


def test_a_run_started_over_the_api_returns_the_plan_with_its_proof(
    cast, client, django_capture_on_commit_callbacks
):
    world = make_world(cast)
    client.force_login(cast.leader)
    status, scenarios = _json(client, "get", "/api/v1/roadmap/scenarios")
    assert status == 200 and scenarios[0]["name"] == "Plan of record"
    with django_capture_on_commit_callbacks(execute=True):
        status, started = _json(client, "post", f"/api/v1/roadmap/scenarios/{world.scenario.pk}/runs")
    assert status == 202 and started["status"] == "queued"
    status, run = _json(client, "get", f"/api/v1/roadmap/runs/{started['run_id']}")
    assert status == 200 and run["status"] == "done" and run["violations"] == []
    assert run["best_bound"] >= run["value"] > 0 and run["gap"] < 1e-3
    status, assignments = _json(client, "get", f"/api/v1/roadmap/runs/{run['id']}/assignments")
    assert {a["title"] for a in assignments["items"]} >= {"Home big", "Away big"}
    assert assignments["count"] == run["assignment_count"] == len(assignments["items"])
    status, published = _json(
        client, "post", f"/api/v1/roadmap/runs/{run['id']}/publish", {"title": "API roadmap"}
    )
    assert status == 201 and len(published["entries"]) == run["assignment_count"]
    client.force_login(cast.stakeholder)
    status, latest = _json(client, "get", "/api/v1/roadmap/published")
    assert status == 200 and latest["title"] == "API roadmap"


def test_stakeholders_cannot_reach_scenarios_or_plans_over_the_api(cast, client):
    world = make_world(cast)
    run = PlanRun.objects.create(scenario=world.scenario)
    plans.plan_run_execute(run_id=run.pk)
    client.force_login(cast.stakeholder)
    for method, path in (
        ("get", "/api/v1/roadmap/scenarios"),
        ("get", f"/api/v1/roadmap/runs/{run.pk}"),
        ("post", f"/api/v1/roadmap/scenarios/{world.scenario.pk}/runs"),
    ):
        status, body = _json(client, method, path)
        assert status == 403 and body["message"]
    client.force_login(cast.pm)
    status, body = _json(client, "post", f"/api/v1/roadmap/runs/{run.pk}/publish", {"title": "Mine"})
    assert status == 403


def test_capacity_and_budget_cells_over_the_api(cast, client):
    world = make_world(cast)
    client.force_login(cast.pm)
    home = {
        "team_id": cast.home_team.pk,
        "skill": "Backend",
        "period_id": world.periods[0].pk,
        "weeks": "12.5",
    }
    status, cell = _json(client, "put", "/api/v1/roadmap/capacity", home)
    assert status == 200 and cell["weeks"] == "12.5" and cell["is_override"]
    status, _ = _json(client, "put", "/api/v1/roadmap/capacity", {**home, "team_id": cast.away_team.pk})
    assert status == 403
    status, body = _json(client, "put", "/api/v1/roadmap/capacity", {**home, "skill": "juggling"})
    assert status == 404 and "juggling" in body["message"]
    status, _ = _json(client, "put", "/api/v1/roadmap/capacity", {**home, "weeks": "-1"})
    assert status == 422
    budget = {"line_id": cast.home_line.pk, "period_id": world.periods[0].pk, "amount": "50000"}
    assert _json(client, "put", "/api/v1/roadmap/budgets", budget)[0] == 403
    client.force_login(cast.leader)
    status, saved = _json(client, "put", "/api/v1/roadmap/budgets", budget)
    assert status == 200 and saved["period"] == "2030-Q1"


def test_runs_their_assignments_and_exclusions_come_a_page_at_a_time(cast, client):
    world = make_world(cast)
    runs = [plans.plan_compute(scenario=world.scenario) for _ in range(3)]
    client.force_login(cast.pm)
    status, page = _json(client, "get", f"/api/v1/roadmap/runs?scenario={world.scenario.pk}&page_size=2")
    assert status == 200 and page["count"] == 3 and len(page["items"]) == 2
    assert page["items"][0]["id"] == runs[-1].pk and "assignments" not in page["items"][0]
    status, detail = _json(client, "get", f"/api/v1/roadmap/runs/{runs[0].pk}")
    assert "assignments" not in detail and "exclusions" not in detail
    status, rows = _json(client, "get", f"/api/v1/roadmap/runs/{runs[0].pk}/assignments?page=2&page_size=2")
    assert status == 200 and rows["count"] == detail["assignment_count"] and len(rows["items"]) <= 2
    status, out = _json(client, "get", f"/api/v1/roadmap/runs/{runs[0].pk}/exclusions")
    assert status == 200 and out["count"] == detail["exclusion_count"]
    assert all(set(row) == {"initiative_id", "title", "reason"} for row in out["items"])
    client.force_login(cast.stakeholder)
    assert _json(client, "get", f"/api/v1/roadmap/runs/{runs[0].pk}/assignments")[0] == 403
    assert _json(client, "get", "/api/v1/roadmap/runs")[0] == 403
