"""`northstar sync delivery`: syncs every connection with a token, names the one that failed."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from northstar.delivery import forecasting, selectors
from northstar.delivery.models import DeliveryForecast, WorkItem
from tests.delivery.conftest import jira_connection
from tests.delivery.factories import FORECAST_START, make_late_world
from tests.delivery.fakes import jira


def test_sync_delivery_from_the_command_line(cast, fake_jira, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # the retries' back-off, not the test's time
    base = datetime(2026, 1, 5, tzinfo=UTC)
    fake_jira.issues = [jira.issue(n, updated=base + timedelta(minutes=n)) for n in range(1, 121)]
    jira_connection(cast, fake_jira)
    out = io.StringIO()
    call_command("sync", "delivery", stdout=out)
    assert "Jira: 120 items in 2 pages." in out.getvalue()
    assert WorkItem.objects.count() == 120
    fake_jira.fail_from = len(fake_jira.requests) + 1
    fake_jira.put(jira.issue(1, state="done", updated=datetime.now(UTC) + timedelta(minutes=2)))
    with pytest.raises(CommandError, match="Sync failed for Jira; the next sync resumes"):
        call_command("sync", "delivery", "--connection", "Jira", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No connection named 'Nope'"):
        call_command("sync", "delivery", "--connection", "Nope")


# `northstar forecast` -----------------------------------------------------------------------------


@pytest.fixture
def forecast_world(cast):
    """The delivery services' forecast world: home's big initiative cannot make its quarter."""
    world = make_late_world(cast, title="Roadmap 2030")
    forecasting.forecast_run(actor=cast.pm, today=FORECAST_START, simulations=2_000)
    return world


def _forecast(*args: str) -> str:
    out = io.StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


def test_forecast_prints_each_initiatives_dates_and_flags_the_late_ones(cast, forecast_world):
    stored = selectors.latest_forecast()
    lines = {line.title: line for line in stored.lines.all()}
    big = lines["Home big"]
    said = _forecast()
    assert said.startswith(f"Forecast of Roadmap 2030 from 2030-01-01 ({stored.simulations:,} simulations)")
    row = next(r for r in said.splitlines() if r.startswith("Home big"))
    cells = re.split(r"\s{2,}", row)  # the columns are two or more spaces apart
    assert cells == [
        "Home big",
        "Home team",
        big.p50.isoformat(),
        big.p85.isoformat(),
        big.p95.isoformat(),
        big.committed.isoformat(),
        f"{big.on_time:.0%}",
        "AT RISK",
    ]
    away = next(r for r in said.splitlines() if r.startswith("Away big"))
    assert "AT RISK" not in away
    late = sum(line.late for line in lines.values())
    assert f"{late} of {len(lines)} initiative(s) at risk" in said
    assert DeliveryForecast.objects.count() == 1  # printing the latest runs nothing


def test_forecast_as_json_for_one_line_matches_the_stored_forecast(cast, forecast_world):
    stored = selectors.latest_forecast()
    body = json.loads(_forecast("--line", "home LINE", "--format", "json"))  # any case
    assert body["forecast"]["id"] == stored.pk and body["line"] == cast.home_line.name
    expected = {line.title: line for line in stored.lines.all() if line.team_id == cast.home_team.pk}
    assert {i["title"] for i in body["initiatives"]} == set(expected) and expected
    for item in body["initiatives"]:
        line = expected[item["title"]]
        assert item["p85"] == (line.p85.isoformat() if line.p85 else None)
        assert item["published"] == line.committed.isoformat()
        assert item["on_time"] == round(line.on_time, 3) and item["at_risk"] == line.late
    assert body["at_risk"] == sum(line.late for line in expected.values()) >= 1
    late_only = json.loads(_forecast("--late-only", "--format", "json"))
    assert {i["title"] for i in late_only["initiatives"]} == {
        line.title for line in stored.lines.all() if line.late
    }


def test_forecast_refuses_an_unknown_line_and_runs_a_new_forecast_on_demand(cast, forecast_world):
    with pytest.raises(CommandError, match=r"No product line called 'Nowhere' \(lines: .*Home"):
        _forecast("--line", "Nowhere")
    with pytest.raises(CommandError, match="Simulate between 100 and 50,000 times"):
        _forecast("--run", "--simulations", "10")
    said = _forecast("--run", "--simulations", "500", "--seed", "3")
    assert DeliveryForecast.objects.count() == 2
    assert "(500 simulations)" in said


def test_forecast_without_a_published_roadmap_says_what_to_do(cast):
    with pytest.raises(CommandError, match="Publish a roadmap first"):
        _forecast()


def test_forecast_exits_non_zero_from_the_shell_for_an_unknown_line(cast, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["northstar", "forecast", "--line", "Nowhere"]).execute()
    assert exited.value.code == 1
    assert "No product line called 'Nowhere'" in capsys.readouterr().err
