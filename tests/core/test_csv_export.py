"""Every CSV export escapes by one rule: text a spreadsheet would run (= + - @, or after a TAB or a line
break) starts with an apostrophe, in every column, the anonymous share link's export included."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from northstar.core.csv_export import FORMULA_STARTS, csv_text, safe_cell
from northstar.planning import plans, roadmaps, services
from northstar.planning.models import PlanRun
from northstar.portfolio.models import Initiative, ScoringInput
from tests.conftest import Cast
from tests.planning.factories import make_candidate, make_world


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_starting_like_a_formula_becomes_text(start: str) -> None:
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    rows = list(csv.reader(io.StringIO(csv_text([[f"{start}x", "plain", 3, -2]]), newline="")))
    assert rows == [[f"'{start}x", "plain", "3", "-2"]]


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert [safe_cell(v) for v in ("Payments", "a=b", -5, 2.5, None)] == ["Payments", "a=b", -5, 2.5, None]


def test_the_shared_roadmap_csv_escapes_line_team_and_every_other_column(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    world = make_world(cast)
    cast.home_line.name = "=cmd|' /C calc'!A0"
    cast.home_line.save()
    cast.home_team.name = "\t=1+1"
    cast.home_team.save()
    make_candidate(cast.home_product, value=10, weeks=1, title="@SUM(A1)")
    with django_capture_on_commit_callbacks(execute=True):
        run = plans.plan_run_start(actor=cast.leader, scenario=world.scenario)
    roadmaps.roadmap_publish(actor=cast.leader, run=PlanRun.objects.get(pk=run.pk), title="-Q3 roadmap")
    link = services.share_link_create(actor=cast.leader, label="Board")
    anonymous = Client()
    response = anonymous.get(reverse("planning:shared_export", args=[link.token, "csv"]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    home = [r for r in rows if r["initiative"] == "'@SUM(A1)"]
    assert home, rows
    assert home[0]["line"] == "'=cmd|' /C calc'!A0"
    assert home[0]["team"] == "'\t=1+1"
    assert {r["roadmap"] for r in rows} == {"'-Q3 roadmap"}
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_STARTS), row


def test_the_ranked_list_csv_escapes_a_leading_tab(cast: Cast, login) -> None:
    Initiative.objects.filter(pk=cast.home_initiative.pk).update(title="\t=HYPERLINK(evil)")
    ScoringInput.objects.create(
        initiative=cast.home_initiative, reach=1, impact=1, confidence=100, effort=1, rice_score=1
    )
    response = login(cast.stakeholder).get(reverse("portfolio:ranked_csv"), {"framework": "rice"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert "'\t=HYPERLINK(evil)" in {r[2] for r in rows}
