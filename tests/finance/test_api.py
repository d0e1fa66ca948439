"""Finance API: summary, actuals import, rates and business cases; another user's object is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from northstar.core.services import api_token_create
from northstar.finance.models import Actual
from tests.finance.factories import make_actuals, make_case


def _client(user) -> Client:
    _, raw = api_token_create(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


CASE = {
    "investment": {"low": 100, "likely": 120, "high": 200},
    "running_cost": {"low": 1, "likely": 2, "high": 3},
    "benefits": [{"kind": "new_revenue", "low": 10, "likely": 40, "high": 60, "start": 2}],
    "probability": 0.5,
    "horizon": 8,
}


def test_summary_reports_the_year_by_quarter_and_line(cast):
    make_actuals([{"month": date(2025, 2, 1), "line": cast.home_line, "amount": 700}])
    body = _client(cast.stakeholder).get("/api/v1/finance/summary?year=2025").json()
    assert body["total"]["actual"] == "700.00" or float(body["total"]["actual"]) == 700
    assert len(body["quarters"]) == 4 and body["lines"][0]["label"] == "Home line"
    assert _client(cast.stakeholder).get("/api/v1/finance/summary?year=1").status_code == 422
    assert _client(cast.stakeholder).get("/api/v1/finance/summary?line_id=999999").status_code == 404


def test_actuals_import_through_the_api_names_the_row_and_is_for_leaders(cast):
    good = SimpleUploadedFile("a.csv", b"period,line,category,amount\n2025-01,Home line,tools,10\n")
    created = _client(cast.leader).post("/api/v1/finance/actuals/import", {"file": good})
    assert created.status_code == 201 and created.json()["rows"] == 1
    bad = SimpleUploadedFile("b.csv", b"period,line,category,amount\n2025-01,Home line,tools,10\n")
    refused = _client(cast.leader).post("/api/v1/finance/actuals/import", {"file": bad})
    assert refused.status_code == 422 and refused.json()["message"].startswith("Row 2: was already imported")
    again = SimpleUploadedFile("c.csv", b"period,line,category,amount\n2025-03,Home line,tools,10\n")
    assert _client(cast.pm).post("/api/v1/finance/actuals/import", {"file": again}).status_code == 403
    listed = _client(cast.stakeholder).get("/api/v1/finance/actuals?limit=5").json()
    assert listed["count"] == Actual.objects.count() == 1


def test_business_case_put_get_and_refusals(cast):
    pm = _client(cast.pm)
    saved = pm.put(f"/api/v1/finance/cases/{cast.home_initiative.pk}", CASE, content_type="application/json")
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (
        body["npv_p10"] < body["npv_p50"] < body["npv_p90"] and body["benefits"][0]["kind"] == "new_revenue"
    )
    assert pm.get(f"/api/v1/finance/cases/{cast.home_initiative.pk}").json()["horizon"] == 8
    # Another line's initiative is refused; so is a stakeholder; bad estimates are a 422, not a 500.
    away = pm.put(f"/api/v1/finance/cases/{cast.away_initiative.pk}", CASE, content_type="application/json")
    assert away.status_code == 403
    assert (
        _client(cast.stakeholder)
        .put(f"/api/v1/finance/cases/{cast.home_initiative.pk}", CASE, content_type="application/json")
        .status_code
        == 403
    )
    bad = dict(CASE, investment={"low": 5, "likely": 1, "high": 2})
    assert (
        pm.put(
            f"/api/v1/finance/cases/{cast.home_initiative.pk}", bad, content_type="application/json"
        ).status_code
        == 422
    )
    assert pm.get(f"/api/v1/finance/cases/{cast.away_initiative.pk}").status_code == 404
    assert pm.get("/api/v1/finance/cases/999999").status_code == 404
    listed = _client(cast.stakeholder).get("/api/v1/finance/cases").json()
    assert listed["count"] == 1


@pytest.mark.parametrize("role", ["pm", "stakeholder"])
def test_rates_and_people_cost_are_for_leaders(cast, role):
    client = _client(cast.user(role))
    rate = {"currency": "USD", "rate": "0.9", "valid_from": "2025-01-01"}
    assert client.post("/api/v1/finance/rates", rate, content_type="application/json").status_code == 403
    assert (
        client.post(
            "/api/v1/finance/people-cost", {"month": "2025-01-01"}, content_type="application/json"
        ).status_code
        == 403
    )
    leader = _client(cast.leader)
    assert leader.post("/api/v1/finance/rates", rate, content_type="application/json").status_code == 201
    assert leader.get("/api/v1/finance/rates").json()["rates"][0]["currency"] == "USD"
    made = leader.post(
        "/api/v1/finance/people-cost", {"month": "2025-01-01"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["source"] == "derived"


def test_cases_are_listed_best_first(cast):
    make_case(cast.leader, cast.away_initiative, probability="0.1")
    make_case(cast.leader, cast.home_initiative, probability="0.9")
    body = _client(cast.stakeholder).get("/api/v1/finance/cases").json()
    assert [r["initiative_id"] for r in body["results"]] == [cast.home_initiative.pk, cast.away_initiative.pk]


def test_a_business_case_changed_meanwhile_is_refused_not_overwritten(cast):
    pm = _client(cast.pm)
    url = f"/api/v1/finance/cases/{cast.home_initiative.pk}"
    created = pm.put(url, CASE, content_type="application/json")
    assert created.status_code == 200 and created["ETag"] == '"v1"'
    seen = pm.get(url)["ETag"]
    leader = _client(cast.leader)
    assert leader.put(url, {**CASE, "horizon": 10}, content_type="application/json")["ETag"] == '"v2"'
    stale = pm.put(url, {**CASE, "horizon": 6}, content_type="application/json", HTTP_IF_MATCH=seen)
    assert stale.status_code == 412 and stale.json()["detail"]["current_version"] == 2
    assert pm.get(url).json()["horizon"] == 10  # the leader's change stands
    fresh = pm.put(url, {**CASE, "horizon": 6}, content_type="application/json", HTTP_IF_MATCH='"v2"')
    assert fresh.status_code == 200 and fresh.json()["horizon"] == 6
