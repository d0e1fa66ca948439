"""The prioritisation API: scores with terms, rankings, inputs, estimates, dependencies, decisions, gates.

Every write is also tried by someone who may not make it, and must be refused the same way as on the web.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from northstar.portfolio import governance
from northstar.portfolio.models import Dependency, Initiative, Stage
from tests import factories
from tests.portfolio.factories import rice


def _call(client, method: str, path: str, body: dict | None = None):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(f"/api/v1{path}", data=data, content_type="application/json")


def test_scores_come_with_terms_rank_and_why(cast, login):
    rice(cast.leader, cast.home_initiative, 100)
    rice(cast.leader, cast.away_initiative, 300)
    response = _call(login(cast.stakeholder), "get", f"/initiatives/{cast.home_initiative.pk}/scores")
    assert response.status_code == 200
    (score,) = [s for s in response.json() if s["framework"] == "rice"]
    assert score["value"] == 100 and (score["rank"], score["total"]) == (2, 2)
    assert [t["name"] for t in score["terms"]] == ["reach", "impact", "confidence", "effort"]
    assert "Away work (1st, 300) is above it mainly on reach" in score["why"]


def test_ranking_numbers_rows_across_pages(cast, login):
    for i in range(60):
        rice(cast.leader, factories.make_initiative(title=f"R{i}", product=cast.home_product), i + 1)
    client = login(cast.stakeholder)
    page2 = _call(client, "get", f"/rankings/rice?page=2&line={cast.home_line.pk}").json()
    assert page2["count"] == 61
    assert [(r["rank"], r["title"]) for r in page2["items"][:2]] == [(51, "R9"), (52, "R8")]
    assert page2["items"][-1]["title"] == "Home work" and page2["items"][-1]["score"] is None
    assert _call(client, "get", "/rankings/astrology").status_code == 404


def test_inputs_patch_validates_and_respects_lines(cast, login):
    client = login(cast.pm)
    path = f"/initiatives/{cast.home_initiative.pk}/scoring-inputs"
    ok = _call(client, "patch", path, {"reach": 40, "impact": 2, "confidence": 50, "effort": 2})
    assert ok.status_code == 200 and ok.json()["confidence"] == 50
    bad = _call(client, "patch", path, {"confidence": 180})
    assert bad.status_code == 422 and "onfidence" in bad.json()["message"]
    away = _call(client, "patch", f"/initiatives/{cast.away_initiative.pk}/scoring-inputs", {"reach": 1})
    assert away.status_code == 403
    assert _call(login(cast.stakeholder), "patch", path, {"reach": 1}).status_code == 403


def test_estimate_put_returns_pert_and_cost(cast, login):
    client = login(cast.pm)
    path = f"/initiatives/{cast.home_initiative.pk}/estimate"
    body = {"lines": [{"skill": "backend", "low": "1", "likely": "2", "high": "9"}]}
    data = _call(client, "put", path, body).json()
    assert data["expected"] == pytest.approx(3) and data["cost"]["expected"] == "36000.00"
    bad = _call(client, "put", path, {"lines": [{"skill": "backend", "low": 5, "likely": 2, "high": 9}]})
    assert bad.status_code == 422 and "low ≤ likely ≤ high" in bad.json()["message"]


def test_dependencies_refuse_cycles_with_409(cast, login):
    client = login(cast.leader)
    home, away = cast.home_initiative.pk, cast.away_initiative.pk
    made = _call(client, "post", f"/initiatives/{home}/dependencies", {"other_id": away})
    assert made.status_code == 201 and made.json()["requires_id"] == away
    cycle = _call(client, "post", f"/initiatives/{home}/dependencies", {"other_id": away, "kind": "blocks"})
    assert cycle.status_code == 409 and cycle.json()["detail"]["cycle"] == [away, home, away]
    listed = _call(client, "get", f"/initiatives/{away}/dependencies").json()
    assert [d["initiative_id"] for d in listed["blocks"]] == [home]
    assert (
        _call(login(cast.pm), "delete", f"/initiatives/{away}/dependencies/{made.json()['id']}").status_code
        == 403
    )
    leader = login(cast.leader)  # the test client is shared: sign the leader back in
    assert _call(leader, "delete", f"/initiatives/{away}/dependencies/{made.json()['id']}").status_code == 204
    assert not Dependency.objects.exists()


def test_decisions_record_and_search(cast, login):
    client = login(cast.pm)
    body = {
        "title": "Passkeys first",
        "decision": "Passkeys",
        "options": "Passkeys\nSSO",
        "rationale": "Tickets",
    }
    made = _call(client, "post", f"/initiatives/{cast.home_initiative.pk}/decisions", body)
    assert made.status_code == 201 and made.json()["options"] == ["Passkeys", "SSO"]
    assert _call(client, "post", f"/initiatives/{cast.away_initiative.pk}/decisions", body).status_code == 403
    found = _call(client, "get", "/decisions?search=tickets").json()
    assert [d["title"] for d in found["items"]] == ["Passkeys first"]


def test_stage_gates_read_by_all_and_set_by_admins(cast, login):
    body = {"requirements": ["estimate", "owner"]}
    assert _call(login(cast.leader), "put", "/stage-gates/planned", body).status_code == 403
    response = _call(login(cast.admin), "put", "/stage-gates/planned", body)
    planned = next(g for g in response.json() if g["stage"] == "planned")
    assert [r["key"] for r in planned["requirements"]] == ["estimate", "owner"]
    assert _call(login(cast.admin), "put", "/stage-gates/planned", {"requirements": ["x"]}).status_code == 422
    moved = _call(
        login(cast.leader), "post", f"/initiatives/{cast.home_initiative.pk}/move", {"stage": "discovery"}
    )
    assert moved.status_code == 200
    refused = _call(
        login(cast.leader), "post", f"/initiatives/{cast.home_initiative.pk}/move", {"stage": "planned"}
    )
    assert refused.status_code == 422 and refused.json()["detail"]["missing"] == ["estimate", "owner"]


def test_criteria_are_admin_only_and_switch_the_weighted_model_on(cast, login):
    body = {"label": "Revenue", "weight": "2"}
    assert _call(login(cast.leader), "post", "/scoring/criteria", body).status_code == 403
    assert "weighted" not in _call(login(cast.pm), "get", "/scoring/frameworks").json()["active"]
    made = _call(login(cast.admin), "post", "/scoring/criteria", body)
    assert made.status_code == 201 and made.json()["key"] == "revenue"
    assert "weighted" in _call(login(cast.pm), "get", "/scoring/frameworks").json()["active"]
    governance.gates_adopt_suggested(actor=cast.admin)
    assert Stage.DISCOVERY in governance.gate_rules()


def test_creating_an_initiative_in_a_gated_stage_is_refused_with_422(cast, login):
    governance.gates_adopt_suggested(actor=cast.admin)
    client = login(cast.pm)
    body = {"title": "Straight to launch", "product_id": cast.home_product.pk, "stage": "launched"}
    refused = _call(client, "post", "/initiatives", body)
    assert refused.status_code == 422
    assert "problem_statement" in refused.json()["detail"]["missing"]
    assert not Initiative.objects.filter(title="Straight to launch").exists()


def test_an_estimate_too_big_for_its_column_is_refused_and_the_page_still_renders(cast, login):
    client = login(cast.pm)
    item = cast.home_initiative
    body = {"lines": [{"skill": "backend", "low": "1", "likely": "2", "high": "10000000"}]}
    refused = _call(client, "put", f"/initiatives/{item.pk}/estimate", body)
    assert refused.status_code == 422
    assert refused.json()["detail"] == {"skill": "backend", "field": "high"}
    assert not item.estimate_lines.exists()
    assert client.get(reverse("portfolio:detail", args=[item.pk])).status_code == 200
